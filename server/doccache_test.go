package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDocumentCache: a document that passed is kept once per text and operation name and not
// parsed again; its printed form keys the response cache alike for two spellings; a refused
// document is never kept and refused every time.
func TestDocumentCache(t *testing.T) {
	cfg := testConfig()
	cfg.MaxDepth = 3
	h := newHandler(cfg, &fakeExec{}, nil, nil)
	post := func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(body))
		r.Header.Set("Authorization", fullToken)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for range 3 {
		if w := post(`{"query": "{ a { b } }"}`); w.Code != http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	if n := h.docs.store.Entries(); n != 1 {
		t.Errorf("%d documents kept after one query thrice, want 1", n)
	}
	// Another spelling is another entry, with the same printed form.
	if w := post(`{"query": "# a comment\n{a{  b}}"}`); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if n := h.docs.store.Entries(); n != 2 {
		t.Errorf("%d documents kept after two spellings, want 2", n)
	}
	a, errs1 := h.docs.check("{ a { b } }", "", limits{})
	b, errs2 := h.docs.check("# a comment\n{a{  b}}", "", limits{})
	if len(errs1)+len(errs2) > 0 || a != b || a == "" {
		t.Errorf("printed forms %q and %q (errors %v %v), want one and the same", a, b, errs1, errs2)
	}
	// Too deep: refused each time, never kept.
	for range 2 {
		w := post(`{"query": "{ a { b { c { d { e } } } } }"}`)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), CodeQueryTooDeep) {
			t.Fatalf("status %d: %s; want 400 %s", w.Code, w.Body, CodeQueryTooDeep)
		}
	}
	if n := h.docs.store.Entries(); n != 2 {
		t.Errorf("%d documents kept after a refused one, want 2", n)
	}
	// The cached check gives the same answer as a fresh parse.
	if p, errs := h.docs.check("{ a { b } }", "", limits{}); len(errs) > 0 || p != a {
		t.Errorf("cached check %q %v, want %q", p, errs, a)
	}
}
