package rest

import "net/url"

// ChunkValues splits the values of a repeated parameter key into runs, each of which, written
// as &key=value pairs after fixed characters, keeps a query within limit characters and holds
// at most perChunk values (0: no bound). ok is false when one value alone does not fit.
func ChunkValues(fixed, limit int, key string, values []string, perChunk int) (chunks [][]string, ok bool) {
	esc := url.QueryEscape(key)
	var cur []string
	size := fixed
	for _, v := range values {
		cost := 1 + len(esc) + 1 + len(url.QueryEscape(v)) // "&" key "=" value
		if fixed+cost > limit {
			return nil, false
		}
		if len(cur) > 0 && (size+cost > limit || (perChunk > 0 && len(cur) >= perChunk)) {
			chunks = append(chunks, cur)
			cur, size = nil, fixed
		}
		cur = append(cur, v)
		size += cost
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks, true
}
