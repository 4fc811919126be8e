package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// blockingExec holds every request until release is closed, and tells when one has started.
type blockingExec struct {
	started chan struct{}
	release chan struct{}
}

func newBlockingExec() *blockingExec {
	return &blockingExec{started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blockingExec) Execute(ctx context.Context, _ Request) Result {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return Result{Response: &graphql.Response{Data: json.RawMessage(`{"ok":true}`)}}
}

func postQuery(h http.Handler, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(`{"query":"{ a }"}`))
	if token != "" {
		r.Header.Set("Authorization", token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAdmissionControl(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConcurrent, cfg.MaxQueued, cfg.QueueTimeout = 1, 1, 5*time.Second
	exec := newBlockingExec()
	h := newHandler(cfg, exec, nil, nil)

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- postQuery(h, fullToken) }()
	<-exec.started

	queued := make(chan *httptest.ResponseRecorder)
	go func() { queued <- postQuery(h, fullToken) }()
	// The second request waits in the queue; wait until it is there.
	deadline := time.Now().Add(5 * time.Second)
	for len(h.admission.queue) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the second request never queued")
		}
		time.Sleep(time.Millisecond)
	}

	// The slot is taken and the queue full: refused at once, with Retry-After.
	w := postQuery(h, fullToken)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", w.Code, w.Body)
	}
	if got := gqlErrorCodes(t, w.Body.Bytes()); fmt.Sprint(got) != "["+CodeOverloaded+"]" {
		t.Errorf("codes %v, want [%s]", got, CodeOverloaded)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds", w.Header().Get("Retry-After"))
	}

	// /healthz and /metrics never wait behind GraphQL traffic.
	for _, path := range []string{"/healthz", "/metrics"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusOK {
			t.Errorf("%s answered %d while the GraphQL slots were full", path, w.Code)
		}
	}

	close(exec.release)
	if w := <-first; w.Code != http.StatusOK {
		t.Errorf("first request: %d %s", w.Code, w.Body)
	}
	if w := <-queued; w.Code != http.StatusOK {
		t.Errorf("queued request: %d %s, want it served once the slot was free", w.Code, w.Body)
	}
}

func TestAdmissionQueueTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConcurrent, cfg.MaxQueued, cfg.QueueTimeout = 1, 4, 20*time.Millisecond
	exec := newBlockingExec()
	h := New(cfg, exec, nil, nil)
	done := make(chan struct{})
	go func() { postQuery(h, fullToken); close(done) }()
	<-exec.started
	w := postQuery(h, fullToken)
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d after waiting past queue_timeout, want 503", w.Code)
	}
	if got := gqlErrorCodes(t, w.Body.Bytes()); fmt.Sprint(got) != "["+CodeOverloaded+"]" {
		t.Errorf("codes %v, want [%s]", got, CodeOverloaded)
	}
	close(exec.release)
	<-done
}

func TestRateLimitPerClient(t *testing.T) {
	cfg := testConfig()
	cfg.RateLimit, cfg.RateBurst = 0.5, 2 // two at once, then one every two seconds
	h := New(cfg, &fakeExec{}, nil, nil)

	for i := range 2 {
		if w := postQuery(h, fullToken); w.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d %s", i, w.Code, w.Body)
		}
	}
	w := postQuery(h, fullToken)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("third request: status %d, want 429", w.Code)
	}
	if got := gqlErrorCodes(t, w.Body.Bytes()); fmt.Sprint(got) != "["+CodeRateLimited+"]" {
		t.Errorf("codes %v, want [%s]", got, CodeRateLimited)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", w.Header().Get("Retry-After"))
	}
	// Another token, and a caller without one (keyed by address), have buckets of their own.
	if w := postQuery(h, "Token 1111111111111111111111111111111111111111"); w.Code != http.StatusOK {
		t.Errorf("another token was limited: %d", w.Code)
	}
	if w := postQuery(h, ""); w.Code != http.StatusOK {
		t.Errorf("a caller without a token was limited: %d", w.Code)
	}
}

func TestRateLimiterBucketsBounded(t *testing.T) {
	rl := newRateLimiter(1, 1, 3)
	for i := range 10 {
		r := httptest.NewRequest("POST", "/graphql/", nil)
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", i)
		rl.allow(r, time.Now())
	}
	if n := len(rl.buckets); n != 3 || rl.order.Len() != 3 {
		t.Errorf("%d buckets (%d in order), want the bound 3", n, rl.order.Len())
	}
	for id := range rl.buckets {
		if strings.Contains(id, fullToken) {
			t.Errorf("a bucket is keyed by the token in clear: %q", id)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	h := New(testConfig(), &fakeExec{}, nil, nil)
	for _, tc := range []struct {
		name, sent string
		echoed     bool
	}{
		{"absent", "", false},
		{"sane id is kept", "abc-123_X.y:z", true},
		{"header injection is replaced", "a\r\nSet-Cookie: x", false},
		{"too long is replaced", strings.Repeat("a", 129), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(`{"query": "mutation { x }"}`))
			if tc.sent != "" {
				r.Header.Set(RequestIDHeader, tc.sent)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			got := w.Header().Get(RequestIDHeader)
			if tc.echoed && got != tc.sent {
				t.Errorf("X-Request-ID %q, want the caller's %q", got, tc.sent)
			}
			if !tc.echoed && (got == tc.sent || !validRequestID(got)) {
				t.Errorf("X-Request-ID %q, want a new one", got)
			}
			var body struct {
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) == 0 {
				t.Fatalf("body %s", w.Body)
			}
			if body.Errors[0].Extensions["request_id"] != got {
				t.Errorf("extensions.request_id %v, want the header's %q", body.Errors[0].Extensions["request_id"], got)
			}
		})
	}
}

func TestErrorListCapped(t *testing.T) {
	cfg := testConfig()
	cfg.MaxErrors = 100
	errs := make([]*gqlerrors.QueryError, 250)
	for i := range errs {
		errs[i] = &gqlerrors.QueryError{Message: fmt.Sprintf("conflict %d", i), Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
	}
	h := New(cfg, &fakeExec{fn: func(context.Context, Request) Result {
		return Result{Response: &graphql.Response{Errors: errs}}
	}}, nil, nil)
	w := postQuery(h, fullToken)
	codes := gqlErrorCodes(t, w.Body.Bytes())
	if len(codes) != 101 {
		t.Fatalf("%d errors, want 100 and a summary", len(codes))
	}
	if codes[100] != CodeTooManyErrors {
		t.Errorf("last code %s, want %s", codes[100], CodeTooManyErrors)
	}
	if !strings.Contains(w.Body.String(), "and 150 more errors") {
		t.Errorf("the summary does not count the errors left out: %s", w.Body.String()[w.Body.Len()-200:])
	}
}

func TestInvalidUTF8Refused(t *testing.T) {
	exec := &fakeExec{}
	h := New(testConfig(), exec, nil, nil)
	bad := "{ a \xff\xfe }"
	reqs := map[string]*http.Request{
		"GET":                 httptest.NewRequest("GET", "/graphql/?query="+strings.ReplaceAll(bad, " ", "%20"), nil),
		"application/graphql": httptest.NewRequest("POST", "/graphql/", strings.NewReader(bad)),
	}
	reqs["application/graphql"].Header.Set("Content-Type", "application/graphql")
	for name, r := range reqs {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusBadRequest {
				t.Errorf("status %d, want 400", w.Code)
			}
			if got := gqlErrorCodes(t, w.Body.Bytes()); fmt.Sprint(got) != "["+CodeBadRequest+"]" {
				t.Errorf("codes %v", got)
			}
		})
	}
	if n := len(exec.calls()); n != 0 {
		t.Errorf("the executor ran %d times for invalid UTF-8", n)
	}
}

func TestClientHangUpWritesNothing(t *testing.T) {
	exec := newBlockingExec()
	h := New(testConfig(), exec, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(`{"query":"{ a }"}`)).WithContext(ctx)
	w := httptest.NewRecorder()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.ServeHTTP(w, r) }()
	<-exec.started
	cancel()
	wg.Wait()
	if w.Body.Len() != 0 {
		t.Errorf("wrote %q to a client that hung up", w.Body)
	}
}
