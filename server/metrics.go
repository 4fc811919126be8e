package server

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// durationBuckets are the latency histogram's upper bounds, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type requestKey struct {
	route string
	code  int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// metrics are the counters served at /metrics in Prometheus' text format (hand-written: the
// handful of series here do not justify a client library).
type metrics struct {
	inFlight atomic.Int64

	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[string]*histogram
	rejected  map[string]uint64
	panics    uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, latencies: map[string]*histogram{}, rejected: map[string]uint64{}}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	secs := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, code}]++
	h := m.latencies[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets)+1)}
		m.latencies[route] = h
	}
	i := sort.SearchFloat64s(durationBuckets, secs) // first bound >= secs: le is inclusive
	h.counts[i]++
	h.sum += secs
	h.count++
}

func (m *metrics) reject(code string) {
	m.mu.Lock()
	m.rejected[code]++
	m.mu.Unlock()
}

func (m *metrics) panic() {
	m.mu.Lock()
	m.panics++
	m.mu.Unlock()
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(m.render()))
}

func (m *metrics) render() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder

	b.WriteString("# HELP graphbox_http_requests_total HTTP requests answered, by route and status code.\n")
	b.WriteString("# TYPE graphbox_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "graphbox_http_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, m.requests[k])
	}

	b.WriteString("# HELP graphbox_http_request_duration_seconds Time to answer an HTTP request, by route.\n")
	b.WriteString("# TYPE graphbox_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.latencies))
	for r := range m.latencies {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.latencies[r]
		var cum uint64
		for i, bound := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "graphbox_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, strconv.FormatFloat(bound, 'g', -1, 64), cum)
		}
		cum += h.counts[len(durationBuckets)]
		fmt.Fprintf(&b, "graphbox_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, cum)
		fmt.Fprintf(&b, "graphbox_http_request_duration_seconds_sum{route=%q} %s\n", r, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "graphbox_http_request_duration_seconds_count{route=%q} %d\n", r, h.count)
	}

	b.WriteString("# HELP graphbox_graphql_rejected_total GraphQL requests refused before execution, by error code.\n")
	b.WriteString("# TYPE graphbox_graphql_rejected_total counter\n")
	codes := make([]string, 0, len(m.rejected))
	for c := range m.rejected {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(&b, "graphbox_graphql_rejected_total{code=%q} %d\n", c, m.rejected[c])
	}

	b.WriteString("# HELP graphbox_executor_panics_total Panics recovered from the GraphQL executor.\n")
	b.WriteString("# TYPE graphbox_executor_panics_total counter\n")
	fmt.Fprintf(&b, "graphbox_executor_panics_total %d\n", m.panics)

	b.WriteString("# HELP graphbox_http_requests_in_flight HTTP requests being answered.\n")
	b.WriteString("# TYPE graphbox_http_requests_in_flight gauge\n")
	fmt.Fprintf(&b, "graphbox_http_requests_in_flight %d\n", m.inFlight.Load())
	return b.String()
}
