package intake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/intake"
	"depositdesk/internal/seed"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

// BenchmarkMetricsScrape measures GET /metrics, token and all, on a desk
// started on a SQLite database of 1,000,000 records (10,000 with -short:
// seeding a million takes about half a minute). The first scrape counts the
// records and is reported apart as cold-ns; every later one is served from
// the counts cached for 15 s, which is what ns/op measures. A scrape goes
// through the whole handler in process, asking for gzip as Prometheus does.
func BenchmarkMetricsScrape(b *testing.B) {
	records := 1_000_000
	if testing.Short() {
		records = 10_000
	}
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "desk.db")
	seeded, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	e := newEnv(b, seeded, intake.Config{})
	_, err = seed.Run(e.admin, e.svc, seed.Options{Records: records, Seed: 1, Until: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	require.NoError(b, err)
	// Closing checkpoints the seed's WAL, which would otherwise be copied
	// into the database in the background while the scrapes are timed.
	require.NoError(b, seeded.Close())
	runtime.GC()

	st, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	// The rate limit (50 a second by default) would answer most scrapes with 429.
	h := intake.New(intake.Config{Service: wire.NewService(st), RatePerSecond: 1e6, Burst: 1e6}).Handler()
	scrape := func() {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+e.metrics)
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("scrape: %d %s", w.Code, w.Body)
		}
	}
	start := time.Now()
	scrape()
	cold := time.Since(start)
	b.ReportAllocs()
	for b.Loop() {
		scrape()
	}
	b.ReportMetric(float64(cold.Nanoseconds()), "cold-ns")
}
