package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
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
	engines(t, func(t *testing.T, newEnv func(*testing.T, intake.Config) *env) {
		entered, release := make(chan struct{}), make(chan struct{})
		e := newEnv(t, intake.Config{DestinationFunc: func(ctx context.Context, app core.DepositApplication) (string, error) {
			close(entered)
			<-release
			return destination(ctx, app)
		}})
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
