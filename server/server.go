// Package server is the gateway's HTTP layer: it reads GraphQL requests (POST and GET), refuses
// what must not reach the executor (oversized bodies, malformed requests, mutations, queries over
// the limits), runs each operation through an Executor under a deadline, and serves the
// playground, /healthz, /readyz and /metrics.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/graphbox/graphbox/server/dialect"
)

// Executor runs one GraphQL operation for one caller (implemented by schema.Gateway; wired in
// cmd/gateway). It must honour ctx's deadline.
type Executor interface {
	Execute(ctx context.Context, req Request) Result
}

// Request is one GraphQL operation as the caller sent it, already checked against the limits.
type Request struct {
	Query         string
	OperationName string
	Variables     map[string]any
	// Authorization is the caller's Authorization header, verbatim, to forward upstream.
	Authorization string
	// Explain asks for the upstream requests in the answer's extensions.
	Explain bool
	// RequestID identifies the request in the logs (also in the X-Request-ID answer header).
	RequestID string
	// Rewrites are the older filter dialect's forms the query was upgraded from, for the
	// answer's extensions.warnings.
	Rewrites []dialect.Rewrite
	// Version is the schema version the path asked for: 1 (/graphql/v1/, NetBox's plain
	// lists) or 2 (/graphql/v2/, results / total_count / page_info).
	Version int
}

// Result is the executor's answer.
type Result struct {
	Response *graphql.Response
	// Status is the HTTP status to answer with; 0 means 200. 403 when the upstream rejected the
	// caller's credentials.
	Status int
}

// Defaults used when a Config field is zero or negative.
const (
	DefaultMaxBodyBytes   int64 = 1 << 20
	DefaultMaxDepth             = 12
	DefaultMaxAliases           = 10 // as NetBox's GRAPHQL_MAX_ALIASES
	DefaultMaxSelections        = 1000
	DefaultMaxQueryLength       = 100_000
	DefaultRequestTimeout       = 30 * time.Second
	DefaultReadyTimeout         = 5 * time.Second
	DefaultMaxErrors            = 100
	DefaultMaxConcurrent        = 64
	DefaultMaxQueued            = 64
	DefaultQueueTimeout         = time.Second
)

// Config is the HTTP layer's configuration. Zero or negative limits take the Default* values.
type Config struct {
	// Enabled false makes /graphql answer 404 as NetBox does with GRAPHQL_ENABLED=False.
	Enabled        bool
	MaxBodyBytes   int64
	MaxDepth       int // deepest chain of fields; introspection (__schema, __type) counts as one level
	MaxAliases     int // aliased fields, fragments expanded where spread
	MaxSelections  int // fields, fragments expanded where spread
	MaxQueryLength int // bytes of the query text
	RequestTimeout time.Duration
	// Playground serves GraphiQL to browsers (GET with Accept: text/html).
	Playground bool
	// Explain forces Request.Explain for every request.
	Explain bool
	// ReadyTimeout bounds one call of the readiness check.
	ReadyTimeout time.Duration
	// MaxErrors caps the errors of one answer; the rest are summed up in a last error.
	MaxErrors int
	// MaxConcurrent GraphQL requests execute at once; up to MaxQueued more wait at most
	// QueueTimeout for a slot, and the others are refused with 503 OVERLOADED.
	MaxConcurrent int
	MaxQueued     int
	QueueTimeout  time.Duration
	// RateLimit is each caller's sustained rate in requests per second (0: no limit), with
	// bursts of RateBurst (0: the rate rounded up); past it, 429 RATE_LIMITED.
	RateLimit float64
	RateBurst int
	// ResponseCache, when set, keeps finished answers per token (cache.response_share).
	ResponseCache *ResponseCache
	// Upgrader, when set, upgrades a query that fails validation and is written in an older
	// NetBox filter dialect, and runs it again (graphql.legacy_filters); UpgraderV1 does so for
	// version 1's schema.
	Upgrader, UpgraderV1 *dialect.Upgrader
	// DefaultVersion is the schema version /graphql/ serves (GRAPHQL_DEFAULT_VERSION): 1 or 2;
	// other values mean 2.
	DefaultVersion int
	// Metrics are served at /metrics; nil: a fresh registry of the handler's own.
	Metrics *Metrics
	// MetricsElsewhere leaves /metrics out of this handler (served on metrics.listen instead).
	MetricsElsewhere bool
	CORS             CORSConfig
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxAliases <= 0 {
		c.MaxAliases = DefaultMaxAliases
	}
	if c.MaxSelections <= 0 {
		c.MaxSelections = DefaultMaxSelections
	}
	if c.MaxQueryLength <= 0 {
		c.MaxQueryLength = DefaultMaxQueryLength
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.MaxErrors <= 0 {
		c.MaxErrors = DefaultMaxErrors
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.MaxQueued < 0 {
		c.MaxQueued = 0
	} else if c.MaxQueued == 0 {
		c.MaxQueued = DefaultMaxQueued
	}
	if c.QueueTimeout <= 0 {
		c.QueueTimeout = DefaultQueueTimeout
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	return c
}

// Media types of GraphQL answers.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

type handler struct {
	cfg       Config
	exec      Executor
	ready     func(context.Context) error
	log       *slog.Logger
	metrics   *Metrics
	mux       *http.ServeMux
	admission *admission
	rate      *rateLimiter // nil: no per-client limit
	docs      *docCache
}

// New returns the gateway's HTTP handler. ready reports whether the upstream can be reached (nil:
// always ready); logger nil discards the logs.
func New(cfg Config, exec Executor, ready func(context.Context) error, logger *slog.Logger) http.Handler {
	h := newHandler(cfg, exec, ready, logger)
	return withCORS(h.cfg.CORS, withCompression(h))
}

func newHandler(cfg Config, exec Executor, ready func(context.Context) error, logger *slog.Logger) *handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	h := &handler{cfg: cfg, exec: exec, ready: ready, log: logger, metrics: cfg.Metrics, mux: http.NewServeMux(),
		admission: newAdmission(cfg.MaxConcurrent, cfg.MaxQueued, cfg.QueueTimeout), docs: newDocCache()}
	if cfg.RateLimit > 0 {
		h.rate = newRateLimiter(cfg.RateLimit, cfg.RateBurst, 0)
	}
	h.mux.HandleFunc("/graphql", h.graphql)
	h.mux.HandleFunc("/graphql/{$}", h.graphql)
	for _, v := range []string{"v1", "v2"} {
		h.mux.HandleFunc("/graphql/"+v, h.graphql)
		h.mux.HandleFunc("/graphql/"+v+"/{$}", h.graphql)
	}
	h.mux.HandleFunc("/healthz", h.healthz)
	h.mux.HandleFunc("/readyz", h.readyz)
	if cfg.Playground {
		h.mux.Handle(playgroundStatic, playgroundAssets())
	}
	if !cfg.MetricsElsewhere {
		h.mux.Handle("/metrics", h.metrics.Handler())
	}
	h.mux.HandleFunc("/", notFound)
	return h
}

// ServeHTTP logs and measures every request; the Authorization header is never logged.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r)
	w.Header().Set(RequestIDHeader, id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	rec := &statusRecorder{ResponseWriter: w}
	h.metrics.inFlight.Inc()
	defer func() {
		h.metrics.inFlight.Dec()
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "panic while serving a request",
				"path", r.URL.Path, "request_id", id, "panic", redact(fmt.Sprint(v), r.Header.Get("Authorization")), "stack", string(debug.Stack()))
			if !rec.wroteHeader {
				writeErrors(rec, mediaJSON, http.StatusInternalServerError, &requestError{Message: "internal server error", Code: CodeInternal})
			}
		}
		d := time.Since(start)
		status := rec.status()
		h.metrics.observe(route(r.URL.Path), status, d)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		h.log.LogAttrs(r.Context(), level, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
			slog.Duration("duration", d), slog.Int64("bytes", rec.bytes), slog.String("request_id", id))
	}()
	h.mux.ServeHTTP(rec, r)
}

// route names a path for the metrics, from a fixed set so clients cannot grow the label space.
func route(path string) string {
	switch path {
	case "/graphql", "/graphql/", "/graphql/v1", "/graphql/v1/", "/graphql/v2", "/graphql/v2/":
		return "graphql"
	case "/healthz":
		return "healthz"
	case "/readyz":
		return "readyz"
	case "/metrics":
		return "metrics"
	}
	return "other"
}

func (h *handler) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if h.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.ReadyTimeout)
		defer cancel()
		if err := h.ready(ctx); err != nil {
			h.log.WarnContext(r.Context(), "not ready", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
	}
	_, _ = io.WriteString(w, "ok\n")
}

// notFound answers as NetBox does for an unknown path (and for /graphql when GraphQL is disabled).
func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, `{"detail":"Not found."}`)
}

// graphqlDisabled answers as NetBox does with GRAPHQL_ENABLED=False: Django's
// HttpResponseNotFound("The GraphQL API is not enabled.").
func graphqlDisabled(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "The GraphQL API is not enabled.")
}

// params are the GraphQL-over-HTTP request parameters.
type params struct {
	Query         string
	OperationName string
	Variables     map[string]any
	Extensions    map[string]any
}

func (h *handler) graphql(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.Enabled {
		graphqlDisabled(w)
		return
	}
	media := negotiate(r.Header.Get("Accept"))
	w.Header().Add("Vary", "Accept")

	var (
		p    params
		rerr *requestError
	)
	if r.Method == http.MethodGet && h.cfg.Playground && acceptsHTML(r.Header.Get("Accept")) {
		servePlayground(w, r)
		return
	}
	if h.rate != nil {
		if ok, wait := h.rate.allow(r, time.Now()); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(retryAfterSeconds(wait)))
			h.reject(w, r, media, http.StatusTooManyRequests, &requestError{
				Message: "too many requests from this client: slow down and retry after the Retry-After header's seconds", Code: CodeRateLimited})
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		p, rerr = paramsFromURL(r)
	case http.MethodPost:
		var status int
		p, status, rerr = h.paramsFromBody(w, r)
		if rerr != nil {
			h.reject(w, r, media, status, rerr)
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		h.reject(w, r, media, http.StatusMethodNotAllowed, &requestError{
			Message: fmt.Sprintf("method %s is not allowed: send the query with POST or GET", r.Method), Code: CodeMethodNotAllowed})
		return
	}
	if rerr == nil && strings.TrimSpace(p.Query) == "" {
		rerr = &requestError{Message: `the request has no query: send {"query": "{ ... }"}`, Code: CodeBadRequest}
	}
	if rerr == nil && (!utf8.ValidString(p.Query) || !utf8.ValidString(p.OperationName)) {
		rerr = &requestError{Message: "the query is not valid UTF-8", Code: CodeBadRequest}
	}
	if rerr != nil {
		h.reject(w, r, media, http.StatusBadRequest, rerr)
		return
	}
	release, ok := h.admission.acquire(r.Context())
	if !ok {
		if r.Context().Err() != nil {
			return // the client left while queued: nobody reads an answer
		}
		w.Header().Set("Retry-After", "1")
		h.reject(w, r, media, http.StatusServiceUnavailable, &requestError{
			Message: "the gateway is serving as many requests as it can: try again shortly", Code: CodeOverloaded})
		return
	}
	defer release()
	printed, errs := h.docs.check(p.Query, p.OperationName, limits{
		MaxQueryLength: h.cfg.MaxQueryLength, MaxDepth: h.cfg.MaxDepth,
		MaxAliases: h.cfg.MaxAliases, MaxSelections: h.cfg.MaxSelections,
	})
	if len(errs) > 0 {
		h.reject(w, r, media, http.StatusBadRequest, errs...)
		return
	}

	req := Request{
		Query:         introspectionCompat(p.Query),
		OperationName: p.OperationName,
		Variables:     p.Variables,
		Authorization: r.Header.Get("Authorization"),
		Explain:       h.cfg.Explain || p.Extensions["explain"] == true,
		RequestID:     RequestID(r.Context()),
		Version:       h.version(r.URL.Path),
	}
	cacheKey, cacheable := "", false
	if h.cfg.ResponseCache != nil && !req.Explain {
		cacheKey, cacheable = h.cfg.ResponseCache.key(req.Authorization, req.Version, printed, req.OperationName, req.Variables)
	}
	if cacheable {
		if body, hit := h.cfg.ResponseCache.get(cacheKey); hit {
			h.metrics.responseCache("hit")
			writeAnswer(w, media, http.StatusOK, body)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.RequestTimeout)
	defer cancel()
	res, ok := h.execute(ctx, req)
	upgrader := h.cfg.Upgrader
	if req.Version == 1 {
		upgrader = h.cfg.UpgraderV1
	}
	if ok && upgrader != nil && invalidAsWritten(res) {
		// Only a query the served schema refuses is looked at, so a valid one costs nothing more.
		if up := upgrader.Upgrade(req.Query, req.OperationName, req.Variables); len(up.Rewrites) > 0 {
			h.log.DebugContext(r.Context(), "query upgraded from an older filter dialect", "rewrites", len(up.Rewrites))
			req.Query, req.Variables, req.Rewrites = up.Query, up.Variables, up.Rewrites
			res, ok = h.execute(ctx, req)
		}
	}
	if r.Context().Err() != nil {
		return // the client hung up: nothing is written
	}
	if !ok {
		writeErrors(w, media, http.StatusInternalServerError, &requestError{Message: "internal server error", Code: CodeInternal})
		return
	}
	if res.Response == nil {
		h.log.ErrorContext(r.Context(), "executor returned no response")
		writeErrors(w, media, http.StatusInternalServerError, &requestError{Message: "internal server error: no response", Code: CodeInternal})
		return
	}
	res.Response.Errors = h.finishErrors(res.Response.Errors, req.RequestID)
	body, err := encodeResponse(res.Response)
	if err != nil {
		h.log.ErrorContext(r.Context(), "cannot encode the response", "error", err)
		writeErrors(w, media, http.StatusInternalServerError, &requestError{Message: "internal server error: cannot encode the response", Code: CodeInternal})
		return
	}
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	// With application/graphql-response+json an answer without data is a request error (GraphQL
	// over HTTP): say so with the status, as application/json clients expect a 200.
	if media == mediaGraphQLResponse && status == http.StatusOK && len(res.Response.Data) == 0 && len(res.Response.Errors) > 0 {
		status = http.StatusBadRequest
	}
	if cacheable && status == http.StatusOK && len(res.Response.Errors) == 0 {
		h.metrics.responseCache("miss")
		h.cfg.ResponseCache.put(cacheKey, body)
	}
	writeAnswer(w, media, status, body)
}

// encodeResponse writes a response as json.Marshal would, the data as the executor wrote it:
// json.Marshal would scan and copy the whole data again to compact and validate it (a 1000-row
// answer is a megabyte), and the executor's output is compact JSON already. Only HTML's three
// characters, which json.Marshal escapes, make the data go through the encoder's escaping.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(resp.Data) + 64)
	b.WriteByte('{')
	if len(resp.Errors) > 0 {
		e, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		b.WriteString(`"errors":`)
		b.Write(e)
	}
	if len(resp.Data) > 0 {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"data":`)
		if bytes.ContainsAny(resp.Data, "<>&") {
			d, err := json.Marshal(resp.Data)
			if err != nil {
				return nil, err
			}
			b.Write(d)
		} else {
			b.Write(resp.Data)
		}
	}
	if len(resp.Extensions) > 0 {
		e, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"extensions":`)
		b.Write(e)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeAnswer(w http.ResponseWriter, media string, status int, body []byte) {
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// version is the schema version a path asks for: /graphql/v1/ and /graphql/v2/ name theirs,
// /graphql/ serves the configured default.
func (h *handler) version(path string) int {
	switch strings.TrimSuffix(path, "/") {
	case "/graphql/v1":
		return 1
	case "/graphql/v2":
		return 2
	}
	if h.cfg.DefaultVersion == 1 {
		return 1
	}
	return 2
}

// execute runs the executor; ok is false when it panicked (logged, with the token redacted).
func (h *handler) execute(ctx context.Context, req Request) (res Result, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			h.metrics.panic()
			h.log.ErrorContext(ctx, "executor panic", "panic", redact(fmt.Sprint(v), req.Authorization), "stack", string(debug.Stack()))
			res, ok = Result{}, false
		}
	}()
	return h.exec.Execute(ctx, req), true
}

func (h *handler) reject(w http.ResponseWriter, r *http.Request, media string, status int, errs ...*requestError) {
	for _, e := range errs {
		h.metrics.reject(e.Code)
	}
	h.log.DebugContext(r.Context(), "request refused", "code", errs[0].Code, "message", errs[0].Message)
	writeErrors(w, media, status, errs...)
}

func paramsFromURL(r *http.Request) (params, *requestError) {
	q := r.URL.Query()
	p := params{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var rerr *requestError
	if v := q.Get("variables"); v != "" {
		if p.Variables, rerr = decodeObject("variables", json.RawMessage(v)); rerr != nil {
			return p, rerr
		}
	}
	if v := q.Get("extensions"); v != "" {
		if p.Extensions, rerr = decodeObject("extensions", json.RawMessage(v)); rerr != nil {
			return p, rerr
		}
	}
	return p, nil
}

// bodyFields are a POST body's members, decoded one by one to say precisely what is wrong.
type bodyFields struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (h *handler) paramsFromBody(w http.ResponseWriter, r *http.Request) (params, int, *requestError) {
	tooLarge := &requestError{
		Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", h.cfg.MaxBodyBytes),
		Code:    CodePayloadTooLarge,
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return params{}, http.StatusRequestEntityTooLarge, tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return params{}, http.StatusRequestEntityTooLarge, tooLarge
		}
		return params{}, http.StatusBadRequest, &requestError{Message: "cannot read the request body: " + err.Error(), Code: CodeBadRequest}
	}
	if mt := mediaTypeOf(r.Header.Get("Content-Type")); mt == "application/graphql" {
		return params{Query: string(data)}, 0, nil
	}
	trimmed := strings.TrimSpace(string(data))
	if trimmed == "" {
		return params{}, http.StatusBadRequest, &requestError{Message: `the request body is empty: send {"query": "{ ... }"}`, Code: CodeBadRequest}
	}
	if strings.HasPrefix(trimmed, "[") {
		return params{}, http.StatusBadRequest, &requestError{Message: "batched requests (a JSON array) are not supported: send one operation per request", Code: CodeBadRequest}
	}
	var f bodyFields
	if err := json.Unmarshal(data, &f); err != nil {
		return params{}, http.StatusBadRequest, &requestError{Message: "the request body is not a JSON object: " + jsonProblem(err), Code: CodeBadRequest}
	}
	var p params
	if !isNull(f.Query) {
		if err := json.Unmarshal(f.Query, &p.Query); err != nil {
			return p, http.StatusBadRequest, &requestError{Message: "query must be a string", Code: CodeBadRequest}
		}
	}
	if !isNull(f.OperationName) {
		if err := json.Unmarshal(f.OperationName, &p.OperationName); err != nil {
			return p, http.StatusBadRequest, &requestError{Message: "operationName must be a string or null", Code: CodeBadRequest}
		}
	}
	var rerr *requestError
	if p.Variables, rerr = decodeObject("variables", f.Variables); rerr != nil {
		return p, http.StatusBadRequest, rerr
	}
	if p.Extensions, rerr = decodeObject("extensions", f.Extensions); rerr != nil {
		return p, http.StatusBadRequest, rerr
	}
	return p, 0, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// decodeObject reads an optional JSON object; absent or null is nil. Some clients send the
// object encoded as a JSON string, which is accepted too.
func decodeObject(name string, raw json.RawMessage) (map[string]any, *requestError) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		raw = json.RawMessage(s)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, &requestError{Message: name + " must be a JSON object or null", Code: CodeBadRequest}
	}
	return m, nil
}

// errorEntry is one error in the GraphQL response shape.
type errorEntry struct {
	Message    string         `json:"message"`
	Locations  []location     `json:"locations,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func writeErrors(w http.ResponseWriter, media string, status int, errs ...*requestError) {
	body := struct {
		Errors []errorEntry `json:"errors"`
	}{}
	id := w.Header().Get(RequestIDHeader)
	for _, e := range errs {
		ext := map[string]any{"code": e.Code}
		if id != "" {
			ext["request_id"] = id
		}
		body.Errors = append(body.Errors, errorEntry{Message: e.Message, Locations: e.Locations, Extensions: ext})
	}
	data, err := json.Marshal(body)
	if err != nil {
		// Only strings and ints are encoded: this cannot fail, but never leave the client without an answer.
		data = []byte(`{"errors":[{"message":"internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// redact removes the caller's credentials from s (a panic message may quote the request).
func redact(s, authorization string) string {
	if authorization == "" {
		return s
	}
	s = strings.ReplaceAll(s, authorization, "[REDACTED]")
	for _, part := range strings.Fields(authorization) {
		if len(part) >= 8 {
			s = strings.ReplaceAll(s, part, "[REDACTED]")
		}
	}
	return s
}

// statusRecorder remembers the status and size of an answer for the log and the metrics.
type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
	bytes       int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = http.StatusOK, true
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) status() int {
	if !s.wroteHeader {
		return http.StatusOK
	}
	return s.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// NewHTTPServer wraps h in an http.Server with timeouts that keep slow or idle clients from
// holding connections: headers must arrive within 10s, the body within the request deadline, and
// the answer may take the request deadline plus a margin to write.
func NewHTTPServer(addr string, h http.Handler, cfg Config, logger *slog.Logger) *http.Server {
	cfg = cfg.withDefaults()
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if logger != nil {
		srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	return srv
}

// finishErrors makes every error of an answer say what it is and which request it belongs to:
// an error the executor left without extensions.code gets INTERNAL_SERVER_ERROR, each gets the
// request id, and past MaxErrors the rest are summed up in one last error, so a hostile document
// cannot make a huge answer out of its errors.
func (h *handler) finishErrors(errs []*gqlerrors.QueryError, id string) []*gqlerrors.QueryError {
	if len(errs) > h.cfg.MaxErrors {
		more := len(errs) - h.cfg.MaxErrors
		errs = append(errs[:h.cfg.MaxErrors:h.cfg.MaxErrors], &gqlerrors.QueryError{
			Message:    fmt.Sprintf("…and %d more errors", more),
			Extensions: map[string]any{"code": CodeTooManyErrors},
		})
	}
	for _, e := range errs {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		if code, _ := e.Extensions["code"].(string); code == "" {
			e.Extensions["code"] = CodeInternal
		}
		if id != "" {
			e.Extensions["request_id"] = id
		}
	}
	return errs
}

// jsonProblem says what is wrong with a JSON body in the client's terms (the decoder's own
// message names Go types).
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return "it is a JSON " + typ.Value
	case errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected end of JSON input":
		return "it ends too early"
	}
	return "it cannot be decoded"
}

// invalidAsWritten tells whether an answer is the executor refusing the document or its
// variables, which an older filter dialect explains.
func invalidAsWritten(res Result) bool {
	if res.Response == nil || len(res.Response.Data) > 0 && string(res.Response.Data) != "null" || len(res.Response.Errors) == 0 {
		return false
	}
	for _, e := range res.Response.Errors {
		switch e.Extensions["code"] {
		case "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT":
		default:
			return false
		}
	}
	return true
}
