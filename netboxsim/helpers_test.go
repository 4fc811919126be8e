package netboxsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/graphbox/graphbox/model"
)

type testSrv struct {
	*httptest.Server
	sim *Sim
}

var (
	sharedOnce sync.Once
	shared     *Sim
	sharedErr  error
)

// testServer serves one shared scale-1 simulator of the generated registry.
func testServer(t *testing.T) *testSrv {
	t.Helper()
	if len(model.Default().Objects) == 0 {
		t.Skip("the generated registry is empty")
	}
	sharedOnce.Do(func() { shared, sharedErr = New(Options{Registry: model.Default(), Control: true}) })
	if sharedErr != nil {
		t.Fatalf("New: %v", sharedErr)
	}
	srv := httptest.NewServer(shared.Handler())
	t.Cleanup(srv.Close)
	return &testSrv{Server: srv, sim: shared}
}

// newServer serves a fresh simulator (for tests that change faults or count requests).
func newServer(t *testing.T, opts Options) *testSrv {
	t.Helper()
	if opts.Registry == nil {
		if len(model.Default().Objects) == 0 {
			t.Skip("the generated registry is empty")
		}
		opts.Registry = model.Default()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &testSrv{Server: srv, sim: s}
}

func (ts *testSrv) get(t *testing.T, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, body
}

type listPage struct {
	Count    *int             `json:"count"`
	Next     *string          `json:"next"`
	Previous *string          `json:"previous"`
	Results  []map[string]any `json:"results"`
}

func (ts *testSrv) list(t *testing.T, path string) listPage {
	t.Helper()
	return ts.listAs(t, path, DemoFullToken)
}

func (ts *testSrv) listAs(t *testing.T, path, token string) listPage {
	t.Helper()
	resp, body := ts.get(t, path, token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	var p listPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return p
}

func count(t *testing.T, p listPage) int {
	t.Helper()
	if p.Count == nil {
		t.Fatal("count is null")
	}
	return *p.Count
}

// badRequest asks for /api/dcim/devices/?query and wants NetBox's 400 body, {param: [message]};
// it returns the message.
func (ts *testSrv) badRequest(t *testing.T, query, param string) string {
	t.Helper()
	resp, body := ts.get(t, "/api/dcim/devices/?"+query, DemoFullToken)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", resp.StatusCode, body)
	}
	var m map[string][]string
	if err := json.Unmarshal(body, &m); err != nil || len(m[param]) != 1 || m[param][0] == "" {
		t.Fatalf("body %s, want {%q: [message]}", body, param)
	}
	return m[param][0]
}

// withRegex is the expected test of a __regex or __iregex parameter: the filter where the
// document lists the lookup (NetBox 4.3 on), else every row, since NetBox 4.2 has no regex
// lookups and ignores a parameter it does not know.
func withRegex(want func(r map[string]any) bool) func(r map[string]any) bool {
	if model.Default().RegexLookups() {
		return want
	}
	return func(map[string]any) bool { return true }
}

// rowsOf walks a list's pages (limit=1000, by offset) and returns its rows in the list's order.
func (ts *testSrv) rowsOf(t *testing.T, path string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []map[string]any
	for {
		p := ts.list(t, path+sep+"limit=1000&offset="+strconv.Itoa(len(out)))
		out = append(out, p.Results...)
		if p.Next == nil || len(p.Results) == 0 {
			return out
		}
	}
}

// allIDs is rowsOf's ids.
func (ts *testSrv) allIDs(t *testing.T, path string) []int {
	t.Helper()
	return ids(listPage{Results: ts.rowsOf(t, path)})
}
