// Package filters compiles the GraphQL `filters` argument of a list (strawberry-django's filter
// language, as NetBox serves it) into a plan of REST list requests, and runs that plan with the
// same rows, order and total as NetBox's GraphQL would give, or fails with a clear error.
//
// The compiler follows strawberry-django's process_filters: every field of one filter object is
// ANDed, except OR, which is applied last against all the others: {a, NOT: {b}, OR: {c}} means
// (a AND NOT b) OR c. NOT is pushed down to the leaves (De Morgan) and rewritten with NetBox's
// negated lookups (__n, __nie, __nic, __nisw, __niew); a leaf without a negated form is negated
// through its id set (id__n=…). The formula is then put in disjunctive normal form: each branch
// is one REST parameter set (different parameters AND, a repeated parameter ORs), and branches
// that differ in one parameter only are folded into one request with repeated values.
// Related-object filters are semi-joins resolved at run time (matching ids, then <fk>_id=…).
package filters

import (
	"context"
	"net/url"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// Fetcher makes the upstream requests of a plan; each call is one upstream GET (or a cache hit).
type Fetcher interface {
	// Page answers one page; q carries limit, offset, ordering and fields.
	Page(ctx context.Context, obj *model.Object, q url.Values) (*rest.Page, error)
	// All follows the pages to the end.
	All(ctx context.Context, obj *model.Object, q url.Values) ([]rest.Object, error)
}

// QueryLimiter is a Fetcher that knows the longest query string the upstream takes for an
// object's list (its URL limit less the base URL and path). A plan's parameter set longer than
// that, less WindowReserve, is split into chunks of an id list, or refused.
type QueryLimiter interface {
	MaxQuery(obj *model.Object) int
}

// WindowReserve is the part of the query string kept for what a request adds to a parameter
// set: limit, offset, ordering, fields, q, a reverse relation's parent ids.
const WindowReserve = 1024

// MaxChunks bounds the requests one parameter set may be split into.
const MaxChunks = 64

// Window is the part of the result a caller wants.
type Window struct {
	Offset, Limit int
	Ordering      []string // REST ordering terms: "name", "-name"
	Search        string   // REST quick search (q=)
	Fields        []string // fields= to ask the upstream; empty asks for all
	// NoTotal: the caller does not read Result.Total, so a merged OR skips the requests that
	// only count (its Total is then 0).
	NoTotal bool
}

// Result is one window of a plan's rows and the plan's total.
type Result struct {
	Rows  []rest.Object
	Total int
}

// Plan is a compiled filter. It caches the ids its semi-joins resolve to, so one plan serves
// several calls (a reverse relation's parents, a count next to a page) without asking twice;
// compile a new plan for every GraphQL request, as the cache is not invalidated.
type Plan struct {
	reg    *model.Registry
	obj    *model.Object
	dnf    dnf
	source string // the input, rendered for Explain

	cache *setCache // shared with the plans derived by With
}

// setCache holds resolved semi-joins, by idSet.sig.
type setCache struct {
	mu   sync.Mutex
	sets map[string][]int
	// flight makes one resolution of a set that parallel branches need at once.
	flight singleflight.Group
}

// Object is the object type the plan lists.
func (p *Plan) Object() *model.Object { return p.obj }

// PageSize is the page size the planner assumes the upstream serves at most (NetBox's default
// MAX_PAGE_SIZE); it only weighs the cost of alternatives, a smaller upstream page stays exact.
const PageSize = 1000

// MaxBranches bounds the OR branches of a plan (after normalisation); a filter needing more is
// refused rather than fanned out into an unbounded number of requests.
const MaxBranches = 32
