package intake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"depositdesk/core"
)

// Problem is an RFC 9457 problem document with the desk's error code as an
// extension member, so clients branch on "code" rather than on text.
type Problem struct {
	Type   string         `json:"type" doc:"Always about:blank; the code member says what went wrong."`
	Title  string         `json:"title" doc:"The HTTP status text."`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty" doc:"What went wrong, for a person."`
	Code   string         `json:"code" enum:"invalid,not_found,conflict,unauthorized,forbidden,internal,rate_limited" doc:"The desk's error code."`
	Errors []ProblemField `json:"errors,omitempty" doc:"Which parts of the request were refused, for schema violations."`
}

// ProblemField names one refused part of a request.
type ProblemField struct {
	Location string `json:"location,omitempty" doc:"Where, e.g. body.amount or header.Idempotency-Key."`
	Message  string `json:"message"`
}

// Error implements error.
func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// codeRateLimited is the one code that is not a core code: the limit is
// the HTTP layer's own.
const codeRateLimited = "rate_limited"

// statusOf is the one place core error codes become HTTP statuses.
var statusOf = map[string]int{
	core.EINVALID:      http.StatusUnprocessableEntity,
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.EINTERNAL:     http.StatusInternalServerError,
	codeRateLimited:    http.StatusTooManyRequests,
}

// codeOfStatus names the code of a status huma produced itself: a body it
// could not read or parse (400, 413, 415, 422) is invalid input.
func codeOfStatus(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return core.EUNAUTHORIZED
	case status == http.StatusForbidden:
		return core.EFORBIDDEN
	case status == http.StatusNotFound:
		return core.ENOTFOUND
	case status == http.StatusConflict:
		return core.ECONFLICT
	case status == http.StatusTooManyRequests:
		return codeRateLimited
	case status >= 500:
		return core.EINTERNAL
	}
	return core.EINVALID
}

func newProblem(status int, code, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

// problemFor turns a core error into a problem. Internal errors are logged
// with an id and shown only as that id, so nothing internal leaks.
func problemFor(log *slog.Logger, err error) *Problem {
	code := core.ErrorCode(err)
	if code == core.EINTERNAL {
		id := make([]byte, 4)
		_, _ = rand.Read(id)
		ref := hex.EncodeToString(id)
		log.Error("internal error", "id", ref, "err", err)
		return newProblem(http.StatusInternalServerError, code, "Internal error (id "+ref+").")
	}
	return newProblem(statusOf[code], code, core.ErrorMessage(err))
}

// init makes huma's own refusals (unreadable, oversized or schema-violating
// bodies) problems with a code too. huma offers only this package-level
// hook; every API in the process shares it, and intake is the only one.
func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		p := newProblem(status, codeOfStatus(status), msg)
		for _, e := range errs {
			if e == nil {
				continue
			}
			f := ProblemField{Message: e.Error()}
			// A detail's Value would echo the request back (a whole
			// oversized body); location and message are enough.
			if d, ok := e.(huma.ErrorDetailer); ok {
				dd := d.ErrorDetail()
				f = ProblemField{Location: dd.Location, Message: dd.Message}
			}
			p.Errors = append(p.Errors, f)
		}
		return p
	}
}

// writeProblem answers outside huma's handler path (auth, rate limit).
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
