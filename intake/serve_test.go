package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/intake"
)

// TestServeFinishesInFlightRequestsOnShutdown holds a POST inside the
// handler, cancels Serve's context, and requires that the POST still
// completes and is stored, that new connections are refused, and that
// Serve returns without error.
func TestServeFinishesInFlightRequestsOnShutdown(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, newEnv newEnvFunc) {
		entered, release := make(chan struct{}), make(chan struct{})
		e := newEnv(t, intake.Config{}, func(st core.Store) core.Store { return &stallingStore{Store: st, entered: entered, release: release} })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- e.api.Serve(ctx, ln) }()

		b, err := json.Marshal(body(nil))
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/v1/deposit-requests", bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.crm)
		req.Header.Set("Idempotency-Key", "in-flight")
		req.Header.Set("Content-Type", "application/json")
		answered := make(chan int, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				answered <- 0
				return
			}
			res.Body.Close()
			answered <- res.StatusCode
		}()
		<-entered
		cancel()
		require.Eventually(t, func() bool {
			c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err != nil
		}, 5*time.Second, 10*time.Millisecond, "shutdown stops accepting connections")
		select {
		case err := <-served:
			t.Fatalf("Serve returned before the request in flight finished: %v", err)
		default:
		}
		close(release)
		require.Equal(t, http.StatusCreated, <-answered)
		require.NoError(t, <-served)
		require.Len(t, e.records(), 1)
	})
}

// stallingStore holds the first deposit insert until release is closed,
// so the request is in flight while the server shuts down.
type stallingStore struct {
	core.Store
	entered, release chan struct{}
	once             sync.Once
}

func (s *stallingStore) CreateDeposit(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error) {
	s.once.Do(func() {
		close(s.entered)
		<-s.release
	})
	return s.Store.CreateDeposit(ctx, d, audit)
}
