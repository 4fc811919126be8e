package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/graphbox/graphbox/internal/promtest"
)

type fakeCacheStats struct {
	entries int
	bytes   int64
}

func (f fakeCacheStats) Entries() int { return f.entries }
func (f fakeCacheStats) Bytes() int64 { return f.bytes }

func TestMetrics(t *testing.T) {
	cfg := testConfig()
	cfg.Metrics = NewMetrics(nil)
	cfg.Metrics.WatchCache(fakeCacheStats{entries: 7, bytes: 4096})
	h := New(cfg, &fakeExec{}, nil, nil)
	for _, body := range []string{`{"query":"{ a }"}`, `{"query":"{ a }"}`, `{"query":"mutation { a }"}`, `{`} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", strings.NewReader(body)))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	cfg.Metrics.ObserveUpstream("/api/dcim/devices/?limit=100&site_id=3", 200, "miss", 3, 20*time.Millisecond)
	cfg.Metrics.ObserveUpstream("/api/dcim/devices/?limit=100&site_id=4", 200, "hit", 0, 0)
	cfg.Metrics.ObserveUpstream("/api/dcim/sites/12/", 404, "miss", 1, time.Millisecond)
	cfg.Metrics.ObserveUpstream("/api/dcim/sites/12/", 404, "memo", 0, 0)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	fams := promtest.Parse(t, w.Body)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"graphbox_http_requests_total", map[string]string{"route": "graphql", "code": "200"}, 2},
		{"graphbox_http_requests_total", map[string]string{"route": "graphql", "code": "400"}, 2},
		{"graphbox_http_requests_total", map[string]string{"route": "healthz", "code": "200"}, 1},
		{"graphbox_http_request_duration_seconds", map[string]string{"route": "graphql", "outcome": "ok"}, 2},
		{"graphbox_http_request_duration_seconds", map[string]string{"route": "graphql", "outcome": "client_error"}, 2},
		{"graphbox_graphql_rejected_total", map[string]string{"code": CodeOperationNotAllowed}, 1},
		{"graphbox_graphql_rejected_total", map[string]string{"code": CodeBadRequest}, 1},
		{"graphbox_executor_panics_total", nil, 0},
		{"graphbox_http_requests_in_flight", nil, 1}, // the scrape itself
		{"graphbox_upstream_requests_total", map[string]string{"path": "/api/dcim/devices/", "status": "200", "cache": "miss"}, 1},
		{"graphbox_upstream_requests_total", map[string]string{"path": "/api/dcim/devices/", "status": "200", "cache": "hit"}, 1},
		{"graphbox_upstream_requests_total", map[string]string{"path": "/api/dcim/sites/{id}/", "status": "404", "cache": "memo"}, 1},
		{"graphbox_upstream_retries_total", map[string]string{"path": "/api/dcim/devices/"}, 2},
		{"graphbox_upstream_request_duration_seconds", map[string]string{"path": "/api/dcim/devices/"}, 1},
		{"graphbox_upstream_request_duration_seconds", map[string]string{"path": "/api/dcim/sites/{id}/"}, 1},
		{"graphbox_cache_entries", nil, 7},
		{"graphbox_cache_bytes", nil, 4096},
	} {
		got, ok := fams.Sum(tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// Series that cannot be told from the data above: the runtime and process collectors.
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total"} {
		if v, ok := fams.Sum(name, nil); !ok || v <= 0 {
			t.Errorf("%s = %v (found %v), want a positive value", name, v, ok)
		}
	}
	// Hits and memo reads never reached the upstream: no latency, no retries for them.
	if _, ok := fams.Sum("graphbox_upstream_retries_total", map[string]string{"path": "/api/dcim/sites/{id}/"}); ok {
		t.Errorf("a request made once counted a retry")
	}
}

// Each handler without a registry of its own gets a fresh one: two handlers never share series.
func TestMetricsRegistryPerHandler(t *testing.T) {
	a := New(testConfig(), &fakeExec{}, nil, nil)
	b := New(testConfig(), &fakeExec{}, nil, nil)
	a.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	w := httptest.NewRecorder()
	b.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if _, ok := promtest.Parse(t, w.Body).Sum("graphbox_http_requests_total", map[string]string{"route": "healthz"}); ok {
		t.Errorf("handler b counts handler a's request")
	}
}

func TestPathPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"/api/dcim/devices/?id=1&id=2": "/api/dcim/devices/",
		"/api/dcim/devices/42/":        "/api/dcim/devices/{id}/",
		"/api/status/":                 "/api/status/",
		"/api/ipam/vlans/7/?brief=1":   "/api/ipam/vlans/{id}/",
	} {
		if got := pathPrefix(in); got != want {
			t.Errorf("pathPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}
