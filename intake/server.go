// Package intake is the desk's HTTP JSON API for client systems: deposit
// requests with idempotency keys, attaching a TXID later, reading a
// request's status, plus health, metrics and the OpenAPI document. It calls
// only core.Service and knows nothing of the CLI that starts it.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"depositdesk/core"
)

// Config says how a Server behaves. Zero values take the defaults below.
type Config struct {
	Service *core.Service
	Log     *slog.Logger
	// RatePerSecond and Burst are each API client's token bucket.
	RatePerSecond float64
	Burst         int
	// MaxBodyBytes bounds a request body; a larger one is refused with 413.
	MaxBodyBytes int64
	// RequestTimeout bounds the work of one request (its context deadline).
	RequestTimeout time.Duration
	// AuthCacheTTL is how long an accepted token is trusted before the
	// store is asked again, so also how long a revocation may take to bite.
	// Negative: ask the store on every call.
	AuthCacheTTL time.Duration
	// NodeStatus, when set, says what /healthz reports of each blockchain
	// node (by its name in nodes.toml).
	NodeStatus func() map[string]string
}

// Defaults of Config.
const (
	DefaultRatePerSecond  = 50
	DefaultBurst          = 100
	DefaultMaxBodyBytes   = 16 << 10
	DefaultRequestTimeout = 10 * time.Second
	DefaultAuthCacheTTL   = time.Second
	// ShutdownTimeout is how long Serve waits for in-flight requests.
	ShutdownTimeout = 30 * time.Second
)

// Server is the API: its routes, limits and metrics.
type Server struct {
	cfg     Config
	svc     *core.Service
	log     *slog.Logger
	limits  *limits
	clients *clientCache
	metrics *Metrics
	api     huma.API
	mux     *recordingMux
	handler http.Handler
}

// New builds the API on cfg.Service. Without a Service it still builds
// (and can describe itself with OpenAPI), but cannot serve requests.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.AuthCacheTTL == 0 {
		cfg.AuthCacheTTL = DefaultAuthCacheTTL
	}
	s := &Server{cfg: cfg, svc: cfg.Service, log: cfg.Log, limits: newLimits(cfg.RatePerSecond, cfg.Burst),
		mux:     &recordingMux{ServeMux: http.NewServeMux()},
		clients: &clientCache{ttl: cfg.AuthCacheTTL, m: map[string]cachedClient{}}}
	s.metrics = NewMetrics(func(ctx context.Context) (map[core.DepositStatus]int64, error) {
		return s.svc.DepositCountsByStatus(ctx)
	}, cfg.Log)

	hc := huma.DefaultConfig("Deposit Desk intake API", "1.0.0")
	hc.Info.Description = "Deposit requests from client systems. See docs/api.md."
	hc.OpenAPIPath, hc.DocsPath, hc.SchemasPath = "", "", "" // /openapi.json is served below; no browser UI
	hc.CreateHooks = nil                                     // no $schema member or Link header in responses
	hc.Formats = map[string]huma.Format{"application/json": huma.DefaultJSONFormat, "json": huma.DefaultJSONFormat}
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API client token from `depositctl client create`."},
	}
	s.api = humago.New(s.mux, hc)
	s.registerRoutes()
	s.mux.HandleFunc("GET /openapi.json", s.serveOpenAPI)
	s.handler = s.withTimeout(s.metrics.instrument(s.strictBodies(s.mux)))
	return s
}

// Handler is the whole API as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Metrics gives access to the gauges other parts of the desk set.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Routes lists the patterns registered on the mux ("GET /healthz", …).
func (s *Server) Routes() []string { return append([]string(nil), s.mux.patterns...) }

// OpenAPI returns the OpenAPI 3.1 document as indented JSON.
func (s *Server) OpenAPI() ([]byte, error) {
	b, err := json.MarshalIndent(s.api.OpenAPI(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	b, err := s.OpenAPI()
	if err != nil {
		writeProblem(w, problemFor(s.log, err))
		return
	}
	w.Header().Set("Content-Type", "application/openapi+json")
	_, _ = w.Write(b)
}

// withTimeout gives each request a deadline that the store calls honour.
func (s *Server) withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Serve answers on ln until ctx is cancelled, then stops accepting and
// waits up to ShutdownTimeout for the requests in flight to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		// Requests must outlive ctx: shutdown lets them finish, it does
		// not cancel their database work.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// recordingMux remembers every pattern registered, so a test can hold the
// served routes against the OpenAPI document.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}
