package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
)

type warning struct {
	Code, Message, Type string
}

func warningsOf(t *testing.T, r gqlResponse) []warning {
	t.Helper()
	var ws []warning
	if raw, ok := r.Extensions["warnings"]; ok {
		if err := json.Unmarshal(raw, &ws); err != nil {
			t.Fatalf("extensions.warnings: %v: %s", err, raw)
		}
	}
	return ws
}

// TestNoPermissionAsNetBox: NetBox's GraphQL answers a list the user may not view as an empty
// list without error, and a single object that is missing or hidden as null with Django's
// "<Model> matching query does not exist."; the gateway does the same, and says why in a warning.
func TestNoPermissionAsNetBox(t *testing.T) {
	s := newStack(t, nil)

	r := s.query(t, noPermToken, `{ device_list { total_count page_info { offset limit } results { name } } }`)
	if r.Status != 200 || len(r.Errors) > 0 {
		t.Fatalf("status %d errors %+v, want an answer without errors", r.Status, r.Errors)
	}
	if got := string(r.Data["device_list"]); got != `{"total_count":0,"page_info":{"offset":0,"limit":100},"results":[]}` {
		t.Errorf("device_list = %s, want an empty page", got)
	}
	ws := warningsOf(t, r)
	if len(ws) != 1 || ws[0].Code != "FORBIDDEN" || ws[0].Type != "DeviceType" || !strings.Contains(ws[0].Message, "DeviceType") {
		t.Errorf("warnings %+v, want one FORBIDDEN warning naming DeviceType", ws)
	}

	r = s.query(t, noPermToken, `{ device_list(filters: {name: {i_contains: "a"}}) { total_count } }`)
	if len(r.Errors) > 0 || string(r.Data["device_list"]) != `{"total_count":0}` || len(warningsOf(t, r)) != 1 {
		t.Errorf("filtered list: data %s errors %+v warnings %+v", r.Data["device_list"], r.Errors, warningsOf(t, r))
	}

	for _, c := range []struct{ name, token, query string }{
		{"hidden", noPermToken, `{ device(id: 1) { name } }`},
		{"missing", fullToken, `{ device(id: 999999) { name } }`},
	} {
		r := s.query(t, c.token, c.query)
		if r.Data != nil || len(r.Errors) != 1 {
			t.Fatalf("%s: data %s errors %+v", c.name, r.Data["device"], r.Errors)
		}
		if e := r.Errors[0]; e.Message != "Device matching query does not exist." || e.Extensions["code"] != "NOT_FOUND" {
			t.Errorf("%s: error %+v, want NetBox's message with NOT_FOUND", c.name, e)
		}
	}

	// A rejected token stays an HTTP 403, as NetBox answers it.
	if r := s.query(t, "Token 9999999999999999999999999999999999999999", `{ device_list { total_count } }`); r.Status != 403 {
		t.Errorf("an invalid token got %d, want 403", r.Status)
	}
}

// TestForbiddenReverseRelationIsEmpty: a token that may view devices but not interfaces gets
// each device's interfaces as an empty list, as NetBox's GraphQL restricts them.
func TestForbiddenReverseRelationIsEmpty(t *testing.T) {
	var denied atomic.Int32
	s := newStackIntercepted(t, answerUnder("/api/dcim/interfaces/", http.StatusForbidden,
		`{"detail": "You do not have permission to perform this action."}`, &denied))

	r := s.query(t, fullToken, `{ device_list(pagination: {limit: 3}) { results { name interfaces { name } } } }`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	var page struct {
		Results []struct {
			Name       string
			Interfaces []struct{ Name string }
		}
	}
	if err := json.Unmarshal(r.Data["device_list"], &page); err != nil || len(page.Results) != 3 {
		t.Fatalf("device_list %s", r.Data["device_list"])
	}
	for _, d := range page.Results {
		if d.Interfaces == nil || len(d.Interfaces) != 0 {
			t.Errorf("%s: interfaces %v, want []", d.Name, d.Interfaces)
		}
	}
	ws := warningsOf(t, r)
	if len(ws) != 1 || ws[0].Type != "InterfaceType" {
		t.Errorf("warnings %+v, want one naming InterfaceType", ws)
	}
	if denied.Load() != 1 {
		t.Errorf("%d interface requests, want the one batched request", denied.Load())
	}
}

// newStackIntercepted is a gateway in front of a simulator, with intercept answering the
// requests it takes (it returns true) in the simulator's place.
func newStackIntercepted(t *testing.T, intercept func(http.ResponseWriter, *http.Request) bool) *stack {
	t.Helper()
	sim, err := netboxsim.New(netboxsim.Options{Registry: model.Default(), Scale: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !intercept(w, r) {
			sim.Handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(upstream.Close)
	cfg := DefaultConfig()
	cfg.Listen, cfg.Upstream.URL = "127.0.0.1:0", upstream.URL
	g, err := start(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.close(t.Context()) })
	return &stack{sim: sim, simURL: upstream.URL, gwURL: "http://" + g.addr}
}

// answerUnder answers every request under prefix with status and body, counting them in n.
func answerUnder(prefix string, status int, body string, n *atomic.Int32) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, prefix) {
			return false
		}
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return true
	}
}
