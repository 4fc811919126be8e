// Package netboxsim is an in-memory NetBox-compatible REST API over the model registry: a
// deterministic data set at any scale, NetBox's list and filter semantics, tokens with
// permissions, fault injection and request counting, for the demo, the tests and the benchmarks.
package netboxsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graphbox/graphbox/model"
)

// Version is the NetBox version the simulator reports in /api/status/: the version of the
// document the registry was generated from, which it answers as.
const Version = model.DocumentVersion

// apiVersion is NetBox's REST_FRAMEWORK_VERSION for Version: its major.minor, sent as the
// API-Version header.
var apiVersion = model.MajorMinor(Version)

// Options configure a simulator.
type Options struct {
	Registry        *model.Registry // required
	Scale           int             // default 1
	Seed            int64
	Latency, Jitter time.Duration // added to every /api/ answer
	Control         bool          // serve the /_sim/ endpoints
	Tokens          []Token       // added to DemoTokens()
	Faults          *Faults       // faults from the start (Latency/Jitter are merged in when set)
	Logger          *slog.Logger
	// Cost is the time each /api/ request holds a worker (cost.go; CalibratedCost is NetBox's);
	// zero: none. Workers bounds the requests served at once, as gunicorn's workers; 0: no bound.
	Cost    Cost
	Workers int
	// MaxRequestLine refuses a longer request line (method, URI, protocol) with 414, as a
	// front server does (gunicorn's limit_request_line is 4094 by default); 0: no limit.
	MaxRequestLine int
}

// Sim is a running simulator's data and state; its Handler is safe for concurrent use.
type Sim struct {
	reg     *model.Registry
	tables  []*table
	byName  map[string]*table
	byPath  map[string]*table
	bySnake map[string]*table // "site_group" -> SiteGroup
	byLower map[string]*table // "sitegroup" -> SiteGroup
	tokens  map[string]Profile
	control bool
	maxLine int
	log     *slog.Logger
	faults  atomic.Pointer[Faults]
	stats   stats
	cost    costState

	keyMu  sync.Mutex
	keyIdx map[string]map[string]int32
}

// New builds the deterministic data set.
func New(opts Options) (*Sim, error) {
	if opts.Registry == nil {
		return nil, errors.New("netboxsim: Options.Registry is required")
	}
	if len(opts.Registry.Objects) == 0 {
		return nil, errors.New("netboxsim: the registry has no object types")
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	// Scale 1000 is 4 million interfaces, a few GiB; beyond that the host, not the simulator, fails.
	if opts.Scale < 0 || opts.Scale > 1000 {
		return nil, fmt.Errorf("netboxsim: scale must be between 1 and 1000, got %d", opts.Scale)
	}
	if opts.Latency < 0 || opts.Jitter < 0 {
		return nil, errors.New("netboxsim: latency and jitter must not be negative")
	}
	s := &Sim{
		reg:     opts.Registry,
		byName:  map[string]*table{},
		byPath:  map[string]*table{},
		bySnake: map[string]*table{},
		byLower: map[string]*table{},
		tokens:  map[string]Profile{},
		control: opts.Control,
		maxLine: opts.MaxRequestLine,
		log:     opts.Logger,
		keyIdx:  map[string]map[string]int32{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, t := range append(DemoTokens(), opts.Tokens...) {
		if !validHeader(t.Header) {
			return nil, errors.New("netboxsim: a token must be \"Token <40 hex digits>\" or \"Bearer nbt_<key>.<secret>\"")
		}
		if t.Profile < FullRead || t.Profile > NoPermission {
			return nil, fmt.Errorf("netboxsim: invalid token profile %d", t.Profile)
		}
		s.tokens[t.Header] = t.Profile
	}
	var initial Faults
	if opts.Faults != nil {
		initial = *opts.Faults
	}
	if opts.Latency > 0 || opts.Jitter > 0 {
		initial.Latency = &LatencyFault{Delay: Duration(opts.Latency), Jitter: Duration(opts.Jitter)}
	}
	if err := initial.Validate(); err != nil {
		return nil, fmt.Errorf("netboxsim: faults: %w", err)
	}
	s.faults.Store(&initial)
	if err := s.cost.init(opts.Cost, opts.Workers); err != nil {
		return nil, err
	}
	g := &generator{s: s, seed: mix(uint64(opts.Seed)), scale: opts.Scale}
	if err := g.build(); err != nil {
		return nil, fmt.Errorf("netboxsim: build data set: %w", err)
	}
	return s, nil
}

// Count returns the number of objects of a type (all of them, regardless of tokens).
func (s *Sim) Count(name string) int {
	if t := s.byName[name]; t != nil {
		return t.n
	}
	return 0
}

// Stats returns the request counters (the data of GET /_sim/stats).
func (s *Sim) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the request counters.
func (s *Sim) ResetStats() { s.stats.reset() }

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.Store(&f)
	return nil
}

// ClearFaults removes every fault, those of the options included.
func (s *Sim) ClearFaults() { s.faults.Store(&Faults{}) }

// Handler serves the REST API, and /_sim/ when the options enable it.
func (s *Sim) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// answer is a response built in memory, so that body faults can cut or slow it.
type answer struct {
	status int
	header http.Header
	body   []byte
	rows   int // objects serialized, for the cost model
}

func jsonAnswer(status int, body []byte) *answer {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &answer{status: status, header: h, body: body}
}

func detail(status int, msg string) *answer {
	b, _ := json.Marshal(map[string]string{"detail": msg})
	return jsonAnswer(status, b)
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		if !s.control {
			writeAnswer(w, detail(http.StatusNotFound, "Not found."))
			return
		}
		s.serveControl(w, r)
		return
	}
	s.stats.record(r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"))
	if n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 2; s.maxLine > 0 && n > s.maxLine {
		writeAnswer(w, detail(http.StatusRequestURITooLong, fmt.Sprintf("Request line too long: %d bytes, at most %d.", n, s.maxLine)))
		return
	}
	f := s.faults.Load()
	path := r.URL.Path
	if l := f.Latency; l != nil && hits(0, l.PathPrefix, path) {
		if sleep(r.Context(), l.delay()) != nil {
			return
		}
	}
	if rf := f.Reset; rf != nil && hits(rf.Rate, rf.PathPrefix, path) {
		resetConn(w)
		return
	}
	if rl := f.RateLimit; rl != nil && hits(rl.Rate, rl.PathPrefix, path) {
		after := rl.RetryAfter
		if after == 0 {
			after = 1
		}
		a := detail(http.StatusTooManyRequests, fmt.Sprintf("Request was throttled. Expected available in %d seconds.", after))
		a.header.Set("Retry-After", strconv.Itoa(after))
		writeAnswer(w, a)
		return
	}
	if ef := f.Error; ef != nil && hits(ef.Rate, ef.PathPrefix, path) {
		writeAnswer(w, errorAnswer(ef.Status))
		return
	}
	a, ok := s.work(r)
	if !ok {
		return
	}
	if strings.HasPrefix(path, "/api/") {
		// NetBox's CoreMiddleware annotates every API answer, errors included.
		a.header.Set("API-Version", apiVersion)
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		s.log.Debug("request", "method", r.Method, "url", r.URL.String(), "auth", scheme, "status", a.status, "bytes", len(a.body))
	}
	if tf := f.Truncate; tf != nil && hits(tf.Rate, tf.PathPrefix, path) && len(a.body) > 1 {
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body[:len(a.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// Aborting closes the connection short of the promised length.
		panic(http.ErrAbortHandler)
	}
	if sf := f.SlowBody; sf != nil && hits(sf.Rate, sf.PathPrefix, path) {
		writeSlow(w, r, a, time.Duration(sf.Duration))
		return
	}
	writeAnswer(w, a)
}

func errorAnswer(status int) *answer {
	if status == http.StatusInternalServerError {
		b, _ := json.Marshal(map[string]string{
			"error":          "simulated server error",
			"exception":      "SimulatedFault",
			"netbox_version": Version,
			"python_version": "3.12.3",
		})
		return jsonAnswer(status, b)
	}
	// 502-504 come from the proxy in front of NetBox, as HTML.
	h := http.Header{}
	h.Set("Content-Type", "text/html")
	text := http.StatusText(status)
	return &answer{status: status, header: h, body: []byte(fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n", status, text, status, text))}
}

func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
	_ = conn.Close()
}

func writeAnswer(w http.ResponseWriter, a *answer) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

func writeSlow(w http.ResponseWriter, r *http.Request, a *answer, total time.Duration) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	const pieces = 10
	fl, _ := w.(http.Flusher)
	step := (len(a.body) + pieces - 1) / pieces
	for i := 0; i < len(a.body); i += step {
		if i > 0 && sleep(r.Context(), total/pieces) != nil {
			return
		}
		end := min(i+step, len(a.body))
		if _, err := w.Write(a.body[i:end]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// route answers one /api/ request.
func (s *Sim) route(r *http.Request) *answer {
	path := r.URL.Path
	if !strings.HasPrefix(path, "/api/") && path != "/api" {
		return detail(http.StatusNotFound, "Not found.")
	}
	if !strings.HasSuffix(path, "/") {
		// Django's APPEND_SLASH
		u := path + "/"
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		a := detail(http.StatusMovedPermanently, "Moved permanently.")
		a.header.Set("Location", u)
		return a
	}
	var (
		t   *table
		row = -1
	)
	if path != "/api/status/" {
		t = s.byPath[path]
		if t == nil {
			i := strings.LastIndex(strings.TrimSuffix(path, "/"), "/")
			t = s.byPath[path[:i+1]]
			if t == nil {
				return detail(http.StatusNotFound, "Not found.")
			}
			id, err := strconv.Atoi(path[i+1 : len(path)-1])
			var ok bool
			if row, ok = t.rowOf(id); err != nil || !ok {
				return detail(http.StatusNotFound, "Not found.")
			}
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		a := detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method \"%s\" not allowed.", r.Method))
		a.header.Set("Allow", "GET, HEAD")
		return a
	}
	auth := r.Header.Get("Authorization")
	if auth == "" || !(strings.HasPrefix(auth, "Token ") || strings.HasPrefix(auth, "Bearer ")) {
		return detail(http.StatusForbidden, "Authentication credentials were not provided.")
	}
	prof, ok := s.tokens[auth]
	if !ok {
		return detail(http.StatusForbidden, "Invalid token")
	}
	if t == nil {
		return s.status()
	}
	if prof == NoPermission {
		return detail(http.StatusForbidden, "You do not have permission to perform this action.")
	}
	rd := &renderer{s: s, base: "http://" + r.Host}
	if row >= 0 {
		return s.detailAnswer(rd, t, row, prof, r.URL.Query())
	}
	a, err := s.list(rd, t, prof, r.URL)
	if err != nil {
		var br *badRequest
		if errors.As(err, &br) {
			b, _ := json.Marshal(map[string][]string{br.param: {br.msg}})
			return jsonAnswer(http.StatusBadRequest, b)
		}
		s.log.Error("list", "path", path, "err", err)
		return detail(http.StatusInternalServerError, "internal error")
	}
	return a
}

// status answers /api/status/ in the shape of the simulated version: NetBox 4.2 names the apps
// "installed-apps" and gives the full version as netbox-version; NetBox 4.6.8 adds hostname and
// netbox-full-version and names them installed_apps (versions from its requirements.txt).
func (s *Sim) status() *answer {
	body := map[string]any{
		"netbox-version":     Version,
		"plugins":            map[string]string{},
		"python-version":     "3.12.3",
		"rq-workers-running": 1,
	}
	if strings.HasPrefix(Version, "4.2.") {
		body["django-version"] = "5.1.5"
		body["installed-apps"] = map[string]string{
			"django_filters": "24.3", "django_prometheus": "2.3.1", "django_rq": "3.0", "django_tables2": "2.7.5",
			"drf_spectacular": "0.28.0", "drf_spectacular_sidecar": "2024.12.1", "mptt": "0.16.0",
			"rest_framework": "3.15.2", "social_django": "5.4.2", "taggit": "6.1.0", "timezone_field": "7.1",
		}
	} else {
		body["django-version"] = "6.0.8"
		body["hostname"] = "netboxsim"
		body["netbox-full-version"] = Version
		body["installed_apps"] = map[string]string{
			"django_filters": "26.1", "django_prometheus": "2.4.0", "django_rq": "4.1.1", "django_tables2": "2.8.0",
			"drf_spectacular": "0.30.0", "drf_spectacular_sidecar": "2026.8.1", "mptt": "0.18.0",
			"rest_framework": "3.17.1", "social_django": "5.9.0", "taggit": "6.1.0", "timezone_field": "7.2.2",
		}
	}
	b, _ := json.Marshal(body)
	return jsonAnswer(http.StatusOK, b)
}

// visible tells whether a token with the profile sees a row.
func (t *table) visible(prof Profile, row int) bool {
	if prof != TenantRestricted || t.tenant < 0 {
		return true
	}
	return t.cols[t.tenant].idx[row] == 0
}

// shape is how rows are written: full, brief, or selected fields.
type shape struct {
	brief   bool
	fields  map[string]bool
	exclude map[string]bool // exclude=config_context (and omit=)
	omit    bool            // omit= was given: NetBox 4.6 then ignores brief (fields= wins over both)
}

func parseShape(q url.Values) shape {
	var sh shape
	switch strings.ToLower(q.Get("brief")) {
	case "1", "true", "yes", "on":
		sh.brief = true
	}
	split := func(v string) map[string]bool {
		m := map[string]bool{}
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				m[k] = true
			}
		}
		return m
	}
	if f := q.Get("fields"); f != "" {
		sh.fields = split(f)
	}
	for _, k := range []string{"exclude", "omit"} {
		if v := q.Get(k); v != "" {
			sh.omit = sh.omit || k == "omit"
			if sh.exclude == nil {
				sh.exclude = map[string]bool{}
			}
			for f := range split(v) {
				sh.exclude[f] = true
			}
		}
	}
	return sh
}

func (rd *renderer) row(b []byte, t *table, row int, sh shape) []byte {
	switch {
	case sh.fields != nil:
		return rd.fieldSet(b, t, row, sh.fields)
	case sh.brief && !sh.omit:
		keys := t.obj.Brief
		if len(keys) == 0 {
			keys = minimalKeys
		}
		if len(t.obj.BriefCounts) > 0 {
			keys = append(slices.Clip(keys), t.obj.BriefCounts...)
		}
		return rd.object(b, t, row, keys, 1)
	case sh.exclude != nil:
		want := make(map[string]bool, len(t.cols))
		for _, f := range t.obj.Fields {
			if !sh.exclude[f.Name] {
				want[f.Name] = true
			}
		}
		b = rd.fieldSet(b, t, row, want)
		return b
	}
	return rd.object(b, t, row, nil, 0)
}

func (s *Sim) detailAnswer(rd *renderer, t *table, row int, prof Profile, q url.Values) *answer {
	if row >= t.n || !t.visible(prof, row) {
		return detail(http.StatusNotFound, fmt.Sprintf("No %s matches the given query.", t.obj.Name))
	}
	a := jsonAnswer(http.StatusOK, rd.row(nil, t, row, parseShape(q)))
	a.rows = 1
	return a
}

// pageParams reads limit and offset as NetBox does: invalid values fall back to the defaults,
// limit=0 and limits above the maximum give the maximum.
func pageParams(q url.Values) (limit, offset int) {
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			limit = n
			if n == 0 || n > maxLimit {
				limit = maxLimit
			}
		}
	}
	if v := q.Get("offset"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			offset = n
		}
	}
	return limit, offset
}

func (s *Sim) list(rd *renderer, t *table, prof Profile, u *url.URL) (*answer, error) {
	q := u.Query()
	limit, offset := pageParams(q)
	sh := parseShape(q)
	cursor := -1
	if q.Has("start") {
		if q.Has("offset") || q.Has("ordering") {
			return nil, &badRequest{"start", "The start parameter cannot be combined with offset or ordering."}
		}
		n, err := strconv.Atoi(q.Get("start"))
		if err != nil || n < 0 {
			return nil, &badRequest{"start", "Enter a whole number."}
		}
		cursor = n
	}
	p, err := s.compile(t, q)
	if err != nil {
		return nil, err
	}
	if prof == TenantRestricted && t.tenant >= 0 {
		p.preds = append(p.preds, func(row int) bool { return t.visible(prof, row) })
	}
	var order []orderKey
	if cursor < 0 {
		order = s.ordering(t, q.Get("ordering"))
	}

	// NetBox orders a list by its model's default order (model.Ordering), by ordering= when
	// given (ties by id here), and by id in cursor mode.
	var rows []int32
	all := !p.hasC && len(p.preds) == 0 && len(order) == 0
	switch {
	case all && cursor >= 0:
		rows = t.rows
		if rows == nil {
			rows = make([]int32, t.n)
			for r := range rows {
				rows[r] = int32(r)
			}
		}
	case all:
		rows, _ = s.defaultOrder(t)
	default:
		rows = s.run(t, p, cursor)
		switch {
		case cursor >= 0:
			sortByID(t, rows)
		case len(order) > 0:
			sortByID(t, rows)
			s.sortRows(t, rows, order)
		default:
			s.sortDefault(t, rows)
		}
	}
	total := len(rows)
	at := func(i int) int { return int(rows[i]) }

	b := make([]byte, 0, 4096)
	b = append(b, `{"count":`...)
	var page []int
	var next, prev string
	if cursor >= 0 {
		// Cursor mode: ids from start on, no count.
		first := sort.Search(total, func(i int) bool { return t.id(at(i)) >= cursor })
		for i := first; i < total && len(page) < limit; i++ {
			page = append(page, at(i))
		}
		b = append(b, "null"...)
		if len(page) == limit && first+limit < total {
			next = pageURL(rd.base, u, map[string]string{"start": strconv.Itoa(t.id(page[len(page)-1]) + 1), "limit": strconv.Itoa(limit)})
		}
	} else {
		for i := offset; i < total && len(page) < limit; i++ {
			page = append(page, at(i))
		}
		b = strconv.AppendInt(b, int64(total), 10)
		if offset+limit < total {
			next = pageURL(rd.base, u, map[string]string{"limit": strconv.Itoa(limit), "offset": strconv.Itoa(offset + limit)})
		}
		if offset > 0 {
			set := map[string]string{"limit": strconv.Itoa(limit)}
			if po := offset - limit; po > 0 {
				set["offset"] = strconv.Itoa(po)
			} else {
				set["offset"] = ""
			}
			prev = pageURL(rd.base, u, set)
		}
	}
	b = append(b, `,"next":`...)
	b = appendOptString(b, next)
	b = append(b, `,"previous":`...)
	b = appendOptString(b, prev)
	b = append(b, `,"results":[`...)
	for i, row := range page {
		if i > 0 {
			b = append(b, ',')
		}
		start := len(b)
		b = rd.row(b, t, row, sh)
		if i == 0 {
			// Rows of a type are about the same size: reserve for the page at once.
			b = slices.Grow(b, (len(b)-start+1)*(len(page)-1)*9/8+2)
		}
	}
	b = append(b, "]}"...)
	a := jsonAnswer(http.StatusOK, b)
	a.rows = len(page)
	return a, nil
}

func appendOptString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// pageURL is the request's absolute URL with some query parameters replaced ("" removes one).
func pageURL(base string, u *url.URL, set map[string]string) string {
	q := u.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	out := base + u.Path
	if e := q.Encode(); e != "" {
		out += "?" + e
	}
	return out
}

// run returns the matching rows in id order; in cursor mode only those from the cursor on.
func (s *Sim) run(t *table, p *plan, cursor int) []int32 {
	var out []int32
	test := func(r int) bool {
		if cursor >= 0 && t.id(r) < cursor {
			return false
		}
		for _, pr := range p.preds {
			if !pr(r) {
				return false
			}
		}
		return true
	}
	if p.hasC {
		for _, r := range p.cand {
			if test(int(r)) {
				out = append(out, r)
			}
		}
		return out
	}
	out = make([]int32, 0, 64)
	for r := range t.n {
		if test(r) {
			out = append(out, int32(r))
		}
	}
	return out
}

type orderKey struct {
	get  getter
	desc bool
}

// ordering reads ordering=a,-b; fields the type lacks are ignored, as DRF does.
func (s *Sim) ordering(t *table, spec string) []orderKey {
	var out []orderKey
	for _, k := range strings.Split(spec, ",") {
		k = strings.TrimSpace(k)
		desc := strings.HasPrefix(k, "-")
		k = strings.TrimPrefix(k, "-")
		ci, ok := t.byName[k]
		if !ok || k == "" {
			continue
		}
		key := "id"
		if c := t.cols[ci]; c.kind == colFK || c.kind == colM2M {
			key = "name"
			if c.rel.col("name") == nil {
				key = "id"
			}
		}
		out = append(out, orderKey{get: s.valuesOf(t, ci, key), desc: desc})
	}
	return out
}

func (s *Sim) sortRows(t *table, rows []int32, order []orderKey) {
	if len(order) == 0 {
		return
	}
	// Read each row's keys once: the comparisons then touch no columns.
	type sortKey struct {
		v    val
		null bool
	}
	keys := make([][]sortKey, len(order))
	var buf []val
	for k, o := range order {
		keys[k] = make([]sortKey, len(rows))
		for i, r := range rows {
			buf = o.get(int(r), buf[:0])
			if len(buf) == 0 {
				keys[k][i].null = true
			} else {
				keys[k][i].v = buf[0]
			}
		}
	}
	perm := make([]int32, len(rows))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(x, y int32) int {
		for k, o := range order {
			a, b := keys[k][x], keys[k][y]
			var c int
			switch {
			case a.null && b.null:
			case a.null:
				c = -1
			case b.null:
				c = 1
			default:
				c = compareVal(a.v, b.v)
			}
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	sorted := make([]int32, len(rows))
	for i, p := range perm {
		sorted[i] = rows[p]
	}
	copy(rows, sorted)
}

// compareVal orders numbers numerically and strings in the natural_sort collation, which most
// name fields have (with ordering=, PostgreSQL orders by the column's collation).
func compareVal(x, y val) int {
	if x.isNum && y.isNum {
		switch {
		case x.n < y.n:
			return -1
		case x.n > y.n:
			return 1
		}
		return 0
	}
	return model.NaturalCompare(x.str(), y.str())
}

func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_sim/stats" && r.Method == http.MethodGet:
		b, _ := json.Marshal(s.Stats())
		writeAnswer(w, jsonAnswer(http.StatusOK, b))
	case r.URL.Path == "/_sim/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		writeAnswer(w, jsonAnswer(http.StatusOK, []byte(`{"requests":0}`)))
	case r.URL.Path == "/_sim/faults" && r.Method == http.MethodGet:
		b, _ := json.Marshal(s.faults.Load())
		writeAnswer(w, jsonAnswer(http.StatusOK, b))
	case r.URL.Path == "/_sim/faults" && r.Method == http.MethodPost:
		var f Faults
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeAnswer(w, detail(http.StatusBadRequest, "invalid faults: "+err.Error()))
			return
		}
		if err := s.SetFaults(f); err != nil {
			writeAnswer(w, detail(http.StatusBadRequest, "invalid faults: "+err.Error()))
			return
		}
		b, _ := json.Marshal(f)
		writeAnswer(w, jsonAnswer(http.StatusOK, b))
	case r.URL.Path == "/_sim/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_sim/stats" || r.URL.Path == "/_sim/reset" || r.URL.Path == "/_sim/faults":
		writeAnswer(w, detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method \"%s\" not allowed.", r.Method)))
	default:
		writeAnswer(w, detail(http.StatusNotFound, "Not found."))
	}
}
