package loaders

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sync"
	"time"

	gocache "github.com/patrickmn/go-cache"
	"golang.org/x/sync/singleflight"
)

// DefaultMaxEntries bounds a Cache built with maxEntries <= 0.
const DefaultMaxEntries = 10000

// Cache is the process-wide store shared by every request's Loader: decoded upstream answers
// for a TTL, and the coalescing of identical concurrent upstream GETs. Entries are keyed by an
// HMAC of the Authorization header (with a random key made per process, so a key reveals nothing
// and dies with the process) plus the canonical URL: two tokens never share an entry.
//
// Bound: when a new entry would make more than maxEntries, the oldest entries are evicted first
// (FIFO by insertion). The TTL is the same for every entry, so insertion order is also expiry
// order: expired entries always go before live ones. Expired entries are also dropped as new
// ones arrive and by go-cache's janitor.
//
// A Cache with ttl <= 0 stores nothing but still coalesces concurrent identical GETs.
type Cache struct {
	store *gocache.Cache // nil when caching is off
	ttl   time.Duration
	max   int
	key   []byte
	group singleflight.Group
	// joined, set by tests only, is called each time a caller has joined a coalesced GET.
	joined func()

	mu     sync.Mutex
	fifo   []fifoEntry       // insertion order; an entry is stale when latest holds a later seq
	head   int               // fifo[:head] are consumed
	latest map[string]uint64 // key -> seq of the set that stored the value in store
	seq    uint64
}

type fifoEntry struct {
	key string
	exp int64 // unix ns
	seq uint64
}

// cached is what the store holds: a decoded answer (*rest.Page or rest.Object) and its status.
type cached struct {
	val    any
	status int
}

// NewCache makes a Cache. ttl <= 0 turns storing off; maxEntries <= 0 means DefaultMaxEntries.
func NewCache(ttl time.Duration, maxEntries int) *Cache {
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms (Go ≥ 1.24)
	c := &Cache{ttl: ttl, max: maxEntries, key: key, latest: make(map[string]uint64)}
	if ttl > 0 {
		c.store = gocache.New(ttl, max(ttl, time.Second))
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
func (c *Cache) Len() int {
	if c.store == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.latest)
}

// Flush drops every entry (e.g. after the upstream's data was changed on purpose).
func (c *Cache) Flush() {
	if c.store == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store.Flush()
	c.fifo, c.head, c.latest = nil, 0, make(map[string]uint64)
}

func (c *Cache) get(key string) (cached, bool) {
	if c.store == nil {
		return cached{}, false
	}
	v, ok := c.store.Get(key)
	if !ok {
		return cached{}, false
	}
	return v.(cached), true
}

func (c *Cache) set(key string, v cached) {
	if c.store == nil {
		return
	}
	now := time.Now()
	exp := now.Add(c.ttl).UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Drop what has expired: with one TTL for all, it sits at the front.
	for c.head < len(c.fifo) && c.fifo[c.head].exp <= now.UnixNano() {
		c.pop()
	}
	if _, exists := c.latest[key]; !exists {
		for len(c.latest) >= c.max && c.head < len(c.fifo) {
			c.pop()
		}
	}
	c.seq++
	c.store.Set(key, v, c.ttl)
	c.latest[key] = c.seq
	c.fifo = append(c.fifo, fifoEntry{key: key, exp: exp, seq: c.seq})
	if c.head > 1024 && c.head > len(c.fifo)/2 {
		c.fifo = append([]fifoEntry(nil), c.fifo[c.head:]...)
		c.head = 0
	}
}

// pop consumes the oldest fifo entry, deleting its value unless it was overwritten since.
func (c *Cache) pop() {
	e := c.fifo[c.head]
	c.fifo[c.head] = fifoEntry{}
	c.head++
	if seq, ok := c.latest[e.key]; ok && seq == e.seq {
		delete(c.latest, e.key)
		c.store.Delete(e.key)
	}
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
