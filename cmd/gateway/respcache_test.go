package main

import (
	"encoding/json"
	"testing"
)

// TestResponseCache: a repeated query is answered from the response cache, with no upstream
// request, for the same token only; the same document spelled differently is the same answer;
// an answer with errors, and an explain request, are never kept.
func TestResponseCache(t *testing.T) {
	s := newStack(t, nil)
	const q = `{ device_list(pagination: {limit: 50}) { total_count results { id name } } }`

	first := s.query(t, restrictedToken, q)
	if len(first.Errors) > 0 || s.simStats(t).Requests == 0 {
		t.Fatalf("first answer: errors %+v, %d upstream requests", first.Errors, s.simStats(t).Requests)
	}
	s.sim.ResetStats()
	again := s.query(t, restrictedToken, "# a dashboard's copy\n{device_list(pagination:{limit:50}){total_count results{id name}}}")
	if n := s.simStats(t).Requests; n != 0 {
		t.Errorf("the repeat made %d upstream requests, want 0 (response cache)", n)
	}
	a, _ := json.Marshal(first.Data)
	b, _ := json.Marshal(again.Data)
	if string(a) != string(b) {
		t.Errorf("the cached answer differs:\n%s\n%s", a, b)
	}

	// Another token never gets that answer: it is executed for it, and sees its own devices.
	other := s.query(t, fullToken, q)
	if n := s.simStats(t).Requests; n == 0 {
		t.Error("another token's identical query was answered without an upstream request")
	}
	c, _ := json.Marshal(other.Data)
	if string(c) == string(a) {
		t.Errorf("the full-read token got the restricted token's answer: %s", c)
	}

	// An answer with errors is not kept: the repeat reaches the upstream again.
	const missing = `{ device(id: 999999) { name } }`
	for i := range 2 {
		s.sim.ResetStats()
		if r := s.query(t, fullToken, missing); len(r.Errors) != 1 {
			t.Fatalf("errors %+v", r.Errors)
		}
		if i == 1 && s.simStats(t).Requests == 0 {
			t.Error("an answer with an error was served from the response cache")
		}
	}

	// explain bypasses it: the answer tells the requests, so it must make them.
	s.sim.ResetStats()
	r := s.post(t, restrictedToken, []byte(`{"query": "`+q+`", "extensions": {"explain": true}}`))
	if _, ok := r.Extensions["explain"]; !ok || len(r.Errors) > 0 {
		t.Errorf("explain answer: errors %+v extensions %v", r.Errors, r.Extensions)
	}
}
