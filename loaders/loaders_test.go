package loaders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphbox/graphbox/rest"
)

func vals(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return q
}

func sources(calls []Call) []string {
	var s []string
	for _, c := range calls {
		s = append(s, c.Cache)
	}
	return s
}

func TestCachePerToken(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(time.Minute, 100)
	ctx := context.Background()
	q := vals("name", "dev-2", "limit", "5")

	type step struct {
		auth       string
		wantSource string
		wantSeenBy string
	}
	steps := []step{
		{tokenFull, "miss", "full"},
		{tokenFull, "hit", "full"},
		{tokenEven, "miss", "even"}, // another token never reads the first one's entry
		{tokenEven, "hit", "even"},
		{tokenFull, "hit", "full"},
	}
	for i, s := range steps {
		l := New(client, cache, s.auth, Options{Explain: true})
		p, err := l.Page(ctx, "/api/dcim/devices/", q)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if len(p.Results) != 1 || p.Results[0]["seen_by"] != s.wantSeenBy {
			t.Fatalf("step %d: results %v, want one row seen by %s", i, p.Results, s.wantSeenBy)
		}
		calls := l.Calls()
		if len(calls) != 1 || calls[0].Cache != s.wantSource {
			t.Fatalf("step %d: calls %+v, want one %q", i, calls, s.wantSource)
		}
		if calls[0].URL != "/api/dcim/devices/?limit=5&name=dev-2" || calls[0].Status != 200 || calls[0].Method != "GET" {
			t.Errorf("step %d: call %+v", i, calls[0])
		}
	}
	if got := f.count(); got != 2 {
		t.Errorf("upstream requests = %d, want 2 (one per token)", got)
	}
}

func TestCacheExpiresForLoaders(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(30*time.Millisecond, 100)
	want := []string{"miss", "hit", "miss"}
	for i, w := range want {
		if i == 2 {
			time.Sleep(60 * time.Millisecond) // past the TTL
		}
		l := New(client, cache, tokenFull, Options{Explain: true})
		if _, err := l.Object(context.Background(), "/api/dcim/devices/", 1, nil); err != nil {
			t.Fatal(err)
		}
		if got := sources(l.Calls()); !slices.Equal(got, []string{w}) {
			t.Errorf("round %d: %v, want %s", i, got, w)
		}
	}
	if f.count() != 2 {
		t.Errorf("upstream requests = %d, want 2", f.count())
	}
}

func TestOnlySuccessIsCached(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(time.Minute, 100)
	for i := range 2 {
		l := New(client, cache, tokenEven, Options{})
		_, err := l.Object(context.Background(), "/api/dcim/devices/", 3, nil) // odd: hidden from tokenEven
		if rest.CodeOf(err) != rest.CodeNotFound {
			t.Fatalf("round %d: err = %v, want NOT_FOUND", i, err)
		}
	}
	if got := f.count(); got != 2 {
		t.Errorf("upstream requests = %d, want 2 (a 404 is not cached)", got)
	}
	if cache.Len() != 0 {
		t.Errorf("cache holds %d entries", cache.Len())
	}
}

func TestTokenHash(t *testing.T) {
	a, b := NewCache(time.Minute, 10), NewCache(time.Minute, 10)
	h := a.TokenHash(tokenFull)
	if h == a.TokenHash(tokenEven) {
		t.Error("two tokens hash alike")
	}
	if h != a.TokenHash(tokenFull) {
		t.Error("hash is not stable")
	}
	if h == b.TokenHash(tokenFull) {
		t.Error("two caches share the HMAC key")
	}
	if strings.Contains(h, "full-0123456789") {
		t.Error("hash holds the token")
	}
}

// TestCacheKeysHoldNoToken inspects the stored keys themselves.
func TestCacheKeysHoldNoToken(t *testing.T) {
	f := newFake(t)
	cache := NewCache(time.Minute, 100)
	l := New(f.client(t), cache, tokenFull, Options{})
	if _, err := l.All(context.Background(), "/api/dcim/devices/", nil); err != nil {
		t.Fatal(err)
	}
	items := cache.store.Items()
	if len(items) == 0 {
		t.Fatal("nothing cached")
	}
	for k := range items {
		if strings.Contains(k, "full-0123456789") || !strings.HasPrefix(k, cache.TokenHash(tokenFull)+"|") {
			t.Errorf("cache key %q", k)
		}
	}
}

func TestCacheTTLAndBound(t *testing.T) {
	t.Run("ttl", func(t *testing.T) {
		c := NewCache(30*time.Millisecond, 10)
		c.set("a", []byte("1"), 200, nil)
		if _, ok := c.get("a"); !ok {
			t.Fatal("fresh entry missing")
		}
		time.Sleep(60 * time.Millisecond)
		if _, ok := c.get("a"); ok {
			t.Error("entry outlived its TTL")
		}
		c.set("b", []byte("2"), 200, nil)
		if c.Len() != 1 || c.Bytes() != c.charge("b", 1) {
			t.Errorf("Len = %d, Bytes = %d; want 1 entry of %d bytes", c.Len(), c.Bytes(), c.charge("b", 1))
		}
	})
	t.Run("expired entries are dropped as others are stored", func(t *testing.T) {
		c := NewCache(30*time.Millisecond, 10)
		c.set("a", []byte("1"), 200, nil)
		c.set("b", []byte("2"), 200, nil)
		time.Sleep(60 * time.Millisecond)
		c.set("c", []byte("3"), 200, nil)
		if c.Len() != 1 || c.store.ItemCount() != 1 {
			t.Errorf("Len = %d, store %d; want only c", c.Len(), c.store.ItemCount())
		}
	})
	t.Run("off", func(t *testing.T) {
		c := NewCache(0, 10)
		c.set("a", []byte("1"), 200, nil)
		if _, ok := c.get("a"); ok || c.Len() != 0 || c.Bytes() != 0 {
			t.Error("a zero-TTL cache stored something")
		}
	})
	tests := []struct {
		name    string
		ops     []string // "+k" set k, "?k" get k
		present []string
		absent  []string
	}{
		{"evicts least recently stored first", []string{"+1", "+2", "+3", "+4", "+5"}, []string{"3", "4", "5"}, []string{"1", "2"}},
		{"overwrite keeps the bound", []string{"+1", "+2", "+3", "+1", "+1", "+4"}, []string{"1", "3", "4"}, []string{"2"}},
		{"overwrite moves a key back", []string{"+1", "+2", "+3", "+1", "+4", "+5"}, []string{"1", "4", "5"}, []string{"2", "3"}},
		{"a read moves a key back", []string{"+1", "+2", "+3", "?1", "+4", "+5"}, []string{"1", "4", "5"}, []string{"2", "3"}},
		{"reads order the keys", []string{"+1", "+2", "+3", "?3", "?2", "?1", "+4"}, []string{"1", "2", "4"}, []string{"3"}},
	}
	for _, tc := range tests {
		for _, bound := range []string{"entries", "bytes"} {
			t.Run(tc.name+" by "+bound, func(t *testing.T) {
				c := NewCache(time.Minute, 3)
				if bound == "bytes" {
					// Room for three 100-byte bodies with one-digit keys, not four.
					c = NewBoundedCache(CacheOptions{TTL: time.Minute, MaxBytes: 3*(100+1+entryOverhead) + 50, MaxEntryShare: 1})
				}
				for _, op := range tc.ops {
					switch op[0] {
					case '+':
						c.set(op[1:], make([]byte, 100), 200, nil)
					case '?':
						c.get(op[1:])
					}
					if c.Len() > 3 {
						t.Fatalf("Len = %d after %s", c.Len(), op)
					}
				}
				for _, k := range tc.present {
					if _, ok := c.get(k); !ok {
						t.Errorf("%s evicted", k)
					}
				}
				for _, k := range tc.absent {
					if _, ok := c.get(k); ok {
						t.Errorf("%s kept", k)
					}
				}
				c.checkConsistent(t)
			})
		}
	}
}

// charge is what an entry of key with a body of n bytes (capacity n) costs.
func (c *Cache) charge(key string, n int) int64 { return int64(n+len(key)) + entryOverhead }

// checkConsistent compares the index, both orders, go-cache and the byte count.
func (c *Cache) checkConsistent(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for k, e := range c.index {
		v, ok := c.store.Get(k)
		if !ok {
			t.Errorf("%s indexed, not in go-cache", k)
			continue
		}
		sum += c.charge(k, cap(v.(*stored).body))
		if e.size != c.charge(k, cap(v.(*stored).body)) {
			t.Errorf("%s charged %d", k, e.size)
		}
	}
	if n := len(c.index); c.store.ItemCount() != n || c.lru.Len() != n || c.fifo.Len() != n {
		t.Errorf("index %d, go-cache %d, lru %d, fifo %d", n, c.store.ItemCount(), c.lru.Len(), c.fifo.Len())
	}
	if sum != c.bytes {
		t.Errorf("bytes = %d, entries sum to %d", c.bytes, sum)
	}
	if c.bytes > c.maxBytes || len(c.index) > c.max {
		t.Errorf("%d bytes in %d entries: over the bounds %d, %d", c.bytes, len(c.index), c.maxBytes, c.max)
	}
}

func TestCacheBoundUnderLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts CacheOptions
	}{
		{"entries", CacheOptions{TTL: time.Minute, MaxEntries: 50}},
		{"bytes", CacheOptions{TTL: time.Minute, MaxBytes: 64 << 10, MaxEntryShare: 0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewBoundedCache(tc.opts)
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 500 {
						// Sizes 0..8 KiB, distinct keys mostly, some read back.
						c.set(fmt.Sprint(g, "-", i%120), make([]byte, (i*997)%(8<<10)), 200, nil)
						c.get(fmt.Sprint(g, "-", i%7))
						if b := c.Bytes(); b > c.maxBytes {
							t.Errorf("%d bytes charged, bound %d", b, c.maxBytes)
						}
					}
				}()
			}
			wg.Wait()
			c.checkConsistent(t)
			if s := c.Stats(); s.Evictions == 0 || s.Entries == 0 {
				t.Errorf("stats %+v: the load should have evicted", s)
			}
		})
	}
}

// TestCacheOversizeSkipped: an answer over the per-entry share is not stored and evicts nothing.
func TestCacheOversizeSkipped(t *testing.T) {
	c := NewBoundedCache(CacheOptions{TTL: time.Minute, MaxBytes: 100 << 10, MaxEntryShare: 0.25})
	c.set("small", make([]byte, 1000), 200, nil)
	c.set("big", make([]byte, 25<<10), 200, nil) // plus key and overhead: over 25 KiB
	if _, ok := c.get("big"); ok {
		t.Error("an answer over the share was stored")
	}
	if _, ok := c.get("small"); !ok {
		t.Error("storing an oversize answer evicted another")
	}
	c.set("small", make([]byte, 30<<10), 200, nil) // a key's new answer too large: the old one goes
	if _, ok := c.get("small"); ok {
		t.Error("a stale answer outlived its oversize replacement")
	}
	if s := c.Stats(); s.Oversize != 2 || s.Entries != 0 || s.Bytes != 0 {
		t.Errorf("stats %+v, want 2 oversize, nothing held", s)
	}
	c.checkConsistent(t)
}

func TestMemo(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{Explain: true})
	ctx := context.Background()
	q := vals("limit", "3")
	var wg sync.WaitGroup
	pages := make([]*rest.Page, 20)
	errs := make([]error, 20)
	for i := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages[i], errs[i] = l.Page(ctx, "/api/dcim/devices/", q)
		}()
	}
	wg.Wait()
	for i := range pages {
		if errs[i] != nil || pages[i] != pages[0] {
			t.Fatalf("caller %d: %v / different page", i, errs[i])
		}
	}
	// Parameters in another order are the same canonical URL.
	if _, err := l.Page(ctx, "/api/dcim/devices/", url.Values{"limit": {"3"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.count(); got != 1 {
		t.Errorf("upstream requests = %d, want 1", got)
	}
	st := l.Stats()
	if st.Upstream != 1 || st.Memo != 20 {
		t.Errorf("stats %+v, want 1 upstream and 20 memo", st)
	}
	if got := sources(l.Calls()); slices.Index(got, "miss") < 0 || len(got) != 21 {
		t.Errorf("calls %v", got)
	}
}

func TestMemoKeepsErrorsForTheRequest(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{})
	for range 3 {
		if _, err := l.Object(context.Background(), "/api/dcim/devices/", 9999, nil); rest.CodeOf(err) != rest.CodeNotFound {
			t.Fatalf("err = %v", err)
		}
	}
	if got := f.count(); got != 1 {
		t.Errorf("upstream requests = %d, want 1", got)
	}
}

// joinN makes the cache report when n callers have joined a coalesced GET, then opens the gate.
func joinN(f *fakeNB, c *Cache, n int) {
	var mu sync.Mutex
	joined := 0
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	c.joined = func() {
		mu.Lock()
		defer mu.Unlock()
		joined++
		if joined == n {
			close(gate)
		}
	}
}

func TestCoalescing(t *testing.T) {
	tests := []struct {
		name      string
		tokens    []string
		wantHits  int
		wantShare int
	}{
		{"same token, 10 requests", slices.Repeat([]string{tokenFull}, 10), 1, 9},
		{"two tokens never share", []string{tokenFull, tokenEven, tokenFull, tokenEven}, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			client := f.client(t)
			cache := NewCache(0, 10) // store nothing: only coalescing can save requests
			joinN(f, cache, len(tc.tokens))
			var wg sync.WaitGroup
			loaders := make([]*Loader, len(tc.tokens))
			for i, tok := range tc.tokens {
				loaders[i] = New(client, cache, tok, Options{})
				wg.Add(1)
				go func() {
					defer wg.Done()
					p, err := loaders[i].Page(context.Background(), "/api/dcim/devices/", vals("id", "4"))
					if err != nil || len(p.Results) != 1 || p.Results[0]["seen_by"] != tokenName(tok) {
						t.Errorf("loader %d: %v %v", i, p, err)
					}
				}()
			}
			wg.Wait()
			if got := f.count(); got != tc.wantHits {
				t.Errorf("upstream requests = %d, want %d", got, tc.wantHits)
			}
			shared := 0
			for _, l := range loaders {
				shared += l.Stats().Shared
			}
			if shared != tc.wantShare {
				t.Errorf("shared = %d, want %d", shared, tc.wantShare)
			}
		})
	}
}

// TestCoalescedLeaderCancelled: the caller that made the shared GET goes away; the others still
// get an answer rather than its cancellation.
func TestCoalescedLeaderCancelled(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(time.Minute, 10)
	gate := make(chan struct{})
	f.gate = gate
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	joined := make(chan struct{}, 2)
	cache.joined = func() { joined <- struct{}{} }
	leaderErr := make(chan error, 1)
	go func() {
		_, err := New(client, cache, tokenFull, Options{}).Page(leaderCtx, "/api/dcim/devices/", nil)
		leaderErr <- err
	}()
	<-joined
	followerErr := make(chan error, 1)
	go func() {
		_, err := New(client, cache, tokenFull, Options{}).Page(context.Background(), "/api/dcim/devices/", nil)
		followerErr <- err
	}()
	<-joined
	cancelLeader()
	if err := <-leaderErr; rest.CodeOf(err) != rest.CodeCancelled {
		t.Errorf("leader err = %v, want CANCELLED", err)
	}
	// The follower takes over once the leader's GET has failed; let it through the gate.
	select {
	case <-joined:
	case err := <-followerErr:
		t.Fatalf("follower returned without making the GET again: %v", err)
	case <-time.After(10 * time.Second):
		close(gate)
		t.Fatal("the follower neither took over nor returned")
	}
	close(gate)
	if err := <-followerErr; err != nil {
		t.Errorf("follower err = %v", err)
	}
}

func TestAll(t *testing.T) {
	tests := []struct {
		name     string
		maxLimit int
		pageSize int
		q        url.Values
		wantRows int
		wantHits int
	}{
		{"one page", 1000, 1000, nil, 500, 1},
		{"upstream caps the page", 100, 1000, nil, 500, 5},
		{"small page size", 1000, 200, nil, 500, 3},
		{"offset and limit of the caller are replaced", 1000, 1000, vals("offset", "100", "limit", "7"), 500, 1},
		{"filtered", 1000, 1000, vals("name", "dev-3", "name", "dev-4"), 2, 1},
		{"nothing", 1000, 1000, vals("name", "none"), 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.maxLimit = tc.maxLimit
			l := New(f.client(t), nil, tokenFull, Options{PageSize: tc.pageSize})
			rows, err := l.All(context.Background(), "/api/dcim/devices/", tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.wantRows {
				t.Errorf("rows = %d, want %d", len(rows), tc.wantRows)
			}
			seen := map[int]bool{}
			for _, r := range rows {
				if seen[r.ID()] {
					t.Errorf("row %d twice", r.ID())
				}
				seen[r.ID()] = true
			}
			if got := f.count(); got != tc.wantHits {
				t.Errorf("upstream requests = %d, want %d: %v", got, tc.wantHits, f.requests())
			}
		})
	}
}

// TestAllPagesAtOnce: once the first page tells the count, the other pages are read at once,
// each exactly once, and the rows come back in the upstream's order.
func TestAllPagesAtOnce(t *testing.T) {
	f := newFake(t)
	f.maxLimit, f.barrier = 100, 4 // 500 devices: the first page, then 4 more
	l := New(f.client(t), nil, tokenFull, Options{PageSize: 1000, Concurrency: 8})
	rows, err := l.All(context.Background(), "/api/dcim/devices/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 500 {
		t.Fatalf("rows = %d, want 500", len(rows))
	}
	for i, r := range rows {
		if r.ID() != i+1 {
			t.Fatalf("row %d has id %d: out of the upstream's order", i, r.ID())
		}
	}
	if got := f.count(); got != 5 {
		t.Errorf("upstream requests = %d, want 5: %v", got, f.requests())
	}
	f.mu.Lock()
	most := f.most
	f.mu.Unlock()
	if most != 4 {
		t.Errorf("at most %d page requests in flight at once, want the 4 pages after the first", most)
	}
}

func TestAllBadNext(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*fakeNB)
	}{
		{"next to another host", func(f *fakeNB) { f.nextHost = "http://evil.example.com" }},
		{"next to itself", func(f *fakeNB) { f.loopNext = true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.maxLimit = 100
			tc.setup(f)
			l := New(f.client(t), nil, tokenFull, Options{})
			_, err := l.All(context.Background(), "/api/dcim/devices/", nil)
			if rest.CodeOf(err) != rest.CodeBadUpstreamResponse {
				t.Fatalf("err = %v, want BAD_UPSTREAM_RESPONSE", err)
			}
			for _, r := range f.requests() {
				if strings.Contains(r, "evil") {
					t.Errorf("request went to %s", r)
				}
			}
		})
	}
}

func TestByIDs(t *testing.T) {
	many := make([]int, 0, 400)
	for i := 400; i >= 1; i-- {
		many = append(many, i, i) // duplicates, reverse order
	}
	tests := []struct {
		name       string
		auth       string
		ids        []int
		maxURL     int
		pageSize   int
		maxLimit   int
		wantIDs    int
		wantHits   int
		checkShort bool
	}{
		{"one chunk", tokenFull, []int{5, 3, 3, 0, -1, 9999}, 4000, 1000, 1000, 2, 1, false},
		{"chunked by URL length", tokenFull, many, 300, 1000, 1000, 400, -1, true},
		{"chunked by page size", tokenFull, many, 100000, 50, 1000, 400, 8, false},
		{"upstream caps below the page size", tokenFull, many, 100000, 1000, 100, 400, 4, false},
		{"token sees half", tokenEven, many, 1000, 1000, 1000, 200, -1, true},
		{"no ids", tokenFull, nil, 4000, 1000, 1000, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.maxLimit = tc.maxLimit
			l := New(f.client(t), NewCache(time.Minute, 1000), tc.auth, Options{MaxURLLength: tc.maxURL, PageSize: tc.pageSize})
			got, err := l.ByIDs(context.Background(), "/api/dcim/devices/", tc.ids, vals("brief", "1"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantIDs {
				t.Errorf("got %d objects, want %d", len(got), tc.wantIDs)
			}
			for id, o := range got {
				if o.ID() != id || !slices.Contains(tc.ids, id) {
					t.Errorf("object %d under key %d", o.ID(), id)
				}
			}
			if tc.wantHits >= 0 && f.count() != tc.wantHits {
				t.Errorf("upstream requests = %d, want %d", f.count(), tc.wantHits)
			}
			if tc.checkShort {
				if f.count() < 2 {
					t.Errorf("only %d request(s): not chunked", f.count())
				}
				if f.longest > tc.maxURL {
					t.Errorf("longest URL %d > %d", f.longest, tc.maxURL)
				}
			}
			for _, r := range f.requests() {
				if !strings.Contains(r, "brief=1") {
					t.Errorf("request %s lost the caller's parameters", r)
				}
			}
		})
	}
}

func TestByIDsPathTooLong(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{MaxURLLength: 50})
	_, err := l.ByIDs(context.Background(), "/api/dcim/devices/", []int{1}, vals("name", strings.Repeat("x", 100)))
	if err == nil || f.count() != 0 {
		t.Errorf("err = %v, requests %d", err, f.count())
	}
}

func deviceOf(o rest.Object) []int {
	d, _ := o["device"].(map[string]any)
	return []int{rest.Object(d).ID()}
}

func TestByParents(t *testing.T) {
	parents := []int{7, 3, 3, 450, 9999}
	tests := []struct {
		name     string
		auth     string
		parentOf func(rest.Object) []int
		maxURL   int
		pageSize int
		maxLimit int
		wantHits int
		want     map[int]int // parent -> children
	}{
		{"one request", tokenFull, deviceOf, 4000, 1000, 1000, 1, map[int]int{3: 3, 7: 3, 450: 3, 9999: 0}},
		{"pages followed", tokenFull, deviceOf, 4000, 4, 1000, 3, map[int]int{3: 3, 7: 3, 450: 3, 9999: 0}},
		{"upstream caps the page", tokenFull, deviceOf, 4000, 1000, 2, 5, map[int]int{3: 3, 7: 3, 450: 3, 9999: 0}},
		{"chunked by URL length", tokenFull, deviceOf, -len("&device_id=3&device_id=7&device_id=450"), 1000, 1000, 2, map[int]int{3: 3, 7: 3, 450: 3, 9999: 0}},
		{"only the upstream knows the link", tokenFull, nil, 4000, 1000, 1000, 4, map[int]int{3: 3, 7: 3, 450: 3, 9999: 0}},
		{"token sees part", tokenEven, deviceOf, 4000, 1000, 1000, 1, map[int]int{3: 2, 7: 2, 450: 2, 9999: 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.maxLimit = tc.maxLimit
			if tc.maxURL < 0 { // room for -maxURL characters of parent parameters
				tc.maxURL = len(f.srv.URL+"/api/dcim/interfaces/?limit=1000") - tc.maxURL
			}
			l := New(f.client(t), nil, tc.auth, Options{MaxURLLength: tc.maxURL, PageSize: tc.pageSize})
			got, err := l.ByParents(context.Background(), "/api/dcim/interfaces/", "device_id", parents, vals("device_id", "1"), tc.parentOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("parents = %d, want %d", len(got), len(tc.want))
			}
			for p, n := range tc.want {
				kids, ok := got[p]
				if !ok || kids == nil || len(kids) != n {
					t.Errorf("parent %d: %d children (present %v), want %d", p, len(kids), ok, n)
				}
				for i, k := range kids {
					if deviceOf(k)[0] != p {
						t.Errorf("parent %d got child of %d", p, deviceOf(k)[0])
					}
					if i > 0 && k.ID() <= kids[i-1].ID() {
						t.Errorf("parent %d: children out of upstream order", p)
					}
				}
			}
			if f.count() != tc.wantHits {
				t.Errorf("upstream requests = %d, want %d: %v", f.count(), tc.wantHits, f.requests())
			}
			if f.longest > tc.maxURL {
				t.Errorf("longest URL %d > %d", f.longest, tc.maxURL)
			}
		})
	}
}

func TestByParentsGenericParentOf(t *testing.T) {
	// A row may belong to several parents (e.g. a tagged VLAN on many interfaces).
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{})
	both := func(o rest.Object) []int { return []int{1, 2, 2} }
	got, err := l.ByParents(context.Background(), "/api/dcim/devices/", "id", []int{1, 2}, nil, both)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[1]) != 2 || len(got[2]) != 2 {
		t.Errorf("got %d and %d rows, want 2 and 2", len(got[1]), len(got[2]))
	}
}

func TestBudget(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(time.Minute, 100)
	ctx := context.Background()
	warm := New(client, cache, tokenFull, Options{})
	if _, err := warm.Page(ctx, "/api/dcim/devices/", vals("id", "1")); err != nil {
		t.Fatal(err)
	}
	l := New(client, cache, tokenFull, Options{MaxRequests: 2})
	steps := []struct {
		id      string
		wantErr bool
	}{
		{"1", false}, // cache hit: free
		{"2", false},
		{"2", false}, // memo: free
		{"3", false},
		{"4", true},
		{"1", false},
	}
	for _, s := range steps {
		_, err := l.Page(ctx, "/api/dcim/devices/", vals("id", s.id))
		if s.wantErr != (err != nil) {
			t.Fatalf("id %s: err = %v", s.id, err)
		}
		if s.wantErr {
			if !errors.Is(err, ErrTooManyRequests) || rest.CodeOf(err) != CodeTooManyRequests {
				t.Errorf("err = %v (%T), want ErrTooManyRequests", err, err)
			}
			var ext interface{ Extensions() map[string]any }
			if !errors.As(err, &ext) || ext.Extensions()["code"] != CodeTooManyRequests {
				t.Errorf("extensions of %v", err)
			}
		}
	}
	if calls := l.Calls(); len(calls) != 0 {
		t.Errorf("calls recorded without Explain: %v", calls)
	}
	if st := l.Stats(); st != (Stats{Upstream: 2, Hits: 1, Memo: 2}) {
		t.Errorf("stats %+v", st)
	}
	// ByIDs over budget fails as a whole.
	l2 := New(client, nil, tokenFull, Options{MaxRequests: 3, PageSize: 10})
	ids := make([]int, 100)
	for i := range ids {
		ids[i] = i + 1
	}
	if _, err := l2.ByIDs(ctx, "/api/dcim/devices/", ids, nil); !errors.Is(err, ErrTooManyRequests) {
		t.Errorf("ByIDs err = %v", err)
	}
}

func TestUpstreamErrorsPassThrough(t *testing.T) {
	f := newFake(t)
	f.status = http.StatusServiceUnavailable
	l := New(f.client(t), NewCache(time.Minute, 10), tokenFull, Options{Explain: true})
	_, err := l.ByIDs(context.Background(), "/api/dcim/devices/", []int{1, 2}, nil)
	if rest.CodeOf(err) != rest.CodeUpstreamUnavailable {
		t.Fatalf("err = %v", err)
	}
	calls := l.Calls()
	if len(calls) != 1 || calls[0].Status != 503 || calls[0].Cache != "miss" {
		t.Errorf("calls %+v", calls)
	}
}

func TestBadArguments(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{})
	ctx := context.Background()
	checks := []error{
		func() error { _, err := l.Page(ctx, "api/dcim/devices/", nil); return err }(),
		func() error { _, err := l.Page(ctx, "/api/dcim/devices", nil); return err }(),
		func() error { _, err := l.Page(ctx, "/api/dcim/devices/?x=1/", nil); return err }(),
		func() error { _, err := l.Object(ctx, "/api/dcim/devices/", 0, nil); return err }(),
		func() error { _, err := l.All(ctx, "/x/", nil); return err }(),
		func() error { _, err := l.ByIDs(ctx, "/x/", []int{1}, nil); return err }(),
		func() error { _, err := l.ByParents(ctx, "/api/dcim/interfaces/", "", []int{1}, nil, nil); return err }(),
	}
	for i, err := range checks {
		if err == nil {
			t.Errorf("check %d: no error", i)
		}
	}
	if f.count() != 0 {
		t.Errorf("upstream requests = %d", f.count())
	}
}

// TestCancelDoesNotLeak cancels a wide ByIDs while every request hangs upstream and checks that
// it returns and leaves no goroutine behind.
func TestCancelDoesNotLeak(t *testing.T) {
	f := newFake(t)
	f.gate = make(chan struct{}) // never opened
	tr := rest.NewTransport()
	client, err := rest.New(rest.Options{BaseURL: f.srv.URL, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int, 300)
	for i := range ids {
		ids[i] = i + 1
	}
	l := New(client, NewCache(time.Minute, 10), tokenFull, Options{PageSize: 10, Concurrency: 4})
	before := runtime.NumGoroutine() // the cache's janitor included
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 3)
	go func() { _, err := l.ByIDs(ctx, "/api/dcim/devices/", ids, nil); done <- err }()
	go func() { _, err := l.ByIDs(ctx, "/api/dcim/devices/", ids, nil); done <- err }() // memo waiters
	go func() {
		_, err := l.ByParents(ctx, "/api/dcim/interfaces/", "device_id", ids[:20], nil, nil)
		done <- err
	}()
	for wait := time.Now().Add(10 * time.Second); f.count() < 4; {
		if time.Now().After(wait) {
			t.Fatal("requests did not reach the upstream")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	for range 3 {
		if err := <-done; rest.CodeOf(err) != rest.CodeCancelled {
			t.Errorf("err = %v, want CANCELLED", err)
		}
	}
	tr.CloseIdleConnections()
	f.srv.CloseClientConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		tr.CloseIdleConnections()
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestConcurrentMix hammers one Loader and a shared Cache from many goroutines (run with -race).
func TestConcurrentMix(t *testing.T) {
	f := newFake(t)
	f.maxLimit = 100
	client := f.client(t)
	cache := NewCache(time.Minute, 20)
	var wg sync.WaitGroup
	for r := range 4 {
		l := New(client, cache, []string{tokenFull, tokenEven}[r%2], Options{Explain: true, PageSize: 50})
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				ids := []int{g + 1, g + 2, g + 30, 200}
				if _, err := l.ByIDs(ctx, "/api/dcim/devices/", ids, nil); err != nil {
					t.Error(err)
				}
				if _, err := l.ByParents(ctx, "/api/dcim/interfaces/", "device_id", ids, nil, deviceOf); err != nil {
					t.Error(err)
				}
				if _, err := l.Object(ctx, "/api/dcim/devices/", 200, nil); err != nil {
					t.Error(err)
				}
				if _, err := l.All(ctx, "/api/dcim/devices/", vals("name", "dev-1")); err != nil {
					t.Error(err)
				}
				_ = l.Calls()
				_ = l.Stats()
			}()
		}
	}
	wg.Wait()
}

func BenchmarkCacheHitPage(b *testing.B) {
	f := newFake(b)
	c, _ := rest.New(rest.Options{BaseURL: f.srv.URL})
	cache := NewCache(time.Hour, 1000)
	ctx := context.Background()
	q := vals("limit", "100")
	if _, err := New(c, cache, tokenFull, Options{}).Page(ctx, "/api/dcim/devices/", q); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		l := New(c, cache, tokenFull, Options{})
		if _, err := l.Page(ctx, "/api/dcim/devices/", q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkByIDsCached(b *testing.B) {
	f := newFake(b)
	c, _ := rest.New(rest.Options{BaseURL: f.srv.URL})
	cache := NewCache(time.Hour, 1000)
	ctx := context.Background()
	ids := make([]int, 500)
	for i := range ids {
		ids[i] = i + 1
	}
	for b.Loop() {
		l := New(c, cache, tokenFull, Options{PageSize: 100})
		if got, err := l.ByIDs(ctx, "/api/dcim/devices/", ids, nil); err != nil || len(got) != 500 {
			b.Fatal(err, len(got))
		}
	}
}

func BenchmarkCacheSet(b *testing.B) {
	c := NewCache(time.Hour, 1000)
	body := make([]byte, 100)
	i := 0
	for b.Loop() {
		c.set(fmt.Sprint(i%5000), body, 200, nil)
		i++
	}
}

// TestDeadlineIsUpstreamTimeout: when the upstream context's deadline passes, the caller that
// made the GET, a caller of the same request waiting on it (memo) and one of another request
// coalesced with it all get UPSTREAM_TIMEOUT, the fields' code for "answered too late".
func TestDeadlineIsUpstreamTimeout(t *testing.T) {
	f := newFake(t)
	client := f.client(t)
	cache := NewCache(time.Minute, 10)
	gate := make(chan struct{})
	f.gate = gate
	defer close(gate)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	same := New(client, cache, tokenFull, Options{})
	other := New(client, cache, tokenFull, Options{})
	errs := make(chan error, 3)
	for _, l := range []*Loader{same, same, other} {
		go func() {
			_, err := l.Page(ctx, "/api/dcim/devices/", vals("limit", "1"))
			errs <- err
		}()
	}
	for range 3 {
		err := <-errs
		if rest.CodeOf(err) != rest.CodeUpstreamTimeout || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want UPSTREAM_TIMEOUT wrapping the deadline", err)
		}
	}
	if n := f.count(); n != 1 {
		t.Errorf("upstream requests = %d, want 1", n)
	}
}

// TestByParentGroupsWatch: the watch sees, once, the rows the whole batch has (the sum of its chunks'
// counts), before any page after the first is asked.
func TestByParentGroupsWatch(t *testing.T) {
	parents := []int{3, 7, 450}
	for _, tc := range []struct {
		name   string
		maxURL int // < 0: room for -maxURL characters of parent parameters
		chunks int
	}{
		{"one chunk", 4000, 1},
		{"two chunks", -len("&device_id=3&device_id=7"), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.maxURL < 0 {
				tc.maxURL = len(f.srv.URL+"/api/dcim/interfaces/?limit=4") - tc.maxURL
			}
			// 9 rows in pages of 4: the first page of each chunk, then the others.
			l := New(f.client(t), nil, tokenFull, Options{MaxURLLength: tc.maxURL, PageSize: 4})
			calls, asked := 0, 0
			seen := 0
			got, err := l.ByParentGroups(context.Background(), "/api/dcim/interfaces/", "device_id", [][]int{parents}, nil, deviceOf, func(count int) {
				calls++
				seen, asked = count, f.count()
			})
			if err != nil {
				t.Fatal(err)
			}
			rows := 0
			for _, kids := range got {
				rows += len(kids)
			}
			if calls != 1 || seen != rows || rows != 9 {
				t.Errorf("watch called %d times with count %d; want once with %d (of 9)", calls, seen, rows)
			}
			if tc.chunks == 1 && asked != 1 {
				t.Errorf("watch called after %d requests, want after the first page alone", asked)
			}
			if f.count() <= tc.chunks {
				t.Errorf("%d requests: the test wants pages after the first ones (%v)", f.count(), f.requests())
			}
		})
	}
}

// TestMinRequestsBound: MinRequests never exceeds the requests Split makes for any n distinct
// ids, and is within a tenth (and one) of it for the n smallest.
func TestMinRequestsBound(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{MaxURLLength: 600, PageSize: 50})
	q := vals("fields", "id,name")
	for _, n := range []int{1, 9, 10, 49, 50, 51, 99, 100, 101, 999, 1000, 5000} {
		smallest := make([]int, n)
		spread := make([]int, n)
		for i := range n {
			smallest[i] = i + 1
			spread[i] = 1000 + i*97
		}
		least := l.MinRequests("/api/dcim/interfaces/", q, "interface_id", n)
		a, err := l.Split("/api/dcim/interfaces/", q, "interface_id", smallest, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := l.Split("/api/dcim/interfaces/", q, "interface_id", spread, 0)
		if err != nil {
			t.Fatal(err)
		}
		if least > len(a) || least > len(b) || len(a) > least+least/10+1 {
			t.Errorf("n=%d: MinRequests %d; Split makes %d for the smallest ids, %d for others", n, least, len(a), len(b))
		}
	}
}

// TestByParentGroups: each group of parents is read by its own request, all of them split back
// per parent as ByParents does.
func TestByParentGroups(t *testing.T) {
	f := newFake(t)
	l := New(f.client(t), nil, tokenFull, Options{})
	got, err := l.ByParentGroups(context.Background(), "/api/dcim/interfaces/", "device_id", [][]int{{3, 7}, {450}, {9999}}, nil, deviceOf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 3 {
		t.Errorf("%d requests, want one a group: %v", n, f.requests())
	}
	want, err := l.ByParents(context.Background(), "/api/dcim/interfaces/", "device_id", []int{3, 7, 450, 9999}, nil, deviceOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("by groups %v, want as ByParents %v", got, want)
	}
}
