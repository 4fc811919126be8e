package schema

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/graphbox/graphbox/filters"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// page is one answered list: the rows of the window and the total.
type page struct {
	rows          []*node
	total         int32
	offset, limit int32
}

func (p *page) info() *pageInfo {
	limit := p.limit
	return &pageInfo{offset: p.offset, limit: &limit}
}

// one answers <model>(id:) from the detail endpoint.
func (q *Query) one(ctx context.Context, name string, gid graphql.ID) (*node, error) {
	r := requestFrom(ctx)
	obj := r.g.reg.Object(name)
	id, err := strconv.Atoi(string(gid))
	if err != nil || id <= 0 {
		return nil, badInput("%s: %q is not an object id", obj.Single, string(gid))
	}
	sel := selectionOf(ctx)
	data, err := r.loader.Object(ctx, obj.Path, id, fieldsQuery(obj, sel))
	if err != nil {
		if missing(err, obj.Path) {
			// NetBox's GraphQL answers a missing object and one the token may not see alike.
			return nil, coded("NOT_FOUND", "%s matching query does not exist.", obj.Name)
		}
		return nil, r.fail(err)
	}
	r.prefetch([]rest.Object{data}, obj, sel)
	return &node{r: r, obj: obj, data: data, sel: sel}, nil
}

func fieldsQuery(obj *model.Object, sel *selection, extra ...string) url.Values {
	return url.Values{"fields": {strings.Join(restFields(obj, sel, extra...), ",")}}
}

// list answers <model>_list(filters:, pagination:, q:, ordering:) as version 2 does.
func (q *Query) list(ctx context.Context, name string, args listArgs) (*page, error) {
	sel := selectionOf(ctx)
	p, err := q.listOf(ctx, name, args, sel.child("results", false), sel.has("total_count"))
	if err != nil || args.Pagination == nil || args.Pagination.Start == nil || !sel.has("total_count") {
		return p, err
	}
	// total_count counts what the filters match, as without pagination: the cursor is
	// pagination, not a filter.
	whole := args
	whole.Pagination = nil
	t, err := q.listOf(ctx, name, whole, nil, true)
	if err != nil {
		return nil, err
	}
	p.total = t.total
	return p, nil
}

// plainList answers <model>_list as version 1 does: the rows alone.
func (q *Query) plainList(ctx context.Context, name string, args listArgs) ([]*node, error) {
	p, err := q.listOf(ctx, name, args, selectionOf(ctx), false)
	if err != nil {
		return nil, err
	}
	return p.rows, nil
}

// listOf reads one window of a list; results is the selection under each row, nil when no row
// is selected (total_count alone). Without wantTotal the total may be left out where it would
// cost requests of its own (a merged OR's count).
func (q *Query) listOf(ctx context.Context, name string, args listArgs, results *selection, wantTotal bool) (*page, error) {
	r := requestFrom(ctx)
	obj := r.g.reg.Object(name)
	offset, limit, err := r.g.windowOf(args.Pagination, r.version)
	if err != nil {
		return nil, err
	}
	w := filters.Window{Offset: offset, Limit: limit, NoTotal: !wantTotal}
	if p := args.Pagination; p != nil && p.Start != nil {
		// NetBox 4.5+'s cursor: the rows from id start on, in id order.
		if p.Offset != 0 {
			return nil, badInput("%s: pagination takes start or offset, not both", obj.List)
		}
		if args.Ordering != nil && len(*args.Ordering) > 0 {
			return nil, badInput("%s: a start cursor lists in id order and takes no ordering", obj.List)
		}
		cursor := map[string]any{"id": map[string]any{"gte": strconv.Itoa(int(*p.Start))}}
		if len(args.Filters.Raw) > 0 {
			cursor = map[string]any{"AND": []any{args.Filters.Raw, cursor}}
		}
		args.Filters.Raw = cursor
		args.Ordering = &[]string{"id"}
	}
	if args.Ordering != nil {
		if !obj.Ordering && len(*args.Ordering) > 0 {
			return nil, badInput("%s: the upstream cannot order this list", obj.List)
		}
		w.Ordering = *args.Ordering
	}
	if args.Q != nil {
		if !obj.Search {
			return nil, badInput("%s: the upstream has no quick search for this list", obj.List)
		}
		w.Search = *args.Q
	}
	if results != nil {
		w.Fields = restFields(obj, results)
	}

	var rows []rest.Object
	var total int
	if len(args.Filters.Raw) > 0 {
		plan, err := r.compile(ctx, obj.List, obj, args.Filters.Raw)
		if err != nil {
			return nil, err
		}
		if results == nil && w.Search == "" {
			total, err = plan.Count(ctx, fetcher{r})
		} else {
			if results == nil {
				w.Limit, w.Fields = 1, []string{"id"}
			}
			var res *filters.Result
			res, err = plan.Run(ctx, fetcher{r}, w)
			if res != nil {
				rows, total = res.Rows, res.Total
			}
		}
		if forbiddenList(err, obj.Path) {
			return r.emptyPage(obj, offset, limit), nil
		}
		if err != nil {
			return nil, r.filterFail(obj, err)
		}
		if results == nil {
			rows = nil
		}
	} else {
		rows, total, err = r.window(ctx, obj, w, results != nil)
		if forbiddenList(err, obj.Path) {
			return r.emptyPage(obj, offset, limit), nil
		}
		if err != nil {
			return nil, r.fail(err)
		}
	}
	r.prefetch(rows, obj, results)
	p := &page{total: int32(total), offset: int32(offset), limit: int32(limit), rows: make([]*node, len(rows))}
	for i, row := range rows {
		p.rows[i] = &node{r: r, obj: obj, data: row, sel: results}
	}
	return p, nil
}

// forbiddenList tells whether err is the upstream refusing this token the list at path: a
// permission, not the credentials. NetBox's GraphQL restricts every list to what the user may
// view, so such a list is empty there, with no error.
func forbiddenList(err error, path string) bool {
	var re *rest.Error
	return errors.As(err, &re) && re.Status == http.StatusForbidden && !re.CredentialsRejected() &&
		strings.HasPrefix(re.Path, path)
}

// missing tells whether err means the object at path does not exist for this token.
func missing(err error, path string) bool {
	var re *rest.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Path, path) &&
		(re.Status == http.StatusNotFound || re.Status == http.StatusForbidden && !re.CredentialsRejected())
}

// emptyPage is a list the token may not view, answered as NetBox's GraphQL answers it.
func (r *request) emptyPage(obj *model.Object, offset, limit int) *page {
	r.warnForbidden(obj)
	return &page{offset: int32(offset), limit: int32(limit), rows: []*node{}}
}

// filterFail keeps upstream errors as they are and turns the compiler's into input errors.
func (r *request) filterFail(obj *model.Object, err error) error {
	var re *rest.Error
	if errors.As(err, &re) {
		return r.fail(re)
	}
	if c := codeOf(err); c != "" {
		return err
	}
	return badInput("%s: %v", obj.List, err)
}

// window reads one window of an unfiltered list. NetBox caps limit at its MAX_PAGE_SIZE, which
// may be lower than ours: the rest of the window is read from the following pages.
func (r *request) window(ctx context.Context, obj *model.Object, w filters.Window, wantRows bool) ([]rest.Object, int, error) {
	q := url.Values{}
	if !wantRows {
		q.Set("limit", "1")
		q.Set("fields", "id")
	} else {
		q.Set("limit", strconv.Itoa(w.Limit))
		q.Set("offset", strconv.Itoa(w.Offset))
		q.Set("fields", strings.Join(w.Fields, ","))
	}
	if len(w.Ordering) > 0 {
		q.Set("ordering", strings.Join(w.Ordering, ","))
	}
	if w.Search != "" {
		q.Set("q", w.Search)
	}
	pg, err := r.loader.Page(ctx, obj.Path, q)
	if err != nil {
		return nil, 0, err
	}
	if !wantRows {
		return nil, pg.Count, nil
	}
	rows := pg.Results
	for len(pg.Results) > 0 && len(rows) < w.Limit && w.Offset+len(rows) < pg.Count {
		q.Set("offset", strconv.Itoa(w.Offset+len(rows)))
		q.Set("limit", strconv.Itoa(w.Limit-len(rows)))
		if pg, err = r.loader.Page(ctx, obj.Path, q); err != nil {
			return nil, 0, err
		}
		rows = append(rows, pg.Results...)
	}
	if len(rows) > w.Limit {
		rows = rows[:w.Limit]
	}
	return rows, pg.Count, nil
}

// windowOf is the offset and limit of a list. Version 1 follows NetBox 4.6: no limit, or one
// below 1, is MAX_PAGE_SIZE. Version 2 keeps Graphbox's documented page: 100 by default, and a
// limit below 1 is refused. Both are capped at MaxPageSize.
func (g *Gateway) windowOf(p *OffsetPaginationInput, version int) (offset, limit int, err error) {
	limit = g.opts.DefaultPageSize
	if version == 1 {
		limit = g.opts.MaxPageSize
	}
	if p == nil {
		return 0, limit, nil
	}
	if p.Offset < 0 {
		return 0, 0, badInput("pagination: offset must not be negative")
	}
	if p.Start != nil {
		if *p.Start < 0 {
			return 0, 0, badInput("pagination: `start` must be greater than or equal to zero.")
		}
		if p.Offset != 0 {
			return 0, 0, badInput("pagination: Cannot specify both `start` and `offset` in pagination.")
		}
	}
	if p.Limit != nil {
		switch {
		case *p.Limit > 0:
			limit = min(int(*p.Limit), g.opts.MaxPageSize)
		case version == 1:
			limit = g.opts.MaxPageSize
		default:
			return 0, 0, badInput("pagination: limit must be positive")
		}
	}
	return int(p.Offset), limit, nil
}

// cut cuts one parent's list held in memory (a reverse relation's children, a many-to-many
// list) as NetBox does a nested list in both versions: at most MAX_PAGE_SIZE rows, from the
// start cursor on in id order when one is given.
func cut[T any](r *request, items []T, p *OffsetPaginationInput, id func(T) int) ([]T, error) {
	offset, limit, err := r.g.windowOf(p, 1)
	if err != nil {
		return nil, err
	}
	if p != nil && p.Start != nil {
		kept := make([]T, 0, len(items))
		for _, it := range items {
			if id(it) >= int(*p.Start) {
				kept = append(kept, it)
			}
		}
		sort.SliceStable(kept, func(i, j int) bool { return id(kept[i]) < id(kept[j]) })
		items = kept
	}
	if offset >= len(items) {
		return items[:0], nil
	}
	return items[offset:min(len(items), offset+limit)], nil
}

// fetcher lets a filter plan make its requests through the request's loader.
type fetcher struct{ r *request }

func (f fetcher) Page(ctx context.Context, obj *model.Object, q url.Values) (*rest.Page, error) {
	return dropUnknownChoices(q, &rest.Page{}, func(q url.Values) (*rest.Page, error) { return f.r.loader.Page(ctx, obj.Path, q) })
}

func (f fetcher) All(ctx context.Context, obj *model.Object, q url.Values) ([]rest.Object, error) {
	return dropUnknownChoices(q, nil, func(q url.Values) ([]rest.Object, error) { return f.r.loader.All(ctx, obj.Path, q) })
}

// dropUnknownChoices makes a request again without each related value the upstream says does
// not exist (withoutUnknownChoice), answering none when no value is left to match.
func dropUnknownChoices[T any](q url.Values, none T, get func(url.Values) (T, error)) (T, error) {
	for tries := 0; ; tries++ {
		v, err := get(q)
		next, empty, ok := withoutUnknownChoice(err, q, tries)
		if !ok {
			return v, err
		}
		if empty {
			return none, nil
		}
		q = next
	}
}

// unknownChoice is Django's message for a related object that does not exist, as NetBox's REST
// API answers it for a filter parameter: "site_id: Select a valid choice. 999 is not one of the
// available choices."
var unknownChoice = regexp.MustCompile(`^([a-z0-9_]+): Select a valid choice\. (.+) is not one of the available choices\.$`)

// withoutUnknownChoice reads a 400 that names a related object that does not exist. NetBox's
// GraphQL filter (site_id: "999") matches no row there where its REST filter refuses the value:
// the value is dropped and the request made again; a parameter left without values matches
// nothing (none), while an exclusion (__n) of it excludes nothing. Django names one value per
// answer, so a request may be made again for each unknown value, up to a bound.
func withoutUnknownChoice(err error, q url.Values, tries int) (next url.Values, none, ok bool) {
	var re *rest.Error
	if tries >= 16 || !errors.As(err, &re) || re.Status != http.StatusBadRequest {
		return nil, false, false
	}
	m := unknownChoice.FindStringSubmatch(re.Detail)
	if m == nil {
		return nil, false, false
	}
	param, value := m[1], m[2]
	vals := q[param]
	kept := slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return v == value })
	if len(kept) == len(vals) {
		return nil, false, false // not a value this request sent: leave the error as it is
	}
	next = url.Values{}
	for k, vs := range q {
		next[k] = vs
	}
	if len(kept) > 0 {
		next[param] = kept
		return next, false, true
	}
	if strings.HasSuffix(param, "__n") {
		delete(next, param)
		return next, false, true
	}
	return nil, true, true
}

func (f fetcher) MaxQuery(obj *model.Object) int { return f.r.loader.MaxQuery(obj.Path) }

// The relation resolvers below answer from data in hand: the nested object REST embeds, or the
// full object the look-ahead started fetching when the parent's page arrived. They take no
// context, so graphql-go runs them inline instead of in a goroutine each; they wait on the
// look-ahead with the request's context. Their generated callers turn an error into a field
// error through must. name is the field's name, in GraphQL and REST alike: the generator binds a
// relation only to the REST field of its name.

// fk resolves a foreign key: from its nested object when that holds every selected field,
// otherwise from the related object.
func (n *node) fk(name string) (*node, error) {
	return n.nestedAs(name, n.obj.Field(name).Related)
}

// one resolves the single nested object of the field name.
func (n *node) one(name string, o typedObject) (*node, error) {
	ns, err := n.r.resolveNested([]typedObject{o}, n.under(name))
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	return ns[0], nil
}

// m2m resolves a list of nested objects (tags, tagged VLANs).
func (n *node) m2m(name string) ([]*node, error) {
	f := n.obj.Field(name)
	rel := n.r.g.reg.Object(f.Related)
	items, _ := n.data[name].([]any)
	objs := make([]typedObject, 0, len(items))
	for _, it := range items {
		if nested := asObject(it); nested != nil {
			objs = append(objs, typedObject{rel, nested})
		}
	}
	return n.r.resolveNested(objs, n.under(name))
}

// generic resolves a generic relation (<x>_type, <x>_id, <x>) as a union member.
func (n *node) generic(name string) (*node, error) {
	f := n.obj.Field(name)
	ct, _ := n.data[f.TypeKey].(string)
	nested := asObject(n.data[name])
	if ct == "" || nested == nil {
		return nil, nil
	}
	obj := n.r.member(f, ct)
	if obj == nil {
		return nil, coded("UNSUPPORTED_TYPE", "%s.%s: %s is not a member of %s", n.obj.Name, name, ct, f.GraphQL)
	}
	return n.one(name, typedObject{obj, withID(nested, n.data[f.IDKey])})
}

// genericList resolves a list of {"object_type","object_id","object"} (cable terminations).
func (n *node) genericList(name string) ([]*node, error) {
	f := n.obj.Field(name)
	objs, err := n.r.genericItems(f, n.data[name])
	if err != nil {
		return nil, err
	}
	return n.r.resolveNested(objs, n.under(name))
}

func (r *request) genericItems(f *model.Field, v any) ([]typedObject, error) {
	items, _ := v.([]any)
	out := make([]typedObject, 0, len(items))
	for _, it := range items {
		item := asObject(it)
		ct, _ := item["object_type"].(string)
		nested := asObject(item["object"])
		if ct == "" || nested == nil {
			continue
		}
		obj := r.member(f, ct)
		if obj == nil {
			return nil, coded("UNSUPPORTED_TYPE", "%s: %s is not a member of %s", f.Name, ct, f.GraphQL)
		}
		out = append(out, typedObject{obj, withID(nested, item["object_id"])})
	}
	return out, nil
}

// member is the union member of a generic relation for a content type.
func (r *request) member(f *model.Field, contentType string) *model.Object {
	obj := r.g.reg.ByContentType(contentType)
	if obj == nil {
		return nil
	}
	if u := r.g.reg.Union(f.GraphQL); u != nil {
		for _, m := range u.Members {
			if m == obj.Name {
				return obj
			}
		}
	}
	return nil
}

// withID makes sure a nested object carries its id, which some generic forms keep beside it.
func withID(nested rest.Object, id any) rest.Object {
	if nested.ID() != 0 || id == nil {
		return nested
	}
	out := make(rest.Object, len(nested)+1)
	for k, v := range nested {
		out[k] = v
	}
	out["id"] = id
	return out
}

// typedObject is a nested object with the object type it is of.
type typedObject struct {
	obj  *model.Object
	data rest.Object
}

// resolveNested answers nested objects selected with sel: those that hold the selection as they
// are, the others from their full objects, found prefetched (the common case: look-ahead
// registered them when the parent's rows arrived) or else fetched in one batch per type.
func (r *request) resolveNested(objs []typedObject, sel *selection) ([]*node, error) {
	out := make([]*node, len(objs))
	need := map[*model.Object][]int{}
	for i, o := range objs {
		if covered(r.g.reg, o.obj, sel, o.data) {
			out[i] = &node{r: r, obj: o.obj, data: o.data, sel: sel}
		} else {
			need[o.obj] = append(need[o.obj], o.data.ID())
		}
	}
	for obj, ids := range need {
		full, err := r.objects(r.ctx, obj, sel, ids)
		if err != nil {
			return nil, r.fail(err)
		}
		for i, o := range objs {
			if out[i] != nil || o.obj != obj {
				continue
			}
			data := full[o.data.ID()]
			if data == nil {
				// The caller's token cannot see the related object; REST still shows its
				// brief form, and so does this answer where it can.
				return nil, coded("NOT_FOUND", "%s %d is not visible with these credentials", obj.Name, o.data.ID())
			}
			out[i] = &node{r: r, obj: obj, data: data, sel: sel}
		}
	}
	return out, nil
}

// reverse resolves a reverse relation (device.interfaces): the children of this parent, read
// with the child's <parent>_id filter, batched across the parents of the page by look-ahead.
func (n *node) reverse(ctx context.Context, name string, args relationArgs) ([]*node, error) {
	r := n.r
	rev := n.obj.ReverseField(name)
	sel := n.under(name)
	spec, err := r.reverseSpec(ctx, n.obj, rev, &args, sel)
	if err != nil {
		return nil, err
	}
	rows, err := r.children(ctx, spec, n.data.ID())
	if forbiddenList(err, spec.child.Path) {
		r.warnForbidden(spec.child)
		return []*node{}, nil
	}
	if err != nil {
		return nil, r.fail(err)
	}
	if rows, err = cut(r, rows, args.Pagination, rest.Object.ID); err != nil {
		return nil, err
	}
	out := make([]*node, len(rows))
	for i, row := range rows {
		out[i] = &node{r: r, obj: spec.child, data: row, sel: sel}
	}
	return out, nil
}

// reverseSpec is how the children of a reverse relation are read: the query (fields, compiled
// filters) and how a child is matched to its parent.
type reverseSpec struct {
	key      groupKey
	child    *model.Object
	param    string
	q        url.Values
	parentOf func(rest.Object) []int
	sel      *selection
	plan     *filters.Plan // the relation's filters, if any
	// typeParam is the child's parameter for the parent's content type (generic relations).
	typeParam string
	// via is the child's foreign key to the parent, "" for other links.
	via string
}

// reverseKey names the children a reverse relation reads for a selection and arguments. It
// needs no request, so look-ahead can register a batch before any resolver looks for it.
func (r *request) reverseKey(parent *model.Object, rev *model.Reverse, args *relationArgs, sel *selection) groupKey {
	child := r.g.reg.Object(rev.Child)
	var extra []string
	if rev.TypeKey != "" {
		extra = append(extra, rev.TypeKey, rev.IDKey)
	}
	if f := child.Field(rev.Via); f != nil {
		extra = append(extra, f.Name)
		if f.Kind == model.KindGeneric {
			extra = append(extra, f.TypeKey, f.IDKey)
		}
	}
	var filterArg any
	if args != nil && len(args.Filters.Raw) > 0 {
		filterArg = args.Filters.Raw
	}
	argKey, _ := json.Marshal(filterArg)
	fields := strings.Join(restFields(child, sel, extra...), ",")
	return groupKey{parent: parent.Name, child: child.Name, param: rev.Param, args: string(argKey), fields: fields}
}

func (r *request) reverseSpec(ctx context.Context, parent *model.Object, rev *model.Reverse, args *relationArgs, sel *selection) (*reverseSpec, error) {
	// Without filters the spec depends on the selection alone, which every parent of a level
	// shares: found by pointer, without building the key again for each of thousands of parents.
	plain, isPlain := plainSpecKey{parent, rev, sel}, args == nil || len(args.Filters.Raw) == 0
	if isPlain {
		r.mu.Lock()
		spec := r.plainSpecs[plain]
		r.mu.Unlock()
		if spec != nil {
			return spec, nil
		}
	}
	key := r.reverseKey(parent, rev, args, sel)
	r.mu.Lock()
	spec := r.specs[key]
	if spec != nil && isPlain {
		r.plainSpecs[plain] = spec
	}
	r.mu.Unlock()
	if spec != nil {
		return spec, nil
	}
	child := r.g.reg.Object(rev.Child)
	var parentOf func(rest.Object) []int
	if rev.TypeKey != "" {
		ct := parent.ContentType
		parentOf = func(o rest.Object) []int {
			if o[rev.TypeKey] != ct {
				return nil
			}
			if id := toInt(o[rev.IDKey]); id != nil {
				return []int{int(*id)}
			}
			return nil
		}
	} else if f := child.Field(rev.Via); f != nil {
		switch f.Kind {
		case model.KindManyToMany:
			parentOf = func(o rest.Object) []int {
				items, _ := o[f.Name].([]any)
				out := make([]int, 0, len(items))
				for _, it := range items {
					if id := asObject(it).ID(); id != 0 {
						out = append(out, id)
					}
				}
				return out
			}
		case model.KindForeignKey:
			parentOf = func(o rest.Object) []int { return []int{asObject(o[f.Name]).ID()} }
		case model.KindScalar: // a parent REST gives as a bare id (an inventory item's parent)
			parentOf = func(o rest.Object) []int {
				if id := toInt(o[f.Name]); id != nil {
					return []int{int(*id)}
				}
				return nil
			}
		case model.KindGeneric:
			ct := parent.ContentType
			parentOf = func(o rest.Object) []int {
				if o[f.TypeKey] != ct {
					return nil
				}
				if id := toInt(o[f.IDKey]); id != nil {
					return []int{int(*id)}
				}
				return nil
			}
		}
	}
	q := url.Values{"fields": {key.fields}}
	if rev.TypeParam != "" {
		q.Set(rev.TypeParam, parent.ContentType)
	}
	var plan *filters.Plan
	if args != nil && len(args.Filters.Raw) > 0 {
		var err error
		if plan, err = r.compile(ctx, parent.Type+"."+rev.Name, child, args.Filters.Raw); err != nil {
			return nil, err
		}
	}
	spec = &reverseSpec{key: key, child: child, param: rev.Param, q: q, parentOf: parentOf, sel: sel, plan: plan, typeParam: rev.TypeParam}
	if f := child.Field(rev.Via); f != nil && f.Kind == model.KindForeignKey && rev.TypeKey == "" {
		spec.via = f.Name
	}
	r.mu.Lock()
	r.specs[key] = spec
	if isPlain {
		r.plainSpecs[plain] = spec
	}
	r.mu.Unlock()
	return spec, nil
}

// plainSpecKey finds the spec of a relation read without filters under one selection.
type plainSpecKey struct {
	parent *model.Object
	rev    *model.Reverse
	sel    *selection
}

// codeOf is the extensions.code an error already carries, if any.
func codeOf(err error) string {
	if e, ok := err.(interface{ Extensions() map[string]any }); ok {
		if c, ok := e.Extensions()["code"].(string); ok {
			return c
		}
	}
	return ""
}
