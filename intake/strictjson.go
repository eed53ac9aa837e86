package intake

import (
	"bytes"
	"io"
	"net/http"

	"depositdesk/core"
	"depositdesk/core/jsonkeys"
)

// strictBodies refuses a JSON body that names a key twice, at any depth,
// or names two keys that differ only in case, before anything decodes it.
// Go's decoder keeps the last of duplicate keys and matches names without
// regard to case, while a schema validator or another reader of the same
// bytes may take the first: {"amount":"0.01","AMOUNT":"1"} must not mean
// one thing to the check and another to the record.
func (s *Server) strictBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		// One byte past the limit lets the API's own limit answer 413.
		body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
		if err != nil {
			writeProblem(w, newProblem(http.StatusBadRequest, core.EINVALID, "The request body could not be read."))
			return
		}
		if int64(len(body)) <= s.cfg.MaxBodyBytes {
			if loc, err := jsonkeys.Check(body); err != nil {
				p := newProblem(http.StatusUnprocessableEntity, core.EINVALID, err.Error())
				p.Errors = []ProblemField{{Location: loc, Message: err.Error()}}
				writeProblem(w, p)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
