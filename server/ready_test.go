package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond (the background check runs on its own schedule).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// /readyz answers from the background check: a probe makes no upstream call and does not wait
// for a slow upstream; the state follows the upstream; Drain turns it off for good.
func TestReadinessInBackground(t *testing.T) {
	var calls atomic.Int64
	var down atomic.Bool
	release := make(chan struct{})
	check := func(ctx context.Context) error {
		n := calls.Add(1)
		if n == 2 {
			// A slow upstream: the second check hangs until released (or its timeout).
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	}
	r := NewReadiness(check, 10*time.Millisecond, time.Minute, nil)
	defer r.Close()
	h := New(testConfig(), &fakeExec{}, r.Check, nil)
	status := func() int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		return w.Code
	}
	waitFor(t, "the first check", func() bool { return calls.Load() >= 2 })
	// The second check hangs: probes still answer, from the first result, without calling.
	before := calls.Load()
	for range 100 {
		if got := status(); got != 200 {
			t.Fatalf("/readyz %d while the upstream is slow, want 200 (last result)", got)
		}
	}
	if calls.Load() != before {
		t.Errorf("probes made %d upstream checks", calls.Load()-before)
	}
	down.Store(true)
	close(release)
	waitFor(t, "not ready", func() bool { return status() == 503 })
	down.Store(false)
	waitFor(t, "ready again", func() bool { return status() == 200 })
	r.Drain()
	if got := status(); got != 503 {
		t.Errorf("/readyz %d after Drain, want 503", got)
	}
	down.Store(false)
	time.Sleep(30 * time.Millisecond) // more checks succeed: still draining
	if got := status(); got != 503 {
		t.Errorf("/readyz %d after Drain and a good check, want 503", got)
	}
}

func TestReadinessBeforeFirstCheck(t *testing.T) {
	block := make(chan struct{})
	r := NewReadiness(func(ctx context.Context) error {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil
	}, time.Hour, time.Minute, nil)
	if err := r.Check(context.Background()); err == nil {
		t.Errorf("ready before the upstream was checked")
	}
	close(block)
	waitFor(t, "the first check", func() bool { return r.Check(context.Background()) == nil })
	r.Close()
	r.Close() // twice is fine
}
