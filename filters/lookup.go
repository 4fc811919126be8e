package filters

import (
	"fmt"
	"maps"
	"slices"

	"github.com/graphbox/graphbox/model"
)

// stringOnly are the lookups of strawberry-django's FilterLookup that read the value as text;
// NetBox's REST parameters have them for strings only.
var stringOnly = map[string]bool{"i_exact": true, "contains": true, "i_contains": true, "starts_with": true,
	"i_starts_with": true, "ends_with": true, "i_ends_with": true, "regex": true, "i_regex": true}

// lookup compiles one lookup of a lookup input (exact, in_list, gt, range, is_null, a date part,
// ...) on param; mk makes a leaf on param.
func (c *compiler) lookup(param *model.FilterParam, lk string, v any, path string, nullable bool, field string,
	mk func(leafKind, ...string) *node) (*node, error) {
	str := stringLike(param.Type)
	isNull := func() (*node, error) {
		if !str {
			return mk(lkIsNull, "true"), nil
		}
		if field == "" {
			return nil, fmt.Errorf("filters: %s: is_null on the derived string parameter %q cannot be told apart from an empty string through REST", path, param.Name)
		}
		// Kept as a leaf even when the field is never NULL: on the missing row of a related
		// filter it is true (see onNullRow); leafDNF folds it for real rows.
		return mk(lkStrNull), nil
	}
	blank := func() (*node, error) {
		if field == "" {
			return nil, fmt.Errorf("filters: %s: an empty string on the derived parameter %q cannot be expressed in REST (NetBox ignores empty values)", path, param.Name)
		}
		return mk(lkStrBlank), nil
	}
	// An empty pattern matches every non-NULL string (LIKE '%%', ~ ''), but REST ignores empty values.
	notNull := func() (*node, error) {
		n, err := isNull()
		if err != nil {
			return nil, err
		}
		return not(n), nil
	}
	if stringOnly[lk] && !str {
		// Django casts the column to text (UPPER(mtu::text) LIKE …), which no numeric, date or
		// boolean REST parameter does.
		return nil, fmt.Errorf("filters: %s: %w: lookup %q on %q (a %s) reads it as text, which its REST filter cannot", path, ErrUnsupportedLookup, lk, param.Name, param.Type)
	}
	switch lk {
	case "exact", "i_exact", "contains", "i_contains", "starts_with", "i_starts_with", "ends_with", "i_ends_with", "regex", "i_regex":
		s, err := scalar(param, v, path)
		if err != nil {
			return nil, err
		}
		if s == "" {
			if !str {
				return nil, fmt.Errorf("filters: %s: empty value", path)
			}
			if lk == "exact" || lk == "i_exact" {
				return blank()
			}
			return notNull()
		}
		kind := map[string]leafKind{"exact": lkIn, "i_exact": lkIExact, "contains": lkContains, "i_contains": lkIContains,
			"starts_with": lkStartsWith, "i_starts_with": lkIStartsWith, "ends_with": lkEndsWith, "i_ends_with": lkIEndsWith,
			"regex": lkRegex, "i_regex": lkIRegex}[lk]
		return mk(kind, s), nil
	case "in_list":
		list, ok := v.([]any)
		if !ok {
			list = []any{v} // graphql-go coerces a single value to a one-element list; accept both
		}
		var vals []string
		hasBlank := false
		for i, e := range list {
			if e == nil {
				continue
			}
			s, err := scalar(param, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if s == "" {
				if !str {
					return nil, fmt.Errorf("filters: %s[%d]: empty value", path, i)
				}
				hasBlank = true
				continue
			}
			vals = append(vals, s)
		}
		var parts []*node
		switch {
		case len(vals) == 0:
		case param.Type == model.ParamBool:
			// NetBox's boolean filter takes one value (the last one wins): one leaf each.
			for _, s := range union(nil, vals) {
				parts = append(parts, mk(lkIn, s))
			}
		default:
			parts = append(parts, mk(lkIn, vals...))
		}
		if hasBlank {
			b, err := blank()
			if err != nil {
				return nil, err
			}
			parts = append(parts, b)
		}
		if len(parts) == 0 {
			return nodeFalse, nil // Django: __in=[] matches nothing
		}
		return or(parts...), nil
	case "gt", "gte", "lt", "lte":
		s, err := scalar(param, v, path)
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, fmt.Errorf("filters: %s: empty value", path)
		}
		return mk(map[string]leafKind{"gt": lkGT, "gte": lkGTE, "lt": lkLT, "lte": lkLTE}[lk], s), nil
	case "range":
		return c.rangeLookup(v, path, func(bound any, end bool, p string) (*node, error) {
			s, err := scalar(param, bound, p)
			if err != nil {
				return nil, err
			}
			if s == "" {
				return nil, fmt.Errorf("filters: %s: empty range bound", p)
			}
			if end {
				return mk(lkLTE, s), nil
			}
			return mk(lkGTE, s), nil
		}, isNull, mk)
	case "is_null":
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("filters: %s: want a Boolean, got %s", path, describe(v))
		}
		if b {
			return isNull()
		}
		return notNull()
	}
	if datePart(lk) && (param.Type == model.ParamDate || param.Type == model.ParamDateTime) {
		return c.datePart(param, lk, v, path, isNull, mk)
	}
	return nil, fmt.Errorf("filters: %s: unknown lookup %q", path, lk)
}

// rangeLookup compiles strawberry-django's RangeLookup {start, end}: Django's __range, BETWEEN
// start AND end, inclusive. bound makes the test of one bound (end false: field ≥ start; true:
// field ≤ end). A bound given as null (or left out: its default is null) stays NULL in the SQL,
// so the range is never true; see lkNullRange.
func (c *compiler) rangeLookup(v any, path string, bound func(v any, end bool, path string) (*node, error),
	isNull func() (*node, error), mk func(leafKind, ...string) *node) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want {start, end}, got %s", path, describe(v))
	}
	for k := range m {
		if k != "start" && k != "end" {
			return nil, fmt.Errorf("filters: %s: a range has start and end, not %q", path, k)
		}
	}
	var lo, hi *node
	var err error
	if m["start"] != nil {
		if lo, err = bound(m["start"], false, path+".start"); err != nil {
			return nil, err
		}
	}
	if m["end"] != nil {
		if hi, err = bound(m["end"], true, path+".end"); err != nil {
			return nil, err
		}
	}
	if lo != nil && hi != nil {
		return and(lo, hi), nil
	}
	n := mk(lkNullRange)
	switch {
	case lo != nil:
		n.leaf.lfalse = not(lo)
	case hi != nil:
		n.leaf.lfalse = not(hi)
	case n.leaf.cf != nil || (n.leaf.field != "" && !n.leaf.nullable):
		// BETWEEN NULL AND NULL is never false either where the value cannot be NULL (Django
		// adds IS NOT NULL under a negation only on a nullable column; a JSON key has none).
		n.leaf.lfalse = nodeFalse
	default:
		if n.leaf.lfalse, err = isNull(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (c *compiler) choice(obj *model.Object, ff *model.FilterField, param *model.FilterParam, v any, path string, nullable bool, field string,
	mk func(leafKind, ...string) *node) (*node, error) {
	f := obj.Field(ff.Field)
	if f == nil {
		return nil, fmt.Errorf("filters: %s: choice field %q is not a field of %s", path, ff.Field, obj.Name)
	}
	switch t := v.(type) {
	case string:
		return c.enums(f, ff, []any{t}, path, mk)
	case []any:
		return c.enums(f, ff, t, path, mk)
	case map[string]any:
		// NetBox 4.5+'s <Enum>BaseFilterLookup: {exact, in_list, is_null}, ANDed.
		var parts []*node
		for _, lk := range slices.Sorted(maps.Keys(t)) {
			lv, p := t[lk], path+"."+lk
			if lv == nil {
				continue
			}
			var n *node
			var err error
			switch lk {
			case "exact":
				s, ok := lv.(string)
				if !ok {
					return nil, fmt.Errorf("filters: %s: want an enum value, got %s", p, describe(lv))
				}
				n, err = c.enums(f, ff, []any{s}, p, mk)
			case "in_list":
				l, ok := lv.([]any)
				if !ok {
					l = []any{lv}
				}
				n, err = c.enums(f, ff, l, p, mk)
			case "is_null":
				n, err = c.lookup(param, lk, lv, p, nullable, field, mk)
			default:
				return nil, fmt.Errorf("filters: %s: unknown lookup %q (an enum lookup has exact, in_list and is_null)", p, lk)
			}
			if err != nil {
				return nil, err
			}
			parts = append(parts, n)
		}
		return and(parts...), nil
	}
	return nil, fmt.Errorf("filters: %s: want a %s input object, an enum value or a list of them, got %s", path, ff.Input, describe(v))
}

// enums compiles a set of enum values: the field is one of their REST values.
func (c *compiler) enums(f *model.Field, ff *model.FilterField, enums []any, path string, mk func(leafKind, ...string) *node) (*node, error) {
	var vals []string
	for i, e := range enums {
		if e == nil {
			continue
		}
		p := path
		if len(enums) > 1 {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("filters: %s: want an enum value, got %s", p, describe(e))
		}
		// graphql-go hands over the enum's name, or its internal value when the schema maps one
		// (then the REST value): the name is tried first.
		ch := choiceByEnum(f.Choices, s)
		if ch == nil {
			return nil, fmt.Errorf("filters: %s: %q is not a value of %s", p, s, ff.Input)
		}
		if ch.Value == "" {
			return nil, fmt.Errorf("filters: %s: choice %s has an empty REST value, which NetBox ignores", p, s)
		}
		vals = append(vals, ch.Value)
	}
	if len(vals) == 0 {
		return nodeFalse, nil
	}
	return mk(lkIn, vals...), nil
}
