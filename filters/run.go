package filters

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// resolve turns the plan's branches into REST parameter sets, resolving semi-joins; branches
// that cannot match are dropped, so no branch at all means an empty answer.
func (p *Plan) resolve(ctx context.Context, f Fetcher) ([]url.Values, error) {
	bs, _, err := p.branches(ctx, f)
	return bs, err
}

// branches is resolve for callers that add up totals: disjoint is true when the sets are the
// chunks of one set split on a single-valued parameter, each row in exactly one of them.
func (p *Plan) branches(ctx context.Context, f Fetcher) ([]url.Values, bool, error) {
	bs, err := p.resolveDNF(ctx, f, p.obj, p.dnf)
	if err != nil {
		return nil, false, err
	}
	if len(bs) == 1 {
		if out, split, err := p.fit(f, p.obj, bs, true); err == nil {
			return out, split, nil
		}
		// no single-valued list to split: overlapping chunks are merged like OR branches
	}
	out, _, err := p.fit(f, p.obj, bs, false)
	return out, false, err
}

func (p *Plan) resolveDNF(ctx context.Context, f Fetcher, obj *model.Object, d dnf) ([]url.Values, error) {
	// The branches' semi-joins do not depend on each other: they are resolved in parallel.
	qs := make([]url.Values, len(d))
	oks := make([]bool, len(d))
	g, gctx := errgroup.WithContext(ctx)
	for i, cj := range d {
		g.Go(func() error {
			q, ok, err := p.resolveConj(gctx, f, obj, cj)
			qs[i], oks[i] = q, ok
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []url.Values
	for i, q := range qs {
		if oks[i] {
			out = append(out, q)
		}
	}
	return out, nil
}

// resolveConj builds one parameter set. Exact values of one key intersect, negated ones unite;
// an exact key left without values means the branch matches nothing, and the remaining
// semi-joins of the branch are not asked.
func (p *Plan) resolveConj(ctx context.Context, f Fetcher, obj *model.Object, cj conj) (url.Values, bool, error) {
	exact := map[string][]string{}
	var exactSeen []string
	q := url.Values{}
	add := func(a *atom, vals []string) bool {
		switch {
		case a.lookup == "":
			if cur, ok := exact[a.key]; ok {
				exact[a.key] = intersect(cur, vals)
			} else {
				exact[a.key] = append([]string(nil), vals...)
				exactSeen = append(exactSeen, a.key)
			}
			return len(exact[a.key]) > 0
		case isNegated(a.lookup):
			q[a.key] = union(q[a.key], vals)
		case a.lookup == "any":
			// any of no value matches nothing (REST would ignore the empty parameter)
			q[a.key] = union(q[a.key], vals)
			return len(vals) > 0
		default:
			q[a.key] = append(q[a.key], vals...)
		}
		return true
	}
	// static atoms first: a contradiction there costs no request
	for _, a := range cj {
		if a.set == nil && !add(a, a.values) {
			return nil, false, nil
		}
	}
	for _, a := range cj {
		if a.set == nil {
			continue
		}
		ids, err := p.setIDs(ctx, f, a.set)
		if err != nil {
			return nil, false, err
		}
		vals := make([]string, len(ids))
		for i, id := range ids {
			vals[i] = strconv.Itoa(id)
		}
		if a.oneValue != "" && len(vals) > 1 {
			return nil, false, fmt.Errorf("filters: %s: %w: the filter matches %d %s rows, but %s (%s) takes all of several %s values and has no %s__any; narrow it to one",
				a.oneValue, ErrUnsupportedLookup, len(vals), a.set.obj.Name, obj.Name, obj.Path, a.key, a.param.Name)
		}
		if !add(a, vals) {
			return nil, false, nil
		}
	}
	for _, k := range exactSeen {
		q[k] = exact[k]
	}
	return q, true, nil
}

// setIDs resolves a semi-join: the sorted ids of the rows of set's query, one Fetcher.All per
// branch with fields=id. Results are kept for the plan's life.
func (p *Plan) setIDs(ctx context.Context, f Fetcher, s *idSet) ([]int, error) {
	key := s.sig()
	v, err, _ := p.cache.flight.Do(key, func() (any, error) { return p.resolveSet(ctx, f, s, key) })
	if err != nil {
		return nil, err
	}
	return v.([]int), nil
}

// resolveSet is setIDs for one set, once.
func (p *Plan) resolveSet(ctx context.Context, f Fetcher, s *idSet, key string) ([]int, error) {
	p.cache.mu.Lock()
	ids, ok := p.cache.sets[key]
	p.cache.mu.Unlock()
	if ok {
		return ids, nil
	}
	branches, err := p.resolveDNF(ctx, f, s.obj, s.dnf)
	if err != nil {
		return nil, err
	}
	if branches, _, err = p.fit(f, s.obj, branches, false); err != nil {
		return nil, err
	}
	var linked map[int]bool
	if s.linked != nil {
		ids, err := p.setIDs(ctx, f, s.linked)
		if err != nil {
			return nil, err
		}
		linked = make(map[int]bool, len(ids))
		for _, id := range ids {
			linked[id] = true
		}
	}
	seen := map[int]bool{}
	for _, q := range branches {
		fields := "id"
		if s.field != "" {
			fields += "," + s.field
		}
		if s.link != "" {
			fields += "," + s.link
		}
		if r := s.parentOf; r != nil {
			if r.TypeKey != "" {
				fields += "," + r.TypeKey + "," + r.IDKey
			} else {
				fields += "," + r.Via
			}
		}
		q.Set("fields", fields)
		rows, err := f.All(ctx, s.obj, q)
		if err != nil {
			return nil, fmt.Errorf("filters: semi-join on %s: %w", s.obj.Name, err)
		}
		for _, r := range rows {
			if s.field != "" {
				v, present := r[s.field]
				if !present {
					return nil, fmt.Errorf("filters: semi-join on %s: the upstream did not return field %q", s.obj.Name, s.field)
				}
				if !s.keep.match(v) {
					continue
				}
			}
			if linked != nil {
				ref, ok := r[s.link].(map[string]any)
				if !ok || !linked[rest.Object(ref).ID()] {
					continue // under a descendant, or no link at all
				}
			}
			id := r.ID()
			if rv := s.parentOf; rv != nil {
				// The parent of a child that matched, not the child.
				id = 0
				if rv.TypeKey != "" {
					if r[rv.TypeKey] != s.parentCT {
						continue
					}
					if f, ok := r[rv.IDKey].(float64); ok {
						id = int(f)
					}
				} else if ref, ok := r[rv.Via].(map[string]any); ok {
					id = rest.Object(ref).ID()
				} else {
					continue // a child without a parent
				}
			}
			if id <= 0 {
				return nil, fmt.Errorf("filters: semi-join on %s: a row without an integer id", s.obj.Name)
			}
			seen[id] = true
		}
	}
	ids = make([]int, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	p.cache.mu.Lock()
	p.cache.sets[key] = ids
	p.cache.mu.Unlock()
	return ids, nil
}

// Simple returns the plan as one REST parameter set when it is one (after resolving its
// semi-joins), so a caller can batch it across parents by adding the parent parameter; the
// caller must not add a key the set already has (REST would OR the values). It returns false
// when the plan needs several requests merged, and also when it matches nothing (see Empty).
func (p *Plan) Simple(ctx context.Context, f Fetcher) (url.Values, bool, error) {
	bs, err := p.resolve(ctx, f)
	if err != nil || len(bs) != 1 {
		return nil, false, err
	}
	return bs[0], true, nil
}

// Empty reports whether the plan matches nothing, which it may know without asking for rows.
func (p *Plan) Empty(ctx context.Context, f Fetcher) (bool, error) {
	bs, err := p.resolve(ctx, f)
	return len(bs) == 0, err
}

func (p *Plan) windowParams(q url.Values, w Window) error {
	if w.Search != "" {
		if !p.obj.Search {
			return fmt.Errorf("filters: %s does not support quick search (q)", p.obj.Name)
		}
		q.Set("q", w.Search)
	}
	return nil
}

// Count returns the number of matching rows, the cheapest way: one limit=1 request for a single
// branch; for merged branches the first page of ids of each, then either inclusion–exclusion
// with count requests or the rest of the id pages, whichever needs fewer requests.
func (p *Plan) Count(ctx context.Context, f Fetcher) (int, error) {
	return p.count(ctx, f, "")
}

func (p *Plan) count(ctx context.Context, f Fetcher, search string) (int, error) {
	bs, disjoint, err := p.branches(ctx, f)
	if err != nil {
		return 0, err
	}
	w := Window{Search: search}
	switch {
	case len(bs) == 0:
		return 0, nil
	case len(bs) == 1:
		return p.countOne(ctx, f, bs[0], w)
	case disjoint:
		total := 0
		for _, q := range bs {
			n, err := p.countOne(ctx, f, cloneValues(q), w)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	states := make([]*branchState, len(bs))
	for i, q := range bs {
		var err error
		if p.obj.Ordering {
			st := &branchState{q: q}
			err = p.fetchPrefix(ctx, f, st, w, PageSize, []string{"id"})
			states[i] = st
		} else {
			states[i], err = p.readAll(ctx, f, q, w, []string{"id"})
		}
		if err != nil {
			return 0, err
		}
	}
	return p.mergedTotal(ctx, f, states, w)
}

// readAll reads a whole branch.
func (p *Plan) readAll(ctx context.Context, f Fetcher, q url.Values, w Window, fields []string) (*branchState, error) {
	aq := cloneValues(q)
	if err := p.windowParams(aq, w); err != nil {
		return nil, err
	}
	if len(fields) > 0 {
		aq.Set("fields", strings.Join(fields, ","))
	}
	all, err := f.All(ctx, p.obj, aq)
	if err != nil {
		return nil, fmt.Errorf("filters: %s: %w", p.obj.Name, err)
	}
	st := &branchState{q: q, rows: all, count: len(all), ids: map[int]bool{}}
	for _, r := range all {
		if r.ID() <= 0 {
			return nil, fmt.Errorf("filters: %s: a row without an integer id", p.obj.Name)
		}
		st.ids[r.ID()] = true
	}
	return st, nil
}

// branchState is what is known of one OR branch: its total and a prefix of its rows in the
// upstream's default order.
type branchState struct {
	q     url.Values
	count int
	rows  []rest.Object
	ids   map[int]bool
}

func (b *branchState) complete() bool { return len(b.rows) >= b.count }

// fetchPrefix reads the first n rows of a branch in the upstream's default order (more pages
// when the upstream serves fewer per page).
func (p *Plan) fetchPrefix(ctx context.Context, f Fetcher, st *branchState, w Window, n int, fields []string) error {
	if st.ids == nil {
		st.ids = map[int]bool{}
	}
	for first := true; first || (len(st.rows) < n && !st.complete()); first = false {
		q := cloneValues(st.q)
		if err := p.windowParams(q, w); err != nil {
			return err
		}
		lim := n - len(st.rows)
		if lim < 1 {
			lim = 1
		}
		q.Set("limit", strconv.Itoa(lim))
		q.Set("offset", strconv.Itoa(len(st.rows)))
		if len(fields) > 0 {
			q.Set("fields", strings.Join(fields, ","))
		}
		pg, err := f.Page(ctx, p.obj, q)
		if err != nil {
			return fmt.Errorf("filters: %s: %w", p.obj.Name, err)
		}
		st.count = pg.Count
		for _, r := range pg.Results {
			id := r.ID()
			if id <= 0 {
				return fmt.Errorf("filters: %s: a row without an integer id (ask for the id field)", p.obj.Name)
			}
			st.ids[id] = true
		}
		st.rows = append(st.rows, pg.Results...)
		if len(pg.Results) == 0 {
			if !st.complete() {
				return fmt.Errorf("filters: %s: the upstream returned an empty page before its count (%d of %d rows); the data changed while reading", p.obj.Name, len(st.rows), st.count)
			}
			break
		}
	}
	return nil
}

// mergedTotal is the size of the union of the branches.
func (p *Plan) mergedTotal(ctx context.Context, f Fetcher, states []*branchState, w Window) (int, error) {
	idsCost := 0
	for _, st := range states {
		if !st.complete() {
			idsCost += (st.count - len(st.rows) + PageSize - 1) / PageSize
		}
	}
	if idsCost > 0 {
		if terms, ieCost, ok := p.inclusionExclusion(states); ok && ieCost < idsCost {
			total := 0
			for _, st := range states {
				total += st.count
			}
			for _, t := range terms {
				n, err := p.countOne(ctx, f, cloneValues(t.q), w)
				if err != nil {
					return 0, err
				}
				total += t.sign * n
			}
			return total, nil
		}
		for _, st := range states {
			if err := p.fetchPrefix(ctx, f, st, w, st.count, []string{"id"}); err != nil {
				return 0, err
			}
		}
	}
	all := map[int]bool{}
	for _, st := range states {
		for id := range st.ids {
			all[id] = true
		}
	}
	return len(all), nil
}

type ieTerm struct {
	q    url.Values
	sign int
}

// inclusionExclusion lists the count requests |A∩B|, |A∩B∩C|… the union needs, when every
// intersection is one parameter set; statically empty intersections cost nothing.
func (p *Plan) inclusionExclusion(states []*branchState) ([]ieTerm, int, bool) {
	n := len(states)
	if n > 6 {
		return nil, 0, false
	}
	var terms []ieTerm
	for mask := 1; mask < 1<<n; mask++ {
		var qs []url.Values
		for i := 0; i < n; i++ {
			if mask&(1<<i) != 0 {
				qs = append(qs, states[i].q)
			}
		}
		if len(qs) < 2 {
			continue
		}
		q, ok, expressible := p.intersectValues(qs)
		if !expressible {
			return nil, 0, false
		}
		if !ok {
			continue
		}
		sign := 1
		if len(qs)%2 == 0 {
			sign = -1
		}
		terms = append(terms, ieTerm{q: q, sign: sign})
	}
	return terms, len(terms), true
}

// intersectValues ANDs parameter sets into one when REST can say it.
func (p *Plan) intersectValues(qs []url.Values) (url.Values, bool, bool) {
	out := url.Values{}
	for _, q := range qs {
		for k, vs := range q {
			cur, had := out[k]
			if !had {
				out[k] = append([]string(nil), vs...)
				continue
			}
			base, lookup, _ := strings.Cut(k, "__")
			param := p.obj.Filter(base)
			if param == nil {
				return nil, false, false
			}
			switch {
			case isNegated(lookup):
				out[k] = union(cur, vs)
			case sameSet(cur, vs):
			case lookup == "" && intersectable(param.Type):
				out[k] = intersect(cur, vs)
				if len(out[k]) == 0 {
					return nil, false, true
				}
			case lookup == "empty" || (lookup == "" && param.Type == model.ParamBool):
				return nil, false, true
			default:
				return nil, false, false
			}
		}
	}
	return out, true, true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// countOne is the count of one parameter set: one limit=1 request. It sets q's window.
func (p *Plan) countOne(ctx context.Context, f Fetcher, q url.Values, w Window) (int, error) {
	if err := p.windowParams(q, w); err != nil {
		return 0, err
	}
	q.Set("limit", "1")
	q.Set("offset", "0")
	q.Set("fields", "id")
	pg, err := f.Page(ctx, p.obj, q)
	if err != nil {
		return 0, fmt.Errorf("filters: count %s: %w", p.obj.Name, err)
	}
	return pg.Count, nil
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// Run returns the window of the plan's rows and the exact total.
//
// One branch is one request (more if the window is larger than an upstream page), in the
// upstream's order: the requested ordering, or the model's default ordering as NetBox's own
// GraphQL gives it. Several branches are merged by id and keep the upstream's order. Without a
// requested ordering, where the rows carry what the model's default order reads
// (model.Object.LocallyComparable), each branch needs only its first offset+limit rows, and the
// union is sorted here by that order (model.Ordering: NetBox's collations, then id). Otherwise
// (a requested ordering, a tree, a term beyond a relation's nested form) every branch is read to
// the end and the upstream puts the merged ids in its order in one more request.
func (p *Plan) Run(ctx context.Context, f Fetcher, w Window) (*Result, error) {
	if w.Offset < 0 || w.Limit < 0 {
		return nil, errors.New("filters: negative offset or limit")
	}
	if len(w.Ordering) > 0 && !p.obj.Ordering {
		return nil, fmt.Errorf("filters: %s does not support ordering", p.obj.Name)
	}
	if w.Limit == 0 {
		n, err := p.count(ctx, f, w.Search)
		if err != nil {
			return nil, err
		}
		return &Result{Rows: []rest.Object{}, Total: n}, nil
	}
	bs, disjoint, err := p.branches(ctx, f)
	if err != nil {
		return nil, err
	}
	switch len(bs) {
	case 0:
		return &Result{Rows: []rest.Object{}}, nil
	case 1:
		return p.runOne(ctx, f, bs[0], w)
	}
	for _, t := range w.Ordering {
		name := strings.TrimPrefix(t, "-")
		if name != "id" && p.obj.Field(name) == nil {
			return nil, fmt.Errorf("filters: %s: ordering by %q is not supported for an OR filter that is merged here (only the object's own fields)", p.obj.Name, t)
		}
	}
	local := len(w.Ordering) == 0 && p.obj.LocallyComparable()
	fields := mergeFields(w.Fields, w.Ordering)
	if local {
		fields = mergeFields(w.Fields, orderFields(p.obj))
	}
	states := make([]*branchState, len(bs))
	var rows []rest.Object
	seen := map[int]bool{}
	// The branches are read in parallel.
	g, gctx := errgroup.WithContext(ctx)
	for i, q := range bs {
		g.Go(func() error {
			if local {
				st := &branchState{q: q}
				states[i] = st
				return p.fetchPrefix(gctx, f, st, w, w.Offset+w.Limit, fields)
			}
			st, err := p.readAll(gctx, f, q, w, fields)
			states[i] = st
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, st := range states {
		for _, r := range st.rows {
			if id := r.ID(); !seen[id] {
				seen[id] = true
				rows = append(rows, r)
			}
		}
	}
	if local {
		order.Default(rows, p.reg, p.obj, nil)
	} else if rows, err = p.upstreamOrder(ctx, f, rows, w.Ordering); err != nil {
		return nil, err
	}
	var total int
	switch {
	case w.NoTotal:
	case disjoint:
		for _, st := range states {
			total += st.count
		}
	default:
		if total, err = p.mergedTotal(ctx, f, states, w); err != nil {
			return nil, err
		}
	}
	lo, hi := w.Offset, w.Offset+w.Limit
	if lo > len(rows) {
		lo = len(rows)
	}
	if hi > len(rows) {
		hi = len(rows)
	}
	return &Result{Rows: append([]rest.Object{}, rows[lo:hi]...), Total: total}, nil
}

// maxOrderedMerge bounds the rows of a merged OR that can be put in a requested order: the
// upstream orders them in one request by id, and their ids must fit in its URL.
const maxOrderedMerge = 300

// upstreamOrder puts merged rows in the order the upstream gives for the ordering terms, or its
// default order without terms: it alone knows how it orders what the rows do not show (the
// database's collation for ordering=, a tree's positions), so the merged ids are sent back to it
// in one request.
func (p *Plan) upstreamOrder(ctx context.Context, f Fetcher, rows []rest.Object, ordering []string) ([]rest.Object, error) {
	if len(rows) <= 1 {
		return rows, nil
	}
	if len(rows) > maxOrderedMerge {
		what, hint := "the requested order", "leave out ordering"
		if len(ordering) == 0 {
			what, hint = "the upstream's default order of "+p.obj.Name, "give an ordering on the object's own fields"
		}
		return nil, fmt.Errorf("filters: %s: an OR filter whose branches are merged here matches %d rows, too many to put in %s exactly (at most %d); narrow the filter or %s",
			p.obj.Name, len(rows), what, maxOrderedMerge, hint)
	}
	q := url.Values{"fields": {"id"}}
	if len(ordering) > 0 {
		q.Set("ordering", strings.Join(ordering, ","))
	}
	for _, r := range rows {
		q.Add("id", strconv.Itoa(r.ID()))
	}
	ordered, err := f.All(ctx, p.obj, q)
	if err != nil {
		return nil, fmt.Errorf("filters: %s: %w", p.obj.Name, err)
	}
	rank := make(map[int]int, len(ordered))
	for i, r := range ordered {
		rank[r.ID()] = i
	}
	if len(rank) != len(rows) {
		return nil, fmt.Errorf("filters: %s: the upstream ordered %d of the %d merged rows; it changed in between", p.obj.Name, len(rank), len(rows))
	}
	sort.SliceStable(rows, func(i, j int) bool { return rank[rows[i].ID()] < rank[rows[j].ID()] })
	return rows, nil
}

// orderFields are the fields of obj its default order reads (the first segment of each term).
func orderFields(obj *model.Object) []string {
	var out []string
	for _, t := range obj.Order.Terms {
		out = append(out, t.Fields()[0])
	}
	return out
}

func mergeFields(fields, ordering []string) []string {
	if len(fields) == 0 {
		return nil
	}
	out := union([]string{"id"}, fields)
	for _, t := range ordering {
		out = union(out, []string{strings.TrimPrefix(t, "-")})
	}
	return out
}

func (p *Plan) runOne(ctx context.Context, f Fetcher, q url.Values, w Window) (*Result, error) {
	q = cloneValues(q)
	if err := p.windowParams(q, w); err != nil {
		return nil, err
	}
	if len(w.Ordering) > 0 {
		q.Set("ordering", strings.Join(w.Ordering, ","))
	}
	if fields := mergeFields(w.Fields, nil); len(fields) > 0 {
		q.Set("fields", strings.Join(fields, ","))
	}
	res := &Result{Rows: []rest.Object{}}
	for first := true; first || len(res.Rows) < w.Limit; first = false {
		off := w.Offset + len(res.Rows)
		q.Set("limit", strconv.Itoa(w.Limit-len(res.Rows)))
		q.Set("offset", strconv.Itoa(off))
		pg, err := f.Page(ctx, p.obj, q)
		if err != nil {
			return nil, fmt.Errorf("filters: %s: %w", p.obj.Name, err)
		}
		res.Total = pg.Count
		res.Rows = append(res.Rows, pg.Results...)
		if len(pg.Results) == 0 || off+len(pg.Results) >= pg.Count {
			break
		}
	}
	return res, nil
}
