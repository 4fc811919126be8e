// Package loaders fetches upstream data for one GraphQL request in as few GETs as the query
// allows: batches by id and by parent id, pages followed to the end, a request-scoped memo, and
// the process-wide Cache (per-token entries, coalesced concurrent GETs). It holds no GraphQL
// knowledge: the schema runtime says which paths, ids and parameters to load.
package loaders

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphbox/graphbox/rest"
	"golang.org/x/sync/errgroup"
)

// Defaults for zero Options fields.
const (
	DefaultMaxURLLength = 4000
	DefaultPageSize     = 1000 // NetBox's MAX_PAGE_SIZE
	DefaultConcurrency  = 8
)

// CodeTooManyRequests is the GraphQL extensions.code of a query over its upstream budget.
const CodeTooManyRequests = "TOO_MANY_UPSTREAM_REQUESTS"

// BudgetError is returned when a query would make more upstream requests than Options.MaxRequests.
type BudgetError struct{ Limit int }

func (e *BudgetError) Error() string {
	return fmt.Sprintf("the query needs more than %d upstream requests (the configured limit)", e.Limit)
}

// Extensions lets graphql-go put the code into the GraphQL error.
func (e *BudgetError) Extensions() map[string]any {
	return map[string]any{"code": CodeTooManyRequests, "limit": e.Limit}
}

// ErrorCode makes rest.CodeOf find the code.
func (e *BudgetError) ErrorCode() string { return CodeTooManyRequests }

// Is makes every BudgetError match ErrTooManyRequests.
func (e *BudgetError) Is(target error) bool { return target == ErrTooManyRequests }

// ErrTooManyRequests matches (errors.Is) any budget failure.
var ErrTooManyRequests error = &BudgetError{}

// Options configure one request's Loader.
type Options struct {
	MaxRequests  int  // upstream requests allowed for one GraphQL query (cache hits and coalesced GETs don't count); 0 = unlimited
	MaxURLLength int  // bound on a whole upstream URL (base included) when chunking id lists; default 4000
	PageSize     int  // limit= used when following all pages, and the most ids in one chunk; default 1000
	Concurrency  int  // chunks (or per-parent lists) fetched at once by ByIDs and ByParents; default 8
	Explain      bool // record Calls
	// Deadline, when set, ends every upstream call of the query; it comes before the request's
	// own deadline, so a slow field fails alone and the fields already answered still go out.
	Deadline time.Time
	// Observe, when set, sees every Call as it is made (explain or not), e.g. for metrics. It
	// must be quick and safe for concurrent use.
	Observe func(Call)
}

// Call is one data access made for the query, for the explain extension.
type Call struct {
	Method string
	URL    string // path?query, no host
	Status int    // 0 when no answer arrived
	Millis float64
	// Cache: "miss" (this request asked the upstream), "hit" (shared cache), "shared" (coalesced
	// with a concurrent identical GET of another caller), "memo" (already fetched in this request).
	Cache string
	// Attempts made upstream, retries included (misses only; 0 when no attempt was made).
	Attempts int
}

// Stats counts a Loader's data accesses by source.
type Stats struct {
	Upstream, Hits, Shared, Memo int
}

// Loader serves one GraphQL request. It is safe for concurrent use.
type Loader struct {
	client    *rest.Client
	cache     *Cache // nil: no shared cache, no cross-request coalescing
	auth      string
	tokenHash string
	opts      Options

	mu    sync.Mutex
	memo  map[string]*memoEntry
	calls []Call
	stats Stats
	used  int // upstream requests reserved against MaxRequests
}

type memoEntry struct {
	done   chan struct{}
	val    any
	status int
	err    error
	// abandoned: the fetch failed because its caller's context ended; a waiter whose own
	// context is alive fetches again instead of taking that error.
	abandoned bool
}

// New makes the Loader of one GraphQL request made with the Authorization header auth.
func New(client *rest.Client, cache *Cache, auth string, opts Options) *Loader {
	if opts.MaxURLLength <= 0 {
		opts.MaxURLLength = DefaultMaxURLLength
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	l := &Loader{client: client, cache: cache, auth: auth, opts: opts, memo: make(map[string]*memoEntry)}
	if cache != nil {
		l.tokenHash = cache.TokenHash(auth)
	}
	return l
}

// Calls returns the data accesses made so far (recorded only when Options.Explain is set).
func (l *Loader) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// Stats returns the counts of data accesses so far (always kept).
func (l *Loader) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

const (
	kindPage   = "p"
	kindObject = "o"
)

// Page makes one GET of path?q and returns the page as the upstream wrote it.
func (l *Loader) Page(ctx context.Context, path string, q url.Values) (*rest.Page, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	v, err := l.fetch(ctx, kindPage, path, q)
	if err != nil {
		return nil, err
	}
	return v.(*rest.Page), nil
}

// Object GETs path+"<id>/"?q.
func (l *Loader) Object(ctx context.Context, path string, id int, q url.Values) (rest.Object, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	if id <= 0 {
		return nil, fmt.Errorf("loaders: object id %d of %s must be positive", id, path)
	}
	v, err := l.fetch(ctx, kindObject, path+strconv.Itoa(id)+"/", q)
	if err != nil {
		return nil, err
	}
	return v.(rest.Object), nil
}

// All GETs path?q with limit=PageSize (offset dropped) and follows next to the end. Next links
// must keep to the same path on the same upstream.
func (l *Loader) All(ctx context.Context, path string, q url.Values) ([]rest.Object, error) {
	return l.all(ctx, path, q, nil)
}

// all is All; first, when set, sees the first page before the others are read.
func (l *Loader) all(ctx context.Context, path string, q url.Values, first func(*rest.Page)) ([]rest.Object, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	q = cloneValues(q)
	q.Set("limit", strconv.Itoa(l.opts.PageSize))
	q.Del("offset")
	firstPage, err := l.Page(ctx, path, q)
	if err != nil {
		return nil, err
	}
	if first != nil {
		first(firstPage)
	}
	return l.remaining(ctx, path, q, firstPage)
}

// remaining reads the pages after first and returns all the rows, first's included.
func (l *Loader) remaining(ctx context.Context, path string, q url.Values, first *rest.Page) ([]rest.Object, error) {
	out := slices.Clone(first.Results)
	seen := map[string]bool{canonical(path, q): true}
	// A correct upstream needs count/pageLength pages; the slack allows rows added meanwhile.
	maxRows := 2*first.Count + l.opts.PageSize
	last, more, err := l.otherPages(ctx, path, first, seen)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	for p := last; p.Next != ""; {
		if len(p.Results) == 0 {
			return nil, &rest.Error{Code: rest.CodeBadUpstreamResponse, Detail: "empty page with a next link", Path: canonical(path, q)}
		}
		npath, nq, err := l.nextLink(p.Next)
		if err != nil {
			return nil, err
		}
		c := canonical(npath, nq)
		if npath != path || seen[c] || len(out) > maxRows {
			return nil, &rest.Error{Code: rest.CodeBadUpstreamResponse, Detail: "pagination does not advance", Path: c}
		}
		seen[c] = true
		v, err := l.fetch(ctx, kindPage, npath, nq)
		if err != nil {
			return nil, err
		}
		p = v.(*rest.Page)
		out = append(out, p.Results...)
	}
	return out, nil
}

// otherPages reads, all at once (Concurrency at a time), the pages after first that its count
// announces, when the upstream pages by offset: their offsets follow from the first page's
// length. It returns their rows in order and the last page read, whose next link (rows added
// meanwhile) the caller still follows. The pages are the same every time, so the requests a
// query makes do not depend on timing.
func (l *Loader) otherPages(ctx context.Context, path string, first *rest.Page, seen map[string]bool) (*rest.Page, []rest.Object, error) {
	if first.Next == "" || len(first.Results) == 0 || first.Count <= len(first.Results) {
		return first, nil, nil
	}
	npath, nq, err := l.nextLink(first.Next)
	if err != nil {
		return nil, nil, err
	}
	if npath != path || nq.Get("offset") != strconv.Itoa(len(first.Results)) {
		return first, nil, nil // not offset paging as NetBox writes it: follow the links
	}
	step := len(first.Results)
	var queries []url.Values
	for off := step; off < first.Count; off += step {
		pq := cloneValues(nq)
		pq.Set("offset", strconv.Itoa(off))
		c := canonical(path, pq)
		if seen[c] {
			return nil, nil, &rest.Error{Code: rest.CodeBadUpstreamResponse, Detail: "pagination does not advance", Path: c}
		}
		seen[c] = true
		queries = append(queries, pq)
	}
	pages := make([]*rest.Page, len(queries))
	err = l.parallel(ctx, len(queries), func(ctx context.Context, i int) error {
		v, err := l.fetch(ctx, kindPage, path, queries[i])
		if err != nil {
			return err
		}
		pages[i] = v.(*rest.Page)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var rows []rest.Object
	for _, p := range pages {
		rows = append(rows, p.Results...)
	}
	return pages[len(pages)-1], rows, nil
}

func (l *Loader) nextLink(link string) (string, url.Values, error) {
	rel, err := l.client.RelativePath(link)
	if err != nil {
		return "", nil, err
	}
	path, raw, _ := strings.Cut(rel, "?")
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", nil, &rest.Error{Code: rest.CodeBadUpstreamResponse, Detail: "malformed query in next link", Path: path, Err: err}
	}
	return path, q, nil
}

// ByIDs loads objects by id: ?id=1&id=2… (ids deduplicated and sorted), chunked so that every
// URL stays within MaxURLLength and every chunk within PageSize, chunks fetched in parallel.
// Ids the upstream does not return (absent, or not visible to this token) are absent from the map.
func (l *Loader) ByIDs(ctx context.Context, path string, ids []int, q url.Values) (map[int]rest.Object, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	ids = uniquePositive(ids)
	out := make(map[int]rest.Object, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	chunks, err := l.chunk(path, l.listBase(q, "id"), "id", ids, l.opts.PageSize)
	if err != nil {
		return nil, err
	}
	want := make(map[int]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var mu sync.Mutex
	err = l.parallel(ctx, len(chunks), func(ctx context.Context, i int) error {
		rows, err := l.All(ctx, path, chunks[i])
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, o := range rows {
			if id := o.ID(); want[id] {
				out[id] = o
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ByParents loads the children of many parents through the child list's filter parameter
// param (?device_id=1&device_id=2…), chunked by URL length, pages followed, and split per parent
// with parentOf (the parents a child row belongs to). With a nil parentOf only the upstream knows
// the link, so each parent costs its own list (run Concurrency at a time). Every requested parent
// has an entry, empty when it has no children; children keep the upstream's order.
func (l *Loader) ByParents(ctx context.Context, path, param string, parents []int, q url.Values, parentOf func(rest.Object) []int) (map[int][]rest.Object, error) {
	return l.ByParentGroups(ctx, path, param, [][]int{parents}, q, parentOf, nil)
}

// ByParentGroups is ByParents with the parents grouped by the caller: each group is read by
// requests of its own (more than one where its ids do not fit one URL), all at once. A caller
// that knows how many children each parent has groups them so that each request fits one page.
// Without parentOf the groups do not matter: each parent costs its own list. watch, when set,
// is called once with the rows the batch has (the sum of the first pages' counts), when the
// first page of every request has arrived and before the other pages are all read, so that a
// caller can start what depends on the batch's size early.
func (l *Loader) ByParentGroups(ctx context.Context, path, param string, groups [][]int, q url.Values, parentOf func(rest.Object) []int, watch func(count int)) (map[int][]rest.Object, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	if param == "" {
		return nil, fmt.Errorf("loaders: ByParents of %s: empty parent parameter", path)
	}
	var parents []int
	for _, g := range groups {
		parents = append(parents, g...)
	}
	parents = uniquePositive(parents)
	out := make(map[int][]rest.Object, len(parents))
	for _, p := range parents {
		out[p] = []rest.Object{}
	}
	if len(parents) == 0 {
		return out, nil
	}
	base := cloneValues(q)
	base.Del(param)
	var mu sync.Mutex
	if parentOf == nil {
		err := l.parallel(ctx, len(parents), func(ctx context.Context, i int) error {
			pq := cloneValues(base)
			pq.Set(param, strconv.Itoa(parents[i]))
			rows, err := l.All(ctx, path, pq)
			if err != nil {
				return err
			}
			mu.Lock()
			out[parents[i]] = rows
			mu.Unlock()
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	var chunks []url.Values
	for _, g := range groups {
		c, err := l.Split(path, base, param, g, 0)
		if err != nil {
			return nil, err
		}
		chunks = append(chunks, c...)
	}
	var seen func(*rest.Page)
	if watch != nil {
		count, left := 0, len(chunks)
		seen = func(p *rest.Page) {
			mu.Lock()
			count += p.Count
			left--
			done := left == 0
			mu.Unlock()
			if done {
				watch(count)
			}
		}
	}
	results, err := l.allOf(ctx, path, chunks, seen)
	if err != nil {
		return nil, err
	}
	for _, rows := range results {
		for _, o := range rows {
			for _, p := range dedupe(parentOf(o)) {
				if list, ok := out[p]; ok {
					out[p] = append(list, o)
				}
			}
		}
	}
	return out, nil
}

// PageSize is the limit= of the lists the Loader reads to the end.
func (l *Loader) PageSize() int { return l.opts.PageSize }

// Concurrency is the number of requests of one batch the Loader runs at once.
func (l *Loader) Concurrency() int { return l.opts.Concurrency }

// Split is the queries q + param=v… that read values in runs of at most perChunk (at most
// PageSize), each whole URL within MaxURLLength, as ByParents and ByIDs split them; it makes no
// request, so a caller can weigh a batch before reading it.
func (l *Loader) Split(path string, q url.Values, param string, values []int, perChunk int) ([]url.Values, error) {
	if perChunk <= 0 || perChunk > l.opts.PageSize {
		perChunk = l.opts.PageSize
	}
	return l.chunk(path, l.listBase(q, param), param, uniquePositive(values), perChunk)
}

// listBase is q as All sends it, without param (which the caller fills): limit=PageSize, no
// offset. Chunks are measured against it.
func (l *Loader) listBase(q url.Values, param string) url.Values {
	base := cloneValues(q)
	base.Del(param)
	base.Del("offset")
	base.Set("limit", strconv.Itoa(l.opts.PageSize))
	return base
}

// MinRequests is the fewest requests that could carry n distinct ids as param=…: the n smallest
// positive ids in URLs of MaxURLLength, at most PageSize a request. A caller that knows how many
// children a level has, but not their ids, weighs reading the next level by them against this.
func (l *Loader) MinRequests(path string, q url.Values, param string, n int) int {
	if n <= 0 {
		return 0
	}
	room := l.opts.MaxURLLength - len(l.client.BaseURL()) - len(canonical(path, l.listBase(q, param)))
	per := len(url.QueryEscape(param)) + 2 // "&" param "="
	total, left := 0, n
	for digits, first := 1, 1; left > 0; digits, first = digits+1, first*10 {
		k := min(left, first*9) // the ids of this many digits
		total += k * (per + digits)
		left -= k
	}
	byURL := 1
	if room > 0 {
		byURL = (total + room - 1) / room
	}
	return max(byURL, (n+l.opts.PageSize-1)/l.opts.PageSize)
}

// AllOf reads every query of a batch to its end (as All), Concurrency at a time, and returns the
// rows of each query in order.
func (l *Loader) AllOf(ctx context.Context, path string, queries []url.Values) ([][]rest.Object, error) {
	if err := checkListPath(path); err != nil {
		return nil, err
	}
	return l.allOf(ctx, path, queries, nil)
}

// allOf is AllOf; first, when set, sees the first page of every query.
func (l *Loader) allOf(ctx context.Context, path string, queries []url.Values, first func(*rest.Page)) ([][]rest.Object, error) {
	out := make([][]rest.Object, len(queries))
	err := l.parallel(ctx, len(queries), func(ctx context.Context, i int) error {
		rows, err := l.all(ctx, path, queries[i], first)
		out[i] = rows
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MaxQuery is the longest query string (after the "?") that keeps a URL of path within
// MaxURLLength, for callers that build long queries themselves (filter plans).
func (l *Loader) MaxQuery(path string) int {
	return l.opts.MaxURLLength - len(l.client.BaseURL()) - len(path) - 1
}

// chunk splits values into queries base + param=v…, each at most perChunk values and each whole
// URL (upstream base included) at most MaxURLLength long.
func (l *Loader) chunk(path string, base url.Values, param string, values []int, perChunk int) ([]url.Values, error) {
	fixed := len(l.client.BaseURL()) + len(canonical(path, base))
	if len(base) == 0 {
		fixed++ // the "?"
	}
	strs := make([]string, len(values))
	for i, v := range values {
		strs[i] = strconv.Itoa(v)
	}
	runs, ok := rest.ChunkValues(fixed, l.opts.MaxURLLength, param, strs, perChunk)
	if !ok {
		return nil, fmt.Errorf("loaders: %s with its parameters is too long for any %s chunk within %d characters", path, param, l.opts.MaxURLLength)
	}
	chunks := make([]url.Values, len(runs))
	for i, run := range runs {
		c := cloneValues(base)
		c[param] = run
		chunks[i] = c
	}
	return chunks, nil
}

// parallel runs fn(0..n-1) with at most Concurrency at once; the first error cancels the rest.
func (l *Loader) parallel(ctx context.Context, n int, fn func(context.Context, int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.opts.Concurrency)
	for i := range n {
		g.Go(func() error { return fn(gctx, i) })
	}
	return g.Wait()
}

// fetch returns the decoded answer of GET path?q from, in order: this request's memo, the shared
// cache, a concurrent identical GET, or the upstream.
func (l *Loader) fetch(ctx context.Context, kind, path string, q url.Values) (any, error) {
	if !l.opts.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, l.opts.Deadline)
		defer cancel()
	}
	canon := canonical(path, q)
	key := kind + canon
	var mine *memoEntry
	for mine == nil {
		l.mu.Lock()
		e, ok := l.memo[key]
		if !ok {
			mine = &memoEntry{done: make(chan struct{})}
			l.memo[key] = mine
			l.mu.Unlock()
			break
		}
		l.mu.Unlock()
		start := time.Now()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctxError(ctx, canon)
		}
		if e.abandoned && ctx.Err() == nil {
			continue // its fetcher's context ended, ours did not: fetch again
		}
		l.record(Call{Method: "GET", URL: canon, Status: e.status, Millis: millis(start), Cache: "memo"}, &l.stats.Memo)
		return e.val, e.err
	}
	start := time.Now()
	val, status, attempts, source, err := l.fetchShared(ctx, kind, canon)
	mine.val, mine.status, mine.err = val, status, err
	if err != nil && ctx.Err() != nil {
		mine.abandoned = true
		l.mu.Lock()
		delete(l.memo, key)
		l.mu.Unlock()
	}
	close(mine.done)
	if source != "" {
		var counter *int
		switch source {
		case "miss":
			counter = &l.stats.Upstream
		case "hit":
			counter = &l.stats.Hits
		case "shared":
			counter = &l.stats.Shared
		}
		l.record(Call{Method: "GET", URL: canon, Status: status, Millis: millis(start), Cache: source, Attempts: attempts}, counter)
	}
	return val, err
}

func (l *Loader) record(c Call, counter *int) {
	if l.opts.Observe != nil {
		l.opts.Observe(c)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if counter != nil {
		*counter++
	}
	if l.opts.Explain {
		l.calls = append(l.calls, c)
	}
}

// sfResult is what a coalesced GET hands to everyone waiting for it.
type sfResult struct {
	val      any
	status   int
	attempts int
	err      error
	// leaderGone: the GET failed because the context of the caller that made it ended.
	leaderGone bool
}

// fetchShared consults the shared cache, then coalesces with identical concurrent GETs of any
// request (same token hash and URL), then asks the upstream. source is "" when nothing was
// attempted (budget exceeded, context ended).
func (l *Loader) fetchShared(ctx context.Context, kind, canon string) (val any, status, attempts int, source string, err error) {
	key := l.tokenHash + "|" + kind + "|" + canon
	if l.cache != nil {
		if val, status, ok := l.cached(key, kind, canon); ok {
			return val, status, 0, "hit", nil
		}
	}
	if err := l.reserve(); err != nil {
		return nil, 0, 0, "", err
	}
	if l.cache == nil {
		val, _, status, attempts, err := l.upstream(ctx, kind, canon)
		return val, status, attempts, "miss", err
	}
	for {
		ran := false
		ch := l.cache.group.DoChan(key, func() (any, error) {
			ran = true
			val, body, status, attempts, err := l.upstream(ctx, kind, canon)
			if err == nil {
				page, _ := val.(*rest.Page)
				l.cache.set(key, body, status, page)
			}
			return sfResult{val: val, status: status, attempts: attempts, err: err, leaderGone: err != nil && ctx.Err() != nil}, nil
		})
		if l.cache.joined != nil {
			l.cache.joined()
		}
		var r sfResult
		select {
		case <-ctx.Done():
			// If this caller made the GET, its goroutine ends soon: the GET runs under ctx.
			return nil, 0, 0, "", ctxError(ctx, canon)
		case res := <-ch:
			r = res.Val.(sfResult)
		}
		if ran {
			return r.val, r.status, r.attempts, "miss", r.err
		}
		l.refund()
		if r.leaderGone && ctx.Err() == nil {
			if val, status, ok := l.cached(key, kind, canon); ok {
				return val, status, 0, "hit", nil
			}
			if err := l.reserve(); err != nil {
				return nil, 0, 0, "", err
			}
			continue
		}
		return r.val, r.status, 0, "shared", r.err
	}
}

// cached decodes the shared cache's entry for key, if there is one.
func (l *Loader) cached(key, kind, canon string) (any, int, bool) {
	c, ok := l.cache.get(key)
	if !ok {
		return nil, 0, false
	}
	if kind == kindPage {
		if p := c.livePage(); p != nil {
			return p, c.status, true
		}
	}
	val, err := decode(kind, canon, c.body)
	if err != nil { // it decoded when stored: cannot happen, but an error is no hit
		return nil, 0, false
	}
	if p, ok := val.(*rest.Page); ok {
		c.keepPage(p)
	}
	return val, c.status, true
}

// upstream makes the GET and decodes its body; the body is returned for the shared cache, and
// the attempts made (retries included) for the metrics.
func (l *Loader) upstream(ctx context.Context, kind, canon string) (val any, body []byte, status, attempts int, err error) {
	r, err := l.client.Get(ctx, l.auth, canon)
	status, attempts = 0, 1
	if r != nil {
		status, attempts = r.Status, r.Attempts
	}
	if err != nil {
		return nil, nil, status, attempts, err
	}
	val, err = decode(kind, canon, r.Body)
	if err != nil {
		return nil, nil, status, attempts, err
	}
	return val, r.Body, status, attempts, nil
}

func decode(kind, canon string, body []byte) (any, error) {
	var (
		val any
		err error
	)
	switch kind {
	case kindPage:
		val, err = rest.DecodePage(body)
	default:
		val, err = rest.DecodeObject(body)
	}
	if err != nil {
		var re *rest.Error
		if errors.As(err, &re) {
			re.Path = canon
		}
		return nil, err
	}
	return val, nil
}

func (l *Loader) reserve() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.opts.MaxRequests > 0 && l.used >= l.opts.MaxRequests {
		return &BudgetError{Limit: l.opts.MaxRequests}
	}
	l.used++
	return nil
}

func (l *Loader) refund() {
	l.mu.Lock()
	l.used--
	l.mu.Unlock()
}

func ctxError(ctx context.Context, path string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &rest.Error{Code: rest.CodeCancelled, Detail: "request cancelled", Path: path, Err: ctx.Err()}
	}
	return &rest.Error{Code: rest.CodeUpstreamTimeout, Detail: "deadline exceeded before the upstream answered", Path: path, Err: ctx.Err()}
}

// checkListPath refuses paths that would not address an API collection: the loaders append
// "<id>/" and parameters to them.
func checkListPath(path string) error {
	if !strings.HasPrefix(path, "/api/") || !strings.HasSuffix(path, "/") || strings.ContainsAny(path, "?#") {
		return fmt.Errorf("loaders: path %q must start with /api/, end with / and hold no query", path)
	}
	return nil
}

func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q)+2)
	for k, v := range q {
		c[k] = slices.Clone(v)
	}
	return c
}

func uniquePositive(ids []int) []int {
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		if id > 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func dedupe(ids []int) []int {
	if len(ids) < 2 {
		return ids
	}
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}

func millis(since time.Time) float64 {
	return float64(time.Since(since).Microseconds()) / 1000
}
