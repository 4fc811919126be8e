package filters

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/graphbox/graphbox/model"
)

// CustomField is what the compiler needs of one upstream custom field: NetBox builds the
// cf_<name> REST filter from the field's type and filter logic, and silently ignores the
// lookups that filter lacks, so compiling one without the definition could over-match.
type CustomField struct {
	Name        string
	Type        string   // NetBox's type value: "text", "integer", "select", ...
	FilterLogic string   // "loose", "exact" or "disabled"
	ObjectTypes []string // content types it is assigned to: "dcim.device"
}

// CustomFields are custom field definitions by name.
type CustomFields map[string]CustomField

// Option configures a compilation.
type Option func(*compiler)

// WithCustomFields gives the compiler the definitions of the custom fields the input filters
// on (see CustomFieldNames and LoadCustomFields).
func WithCustomFields(cfs CustomFields) Option {
	return func(c *compiler) { c.cfs = cfs }
}

// CustomFieldNames lists, sorted and once each, the custom fields a filter input names in a
// custom_field_data filter at any depth.
func CustomFieldNames(input map[string]any) []string {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "custom_field_data" {
					if m, ok := e.(map[string]any); ok {
						if p, ok := m["path"].(string); ok && p != "" {
							seen[p] = true
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(input)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LoadCustomFields reads the definitions of the named custom fields from the upstream's
// custom-fields endpoint: one request (more only past a page). A name the token cannot see
// is simply absent, and the compiler then refuses the filter.
func LoadCustomFields(ctx context.Context, f Fetcher, reg *model.Registry, names []string) (CustomFields, error) {
	out := CustomFields{}
	if len(names) == 0 {
		return out, nil
	}
	obj := reg.Object("CustomField")
	if obj == nil || obj.Filter("name") == nil {
		return nil, fmt.Errorf("filters: custom-field filters need the upstream's custom-fields endpoint, which the registry lacks")
	}
	q := url.Values{"name": names, "fields": {"id,name,type,filter_logic,object_types"}}
	rows, err := f.All(ctx, obj, q)
	if err != nil {
		return nil, fmt.Errorf("filters: read custom field definitions: %w", err)
	}
	for _, r := range rows {
		cf := CustomField{Name: str(r["name"]), Type: choiceValue(r["type"]), FilterLogic: choiceValue(r["filter_logic"])}
		if ots, ok := r["object_types"].([]any); ok {
			for _, ot := range ots {
				cf.ObjectTypes = append(cf.ObjectTypes, str(ot))
			}
		}
		if cf.Name != "" {
			out[cf.Name] = cf
		}
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// choiceValue reads a choice field, {"value": …, "label": …} or a bare value.
func choiceValue(v any) string {
	if m, ok := v.(map[string]any); ok {
		return str(m["value"])
	}
	return str(v)
}

// cfLookups are the lookup inputs of NetBox's JSONLookup, one of which a filter sets.
var cfLookups = []string{"string_lookup", "int_range_lookup", "int_comparison_lookup", "float_range_lookup",
	"float_comparison_lookup", "date_lookup", "datetime_lookup", "time_lookup", "boolean_lookup"}

// cfSpec is the REST filter NetBox 4.2 builds for one custom field (CustomField.to_filter and
// the filterset's additional lookups), and the lookup inputs that may use it.
type cfSpec struct {
	param *model.FilterParam
	loose bool     // the bare parameter means icontains (filter_logic loose on a text type)
	text  bool     // a string type: lookups run on the JSON value's text (->>), NULL on JSON null
	kinds []string // the JSONLookup inputs allowed
}

var (
	cfCharLookups    = []string{"n", "ie", "nie", "ic", "nic", "isw", "nisw", "iew", "niew"}
	cfNumericLookups = []string{"n", "gt", "gte", "lt", "lte", "empty"}
	cfNumberKinds    = []string{"int_comparison_lookup", "int_range_lookup", "float_comparison_lookup", "float_range_lookup"}
)

// specOf builds the filter of one custom field; regex tells whether the upstream's character
// filters have __regex and __iregex (NetBox 4.3 on), which its custom-field filters share.
func specOf(cf CustomField, regex bool) (*cfSpec, error) {
	p := &model.FilterParam{Name: "cf_" + cf.Name, Exact: true}
	s := &cfSpec{param: p}
	switch cf.Type {
	case "text", "longtext", "url", "select":
		p.Type, s.text, s.kinds = model.ParamString, true, []string{"string_lookup"}
		if cf.FilterLogic == "loose" && cf.Type != "select" {
			p.Exact, p.Lookups, s.loose = false, []string{"ic"}, true
		} else {
			p.Lookups = cfCharLookups
			if regex {
				p.Lookups = append(slices.Clip(cfCharLookups), "regex", "iregex")
			}
		}
	case "integer":
		p.Type, p.Lookups, s.kinds = model.ParamInt, cfNumericLookups, cfNumberKinds
	case "decimal":
		p.Type, p.Lookups, s.kinds = model.ParamFloat, cfNumericLookups, cfNumberKinds
	case "date":
		p.Type, p.Lookups, s.kinds = model.ParamDate, cfNumericLookups, []string{"date_lookup"}
	case "boolean":
		p.Type, s.kinds = model.ParamBool, []string{"boolean_lookup"}
	case "datetime":
		return nil, fmt.Errorf("datetime custom fields compare as JSON text in NetBox, which differs from its REST filter on offsets; not supported")
	case "json", "multiselect", "object", "multiobject":
		return nil, fmt.Errorf("a %s custom field's REST filter (containment) means something else than a JSON path lookup; not supported", cf.Type)
	default:
		return nil, fmt.Errorf("custom field type %q is unknown", cf.Type)
	}
	return s, nil
}

// customField compiles custom_field_data: {path, lookup: {<kind>: {<lookup>: value}}}, as
// strawberry-django runs it: a lookup on the JSON key, here the cf_<path> REST parameter.
func (c *compiler) customField(obj *model.Object, v any, path string) (*node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want a JSONFilter input object, got %s", path, describe(v))
	}
	name, _ := m["path"].(string)
	if name == "" {
		return nil, fmt.Errorf("filters: %s.path: the custom field's name is required", path)
	}
	if strings.Contains(name, "__") {
		return nil, fmt.Errorf("filters: %s.path: %q: only a custom field's name is supported; a path into its JSON value has no REST filter", path, name)
	}
	lm, ok := m["lookup"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s.lookup: want a JSONLookup input object", path)
	}
	var kind string
	for _, k := range cfLookups {
		if lm[k] == nil {
			continue
		}
		if kind != "" {
			return nil, fmt.Errorf("filters: %s.lookup: set only one of %s and %s", path, kind, k)
		}
		kind = k
	}
	for k := range lm {
		if !slices.Contains(cfLookups, k) {
			return nil, fmt.Errorf("filters: %s.lookup: unknown lookup %q", path, k)
		}
	}
	if kind == "" {
		return nil, fmt.Errorf("filters: %s.lookup: set one of %s", path, strings.Join(cfLookups, ", "))
	}
	path += ".lookup." + kind
	def, ok := c.cfs[name]
	if !ok {
		return nil, fmt.Errorf("filters: %s: the upstream has no custom field %q that this token may see", path, name)
	}
	if !slices.Contains(def.ObjectTypes, obj.ContentType) {
		return nil, fmt.Errorf("filters: %s: custom field %q is not assigned to %s (%s)", path, name, obj.Name, obj.ContentType)
	}
	if def.FilterLogic == "disabled" {
		return nil, fmt.Errorf("filters: %s: custom field %q has filtering disabled (filter_logic: disabled)", path, name)
	}
	spec, err := specOf(def, c.reg.RegexLookups())
	if err != nil {
		return nil, fmt.Errorf("filters: %s: custom field %q: %w", path, name, err)
	}
	if !slices.Contains(spec.kinds, kind) {
		return nil, fmt.Errorf("filters: %s: custom field %q is of type %s: use %s", path, name, def.Type, strings.Join(spec.kinds, " or "))
	}
	if prev, ok := c.specs[name]; ok {
		spec = prev // one parameter per custom field, so its atoms share a key
	} else {
		c.specs[name] = spec
	}
	mk := func(lk leafKind, values ...string) *node {
		return &node{op: opLeaf, leaf: &leaf{kind: lk, path: path, param: spec.param, values: values,
			nullable: spec.param.Type == model.ParamBool, cf: spec}}
	}
	lv := lm[kind]
	if strings.HasSuffix(kind, "_range_lookup") {
		return c.cfLookup(spec, name, "range", lv, path, mk)
	}
	lks, ok := lv.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filters: %s: want an input object, got %s", path, describe(lv))
	}
	var parts []*node
	for _, lk := range slices.Sorted(maps.Keys(lks)) {
		if lks[lk] == nil {
			continue
		}
		as := lk
		if n, ok := jsonLookupNames[lk]; ok {
			as = n
		}
		n, err := c.cfLookup(spec, name, as, lks[lk], path+"."+lk, mk)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	return and(parts...), nil
}

// jsonLookupNames reads NetBox 4.6's JSONStringLookup, which names two lookups as Django does
// (in_, isnull), as the lookups of the other inputs.
var jsonLookupNames = map[string]string{"in_": "in_list", "isnull": "is_null"}

// cfLookup checks what NetBox's cf_ filter cannot say the same way, then compiles the lookup
// as for any parameter.
func (c *compiler) cfLookup(spec *cfSpec, name, lk string, v any, path string, mk func(leafKind, ...string) *node) (*node, error) {
	switch {
	case lk == "contains" && spec.text:
		return nil, fmt.Errorf("filters: %s: NetBox runs contains on a custom field as JSON containment, which for a string is equality; use exact, or i_contains or regex for a substring", path)
	case lk == "is_null" && (spec.text || spec.param.Type == model.ParamBool):
		return nil, fmt.Errorf("filters: %s: is_null on custom field %q tests whether its key exists, which NetBox's REST API cannot ask for a %s field", path, name, spec.param.Type)
	case datePart(lk):
		// On a JSON key Django reads "year" as one more key (data -> 'since' -> 'year'), NULL on
		// a date string, not as EXTRACT; REST has nothing for that.
		return nil, fmt.Errorf("filters: %s: %w: NetBox reads %q on a custom field as a key inside its JSON value, which its REST filter cannot ask for", path, ErrUnsupportedLookup, lk)
	case spec.loose && lk != "i_contains":
		return nil, fmt.Errorf("filters: %s: custom field %q uses loose filter logic: its REST filter only matches a case-insensitive substring (i_contains)", path, name)
	}
	if err := cfValues(spec, v, path); err != nil {
		return nil, err
	}
	return c.lookup(spec.param, lk, v, path, false, "", mk)
}

// cfValues refuses values the REST filter would read differently: an empty string (ignored by
// REST) and a date NetBox would not parse.
func cfValues(spec *cfSpec, v any, path string) error {
	var vals []any
	switch t := v.(type) {
	case []any:
		vals = t
	case map[string]any:
		vals = []any{t["start"], t["end"]}
	default:
		vals = []any{t}
	}
	for _, e := range vals {
		s, ok := e.(string)
		if !ok {
			continue
		}
		if s == "" && spec.text {
			return fmt.Errorf("filters: %s: an empty string: NetBox's REST API ignores an empty custom-field filter value", path)
		}
		if spec.param.Type == model.ParamDate {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return fmt.Errorf("filters: %s: %q is not a date (YYYY-MM-DD)", path, s)
			}
		}
	}
	return nil
}

// threeValued reports whether the leaf is a custom field's text lookup, which reads the value
// as text: NULL on a JSON null (jsonb equality, lkIn, never is).
func (l *leaf) threeValued() bool {
	return l.cf != nil && l.cf.text && l.kind != lkIn
}

// threeValued reports whether a formula holds a leaf that can be SQL NULL, neither true nor
// false: a custom field's text lookup on a JSON null (->>), or a range with a null bound. The
// complement of such a formula's matches is not its negation. It looks into related filters on
// a foreign key, which Django joins (a NULL carries through), not into many-to-many ones, which
// it tests with a subquery or a join that only keeps true rows.
func threeValued(n *node) bool {
	if n == nil {
		return false
	}
	if n.op == opLeaf {
		switch n.leaf.kind {
		case lkNullRange:
			return true
		case lkRelated:
			return !n.leaf.rel.m2m && threeValued(n.leaf.rel.sub)
		}
		return n.leaf.threeValued()
	}
	for _, k := range n.kids {
		if threeValued(k) {
			return true
		}
	}
	return false
}
