package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	const app = "https://app.example.com"
	on := testConfig()
	on.CORS = CORSConfig{AllowedOrigins: []string{app}}
	for _, tc := range []struct {
		name         string
		cfg          Config
		method       string
		origin       string
		reqHeaders   string
		status       int
		allowOrigin  string
		allowHeaders []string // each must be allowed (preflight)
	}{
		{"preflight allowed", on, "OPTIONS", app, "authorization,content-type", 204, app, []string{"authorization", "content-type"}},
		{"preflight from another origin", on, "OPTIONS", "https://evil.example.com", "authorization", 204, "", nil},
		{"simple request allowed", on, "POST", app, "", 200, app, nil},
		{"off by default", testConfig(), "OPTIONS", app, "authorization", 405, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r = httptest.NewRequest(tc.method, "/graphql/", strings.NewReader(`{"query":"{ a }"}`))
			r.Header.Set("Origin", tc.origin)
			if tc.method == "OPTIONS" {
				r.Header.Set("Access-Control-Request-Method", "POST")
				r.Header.Set("Access-Control-Request-Headers", tc.reqHeaders)
			}
			w := httptest.NewRecorder()
			New(tc.cfg, &fakeExec{}, nil, nil).ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.allowOrigin)
			}
			if got := w.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("credentials allowed: %q", got)
			}
			allowed := strings.ToLower(w.Header().Get("Access-Control-Allow-Headers"))
			for _, h := range tc.allowHeaders {
				if !strings.Contains(allowed, h) {
					t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowed, h)
				}
			}
		})
	}
}
