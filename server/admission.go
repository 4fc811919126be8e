package server

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// admission bounds the GraphQL requests that execute at once. Past MaxConcurrent a request
// waits in a short queue (at most MaxQueued requests, each at most QueueTimeout); a request that
// finds the queue full, or waits too long, is refused with 503 OVERLOADED, so a burst costs a
// bounded amount of memory and CPU and the clients are told to come back. Only /graphql goes
// through it: /healthz, /readyz and /metrics never wait behind GraphQL traffic.
type admission struct {
	slots   chan struct{}
	queue   chan struct{}
	timeout time.Duration
}

func newAdmission(maxConcurrent, maxQueued int, timeout time.Duration) *admission {
	return &admission{
		slots:   make(chan struct{}, maxConcurrent),
		queue:   make(chan struct{}, maxQueued),
		timeout: timeout,
	}
}

// acquire takes a slot; release must be called when ok. It fails at once when the queue is full,
// and after the queue timeout (or when ctx ends) otherwise.
func (a *admission) acquire(ctx context.Context) (release func(), ok bool) {
	select {
	case a.slots <- struct{}{}:
		return a.release, true
	default:
	}
	select {
	case a.queue <- struct{}{}:
	default:
		return nil, false
	}
	defer func() { <-a.queue }()
	t := time.NewTimer(a.timeout)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return a.release, true
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

func (a *admission) release() { <-a.slots }

// rateLimiter is the optional per-client rate limit: a token bucket per caller, where a caller is
// the keyed hash of its Authorization header, or its remote address when it sends none. The set
// of buckets is bounded: past maxClients the least recently seen caller's bucket is dropped (it
// starts again full, which only ever favours that caller).
type rateLimiter struct {
	limit rate.Limit
	burst int
	max   int
	key   []byte

	mu      sync.Mutex
	order   *list.List // of *clientBucket, most recently seen first
	buckets map[string]*list.Element
}

type clientBucket struct {
	id string
	l  *rate.Limiter
}

// defaultRateClients bounds the buckets kept: about 200 bytes each.
const defaultRateClients = 100_000

func newRateLimiter(perSecond float64, burst, maxClients int) *rateLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	if maxClients <= 0 {
		maxClients = defaultRateClients
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, max: maxClients, key: key,
		order: list.New(), buckets: map[string]*list.Element{}}
}

// clientID names the caller of r without keeping its credentials.
func (rl *rateLimiter) clientID(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		m := hmac.New(sha256.New, rl.key)
		m.Write([]byte(auth))
		return "t:" + hex.EncodeToString(m.Sum(nil)[:16])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "a:" + host
}

// allow takes one token from the caller's bucket; when it is empty it says how long until the
// next token.
func (rl *rateLimiter) allow(r *http.Request, now time.Time) (ok bool, retryAfter time.Duration) {
	id := rl.clientID(r)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	var b *clientBucket
	if e, found := rl.buckets[id]; found {
		rl.order.MoveToFront(e)
		b = e.Value.(*clientBucket)
	} else {
		b = &clientBucket{id: id, l: rate.NewLimiter(rl.limit, rl.burst)}
		rl.buckets[id] = rl.order.PushFront(b)
		for rl.order.Len() > rl.max {
			last := rl.order.Back()
			rl.order.Remove(last)
			delete(rl.buckets, last.Value.(*clientBucket).id)
		}
	}
	res := b.l.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// retryAfterSeconds is a Retry-After value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
