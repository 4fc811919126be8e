package server

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/graphbox/graphbox/loaders"
)

// docCache remembers the documents that were parsed and passed the limits, by a hash of their
// text and operation name, with the form the response cache keys on (the document printed
// again): a dashboard's repeated query is parsed, measured and printed once. Refused documents
// are not kept. Entries and bytes are bounded; a document is the same for every caller, so the
// store's per-token key is not used.
type docCache struct {
	store *loaders.Cache
}

const (
	docCacheEntries = 4096
	docCacheBytes   = 32 << 20
	docCacheTTL     = 24 * time.Hour
)

func newDocCache() *docCache {
	return &docCache{store: loaders.NewBoundedCache(loaders.CacheOptions{TTL: docCacheTTL, MaxEntries: docCacheEntries, MaxBytes: docCacheBytes})}
}

func docKey(query, operationName string) string {
	h := sha256.New()
	h.Write([]byte(query))
	h.Write([]byte{0})
	h.Write([]byte(operationName))
	return hex.EncodeToString(h.Sum(nil))
}

// check returns the printed document of a query that passes parsing and the limits, from the
// cache or by parsing it.
func (c *docCache) check(query, operationName string, lim limits) (string, []*requestError) {
	key := docKey(query, operationName)
	if b, ok := c.store.Lookup(key); ok {
		return string(b), nil
	}
	doc, errs := parseDocument(query, operationName, lim)
	if len(errs) > 0 {
		return "", errs
	}
	printed := printDocument(doc)
	c.store.Store(key, []byte(printed))
	return printed, nil
}

// printDocument is the document without its spacing and comments.
func printDocument(doc *ast.QueryDocument) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithoutDescription()).FormatQueryDocument(doc)
	return b.String()
}
