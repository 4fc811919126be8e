package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const testAuth = "Token 0123456789abcdef-secret-token"

// step is the server's behaviour for one attempt.
type step func(w http.ResponseWriter, r *http.Request)

func status(code int, body string, headers ...string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func ok(body string) step { return status(200, body) }

// reset closes the connection without an answer.
func reset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST rather than FIN
	}
	conn.Close()
}

// hang waits until the client gives up.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// script serves steps in order, repeating the last one; it counts attempts and checks each
// request is a GET carrying the Authorization header.
type script struct {
	steps []step
	hits  atomic.Int32
	bad   atomic.Value // string: a protocol violation seen by the server
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.hits.Add(1))
	if r.Method != http.MethodGet {
		s.bad.Store("method " + r.Method)
	}
	if got := r.Header.Get("Authorization"); got != testAuth {
		s.bad.Store("authorization header " + got)
	}
	s.steps[min(n, len(s.steps))-1](w, r)
}

func newServer(t *testing.T, steps ...step) (*script, *httptest.Server) {
	t.Helper()
	s := &script{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func newClient(t *testing.T, base string, mod ...func(*Options)) *Client {
	t.Helper()
	o := Options{BaseURL: base, RetryMax: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, AttemptTimeout: 5 * time.Second}
	for _, m := range mod {
		m(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "untyped: " + err.Error()
	}
	return ""
}

const onePage = `{"count":1,"next":null,"previous":null,"results":[{"id":7,"name":"a"}]}`

func TestGetRetriesAndCodes(t *testing.T) {
	tests := []struct {
		name       string
		steps      []step
		wantCode   string
		wantStatus int
		wantHits   int
		wantDetail string
	}{
		{"200 at once", []step{ok(onePage)}, "", 200, 1, ""},
		{"429 with long Retry-After is clamped, then 200", []step{status(429, `{"detail":"slow down"}`, "Retry-After", "3600"), ok(onePage)}, "", 200, 2, ""},
		{"429 with HTTP-date Retry-After, then 200", []step{status(429, `{}`, "Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), ok(onePage)}, "", 200, 2, ""},
		{"503 twice, then 200", []step{status(503, "down"), status(503, "down"), ok(onePage)}, "", 200, 3, ""},
		{"502 and 504, then 200", []step{status(502, ""), status(504, ""), ok(onePage)}, "", 200, 3, ""},
		{"connection reset, then 200", []step{reset, ok(onePage)}, "", 200, 2, ""},
		{"429 always", []step{status(429, `{"detail":"Request was throttled."}`)}, CodeRateLimited, 429, 4, "Request was throttled."},
		{"503 always", []step{status(503, "<html>maintenance</html>")}, CodeUpstreamUnavailable, 503, 4, "Service Unavailable"},
		{"reset always", []step{reset}, CodeUpstreamUnavailable, 0, 4, ""},
		{"500 is not retried", []step{status(500, `{"error":"boom"}`), ok(onePage)}, CodeUpstreamUnavailable, 500, 1, ""},
		{"404 is not retried", []step{status(404, `{"detail":"No Device matches the given query."}`), ok(onePage)}, CodeNotFound, 404, 1, "No Device matches the given query."},
		{"400 keeps NetBox's field messages", []step{status(400, `{"status":["Select a valid choice. x is not one of the available choices."],"id":["bad"]}`)}, CodeBadRequest, 400, 1,
			"id: bad; status: Select a valid choice. x is not one of the available choices."},
		{"403 is not retried", []step{status(403, `{"detail":"Invalid token"}`), ok(onePage)}, CodeForbidden, 403, 1, "Invalid token"},
		{"redirect is not followed", []step{status(302, "", "Location", "http://example.invalid/api/")}, CodeBadUpstreamResponse, 302, 1, "unexpected redirect (HTTP 302)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := newServer(t, tc.steps...)
			c := newClient(t, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			resp, err := c.Get(ctx, testAuth, "/api/dcim/devices/?limit=1")
			if got := codeOf(err); got != tc.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.wantCode, err)
			}
			if got := int(s.hits.Load()); got != tc.wantHits {
				t.Errorf("upstream hits = %d, want %d", got, tc.wantHits)
			}
			if bad := s.bad.Load(); bad != nil {
				t.Errorf("server saw %v", bad)
			}
			var e *Error
			if errors.As(err, &e) {
				if e.Status != tc.wantStatus {
					t.Errorf("Error.Status = %d, want %d", e.Status, tc.wantStatus)
				}
				if tc.wantDetail != "" && e.Detail != tc.wantDetail {
					t.Errorf("Detail = %q, want %q", e.Detail, tc.wantDetail)
				}
				if e.Path != "/api/dcim/devices/?limit=1" {
					t.Errorf("Path = %q", e.Path)
				}
			}
			if tc.wantStatus != 0 {
				if resp == nil || resp.Status != tc.wantStatus {
					t.Fatalf("resp = %+v, want status %d", resp, tc.wantStatus)
				}
				if resp.Attempts != tc.wantHits {
					t.Errorf("Attempts = %d, want %d", resp.Attempts, tc.wantHits)
				}
			} else if resp != nil {
				t.Errorf("resp = %+v, want nil without an answer", resp)
			}
		})
	}
}

func TestDeadlineStopsRetries(t *testing.T) {
	tests := []attemptCase{
		// The wait the upstream asks for (clamped to 1h) passes the deadline: stop now with the 503.
		{"Retry-After past the deadline", []step{status(503, "", "Retry-After", "60"), ok(onePage)},
			func(o *Options) { o.RetryWaitMax = time.Hour }, 2 * time.Second, CodeUpstreamUnavailable, 1},
		{"backoff past the deadline", []step{status(502, ""), ok(onePage)},
			func(o *Options) { o.RetryWaitMin, o.RetryWaitMax = time.Hour, time.Hour }, 2 * time.Second, CodeUpstreamUnavailable, 1},
		{"upstream hangs past the deadline", []step{hang},
			nil, 200 * time.Millisecond, CodeUpstreamTimeout, 1},
		{"each attempt times out", []step{hang},
			func(o *Options) { o.AttemptTimeout = 50 * time.Millisecond; o.RetryMax = 2 }, 20 * time.Second, CodeUpstreamTimeout, 3},
		{"first attempt times out, second answers", []step{hang, ok(onePage)},
			func(o *Options) { o.AttemptTimeout = 100 * time.Millisecond }, 20 * time.Second, "", 2},
		{"body stalls past the attempt timeout", []step{func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			w.Write([]byte(`{"count":`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, ok(onePage)}, func(o *Options) { o.AttemptTimeout = 100 * time.Millisecond }, 20 * time.Second, "", 2},
	}
	runAttemptCases(t, tests)
}

// attemptCase is a sequence of upstream behaviours and the outcome of one GetPage over it.
type attemptCase struct {
	name     string
	steps    []step
	opts     func(*Options)
	timeout  time.Duration
	wantCode string
	wantHits int
}

func runAttemptCases(t *testing.T, tests []attemptCase) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := newServer(t, tc.steps...)
			var mods []func(*Options)
			if tc.opts != nil {
				mods = append(mods, tc.opts)
			}
			c := newClient(t, srv.URL, mods...)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			p, err := c.GetPage(ctx, testAuth, "/api/dcim/sites/")
			if got := codeOf(err); got != tc.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.wantCode, err)
			}
			if got := int(s.hits.Load()); got != tc.wantHits {
				t.Errorf("hits = %d, want %d", got, tc.wantHits)
			}
			if err == nil && (len(p.Results) != 1 || p.Results[0].ID() != 7) {
				t.Errorf("page = %+v", p)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	_, srv := newServer(t, hang)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := c.Get(ctx, testAuth, "/api/status/")
	if got := codeOf(err); got != CodeCancelled {
		t.Fatalf("code = %q, want %q", got, CodeCancelled)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(err, context.Canceled) = false for %v", err)
	}
}

func TestBodyProblems(t *testing.T) {
	big := `{"count":1,"next":null,"previous":null,"results":[{"id":1,"name":"` + strings.Repeat("x", 500) + `"}]}`
	tests := []struct {
		name     string
		step     step
		object   bool
		wantCode string
	}{
		{"body over the cap (Content-Length)", ok(big), false, CodeBadUpstreamResponse},
		{"body over the cap (chunked)", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			for range 10 {
				w.Write([]byte(strings.Repeat(" ", 100)))
				w.(http.Flusher).Flush()
			}
		}, false, CodeBadUpstreamResponse},
		{"body just under the cap", ok(onePage), false, ""},
		{"HTML instead of JSON", ok("<html><body>login</body></html>"), false, CodeBadUpstreamResponse},
		{"truncated JSON", ok(`{"count":1,"results":[{"id":1}`), false, CodeBadUpstreamResponse},
		{"JSON with trailing garbage", ok(onePage + "xyz"), false, CodeBadUpstreamResponse},
		{"no results", ok(`{"count":1}`), false, CodeBadUpstreamResponse},
		{"no count", ok(`{"results":[]}`), false, CodeBadUpstreamResponse},
		{"result is not an object", ok(`{"count":1,"results":["a"]}`), false, CodeBadUpstreamResponse},
		{"null result", ok(`{"count":1,"results":[null]}`), false, CodeBadUpstreamResponse},
		{"page is a list", ok(`[]`), false, CodeBadUpstreamResponse},
		{"empty page", ok(`{"count":0,"next":null,"previous":null,"results":[]}`), false, ""},
		{"object is a list", ok(`[{"id":1}]`), true, CodeBadUpstreamResponse},
		{"object is null", ok(`null`), true, CodeBadUpstreamResponse},
		{"object", ok(`{"id":1}`), true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := newServer(t, tc.step, ok(onePage))
			c := newClient(t, srv.URL, func(o *Options) { o.MaxBodyBytes = int64(len(onePage)) + 10 })
			var err error
			if tc.object {
				_, err = c.GetObject(context.Background(), testAuth, "/api/dcim/sites/1/")
			} else {
				_, err = c.GetPage(context.Background(), testAuth, "/api/dcim/sites/")
			}
			if got := codeOf(err); got != tc.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.wantCode, err)
			}
			if got := s.hits.Load(); got != 1 {
				t.Errorf("hits = %d, want 1 (bad bodies are not retried)", got)
			}
			var e *Error
			if errors.As(err, &e) && e.Path != "/api/dcim/sites/" && !tc.object {
				t.Errorf("Path = %q", e.Path)
			}
		})
	}
}

func TestCredentialsRejected(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   bool
	}{
		{403, `{"detail":"Authentication credentials were not provided."}`, true},
		{403, `{"detail":"Invalid token"}`, true},
		{403, `{"detail":"Invalid token header. No credentials provided."}`, true},
		{403, `{"detail":"Token expired"}`, true},
		{403, `{"detail":"Token disabled"}`, true},
		{403, `{"detail":"User inactive"}`, true},
		{403, `{"detail":"Source IP 10.0.0.1 is not permitted to authenticate using this token."}`, true},
		{401, `{"detail":"whatever"}`, true},
		{403, `{"detail":"You do not have permission to perform this action."}`, false},
		{403, `<html>Forbidden</html>`, false},
		{404, `{"detail":"Invalid token"}`, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status, tc.body), func(t *testing.T) {
			_, srv := newServer(t, status(tc.status, tc.body))
			c := newClient(t, srv.URL)
			_, err := c.Get(context.Background(), testAuth, "/api/dcim/devices/")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if got := e.CredentialsRejected(); got != tc.want {
				t.Errorf("CredentialsRejected() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTokenNeverLeaks makes failures of every kind, some with the token echoed by the upstream,
// and checks the token is in neither the error texts nor the logs (debug level on), and the URL is
// not in error texts.
func TestTokenNeverLeaks(t *testing.T) {
	secret := strings.TrimPrefix(testAuth, "Token ")
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	tests := []struct {
		name string
		base string
		step step
	}{
		{"404 echoing the token", "", status(404, `{"detail":"no such token `+secret+`"}`)},
		{"400 echoing the header", "", status(400, `{"q":["`+testAuth+`"]}`)},
		{"500 page echoing the token", "", status(500, "<pre>"+secret+"</pre>")},
		{"403", "", status(403, `{"detail":"Invalid token"}`)},
		{"reset", "", reset},
		{"garbage", "", ok("<html>" + secret)},
		{"connection refused", deadURL, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == "" {
				_, srv := newServer(t, tc.step)
				base = srv.URL
			}
			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := newClient(t, base, func(o *Options) { o.Logger = log; o.RetryMax = 1 })
			_, err := c.GetPage(context.Background(), testAuth, "/api/dcim/devices/?name=x")
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error text holds the token: %s", err)
			}
			if strings.Contains(err.Error(), base) || strings.Contains(err.Error(), "/api/") {
				t.Errorf("error text holds the URL: %s", err)
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("logs hold the token:\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), base+"/api/dcim/devices/?name=x") {
				t.Errorf("logs lack the upstream URL:\n%s", logs.String())
			}
		})
	}
}

func TestUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL
	dead.Close()
	c := newClient(t, base)
	_, err := c.GetPage(context.Background(), testAuth, "/api/dcim/devices/")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeUpstreamUnavailable || e.Detail != "connection refused" || e.Status != 0 {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("the cause is not kept for logs: %v", e.Err)
	}
}

func TestOnlyGet(t *testing.T) {
	s, srv := newServer(t, ok(onePage))
	c := newClient(t, srv.URL)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead} {
		req, _ := http.NewRequest(m, srv.URL+"/api/dcim/devices/", strings.NewReader("{}"))
		if resp, err := c.http.Do(req); err == nil || !errors.Is(err, errMethod) {
			if resp != nil {
				resp.Body.Close()
			}
			t.Errorf("%s: err = %v, want refusal", m, err)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("upstream saw %d requests", n)
	}
}

func TestBadPaths(t *testing.T) {
	s, srv := newServer(t, ok(onePage))
	c := newClient(t, srv.URL)
	for _, p := range []string{"", "/", "api/dcim/", "/apix/", "https://evil.example/api/", "/api/dcim/ x/", "/api/../admin/", "/api/x/#frag"} {
		if _, err := c.Get(context.Background(), testAuth, p); codeOf(err) != CodeBadRequest {
			t.Errorf("%q: err = %v, want BAD_REQUEST", p, err)
		}
	}
	if _, err := c.Get(context.Background(), "Token a\r\nX-Evil: 1", "/api/status/"); codeOf(err) != CodeBadRequest {
		t.Errorf("header injection: err = %v", err)
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("upstream saw %d requests", n)
	}
}

func TestReady(t *testing.T) {
	_, up := newServer(t, ok(`{"netbox-version":"4.2.2"}`))
	_, down := newServer(t, status(503, ""))
	if err := newClient(t, up.URL).Ready(context.Background(), testAuth); err != nil {
		t.Errorf("up: %v", err)
	}
	if err := newClient(t, down.URL, func(o *Options) { o.RetryMax = 0 }).Ready(context.Background(), testAuth); codeOf(err) != CodeUpstreamUnavailable {
		t.Errorf("down: %v", err)
	}
}

func TestBasePathPrefix(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.RequestURI())
		fmt.Fprint(w, onePage)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/netbox/")
	if _, err := c.GetPage(context.Background(), "", "/api/dcim/sites/?limit=5"); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "/netbox/api/dcim/sites/?limit=5" {
		t.Errorf("request URI = %v", got.Load())
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"fine", Options{BaseURL: "https://netbox.example.com"}, true},
		{"fine with prefix", Options{BaseURL: "http://h:8000/netbox/"}, true},
		{"empty", Options{}, false},
		{"no scheme", Options{BaseURL: "netbox.example.com"}, false},
		{"ftp", Options{BaseURL: "ftp://h"}, false},
		{"credentials", Options{BaseURL: "https://u:p@h"}, false},
		{"query", Options{BaseURL: "https://h/?a=1"}, false},
		{"negative retry", Options{BaseURL: "https://h", RetryMax: -1}, false},
		{"negative timeout", Options{BaseURL: "https://h", AttemptTimeout: -time.Second}, false},
		{"min above max", Options{BaseURL: "https://h", RetryWaitMin: time.Minute, RetryWaitMax: time.Second}, false},
		{"negative body cap", Options{BaseURL: "https://h", MaxBodyBytes: -1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "u:p@") {
				t.Errorf("error shows credentials: %v", err)
			}
		})
	}
}

func TestRelativePath(t *testing.T) {
	c := newClient(t, "https://netbox.example.com/nb")
	tests := []struct {
		link, want string
		ok         bool
	}{
		{"https://netbox.example.com/nb/api/dcim/devices/?limit=2&offset=2", "/api/dcim/devices/?limit=2&offset=2", true},
		{"http://NETBOX.example.com/nb/api/dcim/devices/?offset=2", "/api/dcim/devices/?offset=2", true}, // TLS-terminating proxy
		{"/nb/api/dcim/devices/?offset=2", "/api/dcim/devices/?offset=2", true},
		{"https://evil.example.com/nb/api/dcim/devices/?offset=2", "", false},
		{"https://netbox.example.com/api/dcim/devices/?offset=2", "", false},
		{"https://netbox.example.com/nb/admin/", "", false},
		{"://bad", "", false},
	}
	for _, tc := range tests {
		got, err := c.RelativePath(tc.link)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("RelativePath(%q) = %q, %v; want %q ok=%v", tc.link, got, err, tc.want, tc.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	c := newClient(t, "https://h", func(o *Options) { o.RetryWaitMin, o.RetryWaitMax = 100*time.Millisecond, time.Second })
	hdr := func(v string) *http.Response { return &http.Response{Header: http.Header{"Retry-After": {v}}} }
	tests := []struct {
		name   string
		n      int
		resp   *http.Response
		lo, hi time.Duration
	}{
		{"first", 1, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"second", 2, nil, 100 * time.Millisecond, 200 * time.Millisecond},
		{"capped", 10, nil, 500 * time.Millisecond, time.Second},
		{"Retry-After seconds", 1, hdr("0"), 0, 0},
		{"Retry-After clamped", 1, hdr("120"), time.Second, time.Second},
		{"Retry-After date clamped", 1, hdr(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), time.Second, time.Second},
		{"Retry-After in the past", 1, hdr("Mon, 02 Jan 2006 15:04:05 GMT"), 0, 0},
		{"Retry-After garbage falls back", 2, hdr("soon"), 100 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		for range 20 {
			if got := c.backoff(tc.n, tc.resp); got < tc.lo || got > tc.hi {
				t.Errorf("%s: backoff = %s, want in [%s, %s]", tc.name, got, tc.lo, tc.hi)
				break
			}
		}
	}
}

func TestObjectID(t *testing.T) {
	tests := []struct {
		o    Object
		want int
	}{
		{Object{"id": float64(12)}, 12},
		{Object{"id": 3}, 3},
		{Object{"id": 1.5}, 0},
		{Object{"id": "7"}, 0},
		{Object{}, 0},
		{nil, 0},
	}
	for _, tc := range tests {
		if got := tc.o.ID(); got != tc.want {
			t.Errorf("%v.ID() = %d, want %d", tc.o, got, tc.want)
		}
	}
}

func TestCodeOfAndExtensions(t *testing.T) {
	e := &Error{Status: 404, Code: CodeNotFound, Detail: "Not found."}
	wrapped := fmt.Errorf("device 3: %w", e)
	if CodeOf(wrapped) != CodeNotFound {
		t.Errorf("CodeOf = %q", CodeOf(wrapped))
	}
	if CodeOf(errors.New("x")) != "" {
		t.Error("CodeOf of a plain error is not empty")
	}
	if got := e.Extensions()["code"]; got != CodeNotFound {
		t.Errorf("extensions code = %v", got)
	}
	if got := e.Error(); got != "upstream NOT_FOUND (HTTP 404): Not found." {
		t.Errorf("Error() = %q", got)
	}
}

// cut promises a Content-Length of the whole page, sends half of it and closes the connection.
func cut(w http.ResponseWriter, r *http.Request) {
	conn, buf, _ := w.(http.Hijacker).Hijack()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(onePage), onePage[:len(onePage)/2])
	buf.Flush()
	conn.Close()
}

// cutChunked sends a chunked body and closes the connection before the last chunk.
func cutChunked(w http.ResponseWriter, r *http.Request) {
	conn, buf, _ := w.(http.Hijacker).Hijack()
	half := onePage[:len(onePage)/2]
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
	buf.Flush()
	conn.Close()
}

// TestTruncatedBodyRetried: an answer cut short is a transport failure, retried like a reset
// within the retry budget and the deadline.
func TestTruncatedBodyRetried(t *testing.T) {
	runAttemptCases(t, []attemptCase{
		{"shorter than Content-Length, then whole", []step{cut, ok(onePage)}, nil, 10 * time.Second, "", 2},
		{"chunked body cut, then whole", []step{cutChunked, ok(onePage)}, nil, 10 * time.Second, "", 2},
		{"cut twice, then whole", []step{cut, cut, ok(onePage)}, nil, 10 * time.Second, "", 3},
		{"always cut: the retry budget", []step{cut}, nil, 10 * time.Second, CodeUpstreamUnavailable, 4},
		{"always cut, no retries", []step{cut}, func(o *Options) { o.RetryMax = 0 }, 10 * time.Second, CodeUpstreamUnavailable, 1},
		{"the backoff would pass the deadline", []step{cut, ok(onePage)},
			func(o *Options) { o.RetryWaitMin, o.RetryWaitMax = time.Hour, time.Hour }, 2 * time.Second, CodeUpstreamUnavailable, 1},
	})
}

// netbox500 is the body NetBox answers a server error with (its REST exception handler).
const netbox500 = `{"error": "division by zero", "exception": "ZeroDivisionError", "netbox_version": "4.6.8", "python_version": "3.12.3"}`

// TestServerErrorHidesInternals: the client's error has the code, the status and a fixed text;
// the log line has the body and the request id.
func TestServerErrorHidesInternals(t *testing.T) {
	internals := []string{"ZeroDivisionError", "division by zero", "exception", "4.6.8", "3.12.3", "python", "netbox_version", "127.0.0.1"}
	tests := []struct {
		name     string
		step     step
		wantCode string
		status   int
		logHas   []string
	}{
		{"500 with NetBox's JSON error body", status(500, netbox500), CodeUpstreamUnavailable, 500,
			[]string{"ZeroDivisionError", "division by zero", "4.6.8", "3.12.3"}},
		{"502 page of a proxy naming its host", status(502, "<html><h1>502</h1>nginx/1.25.3 at 127.0.0.1:8001 ZeroDivisionError</html>"), CodeUpstreamUnavailable, 502,
			[]string{"nginx/1.25.3 at 127.0.0.1:8001"}},
		{"body cut short (socket addresses in the cause)", cut, CodeUpstreamUnavailable, 0, []string{"truncated"}},
		{"body stalls past the attempt timeout", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			w.Write([]byte(`{"count":`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, CodeUpstreamTimeout, 0, []string{"attempt timed out"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newServer(t, tc.step)
			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, nil))
			c := newClient(t, srv.URL, func(o *Options) {
				o.Logger, o.RetryMax, o.AttemptTimeout = log, 0, 200*time.Millisecond
			})
			ctx := WithRequestID(context.Background(), "req-4711")
			_, err := c.GetPage(ctx, testAuth, "/api/dcim/sites/")
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.wantCode || e.Status != tc.status {
				t.Fatalf("err = %#v, want code %s, status %d", err, tc.wantCode, tc.status)
			}
			visible := err.Error() + " " + fmt.Sprint(e.Extensions())
			for _, s := range internals {
				if strings.Contains(visible, s) {
					t.Errorf("client-visible error holds %q: %s", s, visible)
				}
			}
			if ext := e.Extensions(); ext["code"] != tc.wantCode || (tc.status != 0 && ext["upstream_status"] != tc.status) {
				t.Errorf("extensions = %v", ext)
			}
			line := logs.String()
			if !strings.Contains(line, `"request_id":"req-4711"`) || !strings.Contains(line, `"level":"WARN"`) {
				t.Errorf("log lacks the request id or the level:\n%s", line)
			}
			for _, s := range tc.logHas {
				if !strings.Contains(line, s) {
					t.Errorf("log lacks %q:\n%s", s, line)
				}
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	if got := RequestID(context.Background()); got != "" {
		t.Errorf("RequestID of a bare context = %q", got)
	}
	ctx := WithRequestID(context.Background(), "a")
	if got := RequestID(WithRequestID(ctx, "b")); got != "b" {
		t.Errorf("RequestID = %q, want the innermost b", got)
	}
	if got := RequestID(ctx); got != "a" {
		t.Errorf("RequestID = %q, want a", got)
	}
}

// TestDeadlineIsUpstreamTimeout: whichever step of a call the upstream context's deadline
// interrupts (waiting for headers, reading the body), the error is
// UPSTREAM_TIMEOUT, with no socket address in its text.
func TestDeadlineIsUpstreamTimeout(t *testing.T) {
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.Write([]byte(`{"count":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	tests := []struct {
		name  string
		steps []step
		opts  func(*Options)
	}{
		{"no headers before the deadline", []step{hang}, nil},
		{"body stalls past the deadline", []step{slowBody}, nil},
		{"attempts time out until the deadline", []step{hang}, func(o *Options) { o.AttemptTimeout = 60 * time.Millisecond; o.RetryMax = 10 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newServer(t, tc.steps...)
			var mods []func(*Options)
			if tc.opts != nil {
				mods = append(mods, tc.opts)
			}
			c := newClient(t, srv.URL, mods...)
			ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
			defer cancel()
			_, err := c.GetPage(ctx, testAuth, "/api/dcim/sites/")
			if got := codeOf(err); got != CodeUpstreamTimeout {
				t.Fatalf("code = %q, want %q (err %v)", got, CodeUpstreamTimeout, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
			}
			if strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "tcp") {
				t.Errorf("error text holds a socket address: %s", err)
			}
		})
	}
}

// BenchmarkGet measures one upstream GET of a 1000-row page, body read and handed over.
func BenchmarkGet(b *testing.B) {
	var page strings.Builder
	page.WriteString(`{"count":1000,"next":null,"previous":null,"results":[`)
	for i := range 1000 {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"id":%d,"name":"GigabitEthernet1/0/%d","device":{"id":%d,"name":"device-%d"},"enabled":true,"mtu":1500}`, i+1, i, i/40+1, i/40+1)
	}
	body := page.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(context.Background(), "Token x", "/api/dcim/interfaces/"); err != nil {
			b.Fatal(err)
		}
	}
}
