package server

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The playground page loads every file from the gateway itself, and the gateway serves each.
func TestPlaygroundIsSelfContained(t *testing.T) {
	h := New(testConfig(), &fakeExec{}, nil, nil)
	r := httptest.NewRequest("GET", "/graphql/", nil)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	page := w.Body.String()
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy %q does not keep the page on the gateway", csp)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 5 {
		t.Fatalf("the page references %d files, want GraphiQL's CSS and JS, React, ReactDOM and ours", len(refs))
	}
	want := map[string]string{ // file → the start of its Content-Type
		"graphiql.min.css": "text/css", "graphbox.css": "text/css", "react.production.min.js": "text/javascript",
		"react-dom.production.min.js": "text/javascript", "graphiql.min.js": "text/javascript", "graphbox.js": "text/javascript",
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, playgroundStatic) {
			t.Errorf("the page loads %s, not from %s", ref, playgroundStatic)
			continue
		}
		name := strings.TrimPrefix(ref, playgroundStatic)
		ct, ok := want[name]
		if !ok {
			t.Errorf("unexpected file %s", ref)
			continue
		}
		delete(want, name)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", ref, nil))
		if w.Code != 200 || w.Body.Len() < 100 || !strings.HasPrefix(w.Header().Get("Content-Type"), ct) {
			t.Errorf("GET %s: %d, %d bytes, %q", ref, w.Code, w.Body.Len(), w.Header().Get("Content-Type"))
		}
	}
	for name := range want {
		t.Errorf("the page does not load %s", name)
	}
}

func TestPlaygroundAssetsOff(t *testing.T) {
	cfg := testConfig()
	cfg.Playground = false
	w := httptest.NewRecorder()
	New(cfg, &fakeExec{}, nil, nil).ServeHTTP(w, httptest.NewRequest("GET", playgroundStatic+"graphiql.min.js", nil))
	if w.Code != 404 {
		t.Errorf("asset with the playground off: %d, want 404", w.Code)
	}
}
