package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// schemaExec runs operations on a small real graphql-go schema, to check that what the server
// hands over (variables decoded from JSON, operation names) is what graphql-go expects, and that
// its answers are passed back unchanged.
type schemaExec struct{ schema *graphql.Schema }

type testResolver struct{}

func (*testResolver) Hello(args struct{ Name *string }) string {
	if args.Name == nil {
		return "hello, nobody"
	}
	return "hello, " + *args.Name
}

func (*testResolver) Double(args struct{ N int32 }) int32 { return 2 * args.N }

func (e schemaExec) Execute(ctx context.Context, req Request) Result {
	return Result{Response: e.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)}
}

func newSchemaExec(t *testing.T) schemaExec {
	t.Helper()
	s, err := graphql.ParseSchema(`type Query { hello(name: String): String! double(n: Int!): Int! }`, &testResolver{})
	if err != nil {
		t.Fatal(err)
	}
	return schemaExec{schema: s}
}

func TestWithGraphQLGo(t *testing.T) {
	srv := httptest.NewServer(New(testConfig(), newSchemaExec(t), nil, nil))
	defer srv.Close()
	tests := []struct {
		name, body, accept string
		status             int
		want               string
	}{
		{name: "null variables", body: `{"query":"{ hello }","variables":null}`, status: 200, want: `{"data":{"hello":"hello, nobody"}}`},
		{name: "string variable", body: `{"query":"query($n: String) { hello(name: $n) }","variables":{"n":"Ada"}}`,
			status: 200, want: `{"data":{"hello":"hello, Ada"}}`},
		{name: "int variable from a JSON number", body: `{"query":"query($n: Int!) { double(n: $n) }","variables":{"n":21}}`,
			status: 200, want: `{"data":{"double":42}}`},
		{name: "operation by name", body: `{"query":"query A { hello } query B { double(n: 1) }","operationName":"B"}`,
			status: 200, want: `{"data":{"double":2}}`},
		{name: "validation error, json", body: `{"query":"{ nope }"}`, status: 200, want: `"message":"Cannot query field \"nope\" on type \"Query\"."`},
		{name: "validation error, graphql-response+json", body: `{"query":"{ nope }"}`, accept: mediaGraphQLResponse, status: 400, want: `Cannot query field`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/graphql/", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tc.status, tc.want)
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
		})
	}
}

// TestConcurrentRequests lets the race detector see the metrics and the handler under load.
func TestConcurrentRequests(t *testing.T) {
	h := New(testConfig(), newSchemaExec(t), nil, nil)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"query":"{ hello }"}`
			if i%4 == 0 {
				body = `{"query":"mutation { x }"}`
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/graphql", strings.NewReader(body)))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/metrics", nil))
		}()
	}
	wg.Wait()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`graphbox_http_requests_total{code="200",route="graphql"} 15`, `graphbox_http_requests_total{code="400",route="graphql"} 5`,
		`graphbox_http_requests_total{code="200",route="metrics"} 20`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("metrics lack %s:\n%s", want, w.Body)
		}
	}
}

func TestNewHTTPServer(t *testing.T) {
	srv := NewHTTPServer(":0", http.NotFoundHandler(), Config{RequestTimeout: time.Minute}, nil)
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout != time.Minute || srv.WriteTimeout <= time.Minute || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("server timeouts = %+v", srv)
	}
}
