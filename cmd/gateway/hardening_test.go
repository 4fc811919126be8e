package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphbox/graphbox/netboxsim"
)

// overlapBombs are small documents (about 11 KB) that make graphql-go's overlapping-fields
// validation quadratic: before its limit, 16 of them at once took gigabytes and every core.
func overlapBombs() map[string]string {
	var sites, typenames, spreads, frags strings.Builder
	for i := 1; i <= 499; i++ {
		fmt.Fprintf(&sites, "site(id: %d) { name } ", i)
	}
	for range 999 {
		typenames.WriteString("__typename ")
	}
	for i := range 990 {
		fmt.Fprintf(&spreads, "...F%d ", i)
		fmt.Fprintf(&frags, "fragment F%d on Query { __typename } ", i)
	}
	return map[string]string{
		"499 same-name fields with different arguments": "{ " + sites.String() + "}",
		"999 __typename": "{ " + typenames.String() + "}",
		"990 fragments":  "{ " + spreads.String() + "} " + frags.String(),
	}
}

// TestOverlapBombsRefused is the hostile-load test: 16 clients without a token send the overlap
// bombs at once; each is refused with a short, coded error list, and none reaches the upstream.
func TestOverlapBombsRefused(t *testing.T) {
	s := newStack(t, nil)
	bombs := overlapBombs()
	type answer struct {
		name string
		r    gqlResponse
		size int
	}
	answers := make(chan answer, 16*len(bombs))
	var wg sync.WaitGroup
	for client := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name, q := range bombs {
				body, _ := json.Marshal(map[string]string{"query": q})
				resp, err := http.Post(s.gwURL+"/graphql/", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Errorf("client %d: %v", client, err)
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var r gqlResponse
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Errorf("%s: answer is not JSON: %.200s", name, raw)
					continue
				}
				r.Status = resp.StatusCode
				answers <- answer{name, r, len(raw)}
			}
		}()
	}
	wg.Wait()
	close(answers)
	n := 0
	for a := range answers {
		n++
		if len(a.r.Data) > 0 {
			t.Errorf("%s: answered data %v", a.name, a.r.Data)
		}
		if len(a.r.Errors) == 0 || len(a.r.Errors) > 101 {
			t.Errorf("%s: %d errors, want between 1 and 101 (capped)", a.name, len(a.r.Errors))
			continue
		}
		if got := a.r.codes()[0]; got != "QUERY_TOO_COMPLEX" {
			t.Errorf("%s: first code %s (%s), want QUERY_TOO_COMPLEX", a.name, got, a.r.Errors[0].Message)
		}
		if a.size > 64<<10 {
			t.Errorf("%s: a %d-byte answer to an 11 KB document", a.name, a.size)
		}
	}
	if n != 16*len(bombs) {
		t.Errorf("%d answers, want %d", n, 16*len(bombs))
	}
	if got := s.simStats(t).Requests; got != 0 {
		t.Errorf("the bombs cost %d upstream requests", got)
	}
	// For the record (no assertion: the test process also holds the simulator and the clients).
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				t.Logf("peak resident memory of the test process: %s", strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
			}
		}
	}
}

// TestEveryErrorHasACode sends each malformed input and each kind of validation failure and
// checks that every error of every answer has an extensions.code and the request id.
func TestEveryErrorHasACode(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Limits.MaxBodyBytes = 4096 })
	type request struct {
		method, contentType, body, rawQuery string
	}
	post := func(body string) request { return request{method: "POST", contentType: "application/json", body: body} }
	gql := func(q string) request { b, _ := json.Marshal(map[string]string{"query": q}); return post(string(b)) }
	cases := map[string]request{
		"malformed JSON":                post(`{"query": `),
		"not an object":                 post(`"{ site_list { total_count } }"`),
		"batched":                       post(`[{"query": "{ a }"}]`),
		"query not a string":            post(`{"query": 7}`),
		"variables not an object":       post(`{"query": "{ a }", "variables": [1]}`),
		"no query":                      post(`{}`),
		"oversized body":                post(`{"query": "` + strings.Repeat("a", 5000) + `"}`),
		"syntax error":                  gql(`{ site_list { results { name } }`),
		"mutation":                      gql(`mutation { x }`),
		"unknown operation":             request{method: "POST", contentType: "application/json", body: `{"query": "query A { site_list { total_count } }", "operationName": "B"}`},
		"unknown field":                 gql(`{ site_list { results { nonsense } } }`),
		"unknown argument":              gql(`{ site_list(bogus: 1) { total_count } }`),
		"missing required argument":     gql(`{ site { name } }`),
		"leaf with selection":           gql(`{ site_list { total_count { x } } }`),
		"object without selection":      gql(`{ site_list }`),
		"wrong literal type":            gql(`{ site(id: {a: 1}) { name } }`),
		"unknown fragment":              gql(`{ ...Nope }`),
		"unused fragment":               gql(`{ site_list { total_count } } fragment F on Query { __typename }`),
		"fragment on wrong type":        gql(`{ site_list { ... on DeviceType { name } } }`),
		"unknown directive":             gql(`{ site_list @nope { total_count } }`),
		"unused variable":               gql(`query Q($x: Int) { site_list { total_count } }`),
		"undefined variable":            gql(`{ site(id: $x) { name } }`),
		"variable of an output type":    gql(`query Q($x: SiteType) { site_list { total_count } }`),
		"conflicting fields":            gql(`{ a: site(id: 1) { name } a: site(id: 2) { name } }`),
		"variable not coercible":        {method: "POST", contentType: "application/json", body: `{"query": "query Q($id: ID!) { site(id: $id) { name } }", "variables": {"id": {"x": 1}}}`},
		"required variable missing":     {method: "POST", contentType: "application/json", body: `{"query": "query Q($id: ID!) { site(id: $id) { name } }"}`},
		"GET invalid UTF-8":             {method: "GET", rawQuery: "query=" + url.QueryEscape("{ a \xff }")},
		"graphql body invalid UTF-8":    {method: "POST", contentType: "application/graphql", body: "{ a \xff }"},
		"method not allowed":            {method: "PUT", contentType: "application/json", body: `{"query": "{ a }"}`},
		"too deep":                      gql("{ device_list { results { site { region " + strings.Repeat("{ parent ", 10) + "{ name }" + strings.Repeat(" }", 14)),
		"too many aliases":              gql(`{ a1: site_list { total_count } a2: site_list { total_count } a3: site_list { total_count } a4: site_list { total_count } a5: site_list { total_count } a6: site_list { total_count } a7: site_list { total_count } a8: site_list { total_count } a9: site_list { total_count } a10: site_list { total_count } a11: site_list { total_count } }`),
		"a filter the compiler rejects": gql(`{ device_list(filters: {id: {exact: "not-a-number"}}) { total_count } }`),
	}
	wantCodes := map[string]string{
		"malformed JSON": "BAD_REQUEST", "not an object": "BAD_REQUEST", "batched": "BAD_REQUEST",
		"query not a string": "BAD_REQUEST", "variables not an object": "BAD_REQUEST", "no query": "BAD_REQUEST",
		"oversized body": "PAYLOAD_TOO_LARGE", "syntax error": "GRAPHQL_PARSE_FAILED", "mutation": "OPERATION_NOT_ALLOWED",
		"unknown operation": "OPERATION_NOT_FOUND", "unknown field": "GRAPHQL_VALIDATION_FAILED",
		"unknown argument": "GRAPHQL_VALIDATION_FAILED", "missing required argument": "GRAPHQL_VALIDATION_FAILED",
		"leaf with selection": "GRAPHQL_VALIDATION_FAILED", "object without selection": "GRAPHQL_VALIDATION_FAILED",
		"wrong literal type": "BAD_USER_INPUT", "unknown fragment": "GRAPHQL_PARSE_FAILED",
		"unused fragment": "GRAPHQL_VALIDATION_FAILED", "fragment on wrong type": "GRAPHQL_VALIDATION_FAILED",
		"unknown directive": "GRAPHQL_VALIDATION_FAILED", "unused variable": "GRAPHQL_VALIDATION_FAILED",
		"undefined variable": "GRAPHQL_VALIDATION_FAILED", "variable of an output type": "GRAPHQL_VALIDATION_FAILED",
		"conflicting fields": "GRAPHQL_VALIDATION_FAILED", "variable not coercible": "BAD_USER_INPUT",
		"required variable missing": "BAD_USER_INPUT", "GET invalid UTF-8": "BAD_REQUEST",
		"graphql body invalid UTF-8": "BAD_REQUEST", "method not allowed": "METHOD_NOT_ALLOWED",
		"too deep": "QUERY_TOO_DEEP", "too many aliases": "TOO_MANY_ALIASES",
		"a filter the compiler rejects": "BAD_USER_INPUT",
	}
	if len(wantCodes) != len(cases) {
		t.Fatalf("%d expected codes for %d cases", len(wantCodes), len(cases))
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			resp, raw := s.send(t, c.method, "?"+c.rawQuery, c.contentType, c.body, nil)
			var r gqlResponse
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, raw)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no error (%d): %s", resp.StatusCode, raw)
			}
			if got := r.codes()[0]; got != wantCodes[name] {
				t.Errorf("first code %s (%s), want %s", got, r.Errors[0].Message, wantCodes[name])
			}
			id := resp.Header.Get("X-Request-ID")
			for _, e := range r.Errors {
				if code, _ := e.Extensions["code"].(string); code == "" {
					t.Errorf("error without extensions.code: %q", e.Message)
				}
				if e.Extensions["request_id"] != id || id == "" {
					t.Errorf("extensions.request_id %v, want the X-Request-ID header %q", e.Extensions["request_id"], id)
				}
			}
		})
	}
}

// TestPartialAnswerAtDeadline: with a slow IPAM upstream, the device (answered in milliseconds)
// comes back, and only its primary IP address (a nullable field) fails, with UPSTREAM_TIMEOUT
// and its path. NetBox's schema makes root fields non-null, so the partial answer lives below
// them.
func TestPartialAnswerAtDeadline(t *testing.T) {
	s := newStack(t, func(c *Config) { c.Limits.RequestTimeout = 2 * time.Second; c.Cache.TTL = 0 })
	if err := s.sim.SetFaults(netboxsim.Faults{Latency: &netboxsim.LatencyFault{
		Delay: netboxsim.Duration(3 * time.Second), PathPrefix: "/api/ipam/"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// created is not in the nested brief address, so the address is read from IPAM.
	body, _ := json.Marshal(map[string]string{"query": `{ device_list(pagination: {limit: 1}) { results { name primary_ip4 { created } } } }`})
	_, raw := s.send(t, "POST", "", "application/json", string(body), nil)
	elapsed := time.Since(start)
	var r struct {
		Data struct {
			List *struct {
				Results []struct {
					Name string    `json:"name"`
					IP   *struct{} `json:"primary_ip4"`
				} `json:"results"`
			} `json:"device_list"`
		} `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	if r.Data.List == nil || len(r.Data.List.Results) != 1 || r.Data.List.Results[0].Name == "" {
		t.Fatalf("device not answered: %s", raw)
	}
	if r.Data.List.Results[0].IP != nil {
		t.Errorf("primary_ip4 answered despite the slow upstream: %s", raw)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("errors %+v, want one for primary_ip4", r.Errors)
	}
	e := r.Errors[0]
	if e.Extensions["code"] != "UPSTREAM_TIMEOUT" || fmt.Sprint(e.Path) != "[device_list results 0 primary_ip4]" {
		t.Errorf("error %+v, want UPSTREAM_TIMEOUT at [device_list results 0 primary_ip4]", e)
	}
	if elapsed > 2*time.Second+500*time.Millisecond {
		// Not a speed check: an answer later than the deadline means the request timed out whole.
		t.Errorf("answered after %v, past the 2s deadline", elapsed)
	}
}

// TestUpstream500LoggedNotAnswered: NetBox's 500 body (exception, versions) reaches the log, on a
// line with the request id the client got, and never the client.
func TestUpstream500LoggedNotAnswered(t *testing.T) {
	var logs syncBuffer
	s := newStackLogging(t, netboxsim.Options{}, func(c *Config) { c.Cache.TTL = 0 }, &logs)
	if err := s.sim.SetFaults(netboxsim.Faults{Error: &netboxsim.ErrorFault{Status: 500, PathPrefix: "/api/dcim/sites/"}}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"query": `{ site_list { total_count } }`})
	_, raw := s.send(t, "POST", "", "application/json", string(body), map[string]string{"X-Request-ID": "support-case-42"})
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) != 1 {
		t.Fatalf("answer %s", raw)
	}
	if code := r.codes()[0]; code != "UPSTREAM_UNAVAILABLE" {
		t.Errorf("code %s, want UPSTREAM_UNAVAILABLE", code)
	}
	for _, leak := range []string{"SimulatedFault", "netbox_version", "python_version", netboxsim.Version, "127.0.0.1", s.simURL} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the answer shows %q: %s", leak, raw)
		}
	}
	var found bool
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"request_id":"support-case-42"`) && strings.Contains(line, "SimulatedFault") {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line has both the request id and the upstream's exception:\n%s", logs.String())
	}
}

// send makes one request to the gateway with the full-read token (and extra headers) and returns
// the answer with its body read.
func (s *stack) send(t *testing.T, method, query, contentType, body string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.gwURL+"/graphql/"+query, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", fullToken)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, raw
}
