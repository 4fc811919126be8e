package server

import (
	"strconv"
	"strings"
)

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ string
	q   float64
}

func parseAccept(accept string) []mediaRange {
	var out []mediaRange
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		typ := strings.ToLower(strings.TrimSpace(fields[0]))
		if typ == "" {
			continue
		}
		q := 1.0
		for _, param := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		out = append(out, mediaRange{typ: typ, q: q})
	}
	return out
}

// negotiate picks the media type of a GraphQL answer: application/graphql-response+json when
// the client names it at least as high as application/json, else application/json (also for
// wildcards, an absent header or types we cannot produce, so legacy clients keep working).
func negotiate(accept string) string {
	qGraphQL, qJSON := -1.0, -1.0
	for _, m := range parseAccept(accept) {
		switch m.typ {
		case mediaGraphQLResponse:
			qGraphQL = max(qGraphQL, m.q)
		case mediaJSON, "application/*", "*/*":
			qJSON = max(qJSON, m.q)
		}
	}
	if qGraphQL > 0 && qGraphQL >= qJSON {
		return mediaGraphQLResponse
	}
	return mediaJSON
}

// acceptsHTML tells a browser (which names text/html) from API clients (which do not).
func acceptsHTML(accept string) bool {
	for _, m := range parseAccept(accept) {
		if m.typ == "text/html" && m.q > 0 {
			return true
		}
	}
	return false
}

func mediaTypeOf(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
