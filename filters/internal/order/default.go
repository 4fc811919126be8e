package order

import (
	"cmp"
	"sort"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// Lookup returns the full row of a related object by id, for an ordering term the nested form
// of the relation lacks (Rack orders by its location's site); nil when it is not at hand.
type Lookup func(obj *model.Object, id int) rest.Object

// Default orders rows as the upstream lists obj without ordering=: its default order's terms
// (model.Ordering), then id. A tree's order needs every row of the type: see TreeRanks.
func Default(rows []rest.Object, reg *model.Registry, obj *model.Object, lookup Lookup) {
	sort.SliceStable(rows, func(i, j int) bool {
		return CompareDefault(rows[i], rows[j], reg, obj, lookup) < 0
	})
}

// CompareDefault compares two rows by obj's default order terms, then by id.
func CompareDefault(a, b rest.Object, reg *model.Registry, obj *model.Object, lookup Lookup) int {
	if c := compareTerms(a, b, reg, obj, obj.Order.Terms, lookup); c != 0 {
		return c
	}
	return cmp.Compare(a.ID(), b.ID())
}

func compareTerms(a, b rest.Object, reg *model.Registry, obj *model.Object, terms []model.OrderTerm, lookup Lookup) int {
	for _, t := range terms {
		path := t.Fields()
		if c := compareTerm(t, Value(a, reg, obj, path, lookup), Value(b, reg, obj, path, lookup)); c != 0 {
			return c
		}
	}
	return 0
}

// compareTerm compares the values of one term: NULL last ascending and first descending (as
// PostgreSQL orders), unless the term puts NULL first; text in the term's collation.
func compareTerm(t model.OrderTerm, a, b any) int {
	var c int
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil || b == nil:
		c = 1
		if b == nil {
			c = -1
		}
		if t.NullsFirst {
			c = -c
		}
	case t.Collation == model.CollateLowest:
		c = cmp.Compare(lowest(a), lowest(b))
	default:
		x, okA := number(a)
		y, okB := number(b)
		if okA && okB {
			c = cmp.Compare(x, y)
		} else {
			as, _ := sortKey(a).(string)
			bs, _ := sortKey(b).(string)
			c = t.Collation.CompareText(as, bs)
		}
	}
	if t.Desc {
		c = -c
	}
	return c
}

// lowest is the lowest number of a JSON list (Service.ports).
func lowest(v any) float64 {
	l, _ := v.([]any)
	low := 0.0
	for i, e := range l {
		if n, ok := number(e); ok && (i == 0 || n < low) {
			low = n
		}
	}
	return low
}

// Value reads a term's path from a row: the row's field, or a key of a related object's nested
// form, or further through the related row lookup returns. Choices read as their value.
func Value(row rest.Object, reg *model.Registry, obj *model.Object, path []string, lookup Lookup) any {
	v, ok := row[path[0]]
	if !ok || len(path) == 1 {
		if m, isMap := v.(map[string]any); isMap && len(path) == 1 {
			if val, ok := m["value"]; ok {
				return val
			}
		}
		return v
	}
	nested, isMap := v.(map[string]any)
	if !isMap {
		return nil // a NULL relation: every field of it reads NULL
	}
	if _, has := nested[path[1]]; has || lookup == nil || reg == nil {
		f := obj.Field(path[0])
		var rel *model.Object
		if f != nil && reg != nil {
			rel = reg.Object(f.Related)
		}
		return Value(rest.Object(nested), reg, rel, path[1:], lookup)
	}
	f := obj.Field(path[0])
	if f == nil {
		return nil
	}
	rel := reg.Object(f.Related)
	if rel == nil {
		return nil
	}
	full := lookup(rel, rest.Object(nested).ID())
	if full == nil {
		return nil
	}
	return Value(full, reg, rel, path[1:], lookup)
}

// TreeRanks gives each row of a tree type its position in tree order: depth first, each parent
// before its children, roots and the children of one parent by the order's terms, then id.
// all must hold every row of the type.
func TreeRanks(all []rest.Object, reg *model.Registry, obj *model.Object, lookup Lookup) map[int]int {
	children := map[int][]rest.Object{}
	for _, r := range all {
		parent := 0
		if p, ok := r["parent"].(map[string]any); ok {
			parent = rest.Object(p).ID()
		}
		children[parent] = append(children[parent], r)
	}
	ranks := make(map[int]int, len(all))
	var walk func(parent int)
	walk = func(parent int) {
		kids := children[parent]
		sort.SliceStable(kids, func(i, j int) bool {
			if c := compareTerms(kids[i], kids[j], reg, obj, obj.Order.Terms, lookup); c != 0 {
				return c < 0
			}
			return kids[i].ID() < kids[j].ID()
		})
		for _, k := range kids {
			ranks[k.ID()] = len(ranks)
			walk(k.ID())
		}
	}
	walk(0)
	return ranks
}
