package filtertest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// CustomField is a custom field the generator may filter on, as the upstream defines it.
type CustomField struct {
	Name        string
	Type        string // "text", "integer", "decimal", "date", "boolean", "select", ...
	FilterLogic string // "loose", "exact", "disabled"
	ObjectTypes []string
}

// customField evaluates custom_field_data: {path, lookup: {<kind>: …}} as strawberry-django
// runs it on PostgreSQL: a lookup on the jsonb key. The key is present on every row (NetBox
// writes null for an unset field). jsonb equality and ordering are never NULL, and null sorts
// below every value; text lookups read the value as text (->>), which is NULL on a JSON null.
// A missing related row is a row of NULLs; Django's exclude adds IS NOT NULL for that join,
// so the lookup is false there, and so is NOT's inner test.
func (r *Reference) customField(row rest.Object, in map[string]any) (tri, bool) {
	if row == nil {
		return triFalse, false
	}
	cfs, _ := row["custom_fields"].(map[string]any)
	val, present := cfs[in["path"].(string)]
	lookup := in["lookup"].(map[string]any)
	res, empty := triTrue, true
	for kind, lv := range lookup {
		if lv == nil {
			continue
		}
		if !present {
			return triUnknown, false
		}
		lks := lv.(map[string]any)
		if strings.HasSuffix(kind, "_range_lookup") {
			lks = map[string]any{"range": lv}
		}
		for lk, x := range lks {
			if x == nil {
				continue
			}
			empty = false
			if n, ok := jsonStringLookupNames[lk]; ok && kind == "string_lookup" {
				lk = n
			}
			res = res.and(jsonLookup(kind, lk, x, val))
		}
	}
	return res, empty
}

// jsonStringLookupNames are the lookups NetBox 4.6's JSONStringLookup names as Django does, by
// the names of the other lookup inputs.
var jsonStringLookupNames = map[string]string{"in_": "in_list", "isnull": "is_null"}

// jsonCompare orders jsonb values of one type: null first, numbers by value, strings by text.
func jsonCompare(v any, want any) int {
	if v == nil {
		return -1
	}
	if x, ok := v.(float64); ok {
		w := toFloat(want)
		switch {
		case x < w:
			return -1
		case x > w:
			return 1
		}
		return 0
	}
	return strings.Compare(text(v), text(want))
}

func toFloat(v any) float64 {
	switch t := v.(type) {
	case int32:
		return float64(t)
	case int:
		return float64(t)
	case float64:
		return t
	}
	return 0
}

func jsonEqual(v, want any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case float64:
		if _, isStr := want.(string); isStr {
			return false
		}
		return x == toFloat(want)
	case bool:
		b, ok := want.(bool)
		return ok && b == x
	case string:
		w, ok := want.(string)
		return ok && w == x
	}
	return false
}

func jsonLookup(kind, lk string, x, v any) tri {
	switch lk {
	case "is_null":
		return triOf(!x.(bool)) // the key exists
	case "exact":
		return triOf(jsonEqual(v, x))
	case "in_list":
		for _, e := range x.([]any) {
			if jsonEqual(v, e) {
				return triTrue
			}
		}
		return triFalse
	case "gt":
		return triOf(jsonCompare(v, x) > 0)
	case "gte":
		return triOf(jsonCompare(v, x) >= 0)
	case "lt":
		return triOf(jsonCompare(v, x) < 0)
	case "lte":
		return triOf(jsonCompare(v, x) <= 0)
	case "range":
		m := x.(map[string]any)
		return triOf(jsonCompare(v, m["start"]) >= 0 && jsonCompare(v, m["end"]) <= 0)
	}
	// text lookups, on ->>
	if v == nil {
		return triUnknown
	}
	s, want := text(v), text(x)
	switch lk {
	case "starts_with":
		return triOf(strings.HasPrefix(s, want))
	case "ends_with":
		return triOf(strings.HasSuffix(s, want))
	case "contains":
		panic("filtertest: contains on a custom field is JSON containment; the compiler refuses it")
	}
	suffix := map[string]string{"i_exact": "ie", "i_contains": "ic", "i_starts_with": "isw", "i_ends_with": "iew", "regex": "regex", "i_regex": "iregex"}[lk]
	if suffix == "" {
		panic("filtertest: custom-field lookup " + kind + "." + lk)
	}
	return triOf(LeafMatch(suffix, want, s))
}

// customField draws a custom_field_data filter on one of obj's custom fields, with lookups the
// gateway answers exactly (loose text fields only positively); nil when none fits.
func (g *Gen) customField(obj *model.Object, underNot bool) map[string]any {
	var cands []CustomField
	for _, cf := range g.CustomFields {
		if slices.Contains(cf.ObjectTypes, obj.ContentType) && cf.FilterLogic != "disabled" {
			cands = append(cands, cf)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	cf := Pick(g.R, cands)
	var kind string
	var lks []string
	switch cf.Type {
	case "text", "longtext", "url", "select":
		kind = "string_lookup"
		lks = []string{"exact", "in_list", "i_exact", "i_contains", "i_starts_with", "i_ends_with"}
		if g.Reg == nil || g.Reg.RegexLookups() {
			// NetBox 4.2 has no __regex, which these need on a custom field.
			lks = append(lks, "starts_with", "ends_with", "regex", "i_regex")
		}
		if cf.FilterLogic == "loose" && cf.Type != "select" {
			if underNot {
				return nil
			}
			lks = []string{"i_contains"}
		}
	case "integer", "decimal":
		kind = Pick(g.R, []string{"int_comparison_lookup", "int_range_lookup", "float_comparison_lookup", "float_range_lookup"})
		lks = []string{"exact", "gt", "gte", "lt", "lte", "range", "in_list", "is_null"}
	case "date":
		kind = "date_lookup"
		lks = []string{"exact", "gt", "gte", "lt", "lte", "range", "in_list"}
	case "boolean":
		kind = "boolean_lookup"
		lks = []string{"exact"}
	default:
		return nil
	}
	value := func() any { return g.cfValue(obj, cf, kind) }
	var lookup any
	if strings.HasSuffix(kind, "_range_lookup") {
		lookup = map[string]any{"start": value(), "end": value()}
	} else {
		m := map[string]any{}
		for n := 1 + g.R.Intn(2); n > 0; n-- {
			switch lk := Pick(g.R, lks); lk {
			case "is_null":
				m[lk] = g.R.Intn(2) == 0
			case "in_list":
				var l []any
				for k := 1 + g.R.Intn(3); k > 0; k-- {
					l = append(l, value())
				}
				if kind == "string_lookup" && g.NetBox46 {
					lk = "in_" // NetBox 4.6's JSONStringLookup
				}
				m[lk] = l
			case "range":
				m[lk] = map[string]any{"start": value(), "end": value()}
			case "regex", "i_regex":
				m[lk] = g.regex()
			default:
				m[lk] = value()
			}
		}
		lookup = m
	}
	return map[string]any{"path": cf.Name, "lookup": map[string]any{kind: lookup}}
}

// cfValue draws a value of a custom field from the rows, moved a little for numbers; text is
// never empty (REST ignores an empty value, and the compiler refuses it).
func (g *Gen) cfValue(obj *model.Object, cf CustomField, kind string) any {
	var v any
	if rows := g.Data[obj.Name]; len(rows) > 0 {
		for range 4 {
			cfs, _ := Pick(g.R, rows)["custom_fields"].(map[string]any)
			if v = cfs[cf.Name]; v != nil {
				break
			}
		}
	}
	switch cf.Type {
	case "integer", "decimal":
		n, _ := v.(float64)
		if g.R.Intn(3) == 0 {
			n += float64(g.R.Intn(3) - 1)
		}
		if strings.HasPrefix(kind, "int") {
			return int32(n)
		}
		if cf.Type == "decimal" && g.R.Intn(3) == 0 {
			n += 0.5
		}
		return n
	case "date":
		s, _ := v.(string)
		if s == "" || g.R.Intn(4) == 0 {
			return fmt.Sprintf("2024-%02d-%02d", 1+g.R.Intn(12), 1+g.R.Intn(28))
		}
		return s
	case "boolean":
		return g.R.Intn(2) == 0
	}
	s, _ := v.(string)
	switch {
	case s == "" || g.R.Intn(6) == 0:
		return Pick(g.R, Vocab)
	case g.R.Intn(3) == 0:
		return strings.ToUpper(s)
	case len(s) > 2 && g.R.Intn(2) == 0:
		i := g.R.Intn(len(s) - 1)
		return s[i : i+1+g.R.Intn(len(s)-i-1)]
	}
	return s
}
