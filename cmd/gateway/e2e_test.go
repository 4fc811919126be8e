package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

const (
	fullToken       = netboxsim.DemoFullToken
	restrictedToken = "Token 1111111111111111111111111111111111111111"
	noPermToken     = "Token 2222222222222222222222222222222222222222"
)

// stack is a gateway in front of a simulator, both on loopback, as --demo runs them.
type stack struct {
	sim    *netboxsim.Sim
	simURL string
	gwURL  string
	gw     *gateway
	params *paramCheck // every plan's parameters against the document's
}

func newStack(t *testing.T, mutate func(*Config)) *stack {
	t.Helper()
	return newStackWith(t, netboxsim.Options{}, mutate)
}

// newStackWith is newStack with simulator options (Registry, Scale, Seed and Control are set).
func newStackWith(t *testing.T, opts netboxsim.Options, mutate func(*Config)) *stack {
	t.Helper()
	return newStackLogging(t, opts, mutate, io.Discard)
}

// newStackLogging is newStackWith with the gateway's log (JSON) written to logs.
func newStackLogging(t *testing.T, opts netboxsim.Options, mutate func(*Config), logs io.Writer) *stack {
	t.Helper()
	opts.Registry, opts.Scale, opts.Seed, opts.Control = model.Default(), 1, 1, true
	sim, err := netboxsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	check := &paramCheck{reg: opts.Registry, bad: map[string]int{}}
	simSrv := httptest.NewServer(check.wrap(sim.Handler()))
	t.Cleanup(simSrv.Close)
	t.Cleanup(func() { check.report(t) })
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Upstream.URL = simSrv.URL
	cfg.Upstream.RetryWaitMin = time.Millisecond
	cfg.Upstream.RetryWaitMax = 20 * time.Millisecond
	// One readiness check, at start: tests count the simulator's requests exactly.
	cfg.Ready.Interval = time.Hour
	if mutate != nil {
		mutate(&cfg)
	}
	g, err := start(cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = g.close(ctx)
	})
	// The tests count upstream requests: the start's readiness check is not theirs.
	waitChecked(t, "http://"+g.addr)
	sim.ResetStats()
	return &stack{sim: sim, simURL: simSrv.URL, gwURL: "http://" + g.addr, gw: g, params: check}
}

// gqlResponse is a GraphQL answer with its HTTP status.
type gqlResponse struct {
	Status int
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]json.RawMessage `json:"extensions"`
}

func (s *stack) query(t *testing.T, token, query string) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": nil})
	return s.post(t, token, body)
}

func (s *stack) post(t *testing.T, token string, body []byte) gqlResponse {
	t.Helper()
	return s.postTo(t, "/graphql/", token, body)
}

// postTo posts a GraphQL request to one of the gateway's GraphQL paths (/graphql/v1/, ...).
func (s *stack) postTo(t *testing.T, path, token string, body []byte) gqlResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.gwURL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, raw)
	}
	out.Status = resp.StatusCode
	return out
}

func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// restAll reads every object of a REST list with a token, straight from the simulator.
func (s *stack) restAll(t *testing.T, token, path string, q url.Values) []map[string]any {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", "1000")
	next := s.simURL + path + "?" + q.Encode()
	var out []map[string]any
	for next != "" {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Next    *string          `json:"next"`
			Results []map[string]any `json:"results"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("REST %s: %d %v", path, resp.StatusCode, err)
		}
		out = append(out, page.Results...)
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	return out
}

func (s *stack) simStats(t *testing.T) netboxsim.Stats {
	t.Helper()
	return s.sim.Stats()
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func restID(o map[string]any) string { return strconv.Itoa(int(o["id"].(float64))) }

func nestedName(o map[string]any, key string) string {
	m, _ := o[key].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// The documentation's queries, verbatim, against the same data through REST.
func TestDocumentationQueries(t *testing.T) {
	s := newStack(t, nil)

	t.Run("circuits by status", func(t *testing.T) {
		r := s.query(t, fullToken, `query { circuit_list(filters:{status: STATUS_ACTIVE}) { results { cid provider { name } } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		type circuit struct {
			Cid      string                `json:"cid"`
			Provider struct{ Name string } `json:"provider"`
		}
		got := decode[struct{ Results []circuit }](t, r.Data["circuit_list"]).Results
		rest := s.restAll(t, fullToken, "/api/circuits/circuits/", url.Values{"status": {"active"}})
		if len(rest) == 0 {
			t.Fatal("the demo data has no active circuits; the comparison would prove nothing")
		}
		if len(got) != min(len(rest), 100) {
			t.Fatalf("%d circuits, REST has %d", len(got), len(rest))
		}
		for i, c := range got {
			if c.Cid != rest[i]["cid"] || c.Provider.Name != nestedName(rest[i], "provider") {
				t.Errorf("circuit %d: %+v, REST %v / %v", i, c, rest[i]["cid"], nestedName(rest[i], "provider"))
			}
		}
	})

	t.Run("sites planned or of tenant Foo", func(t *testing.T) {
		r := s.query(t, fullToken, `query { site_list(filters: {status: STATUS_PLANNED, OR: {tenant: {name: {exact: "Foo"}}}}) { results { name } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		var got []string
		for _, x := range decode[struct{ Results []struct{ Name string } }](t, r.Data["site_list"]).Results {
			got = append(got, x.Name)
		}
		want := map[string]bool{}
		for _, o := range s.restAll(t, fullToken, "/api/dcim/sites/", url.Values{"status": {"planned"}}) {
			want[o["name"].(string)] = true
		}
		for _, tn := range s.restAll(t, fullToken, "/api/tenancy/tenants/", url.Values{"name": {"Foo"}}) {
			for _, o := range s.restAll(t, fullToken, "/api/dcim/sites/", url.Values{"tenant_id": {restID(tn)}}) {
				want[o["name"].(string)] = true
			}
		}
		if len(want) == 0 {
			t.Fatal("the demo data has no planned site; the comparison would prove nothing")
		}
		if len(got) != len(want) {
			t.Fatalf("sites %v, REST gives %v", got, want)
		}
		for _, n := range got {
			if !want[n] {
				t.Errorf("site %q is neither planned nor of tenant Foo", n)
			}
		}
	})

	t.Run("enabled interfaces of every device", func(t *testing.T) {
		r := s.query(t, fullToken, `query { device_list { results { id name interfaces(filters: {enabled: {exact: true}}) { name } } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		type device struct {
			ID         string
			Name       string
			Interfaces []struct{ Name string }
		}
		got := decode[struct{ Results []device }](t, r.Data["device_list"]).Results
		if len(got) == 0 {
			t.Fatal("no devices")
		}
		enabled := map[string][]string{}
		disabled := 0
		for _, o := range s.restAll(t, fullToken, "/api/dcim/interfaces/", nil) {
			if o["enabled"] == true {
				dev := restID(o["device"].(map[string]any))
				enabled[dev] = append(enabled[dev], o["name"].(string))
			} else {
				disabled++
			}
		}
		if disabled == 0 {
			t.Fatal("no disabled interface in the demo data; the filter would prove nothing")
		}
		for _, d := range got {
			var names []string
			for _, i := range d.Interfaces {
				names = append(names, i.Name)
			}
			if strings.Join(names, ",") != strings.Join(enabled[d.ID], ",") {
				t.Errorf("device %s: enabled interfaces %v, REST %v", d.Name, names, enabled[d.ID])
			}
		}
	})

	t.Run("cable terminations through fragments", func(t *testing.T) {
		r := s.query(t, fullToken, `{ cable_list { results { id a_terminations { ... on CircuitTerminationType { id class_type } ... on ConsolePortType { id class_type } ... on ConsoleServerPortType { id class_type } } } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		type term struct {
			ID        string `json:"id"`
			ClassType string `json:"class_type"`
		}
		got := decode[struct {
			Results []struct {
				ID            string
				ATerminations []term `json:"a_terminations"`
			}
		}](t, r.Data["cable_list"]).Results
		classes := map[string]string{"circuits.circuittermination": "CircuitTermination", "dcim.consoleport": "ConsolePort", "dcim.consoleserverport": "ConsoleServerPort"}
		rest := s.restAll(t, fullToken, "/api/dcim/cables/", nil)
		if len(got) != min(len(rest), 100) {
			t.Fatalf("%d cables, REST has %d", len(got), len(rest))
		}
		matched := 0
		for i, c := range got {
			var want []term
			for _, it := range rest[i]["a_terminations"].([]any) {
				item := it.(map[string]any)
				if cls, ok := classes[item["object_type"].(string)]; ok {
					want = append(want, term{ID: strconv.Itoa(int(item["object_id"].(float64))), ClassType: cls})
				}
			}
			var gotTerms []term
			for _, x := range c.ATerminations {
				if x.ID != "" {
					gotTerms = append(gotTerms, x)
				}
			}
			matched += len(want)
			if fmt.Sprint(gotTerms) != fmt.Sprint(want) || len(c.ATerminations) != len(rest[i]["a_terminations"].([]any)) {
				t.Errorf("cable %s: %v, REST %v", c.ID, c.ATerminations, rest[i]["a_terminations"])
			}
		}
		if matched == 0 {
			t.Error("no cable ends on a circuit termination or console port in the first 100 cables; the fragments prove nothing")
		}
	})

	t.Run("pagination", func(t *testing.T) {
		r := s.query(t, fullToken, `query { device_list(pagination: { offset: 0, limit: 20 }) { total_count page_info { offset limit } results { id name } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		got := decode[struct {
			TotalCount int                         `json:"total_count"`
			PageInfo   struct{ Offset, Limit int } `json:"page_info"`
			Results    []struct{ ID, Name string }
		}](t, r.Data["device_list"])
		rest := s.restAll(t, fullToken, "/api/dcim/devices/", nil)
		if got.TotalCount != len(rest) || got.PageInfo.Offset != 0 || got.PageInfo.Limit != 20 || len(got.Results) != 20 {
			t.Fatalf("total %d (REST %d), page_info %+v, %d rows", got.TotalCount, len(rest), got.PageInfo, len(got.Results))
		}
		for i, d := range got.Results {
			if d.ID != restID(rest[i]) || d.Name != rest[i]["name"] {
				t.Errorf("row %d: %+v, REST %v %v", i, d, rest[i]["id"], rest[i]["name"])
			}
		}
	})
}

// The v2 examples of the documentation page users read run without errors.
func TestDocumentationPageExamples(t *testing.T) {
	page := filepath.Join("..", "..", "..", "shared", "netbox", "graphql-api.md")
	text, err := os.ReadFile(page)
	if err != nil {
		t.Skipf("NetBox's GraphQL documentation is not at %s (it sits in ../shared beside the repository): %v", page, err)
	}
	// Every code block that is a query: those after "If using the GraphQL API v2 the format will
	// be:" and under "Pagination in GraphQL API V2" are version 2's, the curl example's query is
	// too (it selects results); the others are version 1's.
	var v1, v2 []string
	pairs := map[string]string{} // a version 2 example → the version 1 form it follows
	v2Section := false
	for _, m := range regexp.MustCompile("(?s)(.{0,80})```[a-z]*\n(.*?)```").FindAllSubmatch(text, -1) {
		before, block := string(m[1]), string(m[2])
		if strings.Contains(before, "GraphQL API V2") || strings.Contains(string(text[:strings.Index(string(text), block)]), "### Pagination in GraphQL API V2") {
			v2Section = true
		}
		switch {
		case strings.Contains(block, "curl "):
			if q := regexp.MustCompile(`"query": "(.*)"}'`).FindStringSubmatch(block); q != nil {
				v2 = append(v2, q[1])
			}
		case !strings.Contains(block, "{") || strings.Contains(block, `"data"`) || strings.Contains(block, "Authorization"):
		case strings.Contains(before, "If using the GraphQL API v2 the format will be:") || v2Section:
			if !v2Section && len(v1) > 0 {
				pairs[block] = v1[len(v1)-1]
			}
			v2 = append(v2, block)
		default:
			v1 = append(v1, block)
		}
	}
	if len(v1) < 5 || len(v2) < 7 {
		t.Fatalf("found %d version 1 and %d version 2 example queries in %s; the page changed", len(v1), len(v2), page)
	}
	s := newStack(t, nil)
	for _, c := range []struct {
		path    string
		queries []string
	}{{"/graphql/v1/", v1}, {"/graphql/v2/", v2}, {"/graphql/", v2}} {
		for _, q := range c.queries {
			body, _ := json.Marshal(map[string]any{"query": q})
			r := s.postTo(t, c.path, fullToken, body)
			if r.Status != 200 || len(r.Errors) > 0 || len(r.Data) == 0 {
				t.Errorf("%s %s\n→ %d %+v", c.path, q, r.Status, r.Errors)
				continue
			}
			for _, raw := range r.Data {
				if string(raw) == "[]" || strings.Contains(string(raw), `"results":[]`) {
					t.Errorf("%s %s\n→ an empty list: the example shows nothing", c.path, q)
				}
			}
			// The version 1 form answers the rows its version 2 form does (version 2's first
			// page of 100 is a prefix of version 1's up to 1000).
			if v1q, ok := pairs[q]; ok && c.path == "/graphql/v2/" {
				body, _ := json.Marshal(map[string]any{"query": v1q})
				r1 := s.postTo(t, "/graphql/v1/", fullToken, body)
				for name, raw := range r.Data {
					var page struct{ Results []json.RawMessage }
					var list []json.RawMessage
					if json.Unmarshal(raw, &page) != nil || json.Unmarshal(r1.Data[name], &list) != nil || len(page.Results) == 0 {
						t.Errorf("%s: cannot compare %s with %s", name, raw, r1.Data[name])
						continue
					}
					if len(list) < len(page.Results) {
						t.Errorf("%s: version 1 answers %d rows, version 2 %d", name, len(list), len(page.Results))
						continue
					}
					for i := range page.Results {
						if string(page.Results[i]) != string(list[i]) {
							t.Errorf("%s row %d: version 1 %s, version 2 %s", name, i, list[i], page.Results[i])
							break
						}
					}
				}
			}
		}
	}
	if len(pairs) < 4 {
		t.Errorf("%d version 1 / version 2 example pairs; the page has more", len(pairs))
	}
}

// The nested query costs one request per level per page or chunk of ids, never one per object.
func TestNestedQueryLowerBound(t *testing.T) {
	s := newStack(t, nil)
	s.sim.ResetStats()
	r := s.query(t, fullToken, `query { device_list(pagination:{limit:500}) { results { name site { name } rack { name } device_type { model manufacturer { name } } interfaces { name ip_addresses { address } } } } }`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	type iface struct {
		Name        string
		IPAddresses []struct{ Address string } `json:"ip_addresses"`
	}
	devices := decode[struct {
		Results []struct {
			Name       string
			Site       *struct{ Name string }
			Interfaces []iface
		}
	}](t, r.Data["device_list"]).Results
	stats := s.simStats(t)

	interfaces, ips := 0, 0
	for _, d := range devices {
		interfaces += len(d.Interfaces)
		for _, i := range d.Interfaces {
			ips += len(i.IPAddresses)
		}
	}
	if len(devices) == 0 || interfaces == 0 || ips == 0 {
		t.Fatalf("devices %d, interfaces %d, ips %d: the data set cannot show batching", len(devices), interfaces, ips)
	}
	// Per level: one request per page of 1000 rows, plus one per chunk of ids kept under the
	// URL length (4000 bytes, id lists of "device_id=NNN&").
	bound := func(rows, parents int, param string) int {
		return (rows+999)/1000 + (parents*(len(param)+6)+3499)/3500
	}
	checks := []struct {
		path string
		max  int
	}{
		{"/api/dcim/devices/", 1},
		{"/api/dcim/sites/", 0}, // answered from the nested brief objects
		{"/api/dcim/racks/", 0},
		{"/api/dcim/device-types/", 0},
		{"/api/dcim/manufacturers/", 0},
		{"/api/dcim/interfaces/", bound(interfaces, len(devices), "device_id")},
		{"/api/ipam/ip-addresses/", bound(ips, interfaces, "interface_id")},
	}
	for _, c := range checks {
		if got := int(stats.ByPath[c.path]); got > c.max {
			t.Errorf("%s: %d requests, the lower bound is %d", c.path, got, c.max)
		}
	}
	naive := 1 + 4*len(devices) + len(devices) + interfaces
	t.Logf("upstream requests: %d (by path %v); one per object would be %d", stats.Requests, stats.ByPath, naive)
	if int(stats.Requests)*10 > naive {
		t.Errorf("%d requests is not far below the %d of one request per object", stats.Requests, naive)
	}
}

// Three tokens querying at once never see an object their token cannot see through REST.
func TestTokensNeverLeak(t *testing.T) {
	s := newStack(t, nil)
	queries := map[string]string{
		"/api/dcim/devices/":      `{ device_list(pagination:{limit:1000}) { results { id interfaces { id } } } }`,
		"/api/dcim/sites/":        `{ site_list(pagination:{limit:1000}) { results { id } } }`,
		"/api/ipam/ip-addresses/": `{ ip_address_list(pagination:{limit:1000}) { results { id } } }`,
		"/api/tenancy/tenants/":   `{ tenant_list(pagination:{limit:1000}) { results { id } } }`,
		"/api/dcim/racks/":        `{ rack_list(pagination:{limit:1000}) { results { id } } }`,
	}
	tokens := []string{fullToken, restrictedToken, noPermToken}
	visible := map[string]map[string]bool{} // token|path -> ids
	for _, tok := range tokens[:2] {
		for path := range queries {
			ids := map[string]bool{}
			for _, o := range s.restAll(t, tok, path, nil) {
				ids[restID(o)] = true
			}
			visible[tok+"|"+path] = ids
		}
		ifaces := map[string]bool{}
		for _, o := range s.restAll(t, tok, "/api/dcim/interfaces/", nil) {
			ifaces[restID(o)] = true
		}
		visible[tok+"|interfaces"] = ifaces
	}
	if len(visible[restrictedToken+"|/api/dcim/devices/"]) >= len(visible[fullToken+"|/api/dcim/devices/"]) {
		t.Fatal("the restricted token sees every device; the test would prove nothing")
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for round := 0; round < 3; round++ {
		for _, tok := range tokens {
			for path, q := range queries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := s.query(t, tok, q)
					mu.Lock()
					defer mu.Unlock()
					if tok == noPermToken {
						// As NetBox's GraphQL: a list the token may not view is empty.
						for _, raw := range r.Data {
							if string(raw) != `{"results":[]}` {
								failures = append(failures, fmt.Sprintf("no-permission token got %s for %s", raw, path))
							}
						}
						return
					}
					if len(r.Errors) > 0 {
						failures = append(failures, fmt.Sprintf("%s %s: %+v", tok[:10], path, r.Errors))
						return
					}
					for _, raw := range r.Data {
						var page struct {
							Results []struct {
								ID         string
								Interfaces []struct{ ID string }
							}
						}
						_ = json.Unmarshal(raw, &page)
						for _, o := range page.Results {
							if !visible[tok+"|"+path][o.ID] {
								failures = append(failures, fmt.Sprintf("%s… got %s %s", tok[:10], path, o.ID))
							}
							for _, i := range o.Interfaces {
								if !visible[tok+"|interfaces"][i.ID] {
									failures = append(failures, fmt.Sprintf("%s… got interface %s", tok[:10], i.ID))
								}
							}
						}
					}
				}()
			}
		}
	}
	wg.Wait()
	sort.Strings(failures)
	for i, f := range failures {
		if i == 10 {
			t.Errorf("… and %d more", len(failures)-10)
			break
		}
		t.Error(f)
	}
}

func TestUpstreamFailures(t *testing.T) {
	const q = `{ site_list { results { name } } }`
	cases := []struct {
		name     string
		faults   string
		code     string
		attempts int // upstream requests the one query makes
		// slack: Go's transport itself re-sends an idempotent GET once when a reused
		// connection is reset before answering, so a reset may cost one more attempt.
		slack int
	}{
		{"429 with Retry-After is retried, the wait clamped", `{"rate_limit": {"retry_after": 30, "path_prefix": "/api/dcim/sites/"}}`, "RATE_LIMITED", 4, 0},
		{"503 is retried", `{"error": {"status": 503, "path_prefix": "/api/dcim/sites/"}}`, "UPSTREAM_UNAVAILABLE", 4, 0},
		{"connection reset is retried", `{"reset": {"path_prefix": "/api/dcim/sites/"}}`, "UPSTREAM_UNAVAILABLE", 4, 4},
		{"500 is not retried", `{"error": {"status": 500, "path_prefix": "/api/dcim/sites/"}}`, "UPSTREAM_UNAVAILABLE", 1, 0},
		{"a truncated body is retried like a reset", `{"truncate": {"path_prefix": "/api/dcim/sites/"}}`, "UPSTREAM_UNAVAILABLE", 4, 0},
	}
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f netboxsim.Faults
			if err := json.Unmarshal([]byte(c.faults), &f); err != nil {
				t.Fatal(err)
			}
			if err := s.sim.SetFaults(f); err != nil {
				t.Fatal(err)
			}
			defer s.sim.ClearFaults()
			s.sim.ResetStats()
			start := time.Now()
			r := s.query(t, fullToken, q)
			elapsed := time.Since(start)
			if r.Status != 200 || fmt.Sprint(r.codes()) != fmt.Sprint([]string{c.code}) {
				t.Fatalf("status %d, codes %v; want 200 with %s", r.Status, r.codes(), c.code)
			}
			if got := int(s.simStats(t).ByPath["/api/dcim/sites/"]); got < c.attempts || got > c.attempts+c.slack {
				t.Errorf("%d upstream attempts, want %d (up to %d more)", got, c.attempts, c.slack)
			}
			if elapsed > 25*time.Second {
				t.Errorf("took %v: Retry-After 30s must be clamped to retry_wait_max", elapsed)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, s.simURL) || strings.Contains(e.Message, "0123456789abcdef") {
					t.Errorf("error shows the upstream URL or the token: %q", e.Message)
				}
				// NetBox's 500 body names the exception and the versions; none of it, nor a
				// socket address, is the client's business.
				shown := e.Message + fmt.Sprint(e.Extensions)
				for _, internal := range []string{"SimulatedFault", "exception", netboxsim.Version, "python", "127.0.0.1"} {
					if strings.Contains(shown, internal) {
						t.Errorf("error shows %q: %s", internal, shown)
					}
				}
			}
		})
	}

	t.Run("retries recover from intermittent 503s", func(t *testing.T) {
		s := newStack(t, func(c *Config) { c.Cache.TTL = 0; c.Upstream.RetryMax = 30 })
		if err := s.sim.SetFaults(netboxsim.Faults{Error: &netboxsim.ErrorFault{Status: 503, Rate: 0.5}}); err != nil {
			t.Fatal(err)
		}
		r := s.query(t, fullToken, q)
		if len(r.Errors) > 0 || r.Status != 200 {
			t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
		}
		if s.simStats(t).Requests < 1 {
			t.Fatal("no upstream request")
		}
	})
}

func TestUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	s := newStack(t, func(c *Config) { c.Upstream.URL = deadURL; c.Upstream.RetryMax = 1 })
	r := s.query(t, fullToken, `{ site_list { results { name } } }`)
	if fmt.Sprint(r.codes()) != "[UPSTREAM_UNAVAILABLE]" {
		t.Errorf("codes %v, want UPSTREAM_UNAVAILABLE", r.codes())
	}
	resp, err := http.Get(s.gwURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz %d with the upstream down, want 503", resp.StatusCode)
	}
	if resp, err := http.Get(s.gwURL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz %v %v, want 200", resp.StatusCode, err)
	}
}

func TestRequestsRefused(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Limits.MaxBodyBytes = 4096 })
	cases := []struct {
		name   string
		token  string
		body   string
		status int
	}{
		{"unknown token", "Token 9999999999999999999999999999999999999999", `{"query": "{ site_list { results { name } } }"}`, 403},
		{"no credentials", "", `{"query": "{ site_list { results { name } } }"}`, 403},
		{"malformed JSON", fullToken, `{"query": `, 400},
		{"mutation", fullToken, `{"query": "mutation { delete_site(id: 1) { id } }"}`, 400},
		{"oversized body", fullToken, `{"query": "{ site_list { results { name } } }", "variables": {"x": "` + strings.Repeat("a", 5000) + `"}}`, 413},
		{"unknown field", fullToken, `{"query": "{ site_list { results { nonsense } } }"}`, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.sim.ResetStats()
			r := s.post(t, c.token, []byte(c.body))
			if r.Status != c.status || len(r.Errors) == 0 {
				t.Fatalf("status %d errors %+v, want %d with an error", r.Status, r.Errors, c.status)
			}
			if c.status != 403 && s.simStats(t).Requests != 0 {
				t.Errorf("a refused request cost %d upstream requests", s.simStats(t).Requests)
			}
		})
	}
}

func TestGraphQLDisabled(t *testing.T) {
	s := newStack(t, func(c *Config) { c.GraphQL.Enabled = false })
	resp, err := http.Post(s.gwURL+"/graphql/", "application/json", strings.NewReader(`{"query": "{ site_list { results { name } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// NetBox's answer, word for word.
	if resp.StatusCode != http.StatusNotFound || string(body) != "The GraphQL API is not enabled." {
		t.Errorf("/graphql/ answered %d %q with GraphQL disabled, want 404 as NetBox", resp.StatusCode, body)
	}
	if resp, err := http.Get(s.gwURL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz %v %v, want 200", resp.StatusCode, err)
	}
}

func TestNotFoundAndExplain(t *testing.T) {
	s := newStack(t, nil)
	// NetBox's schema makes device(id:) non-null: a missing one takes data with it.
	r := s.query(t, fullToken, `{ device(id: 999999) { name } }`)
	if fmt.Sprint(r.codes()) != "[NOT_FOUND]" || r.Data != nil {
		t.Errorf("codes %v data %v, want NOT_FOUND and no data", r.codes(), r.Data)
	}
	body, _ := json.Marshal(map[string]any{"query": `{ device_list(pagination:{limit:5}) { total_count } }`, "extensions": map[string]any{"explain": true}})
	r = s.post(t, fullToken, body)
	var ex struct {
		Requests []struct {
			Method, URL, Cache string
			Status             int
		} `json:"requests"`
	}
	if err := json.Unmarshal(r.Extensions["explain"], &ex); err != nil || len(ex.Requests) != 1 {
		t.Fatalf("explain %s: %v", r.Extensions["explain"], err)
	}
	if c := ex.Requests[0]; c.Method != "GET" || !strings.Contains(c.URL, "limit=1") || c.Status != 200 {
		t.Errorf("only total_count selected: %+v, want one GET with limit=1", c)
	}
}

// Reverse relations take filters and pagination, and answer what REST answers per parent.
func TestReverseRelationFilters(t *testing.T) {
	s := newStack(t, nil)
	type iface struct {
		ID      string
		Name    string
		Enabled bool
	}
	run := func(t *testing.T, args string) map[string][]iface {
		t.Helper()
		r := s.query(t, fullToken, `{ device_list(pagination: {limit: 6}) { results { id interfaces`+args+` { id name enabled } } } }`)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		out := map[string][]iface{}
		for _, d := range decode[struct {
			Results []struct {
				ID         string
				Interfaces []iface
			}
		}](t, r.Data["device_list"]).Results {
			out[d.ID] = d.Interfaces
		}
		if len(out) != 6 {
			t.Fatalf("%d devices, want 6", len(out))
		}
		return out
	}
	// rest lists a device's interfaces matching any q (one REST call per q), in the order REST
	// lists the device's interfaces (by naturalize_interface).
	rest := func(t *testing.T, device string, qs ...url.Values) []string {
		t.Helper()
		seen := map[int]bool{}
		for _, q := range qs {
			q.Set("device_id", device)
			for _, o := range s.restAll(t, fullToken, "/api/dcim/interfaces/", q) {
				seen[int(o["id"].(float64))] = true
			}
		}
		out := []string{}
		for _, o := range s.restAll(t, fullToken, "/api/dcim/interfaces/", url.Values{"device_id": {device}}) {
			if id := int(o["id"].(float64)); seen[id] {
				out = append(out, strconv.Itoa(id))
			}
		}
		return out
	}
	// The first device of the list (devices come by name): one of the six parents.
	firstDevice := fmt.Sprint(s.restAll(t, fullToken, "/api/dcim/devices/", url.Values{"limit": {"1"}})[0]["id"])
	ids := func(is []iface) []string {
		out := make([]string, len(is))
		for i, x := range is {
			out[i] = x.ID
		}
		return out
	}
	cases := []struct {
		name string
		args string
		want func(device string) []string
	}{
		{"OR across two fields is merged per parent", `(filters: {enabled: {exact: false}, OR: {name: {exact: "Gi1/0/10"}}})`, func(d string) []string {
			return rest(t, d, url.Values{"enabled": {"false"}}, url.Values{"name": {"Gi1/0/10"}})
		}},
		{"a filter on the parent parameter itself", `(filters: {device_id: {exact: "` + firstDevice + `"}})`, func(d string) []string {
			if d != firstDevice {
				return []string{}
			}
			return rest(t, d, url.Values{})
		}},
		{"a filter matching nothing", `(filters: {name: {exact: "no-such-interface"}})`, func(string) []string { return []string{} }},
		{"pagination per parent", `(pagination: {offset: 2, limit: 3})`, func(d string) []string { return rest(t, d, url.Values{})[2:5] }},
		{"a custom-field filter", `(filters: {custom_field_data: {path: "monitored", lookup: {boolean_lookup: {exact: true}}}, OR: {custom_field_data: {path: "weight", lookup: {float_comparison_lookup: {gt: 1.5}}}}})`,
			func(d string) []string {
				return rest(t, d, url.Values{"cf_monitored": {"true"}}, url.Values{"cf_weight__gt": {"1.5"}})
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := 0
			for dev, got := range run(t, c.args) {
				want := c.want(dev)
				rows += len(want)
				if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
					t.Errorf("device %s: interfaces %v, REST %v", dev, ids(got), want)
				}
			}
			if rows == 0 && !strings.Contains(c.name, "nothing") {
				t.Error("REST has no matching interface either; the case proves nothing")
			}
		})
	}
}

// TestRelationArgumentsReadAhead: look-ahead reads a relation's arguments and its selection as
// the resolvers do, in every shape a query can take (version 2's results, version 1's plain list,
// a single object, aliases): the children come in one batched request, the same as each shape.
func TestRelationArgumentsReadAhead(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Cache.TTL = 0 })
	const rel = `interfaces(filters: {name: {i_contains: "1/0/1"}}) { id name }`
	type device struct {
		ID         string
		Interfaces []struct{ ID, Name string }
	}
	ask := func(path, q string) map[string]json.RawMessage {
		t.Helper()
		s.sim.ResetStats()
		body, _ := json.Marshal(map[string]string{"query": q})
		r := s.postTo(t, path, fullToken, body)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: errors %+v", q, r.Errors)
		}
		if got := s.simStats(t).Requests; got != 2 {
			t.Errorf("%s: %d upstream requests, want 2 (the parents, their children in one batch)", q, got)
		}
		return r.Data
	}
	v2 := decode[struct{ Results []device }](t, ask("/graphql/", `{ device_list(pagination: {limit: 6}) { results { id `+rel+` } } }`)["device_list"]).Results
	v1 := decode[[]device](t, ask("/graphql/v1/", `{ device_list(pagination: {limit: 6}) { id `+rel+` } }`)["device_list"])
	one := decode[device](t, ask("/graphql/", `{ device(id: `+v2[0].ID+`) { id `+rel+` } }`)["device"])
	aliased := decode[struct {
		Results []struct {
			ID    string
			Names []struct{ Name string } `json:"names"`
			IDs   []struct{ ID string }   `json:"ids"`
		}
	}](t, ask("/graphql/", `{ device_list(pagination: {limit: 6}) { results { id names: interfaces { name } ids: interfaces { id } } } }`)["device_list"]).Results

	if len(v2) != 6 || len(v2[0].Interfaces) == 0 {
		t.Fatalf("version 2: %+v, want 6 devices, the first with matching interfaces", v2)
	}
	if fmt.Sprint(v1) != fmt.Sprint(v2) {
		t.Errorf("version 1 answered %+v, version 2 %+v", v1, v2)
	}
	if fmt.Sprint(one) != fmt.Sprint(v2[0]) {
		t.Errorf("device(id:) answered %+v, the list %+v", one, v2[0])
	}
	if len(aliased) != 6 || len(aliased[0].Names) == 0 || len(aliased[0].Names) != len(aliased[0].IDs) {
		t.Errorf("aliases of one relation: %+v", aliased)
	}
}

// No goroutine of a query outlives it: look-ahead fetches are cancelled and waited for, also
// when the caller hangs up while the upstream is slow.
func TestNoGoroutineOutlivesItsQuery(t *testing.T) {
	s := newStack(t, nil)
	q := `{ device_list(pagination: {limit: 50}) { results { name interfaces { name ip_addresses { address } } } } }`
	if r := s.query(t, fullToken, q); len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if err := s.sim.SetFaults(netboxsim.Faults{Latency: &netboxsim.LatencyFault{Delay: netboxsim.Duration(10 * time.Second), PathPrefix: "/api/ipam/"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"query": strings.Replace(q, "limit: 50", "limit: 60", 1)})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.gwURL+"/graphql/", bytes.NewReader(body))
	req.Header.Set("Authorization", fullToken)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the query answered before the client gave up; the test proves nothing")
	}
	// Inside the gateway's own packages, nothing may still run once the queries are over.
	var stuck string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		stuck = ""
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "graphbox/schema.") || strings.Contains(g, "graphbox/loaders.") || strings.Contains(g, "graphbox/filters.") {
				stuck = g
				break
			}
		}
		if stuck == "" {
			return
		}
	}
	t.Errorf("a goroutine of a finished query is still running:\n%s", stuck)
}
