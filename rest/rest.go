// Package rest is the upstream client: GET requests to a NetBox-style REST API carrying the
// caller's Authorization header, with retries and backoff, per-attempt timeouts, a cap on body
// size, and typed errors that never reveal the token or the upstream URL.
package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for zero Options fields (RetryMax 0 means no retries: it is taken literally).
const (
	DefaultAttemptTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 250 * time.Millisecond
	DefaultRetryWaitMax   = 5 * time.Second
	DefaultMaxBodyBytes   = 64 << 20
)

// Options configure a Client. Zero durations and sizes take the Default* values.
type Options struct {
	BaseURL        string        // "https://netbox.example.com"; paths given to Get start with /api/
	AttemptTimeout time.Duration // per attempt, body read included
	RetryMax       int           // retries after the first attempt; 0 = none
	RetryWaitMin   time.Duration // first backoff step
	RetryWaitMax   time.Duration // backoff cap; Retry-After is honoured but clamped to it
	MaxBodyBytes   int64         // larger bodies fail with BAD_UPSTREAM_RESPONSE
	Logger         *slog.Logger  // nil: no logs
	Transport      http.RoundTripper
}

// Client makes GET requests to one upstream. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	baseStr  string // scheme://host[/prefix], no trailing slash
	basePath string // "/prefix" or ""
	http     *http.Client
	opts     Options
	log      *slog.Logger
}

// Response is the outcome of one Get: the final attempt's status and body.
type Response struct {
	Status   int
	Body     []byte
	Attempts int
	Duration time.Duration
	// APIVersion is NetBox's API-Version header ("4.2"), which NetBox sets on every /api/
	// answer, errors included.
	APIVersion string
}

// Object is one decoded JSON object. Objects may be shared through caches: never modify one.
type Object map[string]any

// ID returns the object's integer "id", or 0 when absent or not an integer.
func (o Object) ID() int {
	switch v := o["id"].(type) {
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	case int:
		return v
	case int64:
		return int(v)
	case interface{ Int64() (int64, error) }: // json.Number
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
	}
	return 0
}

// Page is one page of a list endpoint.
type Page struct {
	Count          int
	Next, Previous string // absolute URLs as the upstream wrote them; "" at the ends
	Results        []Object
}

// New checks the options and builds a Client.
func New(opts Options) (*Client, error) {
	var errs []error
	u, err := url.Parse(opts.BaseURL)
	switch {
	case opts.BaseURL == "":
		errs = append(errs, errors.New("base URL is empty"))
	case err != nil:
		errs = append(errs, fmt.Errorf("base URL %q: %w", opts.BaseURL, err))
	case u.Scheme != "http" && u.Scheme != "https":
		errs = append(errs, fmt.Errorf("base URL %q: scheme must be http or https", opts.BaseURL))
	case u.Host == "":
		errs = append(errs, fmt.Errorf("base URL %q: no host", opts.BaseURL))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("base URL %q: must not hold credentials, a query or a fragment", u.Redacted()))
	}
	if opts.AttemptTimeout < 0 || opts.RetryWaitMin < 0 || opts.RetryWaitMax < 0 {
		errs = append(errs, errors.New("timeouts and retry waits must not be negative"))
	}
	if opts.RetryMax < 0 {
		errs = append(errs, fmt.Errorf("retry max %d must not be negative", opts.RetryMax))
	}
	if opts.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max body bytes %d must not be negative", opts.MaxBodyBytes))
	}
	if opts.AttemptTimeout == 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	if opts.RetryWaitMin == 0 {
		opts.RetryWaitMin = DefaultRetryWaitMin
	}
	if opts.RetryWaitMax == 0 {
		opts.RetryWaitMax = max(DefaultRetryWaitMax, opts.RetryWaitMin)
	}
	if opts.RetryWaitMin > opts.RetryWaitMax {
		errs = append(errs, fmt.Errorf("retry wait min %s exceeds retry wait max %s", opts.RetryWaitMin, opts.RetryWaitMax))
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("rest client: %w", errors.Join(errs...))
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt := opts.Transport
	if rt == nil {
		rt = NewTransport()
	}
	base := *u
	base.Path = strings.TrimRight(u.Path, "/")
	base.RawPath = ""
	c := &Client{
		base:     &base,
		baseStr:  strings.TrimRight(base.String(), "/"),
		basePath: base.Path,
		opts:     opts,
		log:      log,
		http: &http.Client{
			Transport: &attemptTransport{base: rt, timeout: opts.AttemptTimeout, maxBody: opts.MaxBodyBytes},
			// A redirect would carry the token elsewhere; NetBox does not redirect API paths
			// that end in a slash, so a 3xx is a misconfiguration to report.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return c, nil
}

// NewTransport returns the pooled transport used when Options.Transport is nil: enough idle
// connections per host for the loaders' parallel chunks.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// BaseURL returns the upstream's base URL without trailing slash.
func (c *Client) BaseURL() string { return c.baseStr }

// Get makes one GET of pathAndQuery (which starts with /api/), retrying inside. A non-2xx answer
// returns both the Response and an *Error; a failure without answer returns only the *Error.
func (c *Client) Get(ctx context.Context, auth, pathAndQuery string) (*Response, error) {
	if err := checkPath(pathAndQuery); err != nil {
		return nil, &Error{Code: CodeBadRequest, Detail: err.Error(), Path: pathAndQuery}
	}
	if strings.ContainsAny(auth, "\r\n\x00") {
		return nil, &Error{Code: CodeBadRequest, Detail: "invalid Authorization header", Path: pathAndQuery}
	}
	start := time.Now()
	fullURL := c.baseStr + pathAndQuery
	st := &attempts{c: c, url: fullURL}
	// A Client per call lets CheckRetry and Backoff share this call's state (attempt count, the
	// wait chosen against the deadline); the pooled http.Client underneath is shared.
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryWaitMin: c.opts.RetryWaitMin,
		RetryWaitMax: c.opts.RetryWaitMax,
		RetryMax:     c.opts.RetryMax,
		CheckRetry:   st.checkRetry,
		Backoff:      st.backoff,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if err != nil {
				if resp != nil {
					resp.Body.Close()
				}
				return nil, err
			}
			return resp, nil
		},
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, fullURL, nil)
	if err != nil {
		return nil, &Error{Code: CodeBadRequest, Detail: "malformed request path", Path: pathAndQuery}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "graphbox")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := rc.Do(req)
	dur := time.Since(start)
	if err != nil {
		e := transportError(ctx, err, pathAndQuery)
		// The cause (socket addresses, resolver messages) is for the operator only.
		c.log.LogAttrs(ctx, levelFor(e.Code), "upstream request failed", slog.String("request_id", RequestID(ctx)),
			slog.String("url", fullURL), slog.String("code", e.Code), slog.Int("attempts", st.n),
			slog.Duration("duration", dur), slog.String("error", redact(err.Error(), auth)))
		return nil, e
	}
	// Already in memory (attemptTransport): taken as it is, not copied again.
	body, err := heldBytes(resp)
	resp.Body.Close()
	if err != nil {
		return nil, transportError(ctx, err, pathAndQuery)
	}
	r := &Response{Status: resp.StatusCode, Body: body, Attempts: st.n, Duration: dur, APIVersion: resp.Header.Get("API-Version")}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.log.LogAttrs(ctx, slog.LevelDebug, "upstream request", slog.String("request_id", RequestID(ctx)),
			slog.String("url", fullURL), slog.Int("status", r.Status), slog.Int("attempts", r.Attempts),
			slog.Duration("duration", dur))
		return r, nil
	}
	e := statusError(resp.StatusCode, body, pathAndQuery)
	e.Detail = redact(e.Detail, auth)
	// The body goes to the log: a 5xx's exception and versions are what the operator needs.
	c.log.LogAttrs(ctx, levelFor(e.Code), "upstream request failed", slog.String("request_id", RequestID(ctx)),
		slog.String("url", fullURL), slog.Int("status", r.Status), slog.String("code", e.Code),
		slog.Int("attempts", r.Attempts), slog.Duration("duration", dur), slog.String("detail", e.Detail),
		slog.String("body", redact(clip(string(body)), auth)))
	return r, e
}

// levelFor keeps expected answers (not found, forbidden, bad filter) out of warnings.
func levelFor(code string) slog.Level {
	switch code {
	case CodeNotFound, CodeForbidden, CodeBadRequest, CodeCancelled:
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// GetPage GETs a list endpoint and decodes the page.
func (c *Client) GetPage(ctx context.Context, auth, pathAndQuery string) (*Page, error) {
	r, err := c.Get(ctx, auth, pathAndQuery)
	if err != nil {
		return nil, err
	}
	p, err := DecodePage(r.Body)
	if err != nil {
		return nil, withPath(err, pathAndQuery)
	}
	return p, nil
}

// GetObject GETs a detail endpoint and decodes the object.
func (c *Client) GetObject(ctx context.Context, auth, pathAndQuery string) (Object, error) {
	r, err := c.Get(ctx, auth, pathAndQuery)
	if err != nil {
		return nil, err
	}
	o, err := DecodeObject(r.Body)
	if err != nil {
		return nil, withPath(err, pathAndQuery)
	}
	return o, nil
}

// Ready checks that the upstream answers GET /api/status/ with a JSON object for these credentials.
func (c *Client) Ready(ctx context.Context, auth string) error {
	_, err := c.GetObject(ctx, auth, "/api/status/")
	return err
}

// RelativePath reduces an absolute URL written by the upstream (a page's next) to the
// path?query that Get takes. The host must be the upstream's (the scheme may differ behind a
// TLS-terminating proxy) and the path under its /api/; the request itself always goes to
// BaseURL, so the token never follows a link elsewhere.
func (c *Client) RelativePath(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", &Error{Code: CodeBadUpstreamResponse, Detail: "malformed next link", Err: err}
	}
	if u.Host != "" && !strings.EqualFold(u.Hostname(), c.base.Hostname()) {
		return "", &Error{Code: CodeBadUpstreamResponse, Detail: "next link points to another host", Path: u.EscapedPath()}
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, c.basePath+"/api/") {
		return "", &Error{Code: CodeBadUpstreamResponse, Detail: "next link leaves the upstream's /api/", Path: p}
	}
	p = strings.TrimPrefix(p, c.basePath)
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p, nil
}

func checkPath(p string) error {
	if !strings.HasPrefix(p, "/api/") {
		return fmt.Errorf("request path must start with /api/")
	}
	if strings.ContainsAny(p, "#\r\n \x00") || strings.Contains(p, "/../") {
		return fmt.Errorf("request path holds forbidden characters")
	}
	return nil
}

func withPath(err error, path string) error {
	var e *Error
	if errors.As(err, &e) && e.Path == "" {
		e.Path = path
	}
	return err
}

// redact removes the secret part of the Authorization header from s, in case an upstream (or a
// proxy's error page) echoes it.
func redact(s, auth string) string {
	secret := auth
	if i := strings.IndexByte(auth, ' '); i >= 0 {
		secret = strings.TrimSpace(auth[i+1:])
	}
	if len(secret) < 4 {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// attempts is the state of one Get across its attempts.
type attempts struct {
	c    *Client
	url  string
	n    int
	wait time.Duration
}

// checkRetry decides on another attempt and chooses its wait now, so that a wait that would end
// past the context's deadline stops the retries and the last answer or error is returned.
func (a *attempts) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	a.n++
	if ctx.Err() != nil {
		return false, nil
	}
	retry := false
	status := 0
	if err != nil {
		retry = retryableTransportError(err)
	} else {
		status = resp.StatusCode
		switch status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			retry = true
		}
	}
	if !retry || a.n > a.c.opts.RetryMax {
		return false, nil
	}
	wait := a.c.backoff(a.n, resp)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		a.c.log.LogAttrs(ctx, slog.LevelDebug, "upstream retry skipped: it would pass the deadline",
			slog.String("url", a.url), slog.Int("status", status), slog.Int("attempt", a.n), slog.Duration("wait", wait))
		return false, nil
	}
	a.wait = wait
	a.c.log.LogAttrs(ctx, slog.LevelDebug, "upstream retry", slog.String("url", a.url),
		slog.Int("status", status), slog.Int("attempt", a.n), slog.Duration("wait", wait))
	return true, nil
}

func (a *attempts) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return a.wait }

// backoff is the wait after attempt n (1-based): the upstream's Retry-After when given (clamped
// to RetryWaitMax), else exponential from RetryWaitMin with equal jitter, capped at RetryWaitMax.
func (c *Client) backoff(n int, resp *http.Response) time.Duration {
	lo, hi := c.opts.RetryWaitMin, c.opts.RetryWaitMax
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(max(d, 0), hi)
		}
	}
	exp := lo
	for i := 1; i < n && exp < hi; i++ {
		exp *= 2
	}
	exp = min(exp, hi)
	half := exp / 2
	return half + rand.N(exp-half+1)
}

// retryAfter parses Retry-After: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > 1<<30 {
			s = 1 << 30
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// attemptTransport bounds each attempt, body read included, refuses any method but GET, and hands
// the body back in memory so that retries and decoding never touch the network again.
type attemptTransport struct {
	base    http.RoundTripper
	timeout time.Duration
	maxBody int64
}

// attemptTransport deliberately lacks CloseIdleConnections: retryablehttp calls it after any
// failed request, which would empty the pool shared by every concurrent request.

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errMethod
	}
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, t.attemptErr(parent, ctx, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > t.maxBody {
		return nil, errBodyTooLarge
	}
	var body []byte
	if resp.ContentLength >= 0 {
		// The declared length (within maxBody, checked above): one allocation, and a body
		// shorter than declared is io.ErrUnexpectedEOF.
		body = make([]byte, resp.ContentLength)
		if _, err = io.ReadFull(resp.Body, body); err == io.EOF {
			err = io.ErrUnexpectedEOF // nothing of a non-empty body arrived
		}
	} else {
		body, err = io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) && parent.Err() == nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: %w", errTruncated, err)
		}
		return nil, t.attemptErr(parent, ctx, err)
	}
	if int64(len(body)) > t.maxBody {
		return nil, errBodyTooLarge
	}
	if resp.ContentLength < 0 && cap(body)-len(body) > len(body)/8 {
		// A body of unknown length grew by doubling: keep it at its size, since the loaders'
		// cache charges an answer's capacity.
		body = bytes.Clone(body)
	}
	resp.Body = &heldBody{Reader: bytes.NewReader(body), buf: body}
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// heldBody is a body attemptTransport read whole; Get takes its bytes without another copy.
type heldBody struct {
	*bytes.Reader
	buf []byte
}

func (*heldBody) Close() error { return nil }

// heldBytes is the body of resp: the bytes attemptTransport holds, or (where something between
// wrapped the body) a read of it.
func heldBytes(resp *http.Response) ([]byte, error) {
	if h, ok := resp.Body.(*heldBody); ok {
		return h.buf, nil
	}
	body := make([]byte, resp.ContentLength)
	_, err := io.ReadFull(resp.Body, body)
	return body, err
}

func (t *attemptTransport) attemptErr(parent, attempt context.Context, err error) error {
	if parent.Err() == nil && attempt.Err() != nil {
		return fmt.Errorf("%w: %w", errAttemptTimeout, err)
	}
	return err
}
