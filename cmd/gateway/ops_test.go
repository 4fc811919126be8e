package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/graphbox/graphbox/internal/promtest"
	"github.com/graphbox/graphbox/netboxsim"
)

// scrape GETs url and parses it with Prometheus' own text parser.
func scrape(t *testing.T, url string) promtest.Families {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return promtest.Parse(t, resp.Body)
}

// /metrics has the runtime, process, upstream and cache families, and its upstream counts are
// exactly the simulator's.
func TestMetricsEndToEnd(t *testing.T) {
	// The response cache would answer the repeat before the upstream cache is asked.
	s := newStack(t, func(c *Config) { c.Upstream.RetryMax = 2; c.Cache.ResponseShare = 0 })
	const q = `{ device_list(pagination: {limit: 5}) { results { name site { name } device_type { model } } } }`
	s.sim.ResetStats()
	for range 2 { // the second answer comes from the shared cache
		if r := s.query(t, fullToken, q); len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
	}
	upstream := s.simStats(t).ByPath
	// A path that fails with 503 is retried RetryMax times.
	if err := s.sim.SetFaults(netboxsim.Faults{Error: &netboxsim.ErrorFault{Status: 503, PathPrefix: "/api/dcim/sites/"}}); err != nil {
		t.Fatal(err)
	}
	s.query(t, fullToken, `{ site_list { results { name } } }`)
	s.sim.ClearFaults()

	fams := scrape(t, s.gwURL+"/metrics")
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if v, ok := fams.Sum(name, nil); !ok || v <= 0 {
			t.Errorf("%s = %v (found %v), want a positive value", name, v, ok)
		}
	}
	var misses float64
	for path, n := range upstream {
		if !strings.HasPrefix(path, "/api/") || path == "/api/status/" {
			continue
		}
		got, _ := fams.Sum("graphbox_upstream_requests_total", map[string]string{"path": path, "cache": "miss", "status": "200"})
		if got != float64(n) {
			t.Errorf("misses on %s = %v, the simulator answered %d", path, got, n)
		}
		misses += got
	}
	if misses == 0 {
		t.Fatalf("no upstream request counted; simulator saw %v", upstream)
	}
	if hits, _ := fams.Sum("graphbox_upstream_requests_total", map[string]string{"cache": "hit"}); hits != misses {
		t.Errorf("cache hits %v, want %v (the second query repeats the first's requests)", hits, misses)
	}
	if got, _ := fams.Sum("graphbox_upstream_requests_total", map[string]string{"path": "/api/dcim/sites/", "status": "503", "cache": "miss"}); got != 1 {
		t.Errorf("failed site_list requests = %v, want 1", got)
	}
	if got, _ := fams.Sum("graphbox_upstream_retries_total", map[string]string{"path": "/api/dcim/sites/"}); got != 2 {
		t.Errorf("retries = %v, want 2 (upstream.retry_max)", got)
	}
	if got, _ := fams.Sum("graphbox_upstream_request_duration_seconds", nil); got != misses+1 {
		t.Errorf("upstream latency observations = %v, want %v (one per miss)", got, misses+1)
	}
	if got, ok := fams.Sum("graphbox_cache_entries", nil); !ok || got != misses {
		t.Errorf("graphbox_cache_entries = %v (found %v), want %v", got, ok, misses)
	}
	// The cache holds each answer's body: at least one byte per entry, and the bookkeeping.
	if got, ok := fams.Sum("graphbox_cache_bytes", nil); !ok || got < misses*300 {
		t.Errorf("graphbox_cache_bytes = %v (found %v), want the bytes of %v entries", got, ok, misses)
	}
	if got, ok := fams.Sum("graphbox_upstream_version_mismatch", nil); !ok || got != 0 {
		t.Errorf("graphbox_upstream_version_mismatch = %v (found %v), want 0 against the simulator of the build's version", got, ok)
	}
	if got, _ := fams.Sum("graphbox_http_requests_total", map[string]string{"route": "graphql", "code": "200"}); got != 3 {
		t.Errorf("graphql requests = %v, want 3", got)
	}
}

// metrics.listen serves /metrics on its own address, and the API's listener no longer does.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Metrics.Listen = "127.0.0.1:0" })
	resp, err := http.Get(s.gwURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("/metrics on the API listener: %d, want 404", resp.StatusCode)
	}
	fams := scrape(t, "http://"+s.gw.metricsAddr+"/metrics")
	if _, ok := fams.Sum("graphbox_http_requests_total", map[string]string{"route": "metrics"}); !ok {
		t.Errorf("the API listener's request to /metrics is not counted")
	}
}

// What curl --compressed does: ask for gzip, get a gzipped answer that decodes to the same JSON.
func TestCompressedAnswer(t *testing.T) {
	s := newStack(t, nil)
	body := `{"query": "{ device_list(pagination: {limit: 50}) { results { id name serial site { name } } } }"}`
	get := func(encoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", s.gwURL+"/graphql/", strings.NewReader(body))
		req.Header.Set("Authorization", fullToken)
		req.Header.Set("Content-Type", "application/json")
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		// A transport that neither asks for nor undoes compression by itself.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, raw
	}
	plainResp, plain := get("")
	if plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("compressed without Accept-Encoding")
	}
	gzResp, gz := get("deflate, gzip, br, zstd") // what curl --compressed sends
	if gzResp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", gzResp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(plain, &a) != nil || json.Unmarshal(unzipped, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("the gzipped answer differs from the plain one")
	}
	if len(gz) >= len(plain) {
		t.Errorf("gzip made %d bytes of %d", len(gz), len(plain))
	}
	t.Logf("answer: %d bytes, gzipped %d", len(plain), len(gz))
}

// /readyz behind a slow upstream answers at once from the background check, and probes never
// reach the upstream.
func TestReadyzBehindSlowUpstream(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Ready.Interval = time.Hour; c.Ready.Timeout = time.Minute })
	waitReady(t, s.gwURL, 200)
	if err := s.sim.SetFaults(netboxsim.Faults{Latency: &netboxsim.LatencyFault{Delay: netboxsim.Duration(time.Hour), PathPrefix: "/api/status/"}}); err != nil {
		t.Fatal(err)
	}
	defer s.sim.ClearFaults()
	s.sim.ResetStats()
	for range 20 {
		resp, err := http.Get(s.gwURL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("/readyz %d, want 200 from the last check", resp.StatusCode)
		}
	}
	if n := s.simStats(t).Requests; n != 0 {
		t.Errorf("20 probes made %d upstream requests, want 0", n)
	}
}

// waitChecked waits for the first background readiness check to end, so that the upstream
// requests a test counts are its own.
func waitChecked(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "not been checked") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the readiness check never ran")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitReady(t *testing.T, base string, status int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered %d", status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// On SIGTERM (the context's end) the gateway reports not ready at once, keeps answering queries
// during the drain delay, then stops.
func TestShutdownDrains(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Demo = true
	cfg.Listen = "127.0.0.1:0"
	cfg.Shutdown.DrainDelay = 500 * time.Millisecond
	cfg.Log.Level = "error"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, pw); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := strings.TrimSuffix(strings.Fields(strings.SplitAfter(line, "http://")[1])[0], "/graphql/")
	base = "http://" + base
	waitReady(t, base, 200)

	cancel()
	waitReady(t, base, 503)
	// Still serving during the drain delay.
	st := &stack{gwURL: base}
	if r := st.query(t, fullToken, `{ site_list(pagination: {limit: 1}) { total_count } }`); r.Status != 200 || len(r.Errors) > 0 {
		t.Errorf("query during the drain: %d %+v", r.Status, r.Errors)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the gateway did not stop")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Errorf("still listening after the shutdown")
	}
}

// 'gateway healthcheck' is the container's health check where there is no shell or curl.
func TestHealthcheckCommand(t *testing.T) {
	s := newStack(t, nil)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	addr := strings.TrimPrefix(s.gwURL, "http://")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"URL given", []string{s.gwURL + "/healthz"}, nil, 0},
		{"port from GATEWAY_LISTEN", nil, map[string]string{"GATEWAY_LISTEN": ":" + addr[strings.LastIndex(addr, ":")+1:]}, 0},
		{"nothing listening", []string{dead.URL + "/healthz"}, nil, 1},
		{"not 200", []string{s.gwURL + "/nope"}, nil, 1},
		{"bad GATEWAY_LISTEN", nil, map[string]string{"GATEWAY_LISTEN": "nope"}, 2},
		{"too many arguments", []string{"a", "b"}, nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			if got := healthcheck(tc.args, envMap(tc.env), &stderr); got != tc.want {
				t.Errorf("exit %d, want %d (%s)", got, tc.want, stderr.String())
			}
		})
	}
}
