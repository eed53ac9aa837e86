package intake

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"depositdesk/core"
)

// Metrics is what /metrics exposes: API requests and their latency, deposit
// records by status (counted at scrape time), and the chain watcher's lag,
// which the watcher reports through SetWatcherLag.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	watcherLag *prometheus.GaugeVec
}

// NewMetrics registers the desk's metrics in a registry of their own, so
// two servers in one process (tests) never collide. counts is called at
// every scrape.
func NewMetrics(counts func(context.Context) (map[core.DepositStatus]int64, error), log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "depositdesk_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "depositdesk_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		watcherLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "depositdesk_watcher_lag_blocks", Help: "How many blocks the chain watcher is behind the node's head, per network.",
		}, []string{"network"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.watcherLag, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &recordsCollector{counts: counts, log: log})
	return m
}

// SetWatcherLag records how far behind the head the watcher of network n
// is, labelled "chain/name": both chains have a "mainnet".
func (m *Metrics) SetWatcherLag(n core.Network, blocks float64) {
	m.watcherLag.WithLabelValues(n.String()).Set(blocks)
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts and times every request by its route pattern (not its
// URL, which would make one series per record number).
func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern // set by ServeMux on this very request when it routed it
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recordsMaxAge is how old the record counts a scrape serves may be.
// Counting a million records takes the database about a tenth of a second;
// a scrape flood must not turn into a database flood.
const recordsMaxAge = 15 * time.Second

// recordsCollector serves the record counts from a cache: the first scrape
// counts, later ones get the last counts and, once they are older than
// recordsMaxAge, start one recount in the background.
type recordsCollector struct {
	counts func(context.Context) (map[core.DepositStatus]int64, error)
	log    *slog.Logger

	mu         sync.Mutex
	last       map[core.DepositStatus]int64
	at         time.Time
	recounting bool
}

var recordsDesc = prometheus.NewDesc("depositdesk_deposit_records", "Deposit records by status (at most "+recordsMaxAge.String()+" old).", []string{"status"}, nil)

func (c *recordsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- recordsDesc }

func (c *recordsCollector) Collect(ch chan<- prometheus.Metric) {
	n, err := c.cached()
	if err != nil {
		c.log.Error("count deposit records for metrics", "err", err)
		ch <- prometheus.NewInvalidMetric(recordsDesc, err)
		return
	}
	for _, st := range core.AllDepositStatuses() {
		ch <- prometheus.MustNewConstMetric(recordsDesc, prometheus.GaugeValue, float64(n[st]), string(st))
	}
}

func (c *recordsCollector) cached() (map[core.DepositStatus]int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		n, err := c.count()
		if err != nil {
			return nil, err
		}
		c.last, c.at = n, time.Now()
	} else if time.Since(c.at) > recordsMaxAge && !c.recounting {
		c.recounting = true
		go c.recount()
	}
	return c.last, nil
}

func (c *recordsCollector) recount() {
	n, err := c.count()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recounting = false
	if err != nil {
		c.log.Error("count deposit records for metrics", "err", err)
		return
	}
	c.last, c.at = n, time.Now()
}

func (c *recordsCollector) count() (map[core.DepositStatus]int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.counts(ctx)
}
