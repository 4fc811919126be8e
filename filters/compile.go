package filters

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/graphbox/graphbox/model"
)

// op is the operator of a filter tree node.
type op uint8

const (
	opTrue op = iota + 1
	opFalse
	opAnd
	opOr
	opNot
	opLeaf
)

// node is the filter input as a boolean formula over leaves; a nil *node is strawberry's empty
// Q(): it constrains nothing and vanishes from AND, OR and NOT alike.
type node struct {
	op   op
	kids []*node
	leaf *leaf
}

// leafKind is what one leaf tests, before it is mapped to REST parameters.
type leafKind uint8

const (
	lkIn          leafKind = iota + 1 // exact, in_list, choice, boolean: value ∈ values
	lkIExact                          // __ie
	lkIContains                       // __ic
	lkIStartsWith                     // __isw
	lkIEndsWith                       // __iew
	lkRegex                           // __regex
	lkIRegex                          // __iregex
	// The case-sensitive contains, starts_with and ends_with: an escaped __regex where the
	// endpoint lists one, else the case-insensitive lookup narrowed by a check of the rows.
	lkContains
	lkStartsWith
	lkEndsWith
	lkGT
	lkGTE
	lkLT
	lkLTE
	lkIsNull   // IS NULL of a number, date or boolean: __empty=true
	lkStrNull  // IS NULL of a string: NetBox's __empty also matches "", so rows are checked
	lkStrBlank // = "" of a string: REST ignores an empty value, so __empty plus a check
	lkRelated  // related-object filter: a semi-join
	// A range with a null bound: Django's __range=[a, None] is BETWEEN a AND NULL, never true
	// and unknown where the given bound holds; leaf.lfalse says where it is false.
	lkNullRange
)

var leafLookup = map[leafKind]string{
	lkIn: "", lkIExact: "ie", lkIContains: "ic", lkIStartsWith: "isw", lkIEndsWith: "iew",
	lkRegex: "regex", lkIRegex: "iregex", lkGT: "gt", lkGTE: "gte", lkLT: "lt", lkLTE: "lte",
	lkIsNull: "empty",
}

// negLookup is NetBox's negated lookup for a positive one; NetBox runs them as queryset.exclude,
// which keeps rows whose value is NULL, exactly as strawberry's ~Q does.
var negLookup = map[string]string{"": "n", "ie": "nie", "ic": "nic", "isw": "nisw", "iew": "niew"}

type leaf struct {
	kind     leafKind
	path     string // GraphQL path for errors: "DeviceFilter.name.i_contains"
	param    *model.FilterParam
	values   []string
	field    string // the object's field the leaf tests ("" for derived parameters)
	nullable bool   // the field may be NULL (unknown fields count as nullable)
	rel      *related
	cf       *cfSpec // the custom field a custom_field_data leaf tests
	// lfalse is where an lkNullRange leaf is false (its NOT is true): below a start, above an
	// end, or on NULL, as Django's negation adds IS NOT NULL on a nullable column.
	lfalse *node
}

type related struct {
	obj  *model.Object
	sub  *node
	m2m  bool
	tree bool // the parameter also matches descendants (model.FilterField.Tree)
	// reverse is the reverse relation filtered through: the matching children's parents are
	// the rows (their ids on the id parameter).
	reverse *model.Reverse
}

func and(kids ...*node) *node { return join(opAnd, kids) }
func or(kids ...*node) *node  { return join(opOr, kids) }

func join(o op, kids []*node) *node {
	var ks []*node
	for _, k := range kids {
		if k != nil {
			ks = append(ks, k)
		}
	}
	switch len(ks) {
	case 0:
		return nil
	case 1:
		return ks[0]
	}
	return &node{op: o, kids: ks}
}

func not(n *node) *node {
	if n == nil {
		return nil
	}
	return &node{op: opNot, kids: []*node{n}}
}

var (
	nodeTrue  = &node{op: opTrue}
	nodeFalse = &node{op: opFalse}
)

// compiler carries the registry and per-compilation bookkeeping.
type compiler struct {
	reg   *model.Registry
	m2m   map[string]int // occurrences of many-to-many related filters, by object.param
	cfs   CustomFields
	specs map[string]*cfSpec // by custom field name
}

// Compile turns the generic `filters` argument of obj's list (as graphql-go delivers it) into a
// plan. A nil or empty input gives a plan that lists everything. Custom-field filters need
// WithCustomFields.
func Compile(reg *model.Registry, obj *model.Object, input map[string]any, opts ...Option) (*Plan, error) {
	if reg == nil || obj == nil {
		return nil, errors.New("filters: compile: nil registry or object")
	}
	c := &compiler{reg: reg, m2m: map[string]int{}, specs: map[string]*cfSpec{}}
	for _, o := range opts {
		o(c)
	}
	n, err := c.object(obj, input, obj.Name+"Filter")
	if err != nil {
		return nil, err
	}
	for k, cnt := range c.m2m {
		if cnt > 1 {
			return nil, fmt.Errorf("filters: %s: a many-to-many related filter may appear once per filter (Django joins repeated ones on the same related row, which REST cannot express)", k)
		}
	}
	d, err := c.dnfOf(obj, n, false)
	if err != nil {
		return nil, err
	}
	return &Plan{reg: reg, obj: obj, dnf: d, cache: &setCache{sets: map[string][]int{}}}, nil
}

// object compiles one <Model>Filter input object with strawberry-django's rule: every field but
// OR is ANDed (NOT as AND NOT), then a single OR object is ORed with the result. A list given
// to OR is ORed within and ANDed with the siblings, as strawberry-django does.
func (c *compiler) object(obj *model.Object, in map[string]any, path string) (*node, error) {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var base []*node
	var orNode *node
	for _, k := range keys {
		v := in[k]
		if v == nil {
			continue // strawberry skips null inputs
		}
		p := path + "." + k
		switch k {
		case "AND", "OR", "NOT":
			subs, isList, err := c.objects(obj, v, p)
			if err != nil {
				return nil, err
			}
			switch {
			case k == "AND":
				base = append(base, and(subs...))
			case k == "NOT":
				base = append(base, not(or(subs...)))
			case isList:
				base = append(base, or(subs...))
			default:
				orNode = or(subs...)
			}
		default:
			ff := obj.FilterField(k)
			if ff == nil && k == "DISTINCT" {
				ff = &model.FilterField{Name: k, Kind: model.FilterDistinct}
			}
			if ff == nil {
				return nil, fmt.Errorf("filters: %s: %s has no filter field %q", p, obj.Name, k)
			}
			var n *node
			var err error
			switch ff.Kind {
			case model.FilterCustomFields:
				n, err = c.customField(obj, v, p)
			case model.FilterDistinct:
				// strawberry-django's DISTINCT calls queryset.distinct(); a REST list never
				// repeats a row, so it changes nothing here.
				if _, ok := v.(bool); !ok {
					err = fmt.Errorf("filters: %s: want a Boolean, got %s", p, describe(v))
				}
			case model.FilterUnavailable:
				reason := ff.Reason
				if reason == "" {
					reason = "no REST filter parameter answers it exactly"
				}
				err = fmt.Errorf("filters: %s: %sFilter.%s is not available through REST: %s", p, obj.Name, ff.Name, reason)
			default:
				n, err = c.field(obj, ff, v, p)
			}
			if err != nil {
				return nil, err
			}
			base = append(base, n)
		}
	}
	b := and(base...)
	if orNode == nil {
		return b, nil
	}
	if b == nil {
		return orNode, nil
	}
	return or(b, orNode), nil
}

func (c *compiler) objects(obj *model.Object, v any, path string) ([]*node, bool, error) {
	switch t := v.(type) {
	case map[string]any:
		n, err := c.object(obj, t, path)
		return []*node{n}, false, err
	case []any:
		var out []*node
		for i, e := range t {
			if e == nil {
				continue
			}
			m, ok := e.(map[string]any)
			if !ok {
				return nil, true, fmt.Errorf("filters: %s[%d]: want an input object, got %s", path, i, describe(e))
			}
			n, err := c.object(obj, m, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, true, err
			}
			out = append(out, n)
		}
		return out, true, nil
	}
	return nil, false, fmt.Errorf("filters: %s: want an input object, got %s", path, describe(v))
}

func (c *compiler) field(obj *model.Object, ff *model.FilterField, v any, path string) (*node, error) {
	param := obj.Filter(ff.Param)
	if param == nil {
		return nil, fmt.Errorf("filters: %s: %s (%s) has no REST filter parameter %q", path, obj.Name, obj.Path, ff.Param)
	}
	fieldName := ff.Field
	if fieldName == "" {
		fieldName = param.Field
	}
	nullable := true
	if f := obj.Field(fieldName); f != nil {
		nullable = f.Nullable
	}
	mk := func(kind leafKind, values ...string) *node {
		return &node{op: opLeaf, leaf: &leaf{kind: kind, path: path, param: param, values: values, field: fieldName, nullable: nullable}}
	}
	switch ff.Kind {
	case model.FilterChoice:
		return c.choice(obj, ff, param, v, path, nullable, fieldName, mk)
	case model.FilterID:
		return c.id(obj, ff, param, v, path, mk)
	case model.FilterRelated:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("filters: %s: want a %s input object, got %s", path, ff.Input, describe(v))
		}
		if ff.Input == "TreeNodeFilter" {
			return c.treeNode(obj, ff, param, m, path, mk)
		}
		if param.RelatedKey != "" && param.RelatedKey != "id" {
			return nil, fmt.Errorf("filters: %s: parameter %q matches %s by %q, a semi-join needs ids", path, param.Name, ff.Related, param.RelatedKey)
		}
		rel := c.reg.Object(ff.Related)
		if rel == nil {
			return nil, fmt.Errorf("filters: %s: related object type %q is not in the registry", path, ff.Related)
		}
		sub, err := c.object(rel, m, path)
		if err != nil || sub == nil {
			return nil, err
		}
		if ff.Reverse != "" {
			return c.reverse(obj, ff, param, sub, path)
		}
		f := obj.Field(fieldName)
		m2m := f != nil && (f.Kind == model.KindManyToMany || f.List)
		if m2m {
			if !monotone(sub) {
				return nil, fmt.Errorf("filters: %s: a filter on the many-to-many relation %q may not use NOT or is_null (Django's join semantics differ from a semi-join there)", path, ff.Name)
			}
			c.m2m[obj.Name+"."+ff.Param]++
		}
		n := mk(lkRelated)
		n.leaf.rel = &related{obj: rel, sub: sub, m2m: m2m, tree: ff.Tree}
		return n, nil
	case model.FilterLookup:
		if ff.OneOf {
			return c.oneOf(ff, param, v, path, nullable, fieldName, mk)
		}
		return c.lookups(ff.Input, param, v, path, nullable, fieldName, mk)
	}
	return nil, fmt.Errorf("filters: %s: unknown filter kind %d", path, ff.Kind)
}

// reverse compiles a filter through a reverse relation (a device filter's interfaces): Django's
// filter(interfaces__...) keeps the rows with at least one child where the whole sub-filter
// holds, and exclude() the rows with none, a semi-join of the children's parents on id. As on
// a many-to-many relation, NOT and is_null inside it mean something a semi-join does not.
func (c *compiler) reverse(obj *model.Object, ff *model.FilterField, param *model.FilterParam, sub *node, path string) (*node, error) {
	rev := obj.ReverseField(ff.Reverse)
	if rev == nil {
		return nil, fmt.Errorf("filters: %s: %s has no reverse relation %q", path, obj.Name, ff.Reverse)
	}
	if !monotone(sub) {
		return nil, fmt.Errorf("filters: %s: a filter through the reverse relation %q may not use NOT or is_null (Django's join semantics differ from a semi-join there)", path, ff.Name)
	}
	n := &node{op: opLeaf, leaf: &leaf{kind: lkRelated, path: path, param: param, nullable: false}}
	n.leaf.rel = &related{obj: c.reg.Object(rev.Child), sub: sub, reverse: rev}
	return n, nil
}

// treeNode compiles NetBox 4.6's TreeNodeFilter {id, match_type} on a tree relation (a site's
// region_id), as NetBox's generate_tree_node_q_filter reads it: EXACT is the node itself,
// SELF_AND_DESCENDANTS the node and its subtree (REST's tree parameter as it is), DESCENDANTS
// the subtree without the node (REST's tree parameter on the node's children: one request for
// them, where taking the node out of its subtree would read every row of the subtree), CHILDREN
// the nodes whose parent it is. ANCESTORS, PARENT and SIBLINGS need the node's own parent, which
// no REST parameter of the related list can select.
func (c *compiler) treeNode(obj *model.Object, ff *model.FilterField, param *model.FilterParam, m map[string]any, path string,
	mk func(leafKind, ...string) *node) (*node, error) {
	id, ok := idText(m["id"])
	if !ok {
		return nil, fmt.Errorf("filters: %s.id: %s is not an integer id", path, shown(m["id"]))
	}
	match, _ := m["match_type"].(string)
	// related is a semi-join on the related nodes sub selects; subtree reads the parameter as
	// REST's tree filter (the nodes' subtrees), else only rows whose field is one of the nodes.
	related := func(sub map[string]any, subtree bool) (*node, error) {
		rel := *ff
		rel.Input, rel.Tree = ff.Related+"Filter", !subtree
		return c.field(obj, &rel, sub, path)
	}
	children := func(subtree bool) (*node, error) {
		if relObj := c.reg.Object(ff.Related); relObj == nil || relObj.FilterField("parent_id") == nil {
			return nil, fmt.Errorf("filters: %s: match_type %s needs %s's parent_id filter, which it lacks", path, match, ff.Related)
		}
		return related(map[string]any{"parent_id": id}, subtree)
	}
	switch match {
	case "EXACT":
		return related(map[string]any{"id": map[string]any{"exact": id}}, false)
	case "SELF_AND_DESCENDANTS":
		return mk(lkIn, id), nil
	case "DESCENDANTS":
		return children(true)
	case "CHILDREN":
		return children(false)
	case "ANCESTORS", "PARENT", "SIBLINGS":
		return nil, fmt.Errorf("filters: %s: %w: match_type %s needs the node's own parent, which no REST parameter of %s's list selects; use EXACT, DESCENDANTS, SELF_AND_DESCENDANTS or CHILDREN", path, ErrUnsupportedLookup, match, ff.Related)
	}
	return nil, fmt.Errorf("filters: %s.match_type: %q is not a TreeNodeMatch", path, match)
}

// lookups compiles one lookup input object ({exact, gt, ...}): its lookups AND, null ones are
// skipped as strawberry-django skips them.
func (c *compiler) lookups(input string, param *model.FilterParam, v any, path string, nullable bool, field string,
	mk func(leafKind, ...string) *node) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want a %s input object, got %s", path, input, describe(v))
	}
	var parts []*node
	for _, lk := range slices.Sorted(maps.Keys(m)) {
		lv := m[lk]
		if lv == nil {
			continue // strawberry skips a lookup given as null
		}
		n, err := c.lookup(param, lk, lv, path+"."+lk, nullable, field, mk)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	return and(parts...), nil
}

// oneOfMembers are the members of NetBox's one-of numeric lookups (IntegerLookup,
// BigIntegerLookup, FloatLookup: its _NumericLookupMixin).
var oneOfMembers = []string{"filter_lookup", "range_lookup", "comparison_lookup"}

// oneOf compiles NetBox 4.5+'s @oneOf numeric lookup: exactly one member, non-null, as the
// GraphQL spec wants of a @oneOf input (graphql-go does not enforce it on every path). NetBox
// hands the member to process_filters on the field, a range_lookup under <field>__range.
func (c *compiler) oneOf(ff *model.FilterField, param *model.FilterParam, v any, path string, nullable bool, field string,
	mk func(leafKind, ...string) *node) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want a %s input object, got %s", path, ff.Input, describe(v))
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("filters: %s: %s is @oneOf: set exactly one of %s, not %d", path, ff.Input, strings.Join(oneOfMembers, ", "), len(m))
	}
	for k, mv := range m {
		if !slices.Contains(oneOfMembers, k) {
			return nil, fmt.Errorf("filters: %s: %s has no member %q (it is @oneOf: set exactly one of %s)", path, ff.Input, k, strings.Join(oneOfMembers, ", "))
		}
		if mv == nil {
			return nil, fmt.Errorf("filters: %s.%s: %s is @oneOf: its member must not be null", path, k, ff.Input)
		}
		if k == "range_lookup" {
			return c.lookup(param, "range", mv, path+"."+k, nullable, field, mk)
		}
		return c.lookups(ff.Input+"."+k, param, mv, path+"."+k, nullable, field, mk)
	}
	return nil, nil // unreachable: m has one key
}

// id compiles a bare ID (NetBox 4.5+'s `site_id: "1"`): Django's exact match on the column, the
// bare REST parameter.
func (c *compiler) id(obj *model.Object, ff *model.FilterField, param *model.FilterParam, v any, path string,
	mk func(leafKind, ...string) *node) (*node, error) {
	s, ok := idText(v)
	if !ok {
		return nil, fmt.Errorf("filters: %s: %s is not an integer id for %sFilter.%s", path, shown(v), obj.Name, ff.Name)
	}
	if param.Type != model.ParamInt && ff.Related != "" {
		// A tree's parameter (role_id since NetBox 4.3) matches the descendants too; Django's
		// role_id = X is the related filter on that id, kept to rows whose field is X.
		rel := *ff
		rel.Kind, rel.Tree = model.FilterRelated, true
		return c.field(obj, &rel, map[string]any{"id": map[string]any{"exact": s}}, path)
	}
	if param.Type != model.ParamInt {
		return nil, fmt.Errorf("filters: %s: %sFilter.%s takes an ID, but its REST parameter %q is %s", path, obj.Name, ff.Name, param.Name, param.Type)
	}
	return mk(lkIn, s), nil
}

// idText reads a GraphQL ID as graphql-go hands it over (a string, an int literal, a JSON
// number; a named string type such as graphql.ID) and gives its canonical decimal text.
func idText(v any) (string, bool) {
	if rv := reflect.ValueOf(v); rv.IsValid() && rv.Kind() == reflect.String {
		v = rv.String()
	}
	s, err := scalar(&model.FilterParam{Type: model.ParamInt}, v, "")
	return s, err == nil
}

func stringLike(t model.ParamType) bool {
	return t == model.ParamString || t == model.ParamChoice || t == model.ParamUUID
}

func choiceByEnum(cs []model.Choice, s string) *model.Choice {
	for i := range cs {
		if cs[i].Enum == s {
			return &cs[i]
		}
	}
	for i := range cs {
		if cs[i].Value == s || cs[i].Old == s {
			return &cs[i]
		}
	}
	return nil
}

// scalar converts one GraphQL value to the REST text of param's type, canonically (integers in
// decimal, UUIDs in lower case) so that equal values compare equal.
func scalar(param *model.FilterParam, v any, path string) (string, error) {
	bad := func() (string, error) {
		return "", fmt.Errorf("filters: %s: %s is not a valid %s value for %q", path, shown(v), param.Type, param.Name)
	}
	switch param.Type {
	case model.ParamInt:
		switch t := v.(type) {
		case int:
			return strconv.Itoa(t), nil
		case int32:
			return strconv.FormatInt(int64(t), 10), nil
		case int64:
			return strconv.FormatInt(t, 10), nil
		case float64:
			if t != math.Trunc(t) || math.Abs(t) > 1<<53 {
				return bad()
			}
			return strconv.FormatInt(int64(t), 10), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
			if err != nil {
				return bad()
			}
			return strconv.FormatInt(n, 10), nil
		}
		return bad()
	case model.ParamFloat:
		var f float64
		switch t := v.(type) {
		case int:
			f = float64(t)
		case int32:
			f = float64(t)
		case int64:
			f = float64(t)
		case float64:
			f = t
		case string:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(t), 64); err != nil {
				return bad()
			}
		default:
			return bad()
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return bad()
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case model.ParamBool:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return strconv.FormatBool(b), nil
	case model.ParamUUID:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		return strings.ToLower(s), nil
	}
	s, ok := v.(string)
	if !ok {
		return bad()
	}
	return s, nil
}

// monotone reports whether a formula has no negation and no NULL test, the shapes for which
// a many-to-many semi-join means what Django's join means.
func monotone(n *node) bool {
	if n == nil {
		return true
	}
	switch n.op {
	case opNot:
		return false
	case opLeaf:
		switch n.leaf.kind {
		case lkIsNull, lkStrNull, lkStrBlank:
			return false
		case lkRelated:
			return monotone(n.leaf.rel.sub)
		}
		return true
	}
	for _, k := range n.kids {
		if !monotone(k) {
			return false
		}
	}
	return true
}

// onNullRow evaluates a related filter on a missing related object. Django joins a nullable
// relation with LEFT OUTER JOIN: every lookup on the missing row is false except isnull=True,
// and ~Q keeps the row when its inner test is false.
func onNullRow(n *node) bool {
	switch n.op {
	case opTrue:
		return true
	case opFalse:
		return false
	case opNot:
		return !onNullRow(n.kids[0])
	case opAnd:
		for _, k := range n.kids {
			if !onNullRow(k) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if onNullRow(k) {
				return true
			}
		}
		return false
	}
	switch n.leaf.kind {
	case lkIsNull, lkStrNull:
		return true
	case lkRelated:
		return onNullRow(n.leaf.rel.sub)
	}
	return false
}

// describe names the kind of a GraphQL input value as the caller wrote it (a JSON scalar's
// contents reach the compiler as decoded JSON), never as a Go type.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a Boolean"
	case int, int32, int64, float64:
		return "a number"
	case map[string]any:
		return "an input object"
	case []any:
		return "a list"
	}
	return "a value of an unsupported kind"
}

// shown is a value for an error message: a scalar as written (a long string clipped), an
// object or list by its kind.
func shown(v any) string {
	switch t := v.(type) {
	case string:
		if len(t) > 64 {
			cut := 64
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			t = t[:cut] + "…"
		}
		return strconv.Quote(t)
	case bool, int, int32, int64:
		return fmt.Sprint(t)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return describe(v)
}
