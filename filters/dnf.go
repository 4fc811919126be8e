package filters

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/graphbox/graphbox/model"
)

// atom is one REST parameter of a branch: key=v1&key=v2. For positive keys the values OR, for
// negated keys (__n, __nic, ...) the parameter excludes every value. set, when not nil, supplies
// the values at run time: the ids of the rows of another query (a semi-join).
type atom struct {
	key    string // "name__ic"
	param  *model.FilterParam
	lookup string // "" for the bare parameter
	values []string
	set    *idSet
	// oneValue, when set (the GraphQL path of its filter), marks an atom whose REST parameter
	// wants all of its values where the filter means any: it may resolve to one value only.
	oneValue string
}

// idSet is a query whose matching ids feed an atom: the related rows of a related filter, or
// the rows of this object a leaf without a REST negation matches (then used as id__n).
type idSet struct {
	obj *model.Object
	dnf dnf
	// field/keep keep only the rows whose field passes a check REST cannot ask for: NULL or ""
	// (NetBox's __empty=true matches both, GraphQL tells them apart), or a case-sensitive
	// substring where the endpoint has only the case-insensitive lookup.
	field string
	keep  keepTest
	// link/linked keep only rows whose foreign key link points at one of linked's ids: a tree
	// parameter (region_id) also matched rows under descendants of those ids.
	link   string
	linked *idSet
	// parentOf, when set, resolves the set to the parents its rows belong to through a reverse
	// relation, instead of to the rows' own ids.
	parentOf *model.Reverse
	parentCT string // the parents' content type, for a generic reverse relation
}

// conj is a conjunction of atoms: one REST parameter set.
type conj []*atom

// dnf is an OR of conjunctions; no conjunction is false, an empty conjunction is true.
type dnf []conj

var dnfTrue = dnf{conj{}}

// ErrUnsupportedLookup marks a lookup the endpoint's REST parameters cannot express exactly: the
// upstream's document lists no parameter for it (NetBox ignores a parameter it does not know,
// which would silently answer the unfiltered list).
var ErrUnsupportedLookup = errors.New("unsupported lookup")

// keepKind is the check a semi-join applies to its rows' field.
type keepKind uint8

const (
	keepNull     keepKind = iota // the field is NULL
	keepBlank                    // the field is ""
	keepContains                 // the field contains value, case-sensitively
	keepPrefix                   // the field starts with value
	keepSuffix                   // the field ends with value
)

// keepTest is the check of an idSet's field.
type keepTest struct {
	kind  keepKind
	value string
}

// match tests a field's JSON value. PostgreSQL's LIKE with the default, deterministic collation
// compares characters exactly, as strings.Contains does; LIKE never matches NULL.
func (k keepTest) match(v any) bool {
	if k.kind == keepNull {
		return v == nil
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	switch k.kind {
	case keepBlank:
		return s == ""
	case keepContains:
		return strings.Contains(s, k.value)
	case keepPrefix:
		return strings.HasPrefix(s, k.value)
	case keepSuffix:
		return strings.HasSuffix(s, k.value)
	}
	return false
}

func (k keepTest) String() string {
	switch k.kind {
	case keepNull:
		return "=null"
	case keepBlank:
		return `=""`
	case keepContains:
		return " contains " + strconv.Quote(k.value)
	case keepPrefix:
		return " starts with " + strconv.Quote(k.value)
	}
	return " ends with " + strconv.Quote(k.value)
}

func isNegated(lookup string) bool {
	switch lookup {
	case "n", "nie", "nic", "nisw", "niew":
		return true
	}
	return false
}

func keyOf(p *model.FilterParam, lookup string) string {
	if lookup == "" {
		return p.Name
	}
	return p.Name + "__" + lookup
}

// intersectable tells whether equal REST texts of the type mean equal values (so exact value
// sets can be intersected statically); datetimes with offsets cannot be compared as text.
func intersectable(t model.ParamType) bool {
	switch t {
	case model.ParamDate, model.ParamDateTime:
		return false
	}
	return true
}

// foldable tells whether REST ORs repeated values of the parameter. Boolean filters are
// single-valued in NetBox (the last value wins), as is __empty.
func foldable(a *atom) bool {
	return !isNegated(a.lookup) && a.lookup != "empty" && a.param.Type != model.ParamBool && a.set == nil
}

func (c *compiler) newAtom(obj *model.Object, l *leaf, p *model.FilterParam, lookup string, values []string, set *idSet) (*atom, error) {
	if !p.HasLookup(lookup) {
		if lookup == "" {
			return nil, fmt.Errorf("filters: %s: %s (%s) has no exact parameter %q", l.path, obj.Name, obj.Path, p.Name)
		}
		return nil, fmt.Errorf("filters: %s: %w: %s (%s) has no parameter %s (lookup %q on %q is not supported by this endpoint)", l.path, ErrUnsupportedLookup, obj.Name, obj.Path, keyOf(p, lookup), lookup, p.Name)
	}
	key := keyOf(p, lookup)
	if l.cf != nil && l.cf.loose && l.cf.param == p {
		key = p.Name // NetBox's loose text filter: the bare cf_<name> is icontains
	}
	return &atom{key: key, param: p, lookup: lookup, values: values, set: set}, nil
}

func one(a *atom, err error) (dnf, error) {
	if err != nil {
		return nil, err
	}
	return dnf{conj{a}}, nil
}

// dnfOf converts a formula (negated when neg) to normalised DNF, pushing NOT to the leaves.
func (c *compiler) dnfOf(obj *model.Object, n *node, neg bool) (dnf, error) {
	if n == nil {
		return dnfTrue, nil
	}
	switch n.op {
	case opTrue, opFalse:
		if (n.op == opTrue) != neg {
			return dnfTrue, nil
		}
		return nil, nil
	case opNot:
		return c.dnfOf(obj, n.kids[0], !neg)
	case opAnd, opOr:
		product := (n.op == opAnd) != neg
		var acc dnf
		for i, k := range n.kids {
			d, err := c.dnfOf(obj, k, neg)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				acc = d
				continue
			}
			if product {
				acc, err = c.product(obj, acc, d)
			} else {
				acc, err = c.simplify(obj, append(append(dnf{}, acc...), d...))
			}
			if err != nil {
				return nil, err
			}
		}
		return acc, nil
	}
	return c.leafDNF(obj, n.leaf, neg)
}

func (c *compiler) product(obj *model.Object, a, b dnf) (dnf, error) {
	if len(a)*len(b) > 4*MaxBranches {
		return nil, fmt.Errorf("filters: %s: the filter expands to more than %d OR branches; simplify it", obj.Name, MaxBranches)
	}
	var out dnf
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(append(conj{}, x...), y...))
		}
	}
	return c.simplify(obj, out)
}

// leafDNF maps one leaf, or its negation, to REST atoms.
func (c *compiler) leafDNF(obj *model.Object, l *leaf, neg bool) (dnf, error) {
	p := l.param
	switch l.kind {
	case lkRelated:
		return c.relatedDNF(obj, l, neg)
	case lkStrNull, lkStrBlank:
		if l.kind == lkStrNull && !l.nullable {
			if neg {
				return dnfTrue, nil
			}
			return nil, nil
		}
		// PostgreSQL's ~ never matches NULL: "^$" is exactly the empty string, "^" any string
		// (where the endpoint lists __regex; NetBox 4.2 has none, then __empty and a check).
		if l.kind == lkStrBlank && !neg && p.HasLookup("regex") {
			return one(c.newAtom(obj, l, p, "regex", []string{"^$"}, nil))
		}
		if l.kind == lkStrNull && neg && p.HasLookup("regex") {
			return one(c.newAtom(obj, l, p, "regex", []string{"^"}, nil))
		}
		if l.kind == lkStrBlank && !l.nullable {
			// A non-NULL string is "" exactly when NetBox's __empty is true.
			v := "true"
			if neg {
				v = "false"
			}
			return one(c.newAtom(obj, l, p, "empty", []string{v}, nil))
		}
		sub, err := c.newAtom(obj, l, p, "empty", []string{"true"}, nil)
		if err != nil {
			return nil, err
		}
		set := &idSet{obj: obj, dnf: dnf{conj{sub}}, field: l.field, keep: keepTest{kind: keepNull}}
		if l.kind == lkStrBlank {
			set.keep.kind = keepBlank
		}
		return c.idAtom(obj, l, set, neg)
	case lkContains, lkStartsWith, lkEndsWith:
		return c.caseSensitiveDNF(obj, l, neg)
	case lkIsNull:
		if !l.nullable && l.field != "" && l.cf == nil {
			// A column that is never NULL (id): no request, and no need for __empty.
			if neg {
				return dnfTrue, nil
			}
			return nil, nil
		}
		v := "true"
		if neg {
			v = "false"
		}
		return one(c.newAtom(obj, l, p, "empty", []string{v}, nil))
	case lkNullRange:
		// Never true; its NOT is true where it is false (leaf.lfalse). Exact for a formula in
		// which NOT is pushed to the leaves, as here: Kleene's NOT of NULL is NULL.
		if !neg {
			return nil, nil
		}
		return c.dnfOf(obj, l.lfalse, false)
	}
	lookup := leafLookup[l.kind]
	if !neg {
		return one(c.newAtom(obj, l, p, lookup, l.values, nil))
	}
	// The negated forms NetBox has; each is queryset.exclude, the exact complement.
	if nl, ok := negLookup[lookup]; ok && p.HasLookup(nl) {
		return one(c.newAtom(obj, l, p, nl, l.values, nil))
	}
	if l.threeValued() {
		// On a JSON null the lookup is NULL, and so is its negation: the rows it does not
		// match, less the nulls, which regex "^" (any string) leaves out.
		if !p.HasLookup("regex") {
			return nil, fmt.Errorf("filters: %s: %w: NOT of this custom-field filter cannot be exact: its REST filter has no negation and, without __regex, cannot tell null values apart", l.path, ErrUnsupportedLookup)
		}
		pos, err := c.leafDNF(obj, l, false)
		if err != nil {
			return nil, err
		}
		notNull, err := c.newAtom(obj, l, p, "regex", []string{"^"}, nil)
		if err != nil {
			return nil, err
		}
		ex, err := c.idAtom(obj, l, &idSet{obj: obj, dnf: pos}, true)
		if err != nil {
			return nil, err
		}
		return c.product(obj, dnf{conj{notNull}}, ex)
	}
	if l.kind == lkIn && p.Type == model.ParamBool && !l.nullable && len(l.values) == 1 && p.HasLookup("") {
		other := "true"
		if l.values[0] == "true" {
			other = "false"
		}
		return one(c.newAtom(obj, l, p, "", []string{other}, nil))
	}
	// NOT (x > v) is x <= v, or x IS NULL.
	if opp, ok := map[leafKind]string{lkGT: "lte", lkGTE: "lt", lkLT: "gte", lkLTE: "gt"}[l.kind]; ok && p.HasLookup(opp) {
		if !l.nullable {
			return one(c.newAtom(obj, l, p, opp, l.values, nil))
		}
		if p.HasLookup("empty") {
			a, _ := c.newAtom(obj, l, p, opp, l.values, nil)
			b, _ := c.newAtom(obj, l, p, "empty", []string{"true"}, nil)
			return c.simplify(obj, dnf{conj{a}, conj{b}})
		}
	}
	// No negated lookup: exclude the ids the positive leaf matches.
	pos, err := c.leafDNF(obj, l, false)
	if err != nil {
		return nil, err
	}
	return c.idAtom(obj, l, &idSet{obj: obj, dnf: pos}, true)
}

// caseSensitiveDNF plans contains, starts_with and ends_with. Where the endpoint lists __regex
// (NetBox 4.3 on) it is the escaped pattern; else (NetBox 4.2 has no case-sensitive string
// lookup at all) the rows the case-insensitive lookup matches, a superset, are read with the
// field and kept when the field matches exactly: id ∈ those ids. NOT is the complement, as
// strawberry's ~Q gives (it keeps NULLs): id ∉ those ids.
func (c *compiler) caseSensitiveDNF(obj *model.Object, l *leaf, neg bool) (dnf, error) {
	p, s := l.param, l.values[0]
	var pattern, ci string
	kind := keepContains
	switch l.kind {
	case lkContains:
		pattern, ci = regexp.QuoteMeta(s), "ic"
	case lkStartsWith:
		pattern, ci, kind = "^"+regexp.QuoteMeta(s), "isw", keepPrefix
	default:
		pattern, ci, kind = regexp.QuoteMeta(s)+"$", "iew", keepSuffix
	}
	if p.HasLookup("regex") {
		re := *l
		re.kind, re.values = lkRegex, []string{pattern}
		return c.leafDNF(obj, &re, neg)
	}
	if l.field == "" || l.cf != nil || !p.HasLookup(ci) {
		return nil, fmt.Errorf("filters: %s: %w: %s (%s) lists neither %s__regex nor %s__%s, so a case-sensitive match cannot be planned on this upstream",
			l.path, ErrUnsupportedLookup, obj.Name, obj.Path, p.Name, p.Name, ci)
	}
	sub, err := c.newAtom(obj, l, p, ci, []string{s}, nil)
	if err != nil {
		return nil, err
	}
	return c.idAtom(obj, l, &idSet{obj: obj, dnf: dnf{conj{sub}}, field: l.field, keep: keepTest{kind: kind, value: s}}, neg)
}

// idAtom is id ∈ ids(set), or id ∉ ids(set) when neg.
func (c *compiler) idAtom(obj *model.Object, l *leaf, set *idSet, neg bool) (dnf, error) {
	idp := obj.Filter("id")
	if idp == nil {
		return nil, fmt.Errorf("filters: %s: %s has no id filter parameter, needed to evaluate this lookup exactly", l.path, obj.Name)
	}
	lookup := ""
	if neg {
		lookup = "n"
	}
	a, err := c.newAtom(obj, l, idp, lookup, nil, set)
	if err != nil {
		return nil, fmt.Errorf("%w (needed to negate %s exactly)", err, l.path)
	}
	return dnf{conj{a}}, nil
}

// relatedDNF maps a related filter to a semi-join on its id parameter. On a missing related
// object Django's test is onNullRow(sub); when that is true the rows without a related object
// match too, which REST expresses as <fk>_id__n=ids(NOT sub).
func (c *compiler) relatedDNF(obj *model.Object, l *leaf, neg bool) (dnf, error) {
	r := l.rel
	if r.m2m && neg && r.sub.op != opLeaf {
		return nil, fmt.Errorf("filters: %s: NOT over a compound filter on a many-to-many relation is not supported (Django's exclude does not join on one related row)", l.path)
	}
	nullMatches := onNullRow(r.sub) && l.nullable
	subNeg := nullMatches // filter the related rows by NOT sub
	exclude := nullMatches != neg
	// Django excludes over a many-to-many relation with a subquery of the related rows where
	// sub is true, which the complement of ids(sub) is, NULLs or not.
	if exclude && (subNeg || !r.m2m) && threeValued(r.sub) {
		return nil, fmt.Errorf("filters: %s: this related filter is evaluated through its complement, which a lookup that can be NULL (a custom field's text lookup on a null value, a range with a null bound) does not allow exactly; state it without NOT", l.path)
	}
	if r.reverse != nil {
		sub, err := c.dnfOf(r.obj, r.sub, false)
		if err != nil {
			return nil, err
		}
		lookup := ""
		if neg {
			lookup = "n"
		}
		return one(c.newAtom(obj, l, l.param, lookup, nil, &idSet{obj: r.obj, dnf: sub, parentOf: r.reverse, parentCT: obj.ContentType}))
	}
	sub, err := c.dnfOf(r.obj, r.sub, subNeg)
	if err != nil {
		return nil, err
	}
	set := &idSet{obj: r.obj, dnf: sub}
	if r.tree {
		// id ∈ / ∉ ids(this object where fk ∈ subtree(ids(...)), keeping fk ∈ ids(...)).
		cand, err := c.newAtom(obj, l, l.param, "", nil, set)
		if err != nil {
			return nil, err
		}
		return c.idAtom(obj, l, &idSet{obj: obj, dnf: dnf{conj{cand}}, link: l.field, linked: set}, exclude)
	}
	// A row matches a many-to-many filter when any of its related rows does: <param>__any where
	// NetBox has it (its tag filters, whose bare parameter wants all of the values), else the
	// bare parameter, which ORs its values except on a conjoined tag filter (then one value only).
	posLookup, allOf := "", false
	if r.m2m {
		if l.param.HasLookup("any") {
			posLookup = "any"
		} else {
			allOf = c.conjoined(l.param)
		}
	}
	positive := func() (*atom, error) {
		a, err := c.newAtom(obj, l, l.param, posLookup, nil, set)
		if a != nil && allOf {
			a.oneValue = l.path
		}
		return a, err
	}
	if !exclude {
		return one(positive())
	}
	if !l.param.HasLookup("n") {
		// id ∉ ids(this object where fk ∈ ids(...)): exact whatever the nullability.
		pos, err := positive()
		if err != nil {
			return nil, err
		}
		return c.idAtom(obj, l, &idSet{obj: obj, dnf: dnf{conj{pos}}}, true)
	}
	// <param>__n excludes every value: none of them, conjoined or not (NetBox's exclude runs
	// one .exclude() per value on a conjoined filter).
	return one(c.newAtom(obj, l, l.param, "n", nil, set))
}

// conjoined tells whether a many-to-many parameter without __any wants all of its values:
// NetBox's TagFilter and TagIDFilter (tag, tag_id) are conjoined, and from 4.6.6 they alone
// have __any; so on an upstream where some tag parameter has __any, one without it (the
// ConfigContext's plain tag_id) ORs.
func (c *compiler) conjoined(p *model.FilterParam) bool {
	if p.Name != "tag" && p.Name != "tag_id" {
		return false
	}
	for _, o := range c.reg.Objects {
		if tp := o.Filter(p.Name); tp != nil && tp.HasLookup("any") {
			return false
		}
	}
	return true
}

// simplify normalises each conjunction, drops false ones, removes subsumed conjunctions and
// folds conjunctions that differ in the values of one repeatable parameter.
func (c *compiler) simplify(obj *model.Object, d dnf) (dnf, error) {
	var out dnf
	for _, cj := range d {
		n, ok, err := c.normConj(obj, cj)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(n) == 0 {
			return dnfTrue, nil
		}
		out = append(out, n)
	}
	for changed := true; changed; {
		changed = false
		sigs := make([]map[string]bool, len(out))
		for i, cj := range out {
			sigs[i] = map[string]bool{}
			for _, a := range cj {
				sigs[i][a.sig()] = true
			}
		}
	outer:
		for i := range out {
			for j := range out {
				if i == j {
					continue
				}
				if subset(sigs[i], sigs[j]) && (len(sigs[i]) < len(sigs[j]) || i < j) {
					out = append(out[:j:j], out[j+1:]...)
					changed = true
					break outer
				}
				if i < j && len(out[i]) == len(out[j]) {
					if m := fold(out[i], out[j], sigs[i], sigs[j]); m != nil {
						out[i] = m
						out = append(out[:j:j], out[j+1:]...)
						changed = true
						break outer
					}
				}
			}
		}
	}
	if len(out) > MaxBranches {
		return nil, fmt.Errorf("filters: %s: the filter needs more than %d OR branches; simplify it", obj.Name, MaxBranches)
	}
	return out, nil
}

func subset(a, b map[string]bool) bool {
	if len(a) > len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// fold merges (A ∧ k∈V1) ∨ (A ∧ k∈V2) into A ∧ k∈V1∪V2, or returns nil.
func fold(x, y conj, sx, sy map[string]bool) conj {
	var ax, ay *atom
	for _, a := range x {
		if !sy[a.sig()] {
			if ax != nil {
				return nil
			}
			ax = a
		}
	}
	for _, a := range y {
		if !sx[a.sig()] {
			if ay != nil {
				return nil
			}
			ay = a
		}
	}
	if ax == nil || ay == nil || ax.key != ay.key || !foldable(ax) || !foldable(ay) {
		return nil
	}
	merged := &atom{key: ax.key, param: ax.param, lookup: ax.lookup, values: union(ax.values, ay.values)}
	out := make(conj, 0, len(x))
	for _, a := range x {
		if a == ax {
			out = append(out, merged)
		} else {
			out = append(out, a)
		}
	}
	return out
}

func (a *atom) sig() string {
	if a.set != nil {
		return a.key + "=@" + a.set.sig()
	}
	v := append([]string(nil), a.values...)
	sort.Strings(v)
	return a.key + "=" + strings.Join(v, "\x00")
}

// sig renders the set canonically: equal sets share one resolution.
func (s *idSet) sig() string {
	bs := make([]string, len(s.dnf))
	for i, cj := range s.dnf {
		as := make([]string, len(cj))
		for j, a := range cj {
			as[j] = a.sig()
		}
		sort.Strings(as)
		bs[i] = "(" + strings.Join(as, " & ") + ")"
	}
	sort.Strings(bs)
	out := s.obj.Name + "{" + strings.Join(bs, " | ") + "}"
	if s.field != "" {
		out += fmt.Sprintf("[%s%s]", s.field, s.keep)
	}
	if s.linked != nil {
		out += fmt.Sprintf("[%s in %s]", s.link, s.linked.sig())
	}
	if s.parentOf != nil {
		out += fmt.Sprintf("[parents by %s%s%s]", s.parentOf.Via, s.parentOf.IDKey, s.parentCT)
	}
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if in[s] {
			out = append(out, s)
			delete(in, s)
		}
	}
	return out
}

// normConj makes one conjunction expressible as one REST parameter set: exact value sets of a
// parameter are intersected (REST would OR them), negated ones united (REST excludes every
// value, which is their AND), bounds tightened; any other repeated parameter is moved into an
// id semi-join (id ∈ ids(that atom)). ok is false when the conjunction cannot hold.
func (c *compiler) normConj(obj *model.Object, cj conj) (conj, bool, error) {
	byKey := map[string][]*atom{}
	var order []string
	for _, a := range cj {
		if _, seen := byKey[a.key]; !seen {
			order = append(order, a.key)
		}
		byKey[a.key] = append(byKey[a.key], a)
	}
	var out conj
	var moved []*atom
	for _, k := range order {
		as := byKey[k]
		first := as[0]
		var static, sets []*atom
		for _, a := range as {
			if a.set != nil {
				if !containsAtom(sets, a) {
					sets = append(sets, a)
				}
			} else {
				static = append(static, a)
			}
		}
		out = append(out, sets...)
		if len(static) == 0 {
			continue
		}
		// identical static atoms are one
		var uniq []*atom
		seen := map[string]bool{}
		for _, a := range static {
			if s := a.sig(); !seen[s] {
				seen[s] = true
				uniq = append(uniq, a)
			}
		}
		if len(uniq) == 1 {
			out = append(out, uniq[0])
			continue
		}
		switch {
		case first.lookup == "" && intersectable(first.param.Type):
			vals := uniq[0].values
			for _, a := range uniq[1:] {
				vals = intersect(vals, a.values)
			}
			if len(vals) == 0 {
				return nil, false, nil
			}
			out = append(out, &atom{key: k, param: first.param, lookup: "", values: vals})
		case isNegated(first.lookup):
			var vals []string
			for _, a := range uniq {
				vals = union(vals, a.values)
			}
			out = append(out, &atom{key: k, param: first.param, lookup: first.lookup, values: vals})
		case first.lookup == "empty":
			return nil, false, nil // true and false
		case isBound(first.lookup) && len(uniq) > 0 && numeric(first.param.Type) && allSingle(uniq):
			best := uniq[0].values[0]
			for _, a := range uniq[1:] {
				x, _ := strconv.ParseFloat(a.values[0], 64)
				b, _ := strconv.ParseFloat(best, 64)
				if (first.lookup[0] == 'g') == (x > b) {
					best = a.values[0]
				}
			}
			out = append(out, &atom{key: k, param: first.param, lookup: first.lookup, values: []string{best}})
		default:
			out = append(out, uniq[0])
			moved = append(moved, uniq[1:]...)
		}
	}
	// The id query of a moved atom carries the branch's other static atoms too: same answer,
	// fewer ids to page through.
	var rest conj
	for _, a := range out {
		if a.set == nil {
			rest = append(rest, a)
		}
	}
	for _, a := range moved {
		idp := obj.Filter("id")
		if idp == nil || !idp.HasLookup("") {
			return nil, false, fmt.Errorf("filters: %s: %s is ANDed with itself, which needs an id filter the endpoint lacks", obj.Name, a.key)
		}
		sub := append(append(conj{}, rest...), a)
		for i, r := range sub[:len(rest)] {
			if r.key == a.key {
				sub = append(sub[:i:i], sub[i+1:]...)
				break
			}
		}
		out = append(out, &atom{key: idp.Name, param: idp, set: &idSet{obj: obj, dnf: dnf{sub}}})
	}
	return out, true, nil
}

func containsAtom(as []*atom, a *atom) bool {
	for _, x := range as {
		if x.sig() == a.sig() {
			return true
		}
	}
	return false
}

func isBound(l string) bool { return l == "gt" || l == "gte" || l == "lt" || l == "lte" }

func numeric(t model.ParamType) bool { return t == model.ParamInt || t == model.ParamFloat }

func allSingle(as []*atom) bool {
	for _, a := range as {
		if len(a.values) != 1 {
			return false
		}
	}
	return true
}
