package loaders

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sync"
	"time"
	"weak"

	"github.com/graphbox/graphbox/rest"
	gocache "github.com/patrickmn/go-cache"
	"golang.org/x/sync/singleflight"
)

// Defaults of a Cache's bounds (CacheOptions fields <= 0).
const (
	DefaultMaxEntries = 10000
	DefaultMaxBytes   = 256 << 20
	// DefaultMaxEntryShare keeps one answer from taking more than 1/20 of the budget: a 1000-row
	// page of interfaces (~1.5 MB) fits a 64 MiB cache, a page of 13 MB fits the default one.
	DefaultMaxEntryShare = 0.05
)

// entryOverhead is what an entry costs besides its body and its key: the index and go-cache
// map slots, the two list elements, the entry and the stored value (TestCacheChargeSmallEntries
// measures it: ~330 bytes on amd64, the allocator's rounding of a small body included).
const entryOverhead = 336

// CacheOptions bound a Cache.
type CacheOptions struct {
	TTL        time.Duration // how long an answer is reused; <= 0 stores nothing (coalescing stays)
	MaxEntries int           // most entries held; <= 0 means DefaultMaxEntries
	MaxBytes   int64         // most bytes charged (bodies, keys, bookkeeping); <= 0 means DefaultMaxBytes
	// MaxEntryShare is the largest share of MaxBytes one entry may take; larger answers are not
	// cached. <= 0 or > 1 means DefaultMaxEntryShare.
	MaxEntryShare float64
}

// Cache is the process-wide store shared by every request's Loader: upstream answers for a TTL,
// and the coalescing of identical concurrent upstream GETs. Entries are keyed by an HMAC of the
// Authorization header (with a random key made per process, so a key reveals nothing and dies
// with the process) plus the canonical URL: two tokens never share an entry.
//
// An entry holds the upstream's JSON body as it arrived, decoded again on a hit (unless the page
// last decoded from it is still in memory, held weakly): decoded maps of maps cost 3-4 times
// their wire size, and the bound is in bytes. The charge of an entry
// is its body's capacity, its key and a fixed overhead. Past MaxBytes or MaxEntries, the least
// recently used entries are evicted; expired ones go first (one TTL for all: insertion order is
// expiry order) as entries are read or stored. go-cache holds the bodies (its janitor is off: only
// this type deletes, so its index and go-cache never disagree).
type Cache struct {
	store    *gocache.Cache // nil when caching is off
	ttl      time.Duration
	max      int
	maxBytes int64
	maxEntry int64
	key      []byte
	group    singleflight.Group
	// joined, set by tests only, is called each time a caller has joined a coalesced GET.
	joined func()

	mu      sync.Mutex
	index   map[string]*entry
	lru     list.List // *entry, most recently used at the front
	fifo    list.List // *entry, oldest (first to expire) at the front
	bytes   int64
	evicted int64 // entries evicted to make room
	skipped int64 // answers too large to cache
}

type entry struct {
	key       string
	size      int64
	exp       int64 // unix ns
	lru, fifo *list.Element
}

// stored is what go-cache holds: an upstream body and its status.
type stored struct {
	body   []byte
	status int

	// page is the last page decoded from body, as long as something else keeps it alive (a
	// request using it) or the collector has not yet run: a hit then costs no decoding. It
	// holds nothing against the byte bound.
	mu   sync.Mutex
	page weak.Pointer[rest.Page]
}

// livePage returns the page last decoded from the body if it is still in memory.
func (s *stored) livePage() *rest.Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.page.Value()
}

// keepPage remembers p, decoded from the body, weakly.
func (s *stored) keepPage(p *rest.Page) {
	s.mu.Lock()
	s.page = weak.Make(p)
	s.mu.Unlock()
}

// CacheStats is a snapshot of a Cache's occupancy, for metrics.
type CacheStats struct {
	Entries   int
	Bytes     int64 // charged: bodies, keys and bookkeeping
	MaxBytes  int64
	Evictions int64 // entries evicted to stay within the bounds (expiry not counted)
	Oversize  int64 // answers not cached because larger than the per-entry share
}

// NewCache makes a Cache of maxEntries entries and the default byte bound. ttl <= 0 turns
// storing off; maxEntries <= 0 means DefaultMaxEntries.
func NewCache(ttl time.Duration, maxEntries int) *Cache {
	return NewBoundedCache(CacheOptions{TTL: ttl, MaxEntries: maxEntries})
}

// NewBoundedCache makes a Cache with the given bounds.
func NewBoundedCache(o CacheOptions) *Cache {
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxEntryShare <= 0 || o.MaxEntryShare > 1 {
		o.MaxEntryShare = DefaultMaxEntryShare
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms (Go ≥ 1.24)
	c := &Cache{ttl: o.TTL, max: o.MaxEntries, maxBytes: o.MaxBytes, maxEntry: int64(float64(o.MaxBytes) * o.MaxEntryShare),
		key: key, index: make(map[string]*entry)}
	if o.TTL > 0 {
		c.store = gocache.New(o.TTL, 0)
	}
	return c
}

// TokenHash is the keyed hash of an Authorization header that stands for it in cache keys.
func (c *Cache) TokenHash(auth string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(auth))
	return hex.EncodeToString(m.Sum(nil))
}

// Len is the number of entries held, expired ones not yet dropped included.
func (c *Cache) Len() int { return c.Entries() }

// Entries is the number of entries held, expired ones not yet dropped included.
func (c *Cache) Entries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

// Bytes is the total charge of the entries held.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Stats returns the cache's occupancy and counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.index), Bytes: c.bytes, MaxBytes: c.maxBytes, Evictions: c.evicted, Oversize: c.skipped}
}

// Flush drops every entry (e.g. after the upstream's data was changed on purpose).
func (c *Cache) Flush() {
	if c.store == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store.Flush()
	c.index = make(map[string]*entry)
	c.lru.Init()
	c.fifo.Init()
	c.bytes = 0
}

// get returns the stored body of key, marking it recently used.
func (c *Cache) get(key string) (*stored, bool) {
	if c.store == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(time.Now().UnixNano())
	e, ok := c.index[key]
	if !ok {
		return nil, false
	}
	v, ok := c.store.Get(key)
	if !ok { // expired since expire() looked
		c.remove(e)
		return nil, false
	}
	c.lru.MoveToFront(e.lru)
	return v.(*stored), true
}

// set stores body under key, evicting the least recently used entries past the bounds. The
// Cache keeps body: the caller must not modify it afterwards. page, when not nil, is body
// decoded, kept weakly for the hits that come while it lives.
func (c *Cache) set(key string, body []byte, status int, page *rest.Page) {
	if c.store == nil {
		return
	}
	size := int64(cap(body)) + int64(len(key)) + entryOverhead
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if old, ok := c.index[key]; ok {
		c.remove(old)
	}
	if size > c.maxEntry {
		c.skipped++
		return
	}
	for (len(c.index) >= c.max || c.bytes+size > c.maxBytes) && c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*entry))
		c.evicted++
	}
	e := &entry{key: key, size: size, exp: now + int64(c.ttl)}
	e.lru = c.lru.PushFront(e)
	e.fifo = c.fifo.PushBack(e)
	c.index[key] = e
	c.bytes += size
	v := &stored{body: body, status: status}
	if page != nil {
		v.page = weak.Make(page)
	}
	c.store.Set(key, v, c.ttl)
}

// expire drops the entries whose TTL has passed: they sit at the front of fifo.
func (c *Cache) expire(now int64) {
	for f := c.fifo.Front(); f != nil && f.Value.(*entry).exp <= now; f = c.fifo.Front() {
		c.remove(f.Value.(*entry))
	}
}

func (c *Cache) remove(e *entry) {
	c.lru.Remove(e.lru)
	c.fifo.Remove(e.fifo)
	delete(c.index, e.key)
	c.store.Delete(e.key)
	c.bytes -= e.size
}

// canonical is path?query with the keys sorted and each key's values in their given order, so
// that equal requests get equal keys however their parameters were assembled.
func canonical(path string, q url.Values) string {
	enc := q.Encode()
	if enc == "" {
		return path
	}
	return path + "?" + enc
}

// Lookup returns the body Store kept under key (another use of the same bounded store: the HTTP
// layer keeps finished answers in a Cache of their own).
func (c *Cache) Lookup(key string) ([]byte, bool) {
	s, ok := c.get(key)
	if !ok {
		return nil, false
	}
	return s.body, true
}

// Store keeps body under key, charged and evicted like an upstream answer; body must not be
// modified afterwards.
func (c *Cache) Store(key string, body []byte) { c.set(key, body, 0, nil) }
