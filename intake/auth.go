package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"golang.org/x/time/rate"

	"depositdesk/core"
)

// authenticated is the middleware of every operation that needs a token:
// it resolves the bearer token to an API client holding scope, applies the
// client's rate limit, and passes the client on in the context, before the
// body is read. A refused call writes nothing to the database and is logged.
func (s *Server) authenticated(scope core.Scope) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) { s.authenticate(ctx, scope, next) }
}

func (s *Server) authenticate(ctx huma.Context, scope core.Scope, next func(huma.Context)) {
	scheme, token, _ := strings.Cut(ctx.Header("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		s.refuse(ctx, newProblem(http.StatusUnauthorized, core.EUNAUTHORIZED, "An Authorization: Bearer token is required."))
		return
	}
	c, err := s.clients.authenticate(ctx.Context(), s.svc, strings.TrimSpace(token), scope)
	if err != nil {
		s.refuse(ctx, problemFor(s.log, err))
		return
	}
	if !s.limits.allow(c.ID) {
		ctx.SetHeader("Retry-After", "1")
		s.refuse(ctx, newProblem(http.StatusTooManyRequests, codeRateLimited, "Too many requests from client "+c.Name+"; slow down."))
		return
	}
	next(huma.WithContext(ctx, core.NewContextWithClient(ctx.Context(), c)))
}

func (s *Server) refuse(ctx huma.Context, p *Problem) {
	s.log.Info("refused API call", "method", ctx.Method(), "path", ctx.URL().Path, "remote", ctx.RemoteAddr(), "status", p.Status, "code", p.Code)
	if p.Status == http.StatusUnauthorized {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="depositdesk"`)
	}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetHeader("Cache-Control", "no-store")
	ctx.SetStatus(p.Status)
	_ = json.NewEncoder(ctx.BodyWriter()).Encode(p)
}

// limits holds one token bucket per API client.
type limits struct {
	perSecond rate.Limit
	burst     int
	mu        sync.Mutex
	byClient  map[int64]*rate.Limiter // bounded by the number of clients
}

func newLimits(perSecond float64, burst int) *limits {
	return &limits{perSecond: rate.Limit(perSecond), burst: burst, byClient: map[int64]*rate.Limiter{}}
}

func (l *limits) allow(client int64) bool {
	l.mu.Lock()
	lim, ok := l.byClient[client]
	if !ok {
		lim = rate.NewLimiter(l.perSecond, l.burst)
		l.byClient[client] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}

// clientCache remembers accepted tokens for a moment: looking the token up
// was one store query on every call, a tenth of the server's work under
// load. A revocation therefore takes effect within ttl, not at once.
type clientCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedClient // by token hash
}

type cachedClient struct {
	client *core.APIClient
	until  time.Time
}

// maxCachedClients bounds the cache; there are a handful of real clients.
const maxCachedClients = 1024

func (cc *clientCache) authenticate(ctx context.Context, svc *core.Service, token string, scope core.Scope) (*core.APIClient, error) {
	if cc.ttl <= 0 {
		return svc.AuthenticateClient(ctx, token, scope)
	}
	key, now := core.HashAPIToken(token), time.Now()
	cc.mu.Lock()
	hit, ok := cc.m[key]
	cc.mu.Unlock()
	if ok && now.Before(hit.until) && slices.Contains(hit.client.Scopes, scope) {
		return hit.client, nil
	}
	c, err := svc.AuthenticateClient(ctx, token, scope)
	if err != nil {
		return nil, err // refusals are never cached: a new client works at once
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) >= maxCachedClients {
		for k, v := range cc.m {
			if !now.Before(v.until) {
				delete(cc.m, k)
			}
		}
		if len(cc.m) >= maxCachedClients {
			clear(cc.m)
		}
	}
	cc.m[key] = cachedClient{client: c, until: now.Add(cc.ttl)}
	return c, nil
}
