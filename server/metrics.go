package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// durationBuckets are the latency histograms' upper bounds, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// CacheStats is what the metrics read from the shared cache when scraped.
type CacheStats interface {
	Entries() int
	Bytes() int64
}

// Metrics are the gateway's Prometheus series, registered on one registry (a fresh one per test;
// the process's in cmd/gateway). Its methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	inFlight prometheus.Gauge
	requests *prometheus.CounterVec   // route, code
	latency  *prometheus.HistogramVec // route, outcome
	rejected *prometheus.CounterVec   // code
	panics   prometheus.Counter
	answers  *prometheus.CounterVec // response cache outcome

	upstream        *prometheus.CounterVec   // path, status, cache
	retries         *prometheus.CounterVec   // path
	upstreamLatency *prometheus.HistogramVec // path
}

// NewMetrics registers the gateway's series, with the Go runtime and process collectors, on reg
// (nil: a new registry).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		reg: reg,
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "graphbox_http_requests_in_flight", Help: "HTTP requests being answered."}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphbox_http_requests_total", Help: "HTTP requests answered, by route and status code."},
			[]string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "graphbox_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route and outcome (ok, client_error, server_error).",
			Buckets: durationBuckets}, []string{"route", "outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphbox_graphql_rejected_total", Help: "GraphQL requests refused before execution, by error code (one per limit exceeded)."},
			[]string{"code"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "graphbox_executor_panics_total", Help: "Panics recovered from the GraphQL executor."}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphbox_response_cache_total", Help: "Cacheable GraphQL answers, by response cache outcome: hit (answered from the cache), miss (executed, then kept)."},
			[]string{"outcome"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphbox_upstream_requests_total",
			Help: "Data accesses of GraphQL requests, by REST path, upstream status and source: miss (asked the upstream), hit (shared cache), shared (coalesced with a concurrent identical GET), memo (already fetched by the same request)."},
			[]string{"path", "status", "cache"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphbox_upstream_retries_total", Help: "Upstream attempts beyond the first, by REST path."},
			[]string{"path"}),
		upstreamLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "graphbox_upstream_request_duration_seconds", Help: "Time of upstream GETs (cache misses, retries included), by REST path.",
			Buckets: durationBuckets}, []string{"path"}),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.inFlight, m.requests, m.latency, m.rejected, m.panics, m.answers, m.upstream, m.retries, m.upstreamLatency)
	return m
}

// WatchCache reports the shared cache's size at each scrape.
func (m *Metrics) WatchCache(c CacheStats) {
	m.watchStore("graphbox_cache", "the shared cache of upstream answers", c)
}

// WatchUpstreamVersion reports at each scrape whether the upstream's NetBox version (major.minor)
// differs from the one the build was generated from.
func (m *Metrics) WatchUpstreamVersion(mismatch func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "graphbox_upstream_version_mismatch",
		Help: "1 when the upstream runs another NetBox major.minor than the schema was generated from (regenerate it), else 0."},
		func() float64 {
			if mismatch() {
				return 1
			}
			return 0
		}))
}

// Handler serves the registry in Prometheus' text (or protobuf) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveUpstream counts one data access of a GraphQL request: path is the URL's path (query
// string and numeric segments dropped, so the label set stays that of the REST endpoints).
func (m *Metrics) ObserveUpstream(url string, status int, cache string, attempts int, d time.Duration) {
	path := pathPrefix(url)
	m.upstream.WithLabelValues(path, strconv.Itoa(status), cache).Inc()
	if cache == "miss" {
		m.upstreamLatency.WithLabelValues(path).Observe(d.Seconds())
		if attempts > 1 {
			m.retries.WithLabelValues(path).Add(float64(attempts - 1))
		}
	}
}

func (m *Metrics) observe(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	outcome := "ok"
	switch {
	case code >= 500:
		outcome = "server_error"
	case code >= 400:
		outcome = "client_error"
	}
	m.latency.WithLabelValues(route, outcome).Observe(d.Seconds())
}

func (m *Metrics) reject(code string) { m.rejected.WithLabelValues(code).Inc() }

func (m *Metrics) panic() { m.panics.Inc() }

func (m *Metrics) responseCache(outcome string) { m.answers.WithLabelValues(outcome).Inc() }

// WatchResponseCache reports the response cache's size at each scrape.
func (m *Metrics) WatchResponseCache(c CacheStats) {
	m.watchStore("graphbox_response_cache", "the response cache of finished answers", c)
}

func (m *Metrics) watchStore(name, what string, c CacheStats) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name + "_entries", Help: "Entries in " + what + "."},
			func() float64 { return float64(c.Entries()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name + "_bytes", Help: "Bytes held by " + what + " (bodies, keys and bookkeeping)."},
			func() float64 { return float64(c.Bytes()) }),
	)
}

// pathPrefix is a REST URL's path without its query, with numeric segments as {id}.
func pathPrefix(url string) string {
	path, _, _ := strings.Cut(url, "?")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if _, err := strconv.Atoi(s); err == nil && s != "" {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}
