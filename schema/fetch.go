package schema

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// objectKey names one object read with one fields= set. The resolver and the look-ahead derive
// the set from the same selection, so they meet on the same key.
type objectKey struct {
	typ, fields string
	id          int
}

// future is an object being fetched; done closes when data or err is set. A nil data with no
// error means the upstream did not return the object (not visible to the caller).
type future struct {
	done chan struct{}
	data rest.Object
	err  error
}

// groupKey names the children of a reverse relation read with one query.
type groupKey struct {
	parent, child, param, args, fields string
}

// group is one batched read of children for a set of parents.
type group struct {
	done    chan struct{}
	parents map[int]bool
	rows    map[int][]rest.Object
	err     error
	// grand are the groups of grandchildren started by this group's parents before its rows
	// arrived; its children join their parents when it settles. Under request.mu.
	grand []*group
	key   groupKey
}

// objects returns full objects by id, from the futures look-ahead started or by one batched
// request for the ids nobody asked for yet.
func (r *request) objects(ctx context.Context, obj *model.Object, sel *selection, ids []int) (map[int]rest.Object, error) {
	fields := restFields(obj, sel)
	key := strings.Join(fields, ",")
	futures, fresh := r.claim(obj, key, ids)
	if len(fresh) > 0 {
		r.fetchObjects(ctx, obj, sel, key, fresh)
	}
	out := make(map[int]rest.Object, len(ids))
	for id, f := range futures {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err != nil {
			return nil, f.err
		}
		out[id] = f.data
	}
	return out, nil
}

// claim finds or creates the futures for ids; fresh are the ids the caller must fetch.
func (r *request) claim(obj *model.Object, fields string, ids []int) (map[int]*future, map[int]*future) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := make(map[int]*future, len(ids))
	fresh := map[int]*future{}
	for _, id := range ids {
		k := objectKey{typ: obj.Name, fields: fields, id: id}
		f := r.futures[k]
		if f == nil {
			f = &future{done: make(chan struct{})}
			r.futures[k] = f
			fresh[id] = f
		}
		all[id] = f
	}
	return all, fresh
}

// fetchObjects reads the fresh ids in one batch (chunked by the loader), settles their futures
// and looks ahead under them.
func (r *request) fetchObjects(ctx context.Context, obj *model.Object, sel *selection, fields string, fresh map[int]*future) {
	ids := make([]int, 0, len(fresh))
	for id := range fresh {
		ids = append(ids, id)
	}
	got, err := r.loader.ByIDs(ctx, obj.Path, ids, url.Values{"fields": {fields}})
	if err != nil {
		err = r.fail(err)
	}
	rows := make([]rest.Object, 0, len(got))
	for id, f := range fresh {
		f.data, f.err = got[id], err
		if f.data != nil {
			rows = append(rows, f.data)
		}
	}
	// The next level is registered before any resolver of this one wakes up, so none of them
	// finds it missing and reads its own part alone: the requests do not depend on timing.
	r.prefetch(rows, obj, sel)
	for _, f := range fresh {
		close(f.done)
	}
}

// children returns one parent's children, from a group look-ahead started or by reading them.
func (r *request) children(ctx context.Context, spec *reverseSpec, parent int) ([]rest.Object, error) {
	r.mu.Lock()
	var g *group
	for _, cand := range r.groups[spec.key] {
		if cand.parents[parent] {
			g = cand
			break
		}
	}
	fresh := g == nil
	if fresh {
		g = r.newGroup(spec.key, []int{parent})
	}
	r.mu.Unlock()
	if fresh {
		r.fetchGroup(ctx, spec, g, []int{parent})
	}
	select {
	case <-g.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.rows[parent], g.err
}

// newGroup registers a group for parents; the caller holds r.mu.
func (r *request) newGroup(key groupKey, parents []int) *group {
	g := &group{done: make(chan struct{}), parents: make(map[int]bool, len(parents)), key: key}
	for _, p := range parents {
		g.parents[p] = true
	}
	r.groups[key] = append(r.groups[key], g)
	return g
}

func (r *request) fetchGroup(ctx context.Context, spec *reverseSpec, g *group, parents []int) {
	r.fetchCounted(ctx, spec, g, parents, nil)
}

// fetchCounted reads a group's children. With the parents' counters (counts, nil when a parent
// lacks one) it reads them in groups of parents whose children fit one page each, all at once,
// where that takes no more requests than paging; and it starts the grandchildren by the
// parents' ids at once when that takes fewer requests than the fewest the children's ids could.
func (r *request) fetchCounted(ctx context.Context, spec *reverseSpec, g *group, parents []int, counts map[int]int) {
	var groups [][]int
	var watch func(int)
	if counts != nil && len(parents) > 1 {
		groups = r.packByCounts(spec, parents, counts)
		total := 0
		for _, n := range counts {
			total += n
		}
		for _, c := range r.grandChoices(spec) {
			r.startEarlyGrandparent(spec, g, parents, c, total)
		}
	} else {
		watch = r.earlyGrandparent(spec, g, parents) // the first pages tell the count instead
	}
	rows, err := r.readChildren(ctx, spec, parents, groups, watch)
	r.settle(spec, g, rows, err)
}

// packByCounts groups parents (in id order) so that each group's children fit one page, when
// that takes no more requests than reading them in URL-sized lists page by page; nil otherwise.
func (r *request) packByCounts(spec *reverseSpec, parents []int, counts map[int]int) [][]int {
	page := r.loader.PageSize()
	sorted := slices.Sorted(slices.Values(parents))
	var groups [][]int
	var cur []int
	sum := 0
	for _, p := range sorted {
		if len(cur) > 0 && sum+counts[p] > page {
			groups, cur, sum = append(groups, cur), nil, 0
		}
		cur, sum = append(cur, p), sum+counts[p]
	}
	groups = append(groups, cur)
	packed, paged := 0, 0
	for _, grp := range groups {
		qs, err := r.loader.Split(spec.child.Path, spec.q, spec.param, grp, 0)
		if err != nil {
			return nil
		}
		packed += len(qs)
	}
	lists, err := r.loader.Split(spec.child.Path, spec.q, spec.param, sorted, 0)
	if err != nil {
		return nil
	}
	next := 0 // the lists keep sorted's order
	for _, q := range lists {
		n := 0
		for _, p := range sorted[next : next+len(q[spec.param])] {
			n += counts[p]
		}
		next += len(q[spec.param])
		paged += max(1, (n+page-1)/page)
	}
	if packed > paged {
		return nil
	}
	return groups
}

// settle gives a group its rows and, before the resolvers waiting on it wake up (see
// fetchObjects), registers the next level.
func (r *request) settle(spec *reverseSpec, g *group, rows map[int][]rest.Object, err error) {
	if err != nil {
		err = r.fail(err)
	}
	g.rows, g.err = rows, err
	if err == nil {
		var all []rest.Object
		for _, rs := range rows {
			all = append(all, rs...)
		}
		r.mu.Lock()
		for _, eg := range g.grand {
			for _, o := range all {
				if id := o.ID(); id != 0 {
					eg.parents[id] = true
				}
			}
		}
		r.mu.Unlock()
		r.prefetchByGrandparent(spec, rows)
		r.prefetch(all, spec.child, spec.sel)
	}
	close(g.done)
}

// prefetchByGrandparent registers, for each reverse relation selected under children just read,
// the read of its children by this group's parents (their grandparents) where NetBox has such a
// filter (model.Grandparent) and that takes fewer requests than by the children's own ids:
// the IP addresses of 8,000 interfaces are 40 URL-sized lists of interface ids, or 8 lists of
// the 200 devices' ids. The device ids are spread over Concurrency requests rather than sent in
// one: NetBox serves a request in one worker and runs a query per device id, so rows and ids
// spread over several requests finish together.
func (r *request) prefetchByGrandparent(spec *reverseSpec, rows map[int][]rest.Object) {
	for _, c := range r.grandChoices(spec) {
		r.readByGrandparent(spec, c, rows)
	}
}

// grandChoice is a reverse relation selected under a group's children that could be read by the
// group's parents.
type grandChoice struct {
	rev *model.Reverse
	sub *selection
	gp  *model.Grandparent
}

func (r *request) grandChoices(spec *reverseSpec) []grandChoice {
	if spec.sel == nil || spec.via == "" || r.ctx.Err() != nil {
		return nil
	}
	var out []grandChoice
	for _, name := range spec.sel.names() {
		sub := spec.sel.children[name]
		rev := spec.child.ReverseField(name)
		if sub.children == nil || rev == nil || (sub.args != nil && len(sub.args.Filters.Raw) > 0) {
			continue // a filtered relation keeps its plan, read by the children's ids
		}
		gp := model.GrandparentOf(rev.Child, rev.Param, spec.child.Name)
		if gp == nil || gp.Via != spec.via || gp.Grand != spec.key.parent {
			continue
		}
		out = append(out, grandChoice{rev, sub, gp})
	}
	return out
}

// grandPlan is the read of a relation's grandchildren by the grandparents' ids, spread over the
// loader's concurrent requests.
type grandPlan struct {
	key     groupKey
	child   *model.Object
	queries []url.Values
}

func (r *request) planByGrandparent(spec *reverseSpec, c grandChoice, grands []int) (grandPlan, error) {
	key := r.reverseKey(spec.child, c.rev, c.sub.args, c.sub)
	child := r.g.reg.Object(c.rev.Child)
	grands = slices.Sorted(slices.Values(grands))
	per := (len(grands) + r.loader.Concurrency() - 1) / r.loader.Concurrency()
	qs, err := r.loader.Split(child.Path, url.Values{"fields": {key.fields}}, c.gp.GrandParam, grands, per)
	return grandPlan{key, child, qs}, err
}

// least is the fewest requests n children's ids could take.
func (r *request) least(p grandPlan, c grandChoice, n int) int {
	return r.loader.MinRequests(p.child.Path, url.Values{"fields": {p.key.fields}}, c.rev.Param, n)
}

// startGrandchildren notes the choice for explain and reads group g by the plan's queries.
func (r *request) startGrandchildren(spec *reverseSpec, c grandChoice, g *group, parents []int, p grandPlan, instead int) {
	r.noteKeyPath(explainKeyPath{Field: spec.child.Type + "." + c.rev.Name, Param: c.gp.GrandParam, Requests: len(p.queries),
		Instead: c.rev.Param, InsteadRequests: instead})
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.readGrandchildren(spec, c, g, parents, p.queries)
	}()
}

// earlyGrandparent is what the first pages of a group's children decide, when the parents had
// no counters: the grandchildren are read at once, beside the children's other pages, when
// their count shows that the parents' ids take fewer requests. Nil when nothing is eligible.
func (r *request) earlyGrandparent(spec *reverseSpec, g *group, parents []int) func(count int) {
	choices := r.grandChoices(spec)
	if len(choices) == 0 {
		return nil
	}
	return func(count int) {
		for _, c := range choices {
			r.startEarlyGrandparent(spec, g, parents, c, count)
		}
	}
}

// startEarlyGrandparent reads a relation's grandchildren by the grandparents' ids at once, before
// the children are known, when that takes fewer requests than the fewest the ids of the
// children (n of them) could.
func (r *request) startEarlyGrandparent(spec *reverseSpec, g *group, parents []int, c grandChoice, n int) {
	if r.ctx.Err() != nil || n == 0 {
		return
	}
	p, err := r.planByGrandparent(spec, c, parents)
	least := r.least(p, c, n)
	if err != nil || len(p.queries) >= least {
		return // decided again when the children are in hand
	}
	r.mu.Lock()
	for _, eg := range g.grand {
		if eg.key == p.key {
			r.mu.Unlock()
			return // started already
		}
	}
	eg := r.newGroup(p.key, nil)
	g.grand = append(g.grand, eg)
	r.mu.Unlock()
	r.startGrandchildren(spec, c, eg, nil, p, least)
}

func (r *request) readByGrandparent(spec *reverseSpec, c grandChoice, rows map[int][]rest.Object) {
	key := r.reverseKey(spec.child, c.rev, c.sub.args, c.sub)
	r.mu.Lock()
	var fresh, grands []int
	for gid, kids := range rows {
		added := false
	next:
		for _, k := range kids {
			id := k.ID()
			if id == 0 {
				continue
			}
			for _, g := range r.groups[key] {
				if g.parents[id] {
					continue next
				}
			}
			fresh, added = append(fresh, id), true
		}
		if added {
			grands = append(grands, gid)
		}
	}
	if len(fresh) == 0 {
		r.mu.Unlock()
		return
	}
	p, err1 := r.planByGrandparent(spec, c, grands)
	byChild, err2 := r.loader.Split(p.child.Path, url.Values{"fields": {key.fields}}, c.rev.Param, fresh, 0)
	if err1 != nil || err2 != nil || len(p.queries) >= len(byChild) {
		r.mu.Unlock()
		return // the children's own look-ahead reads them by their ids
	}
	g := r.newGroup(key, fresh)
	r.mu.Unlock()
	r.startGrandchildren(spec, c, g, fresh, p, len(byChild))
}

// readGrandchildren reads a group of grandchildren by the queries of their grandparents and
// settles it. With parents (the children's ids) every one of them gets an entry; without (read
// before the children were known) every parent the rows name does.
func (r *request) readGrandchildren(spec *reverseSpec, c grandChoice, g *group, parents []int, queries []url.Values) {
	child := r.g.reg.Object(c.rev.Child)
	spec2, err := r.reverseSpec(r.ctx, spec.child, c.rev, c.sub.args, c.sub)
	if err != nil {
		r.settle(&reverseSpec{child: child}, g, nil, err)
		return
	}
	lists, err := r.loader.AllOf(r.ctx, child.Path, queries)
	if err != nil {
		r.settle(spec2, g, nil, err)
		return
	}
	out := make(map[int][]rest.Object, len(parents))
	for _, p := range parents {
		out[p] = []rest.Object{}
	}
	// A chunk that has any of a parent's children has all of them (the filter matches by
	// parent), so a parent's rows are taken from the first chunk that has them: a virtual
	// chassis master's list repeats its members' interfaces.
	from := map[int]int{}
	for ci, list := range lists {
		for _, o := range list {
			for _, p := range spec2.parentOf(o) {
				if _, ok := out[p]; !ok && parents != nil {
					continue
				}
				if c, had := from[p]; had && c != ci {
					continue
				}
				from[p] = ci
				out[p] = append(out[p], o)
			}
		}
	}
	r.settle(spec2, g, out, nil)
}

// parentChunk bounds the parent ids one merged filter plan reads at once: a plan's requests
// carry them in the URL, and the plan does not chunk.
const parentChunk = 100

// readChildren reads the children of parents. Without filters, or with filters that are one
// parameter set, that is one batched read by the parent parameter. A filter that merges several
// requests (an OR across fields), or that itself constrains the parent parameter, is ANDed with
// the parents and read whole, then split per parent.
func (r *request) readChildren(ctx context.Context, spec *reverseSpec, parents []int, groups [][]int, watch func(count int)) (map[int][]rest.Object, error) {
	if groups == nil {
		groups = [][]int{parents}
	}
	if spec.plan == nil {
		return r.loader.ByParentGroups(ctx, spec.child.Path, spec.param, groups, spec.q, spec.parentOf, watch)
	}
	f := fetcher{r}
	vals, simple, err := spec.plan.Simple(ctx, f)
	if err != nil {
		return nil, err
	}
	if simple && len(vals[spec.param]) == 0 {
		q := url.Values{}
		for k, vs := range spec.q {
			q[k] = vs
		}
		for k, vs := range vals {
			q[k] = append(q[k], vs...)
		}
		return r.loader.ByParentGroups(ctx, spec.child.Path, spec.param, groups, q, spec.parentOf, watch)
	}
	out := make(map[int][]rest.Object, len(parents))
	for _, p := range parents {
		out[p] = nil
	}
	if !simple {
		if empty, err := spec.plan.Empty(ctx, f); err != nil || empty {
			return out, err // matches nothing: no request
		}
	}
	fields := strings.Split(spec.q.Get("fields"), ",")
	read := func(ids []int) ([]rest.Object, error) {
		vals := make([]string, len(ids))
		for i, id := range ids {
			vals[i] = strconv.Itoa(id)
		}
		wp, err := spec.plan.With(spec.param, vals...)
		if err != nil {
			return nil, err
		}
		if spec.typeParam != "" {
			if wp, err = wp.With(spec.typeParam, spec.q.Get(spec.typeParam)); err != nil {
				return nil, err
			}
		}
		return wp.All(ctx, f, fields)
	}
	for start := 0; start < len(parents); start += parentChunk {
		chunk := parents[start:min(len(parents), start+parentChunk)]
		if spec.parentOf == nil {
			// Only the upstream knows the link: one parent at a time.
			for _, p := range chunk {
				rows, err := read([]int{p})
				if err != nil {
					return nil, err
				}
				out[p] = rows
			}
			continue
		}
		rows, err := read(chunk)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			for _, p := range spec.parentOf(row) {
				if _, ok := out[p]; ok {
					out[p] = append(out[p], row)
				}
			}
		}
	}
	return out, nil
}

// prefetch looks at what is selected under rows and starts, at once and in parallel, the
// requests the next level will need: related objects by id, children by parent id. Resolvers
// then find them (futures, groups) instead of asking one by one. It never blocks.
func (r *request) prefetch(rows []rest.Object, obj *model.Object, sel *selection) {
	if sel == nil || len(rows) == 0 || r.ctx.Err() != nil {
		return
	}
	for name, sub := range sel.children {
		if sub.children == nil {
			continue
		}
		if f := obj.Field(name); f != nil {
			r.prefetchRelation(rows, obj, f, sub)
			continue
		}
		if rev := obj.ReverseField(name); rev != nil {
			r.prefetchChildren(rows, obj, rev, sub)
		}
	}
}

func (r *request) prefetchRelation(rows []rest.Object, obj *model.Object, f *model.Field, sub *selection) {
	var objs []typedObject
	switch f.Kind {
	case model.KindForeignKey, model.KindManyToMany:
		rel := r.g.reg.Object(f.Related)
		for _, row := range rows {
			switch v := row[f.Name].(type) {
			case map[string]any:
				objs = append(objs, typedObject{rel, v})
			case []any:
				for _, it := range v {
					if nested := asObject(it); nested != nil {
						objs = append(objs, typedObject{rel, nested})
					}
				}
			}
		}
	case model.KindGeneric:
		for _, row := range rows {
			if f.List {
				items, err := r.genericItems(f, row[f.Name])
				if err == nil {
					objs = append(objs, items...)
				}
				continue
			}
			ct, _ := row[f.TypeKey].(string)
			nested := asObject(row[f.Name])
			if m := r.member(f, ct); m != nil && nested != nil {
				objs = append(objs, typedObject{m, withID(nested, row[f.IDKey])})
			}
		}
	default:
		return
	}
	nested := map[*model.Object][]rest.Object{}
	need := map[*model.Object][]int{}
	for _, o := range objs {
		if covered(r.g.reg, o.obj, sub, o.data) {
			nested[o.obj] = append(nested[o.obj], o.data)
		} else {
			need[o.obj] = append(need[o.obj], o.data.ID())
		}
	}
	for t, ds := range nested {
		r.prefetch(ds, t, sub) // reverse relations under nested objects need only their ids
	}
	for t, ids := range need {
		key := strings.Join(restFields(t, sub), ",")
		_, fresh := r.claim(t, key, ids)
		if len(fresh) == 0 {
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.fetchObjects(r.ctx, t, sub, key, fresh)
		}()
	}
}

func (r *request) prefetchChildren(rows []rest.Object, obj *model.Object, rev *model.Reverse, sub *selection) {
	key := r.reverseKey(obj, rev, sub.args, sub)
	r.mu.Lock()
	var fresh []int
	counter := model.ChildCountOf(obj.Name, rev.Child, rev.Via)
	counts := map[int]int{} // children by parent, where every fresh parent has its counter
next:
	for _, row := range rows {
		p := row.ID()
		if p == 0 {
			continue
		}
		for _, g := range r.groups[key] {
			if g.parents[p] {
				continue next
			}
		}
		fresh = append(fresh, p)
		if n := toInt(row[counter]); counter != "" && n != nil && *n >= 0 && counts != nil {
			counts[p] = int(*n)
		} else {
			counts = nil
		}
	}
	var g *group
	if len(fresh) > 0 {
		// Registered before any resolver of this level runs, so they all find it.
		g = r.newGroup(key, fresh)
	}
	r.mu.Unlock()
	if g == nil {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		spec, err := r.reverseSpec(r.ctx, obj, rev, sub.args, sub)
		if err != nil {
			g.err = err
			close(g.done)
			return
		}
		r.fetchCounted(r.ctx, spec, g, fresh, counts)
	}()
}
