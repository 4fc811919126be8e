package main

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/netboxsim"
	"github.com/graphbox/graphbox/rest"
)

func TestMajorMinor(t *testing.T) {
	for in, want := range map[string]string{
		"4.2.2 (4.2)": "4.2", "4.2.2-sim": "4.2", "v4.6.8-Docker-3.2.1": "4.6", "4.10.0": "4.10",
		"4": "", "": "", "beta": "", "4.x": "",
	} {
		if got := model.MajorMinor(in); got != want {
			t.Errorf("MajorMinor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersionWatch(t *testing.T) {
	var log bytes.Buffer
	reg := &model.Registry{APIVersion: "4.6.8 (4.6)"}
	v := newVersionWatch(reg, slog.New(slog.NewTextHandler(&log, nil)))

	v.observe(&rest.Response{Status: 200, Body: []byte(`{"netbox-version": "4.6.2"}`), APIVersion: "4.6"})
	if v.Mismatch() || strings.Contains(log.String(), "WARN") {
		t.Errorf("4.6.2 against a 4.6 build: mismatch %t, log %s", v.Mismatch(), log.String())
	}
	v.observe(&rest.Response{Status: 403, Body: []byte(`{"detail": "Authentication credentials were not provided."}`), APIVersion: "4.2"})
	if !v.Mismatch() || strings.Count(log.String(), "level=WARN") != 1 || !strings.Contains(log.String(), "upstream_version=4.2") {
		t.Errorf("4.2.2 against a 4.6 build: mismatch %t, log %s", v.Mismatch(), log.String())
	}
	v.observe(&rest.Response{Status: 403, APIVersion: "4.2"})
	if strings.Count(log.String(), "level=WARN") != 1 {
		t.Errorf("the same version warned twice: %s", log.String())
	}
}

// syncBuffer is a log destination the gateway's goroutines may write to while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestVersionCheckedAtStart: the gateway reads the upstream's NetBox version at start, without
// waiting for a probe, and logs it beside the build's.
func TestVersionCheckedAtStart(t *testing.T) {
	sim, err := netboxsim.New(netboxsim.Options{Registry: model.Default(), Scale: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(sim.Handler())
	t.Cleanup(upstream.Close)
	cfg := DefaultConfig()
	cfg.Listen, cfg.Upstream.URL = "127.0.0.1:0", upstream.URL
	var log syncBuffer
	g, err := start(cfg, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.close(t.Context()) })
	want := "upstream_version=" + model.MajorMinor(netboxsim.Version)
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("no version line in the log after 5s:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	built := model.MajorMinor(model.Default().APIVersion)
	if built == "" || !strings.Contains(log.String(), "schema_version="+built) {
		t.Errorf("the log does not give the build's version %q:\n%s", built, log.String())
	}
}
