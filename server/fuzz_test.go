package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServeGraphQL sends the HTTP layer random bodies, GET parameters, methods and content types:
// it must never panic, and it either hands the executor a well-formed request or answers a
// GraphQL error list in which every error has a code.
func FuzzServeGraphQL(f *testing.F) {
	f.Add("POST", "application/json", `{"query": "{ a }", "variables": {"x": 1}}`, "")
	f.Add("POST", "application/graphql", "query Q { a(x: 1) { b ...F } } fragment F on T { c }", "")
	f.Add("GET", "", "", "query=%7B+a+%7D&variables=%7B%7D&operationName=")
	f.Add("POST", "application/json; charset=utf-8", `{"query": "mutation { x }"}`, "")
	f.Add("POST", "application/json", `[{"query": "{ a }"}]`, "")
	f.Add("PUT", "text/plain", "\xff\xfe", "query=%ff")
	f.Add("POST", "application/json", `{"query": "{ ...A } fragment A on Q { ...A }"}`, "")
	cfg := testConfig()
	cfg.MaxBodyBytes = 1 << 16
	exec := &fakeExec{}
	h := New(cfg, exec, nil, nil)
	f.Fuzz(func(t *testing.T, method, contentType, body, rawQuery string) {
		switch method {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS":
		default:
			method = "POST"
		}
		r := httptest.NewRequest(method, "/graphql/", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		if contentType != "" && !strings.ContainsAny(contentType, "\r\n") {
			r.Header.Set("Content-Type", contentType)
		}
		before := len(exec.calls())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if len(exec.calls()) > before {
			if w.Code != http.StatusOK {
				t.Fatalf("executed, then answered %d", w.Code)
			}
			return
		}
		if method == "HEAD" {
			return
		}
		var out struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Errors) == 0 {
			t.Fatalf("refused with %d and a body that is no error list: %q", w.Code, w.Body)
		}
		for _, e := range out.Errors {
			if code, _ := e.Extensions["code"].(string); code == "" || e.Message == "" {
				t.Fatalf("error without code or message: %+v", e)
			}
		}
		if w.Code < 400 || w.Code > 599 {
			t.Fatalf("refused with status %d", w.Code)
		}
	})
}
