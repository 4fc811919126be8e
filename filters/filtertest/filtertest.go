// Package filtertest is the reference evaluation of filter trees for tests; not used by the
// gateway. It evaluates strawberry-django filter inputs directly over in-memory rows, with
// Django's semantics, and generates random filter inputs for differential tests.
package filtertest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// Dataset is an in-memory inventory, by object type Name, rows in id order. The Reference orders
// its answers by the registry's default orders, reading related rows here where an ordering
// term needs more than a relation's nested form.
type Dataset map[string][]rest.Object

// ByID finds a row by id, or nil.
func (d Dataset) ByID(obj string, id int) rest.Object {
	for _, r := range d[obj] {
		if r.ID() == id {
			return r
		}
	}
	return nil
}

// Window is the part of a reference answer wanted: rows sorted by Ordering (REST terms) then
// id, Offset and Limit applied; Search keeps rows whose name contains it, case-insensitively.
type Window struct {
	Offset, Limit int
	Ordering      []string
	Search        string
}

// Reference evaluates a filter input directly over the data set with Django's semantics as
// strawberry-django builds them: fields but OR are ANDed, NOT is AND NOT, a single OR object is
// ORed last; null inputs and empty objects vanish; a leaf on NULL is false except is_null; a
// missing related object is a row of NULLs (LEFT JOIN). It is safe for concurrent use; Data
// must not change once it is in use.
type Reference struct {
	Reg  *model.Registry
	Data Dataset
	// Derived gives the value a parameter NetBox derives (FilterParam.Field == "") tests on a
	// row; nil when there is none. Without it such a parameter cannot be evaluated (a panic:
	// the generator must not produce it).
	Derived func(obj *model.Object, p *model.FilterParam, row rest.Object) any

	indexOnce sync.Once
	index     map[string]map[int]rest.Object // by object name and id, built on first use

	mu    sync.Mutex
	ranks map[string]map[int]int // default order of each type's rows, by id, on first use
}

func (r *Reference) byID(obj string, id int) rest.Object {
	r.indexOnce.Do(func() {
		r.index = make(map[string]map[int]rest.Object, len(r.Data))
		for name, rows := range r.Data {
			m := make(map[int]rest.Object, len(rows))
			for _, row := range rows {
				m[row.ID()] = row
			}
			r.index[name] = m
		}
	})
	return r.index[obj][id]
}

// tri is a truth value of SQL's three-valued logic. Only custom-field text lookups are ever
// unknown: on a JSON null they test SQL NULL, and NOT of NULL is NULL.
type tri int8

const (
	triFalse tri = iota
	triUnknown
	triTrue
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (t tri) not() tri { return triTrue - t }

func (t tri) and(u tri) tri { return min(t, u) }

func (t tri) or(u tri) tri { return max(t, u) }

// Eval returns (matches, empty) where empty means the filter constrains nothing (Q()); a row
// matches when the filter is true, not unknown.
func (r *Reference) Eval(obj *model.Object, row rest.Object, in map[string]any) (bool, bool) {
	t, empty := r.eval(obj, row, in)
	return t == triTrue, empty
}

func (r *Reference) eval(obj *model.Object, row rest.Object, in map[string]any) (tri, bool) {
	res, empty := triTrue, true
	var orVal *tri
	and := func(v tri, e bool) {
		if !e {
			res = res.and(v)
			empty = false
		}
	}
	for k, v := range in {
		if v == nil {
			continue
		}
		if l, isList := v.([]any); isList && (k == "AND" || k == "OR" || k == "NOT") { // lists: AND/OR/NOT within, AND with the siblings
			acc, accEmpty := triOf(k == "AND"), true
			for _, e := range l {
				m, em := r.eval(obj, row, e.(map[string]any))
				if em {
					continue
				}
				accEmpty = false
				if k == "AND" {
					acc = acc.and(m)
				} else {
					acc = acc.or(m)
				}
			}
			if k == "NOT" {
				acc = acc.not()
			}
			and(acc, accEmpty)
			continue
		}
		switch k {
		case "DISTINCT":
			// queryset.distinct(): a filter's rows are distinct already here
		case "AND":
			and(r.eval(obj, row, v.(map[string]any)))
		case "NOT":
			m, e := r.eval(obj, row, v.(map[string]any))
			and(m.not(), e)
		case "OR":
			m, e := r.eval(obj, row, v.(map[string]any))
			if !e {
				orVal = &m
			}
		default:
			and(r.field(obj, row, obj.FilterField(k), v))
		}
	}
	if orVal != nil {
		if empty {
			return *orVal, false
		}
		return res.or(*orVal), false
	}
	return res, empty
}

func (r *Reference) field(obj *model.Object, row rest.Object, ff *model.FilterField, v any) (tri, bool) {
	switch ff.Kind {
	case model.FilterCustomFields:
		return r.customField(row, v.(map[string]any))
	case model.FilterDistinct:
		return triTrue, true
	case model.FilterUnavailable:
		panic("filtertest: " + obj.Name + "Filter." + ff.Name + " has no REST answer to compare with")
	case model.FilterRelated:
		if ff.Input == "TreeNodeFilter" {
			return r.treeNode(row, ff, v.(map[string]any)), false
		}
		rel := r.Reg.Object(ff.Related)
		if ff.Reverse != "" {
			return r.reverse(obj, rel, row, ff, v.(map[string]any))
		}
		if f := obj.Field(ff.Field); f != nil && (f.Kind == model.KindManyToMany || f.List) {
			return r.manyToMany(rel, row, ff, v.(map[string]any))
		}
		var relRow rest.Object
		if row != nil {
			relRow = r.byID(rel.Name, NestedID(row[ff.Field]))
		}
		return r.eval(rel, relRow, v.(map[string]any))
	}
	return r.plainField(obj, row, ff, v)
}

// treeNode evaluates NetBox 4.6's TreeNodeFilter {id, match_type} on a foreign key into a tree
// (a site's region), as NetBox's generate_tree_node_q_filter selects nodes: EXACT the node,
// SELF_AND_DESCENDANTS its subtree, DESCENDANTS the subtree without it, CHILDREN the nodes whose
// parent it is. The tree is the related rows' parent field. An id of no node is Q(pk__in=[]),
// false on every row; a NULL foreign key is false too (and true under NOT, as Django's exclude
// adds IS NOT NULL). The other match types are not planned, and the generator does not draw them.
func (r *Reference) treeNode(row rest.Object, ff *model.FilterField, in map[string]any) tri {
	node, err := strconv.Atoi(strings.TrimSpace(text(in["id"])))
	if err != nil || r.byID(ff.Related, node) == nil || row == nil {
		return triFalse
	}
	fk := NestedID(row[ff.Field])
	if fk == 0 {
		return triFalse
	}
	parent := func(id int) int { return NestedID(r.byID(ff.Related, id)["parent"]) }
	switch m := in["match_type"]; m {
	case "EXACT":
		return triOf(fk == node)
	case "CHILDREN":
		return triOf(parent(fk) == node)
	case "SELF_AND_DESCENDANTS", "DESCENDANTS":
		// up from the foreign key's node; a tree has no cycle, the bound guards a broken one
		for id, n := fk, len(r.Data[ff.Related]); id != 0 && n >= 0; id, n = parent(id), n-1 {
			if id == node {
				return triOf(m == "SELF_AND_DESCENDANTS" || id != fk)
			}
		}
		return triFalse
	default:
		panic(fmt.Sprintf("filtertest: TreeNodeFilter match_type %v is not evaluated", m))
	}
}

// manyToMany evaluates a related filter on a many-to-many relation: Django joins the related
// rows (under NOT it tests a subquery of them), so a row matches when the filter is true on any
// of its related rows, and a NULL there counts as false.
// reverse evaluates a filter through a reverse relation (a device filter's interfaces) as
// Django's filter(interfaces__...) does: true when at least one child of the row matches.
func (r *Reference) reverse(obj, rel *model.Object, row rest.Object, ff *model.FilterField, in map[string]any) (tri, bool) {
	if _, empty := r.eval(rel, nil, in); empty {
		return triTrue, true // Q(): no join at all
	}
	rev := obj.ReverseField(ff.Reverse)
	if row == nil || rev == nil {
		return triFalse, false
	}
	id := row.ID()
	for _, child := range r.Data[rel.Name] {
		parent := 0
		if rev.TypeKey != "" {
			if child[rev.TypeKey] == obj.ContentType {
				if f, ok := child[rev.IDKey].(float64); ok {
					parent = int(f)
				}
			}
		} else {
			parent = NestedID(child[rev.Via])
		}
		if parent == id {
			if t, _ := r.eval(rel, child, in); t == triTrue {
				return triTrue, false
			}
		}
	}
	return triFalse, false
}

func (r *Reference) manyToMany(rel *model.Object, row rest.Object, ff *model.FilterField, in map[string]any) (tri, bool) {
	if _, empty := r.eval(rel, nil, in); empty {
		return triTrue, true // Q(): no join at all
	}
	var list []any
	if row != nil {
		list, _ = row[ff.Field].([]any)
	}
	for _, e := range list {
		if t, _ := r.eval(rel, r.byID(rel.Name, NestedID(e)), in); t == triTrue {
			return triTrue, false
		}
	}
	return triFalse, false
}

func (r *Reference) plainField(obj *model.Object, row rest.Object, ff *model.FilterField, v any) (tri, bool) {
	p := obj.Filter(ff.Param)
	val := r.ParamValue(obj, p, row)
	switch ff.Kind {
	case model.FilterID:
		// Django reads the ID with int(): surrounding blanks and leading zeros are fine
		return triOf(val != nil && LeafMatch("", strings.TrimSpace(text(v)), val)), false
	case model.FilterChoice:
		f := obj.Field(ff.Field)
		lks, ok := v.(map[string]any)
		if !ok {
			lks = map[string]any{"in_list": v} // NetBox 4.4's bare enum, or a list of them
		}
		res, empty := triTrue, true
		for lk, lv := range lks {
			if lv == nil {
				continue
			}
			empty = false
			var m bool
			switch lk {
			case "is_null":
				m = (val == nil) == lv.(bool)
			default: // exact, in_list
				enums, isList := lv.([]any)
				if !isList {
					enums = []any{lv}
				}
				m = choiceIn(f, enums, val)
			}
			res = res.and(triOf(m))
		}
		return res, empty
	}
	lks := v.(map[string]any)
	if ff.OneOf {
		_, lks = MemberLookups(lks)
	}
	res, empty := triTrue, true
	for lk, lv := range lks {
		if lv == nil {
			continue
		}
		empty = false
		res = res.and(r.lookup(p, lk, lv, val))
	}
	return res, empty
}

// MemberLookups reads a one-of numeric lookup (NetBox 4.5+'s IntegerLookup, FloatLookup, …):
// its one member, and the lookups that member holds, a range_lookup's as {"range": …}.
func MemberLookups(v map[string]any) (string, map[string]any) {
	for member, mv := range v { // exactly one
		if member == "range_lookup" {
			return member, map[string]any{"range": mv}
		}
		lks, _ := mv.(map[string]any)
		return member, lks
	}
	return "", nil
}

// choiceIn tells whether a choice's value is one of the enums (by GraphQL name or REST value).
func choiceIn(f *model.Field, enums []any, val any) bool {
	for _, e := range enums {
		for _, ch := range f.Choices {
			// text: integer choices (family 4/6) arrive as JSON numbers
			if (ch.Enum == e || ch.Value == e) && val != nil && text(val) == ch.Value {
				return true
			}
		}
	}
	return false
}

// ParamValue reads what a filter parameter tests on a row: one value, or nil.
func (r *Reference) ParamValue(obj *model.Object, p *model.FilterParam, row rest.Object) any {
	if row == nil {
		return nil
	}
	if p.Field == "" {
		if r.Derived == nil {
			panic("filtertest: no value for the derived parameter " + p.Name)
		}
		return r.Derived(obj, p, row)
	}
	v := row[p.Field]
	if m, ok := v.(map[string]any); ok {
		if val, ok := m["value"]; ok {
			return val
		}
		return m[p.RelatedKey]
	}
	return v
}

// NestedID is the id of a nested (brief) object, or 0.
func NestedID(v any) int {
	if m, ok := v.(map[string]any); ok {
		return rest.Object(m).ID()
	}
	return 0
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case int32:
		return strconv.Itoa(int(t))
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// lookup evaluates one lookup: SQL NULL (unknown) only for a range with a null bound, which
// Django compares BETWEEN a AND NULL; on a NULL value every lookup but is_null is false (Django's
// negation adds IS NOT NULL, and unknown and false differ only under a negation).
func (r *Reference) lookup(p *model.FilterParam, lk string, lv any, val any) tri {
	dated := p.Type == model.ParamDate || p.Type == model.ParamDateTime
	switch {
	case lk == "is_null":
		return triOf((val == nil) == lv.(bool))
	case dated && DatePart(lk):
		return datePart(lk, lv.(map[string]any), val)
	case val == nil:
		return triFalse
	case lk == "range":
		m := lv.(map[string]any)
		return rangeTri(m["start"], m["end"], func(op string, bound any) bool {
			if dated {
				return dateLookup(op, bound, val)
			}
			return LeafMatch(op, text(bound), val)
		})
	}
	return triOf(r.plainLookup(p, lk, lv, val))
}

// rangeTri is BETWEEN start AND end with cmp testing one bound ("gte" start, "lte" end): a null
// bound makes it NULL where the other holds.
func rangeTri(start, end any, cmp func(op string, bound any) bool) tri {
	if start != nil && !cmp("gte", start) || end != nil && !cmp("lte", end) {
		return triFalse
	}
	if start == nil || end == nil {
		return triUnknown
	}
	return triTrue
}

func (r *Reference) plainLookup(p *model.FilterParam, lk string, lv any, val any) bool {
	if p.Type == model.ParamDate || p.Type == model.ParamDateTime {
		return dateLookup(lk, lv, val)
	}
	s, isStr := val.(string)
	switch lk {
	case "exact":
		return LeafMatch("", text(lv), val)
	case "i_exact":
		return LeafMatch("ie", text(lv), val)
	case "contains":
		return isStr && strings.Contains(s, text(lv))
	case "i_contains":
		return LeafMatch("ic", text(lv), val)
	case "starts_with":
		return isStr && strings.HasPrefix(s, text(lv))
	case "i_starts_with":
		return LeafMatch("isw", text(lv), val)
	case "ends_with":
		return isStr && strings.HasSuffix(s, text(lv))
	case "i_ends_with":
		return LeafMatch("iew", text(lv), val)
	case "regex":
		return LeafMatch("regex", text(lv), val)
	case "i_regex":
		return LeafMatch("iregex", text(lv), val)
	case "gt", "gte", "lt", "lte":
		return LeafMatch(lk, text(lv), val)
	case "in_list":
		for _, e := range lv.([]any) {
			if LeafMatch("", text(e), val) {
				return true
			}
		}
		return false
	}
	panic("filtertest: lookup " + lk)
}

// dateLookup compares dates and date-times as instants, as the database does: a stored
// "2025-01-01T00:00:00.000000Z" equals "2025-01-01T00:00:00Z", and a bare date is midnight UTC.
func dateLookup(lk string, lv any, val any) bool {
	v, ok := parseDate(text(val))
	if !ok {
		return false
	}
	cmp := func(op string, want any) bool {
		w, ok := parseDate(text(want))
		if !ok {
			return false
		}
		c := v.Compare(w)
		switch op {
		case "exact":
			return c == 0
		case "gt":
			return c > 0
		case "gte":
			return c >= 0
		case "lt":
			return c < 0
		case "lte":
			return c <= 0
		}
		return false
	}
	switch lk {
	case "in_list":
		for _, e := range lv.([]any) {
			if cmp("exact", e) {
				return true
			}
		}
		return false
	}
	return cmp(lk, lv)
}

func parseDate(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// LeafMatch is one SQL comparison of a non-NULL value: lookup is a REST suffix ("", "ie", "ic",
// "isw", "iew", "regex", "iregex", "gt", "gte", "lt", "lte").
func LeafMatch(lookup, want string, v any) bool {
	switch x := v.(type) {
	case float64:
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			return false
		}
		switch lookup {
		case "":
			return x == w
		case "gt":
			return x > w
		case "gte":
			return x >= w
		case "lt":
			return x < w
		case "lte":
			return x <= w
		}
		return false
	case bool:
		return lookup == "" && strconv.FormatBool(x) == want
	case string:
		U := strings.ToUpper
		switch lookup {
		case "":
			return x == want
		case "ie":
			return U(x) == U(want)
		case "ic":
			return strings.Contains(U(x), U(want))
		case "isw":
			return strings.HasPrefix(U(x), U(want))
		case "iew":
			return strings.HasSuffix(U(x), U(want))
		case "regex", "iregex":
			if lookup == "iregex" {
				want = "(?i)" + want
			}
			ok, err := regexp.MatchString(want, x)
			return err == nil && ok
		case "gt":
			return x > want
		case "gte":
			return x >= want
		case "lt":
			return x < want
		case "lte":
			return x <= want
		}
	}
	return false
}

// sort puts matching rows in the upstream's order: the requested ordering terms then id, or
// the type's default order (model.Ordering: its terms, a tree's order over all its rows).
func (r *Reference) sort(obj *model.Object, rows []rest.Object, ordering []string) {
	if len(ordering) > 0 {
		order.Rows(rows, ordering)
		return
	}
	ranks := r.defaultRanks(obj)
	sort.Slice(rows, func(i, j int) bool { return ranks[rows[i].ID()] < ranks[rows[j].ID()] })
}

// defaultRanks is each row's position in the type's default order. That order ends on the id,
// so it is total, and the rows of any subset take the order of their positions in it: the
// order is worked out once per type rather than for each answer.
func (r *Reference) defaultRanks(obj *model.Object) map[int]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.ranks[obj.Name]; ok {
		return m
	}
	all := r.Data[obj.Name]
	var m map[int]int
	if obj.Order.Tree {
		m = order.TreeRanks(all, r.Reg, obj, r.related)
	} else {
		sorted := slices.Clone(all)
		order.Default(sorted, r.Reg, obj, r.related)
		m = make(map[int]int, len(sorted))
		for i, row := range sorted {
			m[row.ID()] = i
		}
	}
	if r.ranks == nil {
		r.ranks = map[string]map[int]int{}
	}
	r.ranks[obj.Name] = m
	return m
}

// related is the related row an ordering term reads through (order.Lookup).
func (r *Reference) related(obj *model.Object, id int) rest.Object { return r.byID(obj.Name, id) }

// Rows answers a window the reference way: filter, sort as the upstream lists (sort), slice.
// It returns the window's ids and the total.
func (r *Reference) Rows(obj *model.Object, in map[string]any, w Window) ([]int, int) {
	var match []rest.Object
	for _, row := range r.Data[obj.Name] {
		if m, empty := r.Eval(obj, row, in); m || empty {
			if w.Search != "" {
				name, _ := row["name"].(string)
				if !strings.Contains(strings.ToUpper(name), strings.ToUpper(w.Search)) {
					continue
				}
			}
			match = append(match, row)
		}
	}
	r.sort(obj, match, w.Ordering)
	total := len(match)
	lo, hi := min(w.Offset, total), min(w.Offset+w.Limit, total)
	ids := make([]int, 0, hi-lo)
	for _, row := range match[lo:hi] {
		ids = append(ids, row.ID())
	}
	return ids, total
}
