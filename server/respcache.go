package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/graphbox/graphbox/loaders"
)

// ResponseCache holds finished answers, so a repeated query of a dashboard costs neither
// execution nor upstream requests within the TTL. An answer is keyed by the keyed hash of the
// caller's Authorization header (never the header: two tokens never share an answer), the
// document as parsed and printed again (so spacing and comments do not matter), the operation
// name and the variables. Only answers without errors are kept, and explain requests bypass it.
type ResponseCache struct {
	store *loaders.Cache
}

// NewResponseCache keeps answers in a bounded store (TTL, bytes and entries as given).
func NewResponseCache(o loaders.CacheOptions) *ResponseCache {
	return &ResponseCache{store: loaders.NewBoundedCache(o)}
}

// Entries and Bytes size the cache for the metrics.
func (c *ResponseCache) Entries() int                  { return c.store.Entries() }
func (c *ResponseCache) Bytes() int64                  { return c.store.Bytes() }
func (c *ResponseCache) get(key string) ([]byte, bool) { return c.store.Lookup(key) }
func (c *ResponseCache) put(key string, body []byte)   { c.store.Store(key, body) }

// key names one request's answer by the document as printed again (docCache); ok is false when
// the request cannot be cached.
func (c *ResponseCache) key(auth string, version int, printed, operationName string, vars map[string]any) (string, bool) {
	varsJSON, err := json.Marshal(vars) // map keys are sorted: the same variables, the same text
	if err != nil {
		return "", false
	}
	h := sha256.New()
	for _, part := range []string{strconv.Itoa(version), printed, operationName, string(varsJSON)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return c.store.TokenHash(auth) + "|" + hex.EncodeToString(h.Sum(nil)), true
}
