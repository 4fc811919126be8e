package netboxsim

import (
	"strings"
	"sync"
)

const (
	recentMax = 1000
	// byPathMax bounds the distinct paths counted (detail paths are many); the rest are
	// counted under byPathOther.
	byPathMax   = 100000
	byPathOther = "(other)"
)

// Stats counts the requests to /api/ since the start or the last reset.
type Stats struct {
	Requests int64            `json:"requests"`
	ByPath   map[string]int64 `json:"by_path"`
	Recent   []Request        `json:"recent"`
}

// Request is one recorded request: the URL and the Authorization scheme, never the token.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Auth   string `json:"auth"` // "Token", "Bearer", another scheme, or "" without credentials
}

type stats struct {
	mu       sync.Mutex
	requests int64
	byPath   map[string]int64
	recent   []Request // ring of recentMax
	next     int
}

func (st *stats) record(method, path, rawQuery, auth string) {
	scheme, _, _ := strings.Cut(auth, " ")
	u := path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.requests++
	if st.byPath == nil {
		st.byPath = map[string]int64{}
	}
	if _, ok := st.byPath[path]; ok || len(st.byPath) < byPathMax {
		st.byPath[path]++
	} else {
		st.byPath[byPathOther]++
	}
	r := Request{Method: method, URL: u, Auth: scheme}
	if len(st.recent) < recentMax {
		st.recent = append(st.recent, r)
	} else {
		st.recent[st.next] = r
	}
	st.next = (st.next + 1) % recentMax
}

func (st *stats) snapshot() Stats {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := Stats{Requests: st.requests, ByPath: make(map[string]int64, len(st.byPath)), Recent: make([]Request, 0, len(st.recent))}
	for k, v := range st.byPath {
		out.ByPath[k] = v
	}
	if len(st.recent) < recentMax {
		out.Recent = append(out.Recent, st.recent...)
	} else {
		out.Recent = append(out.Recent, st.recent[st.next:]...)
		out.Recent = append(out.Recent, st.recent[:st.next]...)
	}
	return out
}

func (st *stats) reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.requests, st.byPath, st.recent, st.next = 0, nil, nil, 0
}
