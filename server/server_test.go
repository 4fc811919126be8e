package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

const fullToken = "Token 0123456789abcdef0123456789abcdef01234567"

// fakeExec records the requests it receives and answers with fn (default: {"data":{"ok":true}}).
type fakeExec struct {
	mu   sync.Mutex
	reqs []Request
	fn   func(ctx context.Context, req Request) Result
}

func (f *fakeExec) Execute(ctx context.Context, req Request) Result {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if f.fn != nil {
		return f.fn(ctx, req)
	}
	return Result{Response: &graphql.Response{Data: json.RawMessage(`{"ok":true}`)}}
}

func (f *fakeExec) calls() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

func testConfig() Config {
	return Config{Enabled: true, Playground: true}
}

// gqlErrors decodes a GraphQL-shaped error body and returns its extensions.code values.
func gqlErrorCodes(t *testing.T, body []byte) []string {
	t.Helper()
	var out struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	if len(out.Errors) == 0 {
		t.Fatalf("body has no errors: %s", body)
	}
	var codes []string
	for _, e := range out.Errors {
		if e.Message == "" {
			t.Errorf("error without a message: %s", body)
		}
		code, _ := e.Extensions["code"].(string)
		codes = append(codes, code)
	}
	return codes
}

func TestGraphQLRequests(t *testing.T) {
	type want struct {
		status      int
		contentType string
		codes       []string // extensions.code of the errors; nil: the executor ran
		req         *Request // what the executor received
	}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		accept      string
		body        string
		query       url.Values
		want        want
	}{
		{
			name: "post json with variables", method: "POST", path: "/graphql",
			body: `{"query":"query Q($id: ID!) { device(id: $id) { name } }","variables":{"id":"7"},"operationName":"Q"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{
				Query: "query Q($id: ID!) { device(id: $id) { name } }", OperationName: "Q",
				Variables: map[string]any{"id": "7"}, Authorization: fullToken}},
		},
		{
			name: "post with null variables, as Grafana Infinity sends", method: "POST", path: "/graphql/",
			body: `{"query":"{ device_list { results { id } } }","variables":null,"operationName":null}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{
				Query: "{ device_list { results { id } } }", Authorization: fullToken}},
		},
		{
			name: "post without variables", method: "POST", path: "/graphql/",
			body: `{"query":"{ a }"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "variables encoded as a string", method: "POST", path: "/graphql",
			body: `{"query":"{ a }","variables":"{\"x\": 1}"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Variables: map[string]any{"x": 1.0}, Authorization: fullToken}},
		},
		{
			name: "explain extension", method: "POST", path: "/graphql",
			body: `{"query":"{ a }","extensions":{"explain":true}}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Explain: true, Authorization: fullToken}},
		},
		{
			name: "explain extension false", method: "POST", path: "/graphql",
			body: `{"query":"{ a }","extensions":{"explain":false}}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "raw application/graphql body", method: "POST", path: "/graphql", contentType: "application/graphql",
			body: `{ a }`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "operationName picks a query among several", method: "POST", path: "/graphql",
			body: `{"query":"query A { a } query B { b }","operationName":"B"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "query A { a } query B { b }", OperationName: "B", Authorization: fullToken}},
		},
		{
			name: "get with query, variables, operationName", method: "GET", path: "/graphql",
			query: url.Values{"query": {"query Q($n: String) { a(n: $n) }"}, "variables": {`{"n":"x"}`}, "operationName": {"Q"}, "extensions": {`{"explain":true}`}},
			want: want{status: 200, contentType: mediaJSON, req: &Request{
				Query: "query Q($n: String) { a(n: $n) }", OperationName: "Q", Variables: map[string]any{"n": "x"}, Explain: true, Authorization: fullToken}},
		},
		{
			name: "graphql-response+json when asked", method: "POST", path: "/graphql", accept: "application/graphql-response+json, application/json;q=0.9",
			body: `{"query":"{ a }"}`,
			want: want{status: 200, contentType: mediaGraphQLResponse, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "json preferred over graphql-response+json", method: "POST", path: "/graphql", accept: "application/json, application/graphql-response+json;q=0.5",
			body: `{"query":"{ a }"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "wildcard accept gets json", method: "POST", path: "/graphql", accept: "*/*",
			body: `{"query":"{ a }"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		{
			name: "post with text/html accept is not the playground", method: "POST", path: "/graphql", accept: "text/html",
			body: `{"query":"{ a }"}`,
			want: want{status: 200, contentType: mediaJSON, req: &Request{Query: "{ a }", Authorization: fullToken}},
		},
		// Refused before execution.
		{name: "malformed json", method: "POST", path: "/graphql", body: `{"query": "{ a }"`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "malformed json, graphql-response+json", method: "POST", path: "/graphql", body: `nope`, accept: mediaGraphQLResponse,
			want: want{status: 400, contentType: mediaGraphQLResponse, codes: []string{CodeBadRequest}}},
		{name: "empty body", method: "POST", path: "/graphql", body: ``,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "missing query", method: "POST", path: "/graphql", body: `{"variables":{}}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "null query", method: "POST", path: "/graphql", body: `{"query":null}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "query is not a string", method: "POST", path: "/graphql", body: `{"query":5}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "variables is a list", method: "POST", path: "/graphql", body: `{"query":"{ a }","variables":[1]}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "operationName is a number", method: "POST", path: "/graphql", body: `{"query":"{ a }","operationName":1}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "batch", method: "POST", path: "/graphql", body: `[{"query":"{ a }"}]`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "get without query", method: "GET", path: "/graphql",
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "get with malformed variables", method: "GET", path: "/graphql",
			query: url.Values{"query": {"{ a }"}, "variables": {"{"}},
			want:  want{status: 400, contentType: mediaJSON, codes: []string{CodeBadRequest}}},
		{name: "put", method: "PUT", path: "/graphql", body: `{"query":"{ a }"}`,
			want: want{status: 405, contentType: mediaJSON, codes: []string{CodeMethodNotAllowed}}},
		{name: "syntax error", method: "POST", path: "/graphql", body: `{"query":"{ a "}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeParseFailed}}},
		{name: "mutation", method: "POST", path: "/graphql", body: `{"query":"mutation { delete_device(id: 1) { id } }"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotAllowed}}},
		{name: "mutation over get", method: "GET", path: "/graphql", query: url.Values{"query": {"mutation { x }"}},
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotAllowed}}},
		{name: "subscription", method: "POST", path: "/graphql", body: `{"query":"subscription { device_changed { id } }"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotAllowed}}},
		{name: "mutation picked by operationName", method: "POST", path: "/graphql",
			body: `{"query":"query Q { a } mutation M { b }","operationName":"M"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotAllowed}}},
		{name: "several operations, no operationName", method: "POST", path: "/graphql",
			body: `{"query":"query Q { a } mutation M { b }"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotFound}}},
		{name: "unknown operationName", method: "POST", path: "/graphql",
			body: `{"query":"query Q { a }","operationName":"Z"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeOperationNotFound}}},
		{name: "too deep", method: "POST", path: "/graphql",
			body: `{"query":"{ a { b { c { d { e { f { g { h { i { j { k { l { m } } } } } } } } } } } } }"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeQueryTooDeep}}},
		{name: "too many aliases", method: "POST", path: "/graphql",
			body: `{"query":"{ a1: a a2: a a3: a a4: a a5: a a6: a a7: a a8: a a9: a a10: a a11: a }"}`,
			want: want{status: 400, contentType: mediaJSON, codes: []string{CodeTooManyAliases}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exec := &fakeExec{}
			h := New(testConfig(), exec, nil, nil)
			target := tc.path
			if tc.query != nil {
				target += "?" + tc.query.Encode()
			}
			r := httptest.NewRequest(tc.method, target, strings.NewReader(tc.body))
			r.Header.Set("Authorization", fullToken)
			ct := tc.contentType
			if ct == "" && tc.method == "POST" {
				ct = "application/json"
			}
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			r.Header.Set(RequestIDHeader, "req-1")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			if w.Code != tc.want.status {
				t.Errorf("status = %d, want %d; body %s", w.Code, tc.want.status, w.Body)
			}
			if got := mediaTypeOf(w.Header().Get("Content-Type")); got != tc.want.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.want.contentType)
			}
			calls := exec.calls()
			if tc.want.codes != nil {
				if got := gqlErrorCodes(t, w.Body.Bytes()); !reflect.DeepEqual(got, tc.want.codes) {
					t.Errorf("error codes = %v, want %v; body %s", got, tc.want.codes, w.Body)
				}
				if len(calls) != 0 {
					t.Errorf("the executor ran %d times for a refused request", len(calls))
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("executor ran %d times, want 1", len(calls))
			}
			if calls[0].RequestID != "req-1" {
				t.Errorf("executor got request id %q, want the caller's X-Request-ID req-1", calls[0].RequestID)
			}
			calls[0].RequestID = ""
			want := *tc.want.req
			if want.Version == 0 {
				want.Version = 2 // /graphql/ serves version 2 by default
			}
			if !reflect.DeepEqual(calls[0], want) {
				t.Errorf("executor got %+v\nwant %+v", calls[0], want)
			}
			if w.Body.String() != `{"data":{"ok":true}}` {
				t.Errorf("body = %s", w.Body)
			}
		})
	}
}

func TestExecutorResults(t *testing.T) {
	tests := []struct {
		name     string
		accept   string
		result   func(ctx context.Context, req Request) Result
		status   int
		wantBody string
		wantCode string
	}{
		{
			name: "forbidden passes through",
			result: func(context.Context, Request) Result {
				return Result{Status: 403, Response: &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: "Invalid token", Extensions: map[string]any{"code": "FORBIDDEN"}}}}}
			},
			status: 403, wantBody: `{"errors":[{"message":"Invalid token","extensions":{"code":"FORBIDDEN","request_id":"req-1"}}]}`,
		},
		{
			name: "partial data with errors stays 200",
			result: func(context.Context, Request) Result {
				return Result{Response: &graphql.Response{Data: json.RawMessage(`{"device":null}`), Errors: []*gqlerrors.QueryError{{Message: "not found"}}}}
			},
			status: 200, wantBody: `{"errors":[{"message":"not found","extensions":{"code":"INTERNAL_SERVER_ERROR","request_id":"req-1"}}],"data":{"device":null}}`,
		},
		{
			name:   "no data with graphql-response+json is a 400",
			accept: mediaGraphQLResponse,
			result: func(context.Context, Request) Result {
				return Result{Response: &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: `Cannot query field "x"`}}}}
			},
			status: 400, wantBody: `{"errors":[{"message":"Cannot query field \"x\"","extensions":{"code":"INTERNAL_SERVER_ERROR","request_id":"req-1"}}]}`,
		},
		{
			name: "no data with application/json stays 200",
			result: func(context.Context, Request) Result {
				return Result{Response: &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: `Cannot query field "x"`}}}}
			},
			status: 200, wantBody: `{"errors":[{"message":"Cannot query field \"x\"","extensions":{"code":"INTERNAL_SERVER_ERROR","request_id":"req-1"}}]}`,
		},
		{
			name:     "panic is a 500",
			result:   func(_ context.Context, req Request) Result { panic("boom with " + req.Authorization) },
			status:   500,
			wantCode: CodeInternal,
		},
		{
			name:     "nil response is a 500",
			result:   func(context.Context, Request) Result { return Result{} },
			status:   500,
			wantCode: CodeInternal,
		},
		{
			name: "the executor runs under a deadline",
			result: func(ctx context.Context, _ Request) Result {
				if _, ok := ctx.Deadline(); !ok {
					return Result{Response: &graphql.Response{Data: json.RawMessage(`{"deadline":false}`)}}
				}
				return Result{Response: &graphql.Response{Data: json.RawMessage(`{"deadline":true}`)}}
			},
			status: 200, wantBody: `{"data":{"deadline":true}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(testConfig(), &fakeExec{fn: tc.result}, nil, nil)
			r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(`{"query":"{ a }"}`))
			r.Header.Set("Authorization", fullToken)
			r.Header.Set(RequestIDHeader, "req-1")
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get(RequestIDHeader); got != "req-1" {
				t.Errorf("X-Request-ID = %q, want the caller's req-1", got)
			}
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/") {
				t.Errorf("Content-Type = %q", w.Header().Get("Content-Type"))
			}
			if tc.wantBody != "" && w.Body.String() != tc.wantBody {
				t.Errorf("body = %s\nwant %s", w.Body, tc.wantBody)
			}
			if tc.wantCode != "" {
				if got := gqlErrorCodes(t, w.Body.Bytes()); got[0] != tc.wantCode {
					t.Errorf("code = %v, want %s", got, tc.wantCode)
				}
			}
		})
	}
}

func TestRequestTimeoutIsApplied(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout = time.Hour
	var deadline time.Time
	h := New(cfg, &fakeExec{fn: func(ctx context.Context, _ Request) Result {
		deadline, _ = ctx.Deadline()
		return Result{Response: &graphql.Response{Data: json.RawMessage(`{}`)}}
	}}, nil, nil)
	before := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ a }"}`)))
	if deadline.IsZero() || deadline.Before(before.Add(59*time.Minute)) || deadline.After(time.Now().Add(time.Hour)) {
		t.Errorf("deadline %v is not about one hour after %v", deadline, before)
	}
}

func TestBodyTooLarge(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 64
	big := `{"query":"{ ` + strings.Repeat("a ", 100) + `}"}`
	tests := []struct {
		name          string
		body          io.Reader
		contentLength int64
	}{
		{name: "declared length", body: strings.NewReader(big), contentLength: int64(len(big))},
		{name: "chunked, length unknown", body: io.MultiReader(strings.NewReader(big)), contentLength: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exec := &fakeExec{}
			srv := httptest.NewServer(New(cfg, exec, nil, nil))
			defer srv.Close()
			req, err := http.NewRequest("POST", srv.URL+"/graphql", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tc.contentLength
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status = %d, want 413; body %s", resp.StatusCode, body)
			}
			if got := gqlErrorCodes(t, body); got[0] != CodePayloadTooLarge {
				t.Errorf("code = %v", got)
			}
			if len(exec.calls()) != 0 {
				t.Error("the executor ran")
			}
		})
	}
	t.Run("a body at the limit passes", func(t *testing.T) {
		body := `{"query":"{ a }"}`
		cfg := testConfig()
		cfg.MaxBodyBytes = int64(len(body))
		w := httptest.NewRecorder()
		New(cfg, &fakeExec{}, nil, nil).ServeHTTP(w, httptest.NewRequest("POST", "/graphql", strings.NewReader(body)))
		if w.Code != 200 {
			t.Errorf("status = %d; body %s", w.Code, w.Body)
		}
	})
}

func TestDisabled(t *testing.T) {
	cfg := testConfig()
	cfg.Enabled = false
	exec := &fakeExec{}
	h := New(cfg, exec, nil, nil)
	tests := []struct {
		method, path, accept string
		status               int
		body                 string
	}{
		{"POST", "/graphql", "", 404, "The GraphQL API is not enabled."},
		{"POST", "/graphql/", "", 404, "The GraphQL API is not enabled."},
		{"GET", "/graphql/?query=%7Ba%7D", "", 404, "The GraphQL API is not enabled."},
		{"GET", "/graphql/", "text/html", 404, "The GraphQL API is not enabled."},
		{"GET", "/healthz", "", 200, "ok\n"},
		{"GET", "/readyz", "", 200, "ok\n"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"query":"{ a }"}`))
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
	if n := len(exec.calls()); n != 0 {
		t.Errorf("the executor ran %d times while GraphQL is disabled", n)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		ready    func(context.Context) error
		status   int
		contains string
	}{
		{name: "healthz", path: "/healthz", ready: func(context.Context) error { return errors.New("down") }, status: 200, contains: "ok"},
		{name: "ready without a check", path: "/readyz", status: 200, contains: "ok"},
		{name: "ready", path: "/readyz", ready: func(context.Context) error { return nil }, status: 200, contains: "ok"},
		{name: "not ready", path: "/readyz", ready: func(context.Context) error {
			return fmt.Errorf("GET /api/status/: %w", errors.New("connection refused"))
		}, status: 503, contains: "not ready: GET /api/status/: connection refused"},
		{name: "ready check gets a deadline", path: "/readyz", ready: func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			return nil
		}, status: 200, contains: "ok"},
		{name: "unknown path", path: "/nope", status: 404, contains: `{"detail":"Not found."}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			New(testConfig(), &fakeExec{}, tc.ready, nil).ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("got %d %q, want %d containing %q", w.Code, w.Body, tc.status, tc.contains)
			}
		})
	}
}

func TestPlayground(t *testing.T) {
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name       string
		playground bool
		accept     string
		target     string
		status     int
		html       bool
	}{
		{name: "browser gets the playground", playground: true, accept: browser, target: "/graphql/", status: 200, html: true},
		{name: "browser with a query in the URL gets the playground", playground: true, accept: browser, target: "/graphql?query=%7Ba%7D", status: 200, html: true},
		{name: "api client gets json", playground: true, accept: "application/json", target: "/graphql?query=%7Ba%7D", status: 200},
		{name: "playground off", playground: false, accept: browser, target: "/graphql/", status: 400},
		{name: "text/html refused with q=0", playground: true, accept: "text/html;q=0, application/json", target: "/graphql/", status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Playground = tc.playground
			exec := &fakeExec{}
			r := httptest.NewRequest("GET", tc.target, nil)
			r.Header.Set("Accept", tc.accept)
			w := httptest.NewRecorder()
			New(cfg, exec, nil, nil).ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d", w.Code, tc.status)
			}
			isHTML := strings.HasPrefix(w.Header().Get("Content-Type"), "text/html")
			if isHTML != tc.html {
				t.Errorf("Content-Type = %q, want html %v", w.Header().Get("Content-Type"), tc.html)
			}
			if tc.html {
				body := w.Body.String()
				for _, s := range []string{"graphiql.min.js", "graphbox.js", "Authorization"} {
					if !strings.Contains(body, s) {
						t.Errorf("playground page lacks %q", s)
					}
				}
				if len(exec.calls()) != 0 {
					t.Error("the executor ran for the playground")
				}
			}
		})
	}
}

func TestExplainForcedByConfig(t *testing.T) {
	cfg := testConfig()
	cfg.Explain = true
	exec := &fakeExec{}
	New(cfg, exec, nil, nil).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ a }"}`)))
	if calls := exec.calls(); len(calls) != 1 || !calls[0].Explain {
		t.Errorf("calls = %+v, want one with Explain", calls)
	}
}

// TestTokenNeverLogged runs requests that end in every branch (success, refusal, 403, panic
// quoting the token) with debug logging and checks the token never reaches the log.
func TestTokenNeverLogged(t *testing.T) {
	tokens := []string{
		"Token 0123456789abcdef0123456789abcdef01234567",
		"Bearer nbt_demofull.0123456789abcdef0123456789abcdef01234567",
	}
	for _, token := range tokens {
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		exec := &fakeExec{fn: func(_ context.Context, req Request) Result {
			switch {
			case strings.Contains(req.Query, "panic"):
				panic(fmt.Sprintf("resolver failed for %q", req.Authorization))
			case strings.Contains(req.Query, "forbidden"):
				return Result{Status: 403, Response: &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: "Invalid token"}}}}
			}
			return Result{Response: &graphql.Response{Data: json.RawMessage(`{}`)}}
		}}
		h := New(testConfig(), exec, func(context.Context) error { return errors.New("upstream down") }, logger)
		for _, body := range []string{`{"query":"{ ok }"}`, `{"query":"{ panic }"}`, `{"query":"{ forbidden }"}`, `{"query":"mutation { x }"}`, `{bad`} {
			r := httptest.NewRequest("POST", "/graphql", strings.NewReader(body))
			r.Header.Set("Authorization", token)
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
		r := httptest.NewRequest("GET", "/readyz", nil)
		r.Header.Set("Authorization", token)
		h.ServeHTTP(httptest.NewRecorder(), r)

		logs := buf.String()
		secret := strings.Fields(token)[1]
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains the token:\n%s", logs)
		}
		for _, want := range []string{`"msg":"executor panic"`, `"method":"POST"`, `"path":"/graphql"`, `"status":500`, `"status":403`, `"status":400`, `"duration"`, "[REDACTED]"} {
			if !strings.Contains(logs, want) {
				t.Errorf("the log lacks %s:\n%s", want, logs)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", mediaJSON},
		{"*/*", mediaJSON},
		{"application/json", mediaJSON},
		{"application/graphql-response+json", mediaGraphQLResponse},
		{"application/graphql-response+json, application/json", mediaGraphQLResponse},
		{"application/json;q=0.9, application/graphql-response+json", mediaGraphQLResponse},
		{"application/json, application/graphql-response+json;q=0.9", mediaJSON},
		{"application/graphql-response+json;q=0", mediaJSON},
		{"text/plain", mediaJSON},
		{"Application/GraphQL-Response+JSON", mediaGraphQLResponse},
	}
	for _, tc := range tests {
		if got := negotiate(tc.accept); got != tc.want {
			t.Errorf("negotiate(%q) = %q, want %q", tc.accept, got, tc.want)
		}
	}
}

// TestVersionByPath: /graphql/v1/ and /graphql/v2/ ask for their version; /graphql/ for the
// configured default (GRAPHQL_DEFAULT_VERSION), 2 unless it says 1.
func TestVersionByPath(t *testing.T) {
	for _, c := range []struct {
		def  int
		path string
		want int
	}{
		{0, "/graphql/", 2}, {0, "/graphql", 2}, {1, "/graphql/", 1}, {2, "/graphql/", 2},
		{1, "/graphql/v2/", 2}, {2, "/graphql/v1/", 1}, {0, "/graphql/v1", 1}, {1, "/graphql/v2", 2},
	} {
		exec := &fakeExec{}
		cfg := testConfig()
		cfg.DefaultVersion = c.def
		h := New(cfg, exec, nil, nil)
		req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(`{"query": "{ a }"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		calls := exec.calls()
		if w.Code != http.StatusOK || len(calls) != 1 {
			t.Errorf("default %d, %s: status %d, %d calls", c.def, c.path, w.Code, len(calls))
			continue
		}
		if calls[0].Version != c.want {
			t.Errorf("default %d, %s: version %d, want %d", c.def, c.path, calls[0].Version, c.want)
		}
	}
}

// TestEncodeResponseAsMarshal: the response is written byte for byte as json.Marshal writes it,
// for data with and without characters it escapes, errors and extensions.
func TestEncodeResponseAsMarshal(t *testing.T) {
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"a":1,"b":[true,null,"x"]}`)},
		{Data: json.RawMessage(`{"name":"<script>&amp;"}`)},
		{Errors: []*gqlerrors.QueryError{{Message: "no <b>", Extensions: map[string]any{"code": "X"}}}},
		{Data: json.RawMessage(`{"a":null}`), Errors: []*gqlerrors.QueryError{{Message: "e"}}, Extensions: map[string]any{"warnings": []string{"w&"}}},
		{Extensions: map[string]any{"explain": map[string]any{"requests": []any{}}}},
		{},
	} {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encodeResponse = %s, json.Marshal = %s", got, want)
		}
	}
}
