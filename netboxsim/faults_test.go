package netboxsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func postJSON(t *testing.T, ts *testSrv, path, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := ts.Client().Post(ts.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func rawGet(ts *testSrv, path string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	req.Header.Set("Authorization", DemoFullToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaults(t *testing.T) {
	ts := newServer(t, Options{Control: true})
	cases := []struct {
		name   string
		faults string
		check  func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{"error 503", `{"error":{"status":503}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 503 {
				t.Fatalf("%v %v", resp, err)
			}
		}},
		{"error 500 is NetBox's JSON", `{"error":{"status":500,"rate":1}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			var m map[string]any
			if err != nil || resp.StatusCode != 500 || json.Unmarshal(body, &m) != nil || m["error"] == nil {
				t.Fatalf("%v %s %v", resp, body, err)
			}
		}},
		{"rate limit", `{"rate_limit":{"retry_after":7}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
				t.Fatalf("%v %v", resp, err)
			}
		}},
		{"reset", `{"reset":{}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err == nil {
				t.Fatalf("no error: %d", resp.StatusCode)
			}
		}},
		{"truncate", `{"truncate":{"rate":1}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("want an unexpected EOF, got %v (%d bytes)", err, len(body))
			}
		}},
		{"slow body", `{"slow_body":{"duration":"50ms"}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			var p listPage
			if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &p) != nil || len(p.Results) == 0 {
				t.Fatalf("slow body must arrive whole: %v %v", err, len(body))
			}
		}},
		{"latency", `{"latency":{"delay":"20ms","jitter":"5ms"}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%v %v", resp, err)
			}
		}},
		{"path prefix elsewhere", `{"error":{"status":502,"path_prefix":"/api/ipam/"}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("fault for /api/ipam/ hit /api/dcim/: %v %v", resp, err)
			}
		}},
		{"path prefix here", `{"error":{"status":502,"path_prefix":"/api/dcim/"}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 502 {
				t.Fatalf("%v %v", resp, err)
			}
		}},
		{"rate zero share", `{"error":{"status":504,"rate":0.000001}}`, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%v %v", resp, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := postJSON(t, ts, "/_sim/faults", c.faults)
			if resp.StatusCode != 200 {
				t.Fatalf("POST /_sim/faults: %d %s", resp.StatusCode, body)
			}
			r, b, err := rawGet(ts, "/api/dcim/sites/?limit=5")
			c.check(t, r, b, err)
			req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/_sim/faults", nil)
			dr, err := ts.Client().Do(req)
			if err != nil || dr.StatusCode != http.StatusNoContent {
				t.Fatalf("DELETE /_sim/faults: %v %v", dr, err)
			}
			dr.Body.Close()
			if r, _, err := rawGet(ts, "/api/dcim/sites/?limit=5"); err != nil || r.StatusCode != 200 {
				t.Fatalf("after DELETE: %v %v", r, err)
			}
		})
	}
	t.Run("invalid faults", func(t *testing.T) {
		for _, body := range []string{`{"error":{"status":404}}`, `{"error":{"status":500,"rate":2}}`, `{"slow_body":{}}`,
			`{"latency":{"delay":"soon"}}`, `{"nope":1}`, `not json`} {
			if resp, b := postJSON(t, ts, "/_sim/faults", body); resp.StatusCode != 400 {
				t.Errorf("%s: %d %s", body, resp.StatusCode, b)
			}
		}
	})
	t.Run("SetFaults", func(t *testing.T) {
		if err := ts.sim.SetFaults(Faults{RateLimit: &RateLimitFault{}}); err != nil {
			t.Fatal(err)
		}
		if r, _, err := rawGet(ts, "/api/dcim/sites/"); err != nil || r.StatusCode != 429 || r.Header.Get("Retry-After") != "1" {
			t.Errorf("%v %v", r, err)
		}
		ts.sim.ClearFaults()
		if r, _, err := rawGet(ts, "/api/dcim/sites/"); err != nil || r.StatusCode != 200 {
			t.Errorf("%v %v", r, err)
		}
	})
	t.Run("latency from the options", func(t *testing.T) {
		ts2 := newServer(t, Options{Latency: 30 * time.Millisecond, Control: true})
		_, body := ts2.get(t, "/_sim/faults", "")
		if !strings.Contains(string(body), `"delay":"30ms"`) {
			t.Errorf("faults %s", body)
		}
	})
}

func TestStats(t *testing.T) {
	ts := newServer(t, Options{Control: true})
	ts.get(t, "/api/dcim/devices/?limit=1", DemoFullToken)
	ts.get(t, "/api/dcim/devices/1/", DemoFullBearer)
	ts.get(t, "/api/dcim/sites/", "")
	_, body := ts.get(t, "/_sim/stats", "")
	var st Stats
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if st.Requests != 3 || st.ByPath["/api/dcim/devices/"] != 1 || st.ByPath["/api/dcim/devices/1/"] != 1 || st.ByPath["/api/dcim/sites/"] != 1 {
		t.Errorf("stats %+v", st)
	}
	wantRecent := []Request{
		{Method: "GET", URL: "/api/dcim/devices/?limit=1", Auth: "Token"},
		{Method: "GET", URL: "/api/dcim/devices/1/", Auth: "Bearer"},
		{Method: "GET", URL: "/api/dcim/sites/", Auth: ""},
	}
	if len(st.Recent) != 3 {
		t.Fatalf("recent %+v", st.Recent)
	}
	for i := range wantRecent {
		if st.Recent[i] != wantRecent[i] {
			t.Errorf("recent[%d] = %+v, want %+v", i, st.Recent[i], wantRecent[i])
		}
	}
	if bytes.Contains(body, []byte("0123456789abcdef")) {
		t.Error("stats contain a token")
	}
	if got := ts.sim.Stats(); got.Requests != 3 {
		t.Errorf("Stats() %+v", got)
	}
	if resp, _ := postJSON(t, ts, "/_sim/reset", ""); resp.StatusCode != 200 {
		t.Fatalf("reset %d", resp.StatusCode)
	}
	if got := ts.sim.Stats(); got.Requests != 0 || len(got.ByPath) != 0 || len(got.Recent) != 0 {
		t.Errorf("after reset %+v", got)
	}
	for range recentMax + 5 {
		ts.sim.stats.record("GET", "/api/x/", "", "")
	}
	ts.sim.stats.record("GET", "/api/last/", "", "")
	got := ts.sim.Stats()
	if len(got.Recent) != recentMax || got.Recent[recentMax-1].URL != "/api/last/" || got.Requests != recentMax+6 {
		t.Errorf("ring: %d entries, last %+v", len(got.Recent), got.Recent[len(got.Recent)-1])
	}
	ts.sim.ResetStats()
	if ts.sim.Stats().Requests != 0 {
		t.Error("ResetStats")
	}
	t.Run("control off", func(t *testing.T) {
		off := newServer(t, Options{})
		for _, p := range []string{"/_sim/stats", "/_sim/faults"} {
			if resp, _ := off.get(t, p, ""); resp.StatusCode != 404 {
				t.Errorf("%s without --control: %d", p, resp.StatusCode)
			}
		}
		off.get(t, "/api/status/", DemoFullToken)
		if off.sim.Stats().Requests != 1 {
			t.Error("Stats() must count without --control")
		}
	})
}

func TestLoadTokens(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "# comment\n\nfull-read Token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\ntenant-restricted Bearer nbt_ops.secret1\nno-permission Token bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n")
	toks, err := LoadTokens(good)
	if err != nil {
		t.Fatal(err)
	}
	want := []Token{
		{"Token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FullRead},
		{"Bearer nbt_ops.secret1", TenantRestricted},
		{"Token bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NoPermission},
	}
	if len(toks) != len(want) {
		t.Fatalf("%+v", toks)
	}
	for i := range want {
		if toks[i] != want[i] {
			t.Errorf("token %d: %+v", i, toks[i])
		}
	}
	for name, content := range map[string]string{
		"bad profile": "admin Token aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		"bad token":   "full-read Token abc\n",
		"one word":    "full-read\n",
	} {
		if _, err := LoadTokens(write(strings.ReplaceAll(name, " ", "_"), content)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "aaaaaaaa") {
			t.Errorf("%s: the error repeats the token: %v", name, err)
		}
	}
	if _, err := LoadTokens(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

// MaxRequestLine refuses a longer request line with 414, as a front server would, and serves a
// line of exactly the limit.
func TestMaxRequestLine(t *testing.T) {
	ts := newServer(t, Options{MaxRequestLine: 100})
	for _, tc := range []struct {
		extra int // characters of padding in the query
		want  int
	}{{0, http.StatusOK}, {200, http.StatusRequestURITooLong}} {
		path := "/api/dcim/sites/?q=" + strings.Repeat("x", tc.extra)
		if tc.want == http.StatusOK {
			// "GET " + URI + " HTTP/1.1" exactly at the limit
			path += strings.Repeat("x", 100-len("GET ")-len(" HTTP/1.1")-len(path))
		}
		resp, body := ts.get(t, path, DemoFullToken)
		if resp.StatusCode != tc.want {
			t.Errorf("request line of %d: %d %s, want %d", len("GET  HTTP/1.1")+len(path), resp.StatusCode, body, tc.want)
		}
	}
}
