package filtertest

import (
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// Vocab is a set of names with regex-special and non-ASCII characters, for data and values.
var Vocab = []string{"core", "Core.1", "core+2", "EDGE-a", "edge(b)", "dist", "Dist^3", "acc[4]", "aCc", "x$y", "ä-öß", "AB", "ab", "b"}

// Pick returns a random element of xs.
func Pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

// Gen builds random filter inputs, as graphql-go hands them to the compiler (map[string]any,
// []any, int32, float64, bool, string; enums by name).
type Gen struct {
	R    *rand.Rand
	Reg  *model.Registry
	Data Dataset
	// Skip leaves out filter fields the reference cannot evaluate (derived parameters, relations
	// to types absent from Data); nil skips every derived parameter.
	Skip func(obj *model.Object, ff *model.FilterField) bool
	// FromData draws numbers, dates and ids from the rows of Data (ids of existing rows for
	// <fk>_id, which a NetBox-like upstream answers 400 to otherwise) instead of small fixed ranges.
	FromData bool
	// CustomFields are the upstream's custom fields: custom_field_data filters are drawn on
	// them, at the top level of a tree only (in a related filter a text lookup's NULL leaves
	// the compiler no exact complement).
	CustomFields []CustomField
	// NetBox46 draws the members of NetBox 4.6.8's lookup inputs where a name means another
	// input in Graphbox's older schema (IntFilterLookup without gt, BoolFilterLookup with
	// in_list, DateFilterLookup with its parts), and ranges with a null bound.
	NetBox46 bool
	// Distinct adds NetBox 4.5+'s DISTINCT key at random levels, also on types whose filter
	// fields do not list it (those that do get it anyway).
	Distinct bool

	m2mUsed map[string]bool // many-to-many relations filtered in the current tree
	mono    bool            // drawing a many-to-many filter: no NOT, no NULL test, no ""
}

func (g *Gen) skip(obj *model.Object, ff *model.FilterField) bool {
	if g.Skip != nil {
		return g.Skip(obj, ff)
	}
	p := obj.Filter(ff.Param)
	return p != nil && p.Field == ""
}

func (g *Gen) str(obj *model.Object, field string) string {
	rows := g.Data[obj.Name]
	var s string
	if len(rows) > 0 {
		s, _ = rows[g.R.Intn(len(rows))][field].(string)
	}
	if g.mono && s == "" {
		s = Pick(g.R, Vocab) // "" is a NULL test to the compiler
	}
	switch g.R.Intn(8) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return Pick(g.R, Vocab)
	case 2:
		if rs := []rune(s); len(rs) > 1 {
			i := g.R.Intn(len(rs) - 1)
			return string(rs[i : i+1+g.R.Intn(len(rs)-i-1)])
		}
	case 3:
		return Pick(g.R, []string{".", "+", "(", "[4", "$", "ß", "-1"})
	case 4:
		if g.R.Intn(4) == 0 && !g.mono {
			return ""
		}
	}
	return s
}

// valueKind is the type of the values an input's lookups take: "id", "int", "bigint",
// "float", "datetime", "date", "bool", or "" for strings.
func valueKind(input string) string {
	switch input {
	case "IDFilterLookup", "IDComparisonFilterLookup":
		return "id"
	case "IntFilterLookup", "IntComparisonFilterLookup", "IntegerLookup":
		return "int"
	case "BigIntFilterLookup", "BigIntComparisonFilterLookup", "BigIntegerLookup":
		return "bigint"
	case "FloatFilterLookup", "FloatComparisonFilterLookup", "FloatLookup",
		"DecimalFilterLookup", "DecimalComparisonFilterLookup", "DecimalLookup":
		return "float"
	case "DateTimeFilterLookup", "DatetimeFilterLookup":
		return "datetime"
	case "DateFilterLookup":
		return "date"
	case "BoolFilterLookup":
		return "bool"
	}
	return ""
}

func (g *Gen) regex() string {
	return Pick(g.R, []string{"^c", "e$", "[0-9]", "o.e", "a|b", "^$", "\\+", "^[A-Z]", "ß", "c\\.1"})
}

func (g *Gen) scalarValue(obj *model.Object, ff *model.FilterField) any {
	if g.FromData {
		if v, ok := g.dataValue(obj, ff); ok {
			return v
		}
	}
	switch valueKind(ff.Input) {
	case "id":
		return strconv.Itoa(g.R.Intn(16))
	case "int":
		return int32(g.R.Intn(6) - 1)
	case "bigint":
		return strconv.Itoa(64499 + g.R.Intn(8))
	case "float":
		return float64(g.R.Intn(9)) / 2
	case "datetime":
		return fmt.Sprintf("2024-01-%02dT%02d:00:00Z", 1+g.R.Intn(5), g.R.Intn(3))
	case "date":
		return fmt.Sprintf("2024-01-%02d", 1+g.R.Intn(5))
	case "bool":
		return g.R.Intn(2) == 0
	}
	return g.str(obj, ff.Field)
}

// dataValue draws a value of a non-string lookup from the rows: a row's value, sometimes moved
// a little so that bounds fall between values.
func (g *Gen) dataValue(obj *model.Object, ff *model.FilterField) (any, bool) {
	p := obj.Filter(ff.Param)
	if p == nil {
		return nil, false
	}
	kind := valueKind(ff.Input)
	if fk := p.Related != "" && p.RelatedKey == "id"; fk && (kind == "id" || kind == "int" || kind == "bigint") {
		// a foreign key (site_id, or data_file_id as an IntFilterLookup): an existing row's id,
		// never one moved off it, to which a NetBox-like upstream answers 400
		rel := g.Data[p.Related]
		if len(rel) == 0 {
			return nil, false // no id known to exist: the fixed range would draw unknown ids
		}
		id := Pick(g.R, rel).ID()
		if kind == "int" {
			return int32(id), true
		}
		return strconv.Itoa(id), true
	}
	switch kind {
	case "id":
		if rows := g.Data[obj.Name]; len(rows) > 0 {
			return strconv.Itoa(Pick(g.R, rows).ID() + g.R.Intn(3) - 1), true
		}
	case "int", "bigint", "float":
		n, ok := g.rowNumber(obj, p)
		if !ok {
			return nil, false
		}
		if g.R.Intn(3) == 0 {
			n += float64(g.R.Intn(3) - 1)
		}
		switch kind {
		case "int":
			return int32(n), true
		case "bigint":
			return strconv.FormatInt(int64(n), 10), true
		}
		if g.R.Intn(3) == 0 {
			n += 0.5
		}
		return n, true
	case "datetime", "date":
		s, ok := g.rowString(obj, p)
		if !ok {
			return nil, false
		}
		if len(s) >= 10 && (kind == "date" || g.R.Intn(3) == 0) {
			return s[:10], true
		}
		return s, true
	}
	return nil, false
}

// idValue is a bare ID for a FilterID field: an existing related row's id from the data (a
// NetBox-like upstream answers 400 to an unknown one), else a small number.
func (g *Gen) idValue(obj *model.Object, ff *model.FilterField) (string, bool) {
	p := obj.Filter(ff.Param)
	if p != nil && p.Related != "" {
		if rel := g.Data[p.Related]; len(rel) > 0 {
			return strconv.Itoa(Pick(g.R, rel).ID()), true
		}
	}
	if g.FromData {
		return "", false
	}
	return strconv.Itoa(1 + g.R.Intn(16)), true
}

func (g *Gen) rowNumber(obj *model.Object, p *model.FilterParam) (float64, bool) {
	rows := g.Data[obj.Name]
	for range 4 {
		if len(rows) == 0 {
			break
		}
		if n, ok := (&Reference{Data: g.Data}).ParamValue(obj, p, Pick(g.R, rows)).(float64); ok {
			return n, true
		}
	}
	return 0, false
}

func (g *Gen) rowString(obj *model.Object, p *model.FilterParam) (string, bool) {
	rows := g.Data[obj.Name]
	for range 4 {
		if len(rows) == 0 {
			break
		}
		if s, ok := (&Reference{Data: g.Data}).ParamValue(obj, p, Pick(g.R, rows)).(string); ok {
			return s, true
		}
	}
	return "", false
}

// comparisonLookups are the members of strawberry-django's ComparisonFilterLookup.
var comparisonLookups = []string{"exact", "gt", "gte", "lt", "lte", "range", "in_list", "is_null"}

// lookupNames are the lookups of an input type the generator draws from.
func (g *Gen) lookupNames(input string) []string {
	switch input {
	case "StrFilterLookup":
		return []string{"exact", "i_exact", "contains", "i_contains", "starts_with", "i_starts_with", "ends_with", "i_ends_with", "regex", "i_regex", "in_list", "is_null"}
	case "BoolFilterLookup":
		if g.NetBox46 {
			return []string{"exact", "is_null", "in_list"}
		}
		return []string{"exact", "is_null"}
	case "IDFilterLookup":
		return []string{"exact", "in_list", "is_null", "gt", "gte", "lt", "lte"}
	case "IntFilterLookup", "BigIntFilterLookup", "FloatFilterLookup", "DecimalFilterLookup":
		if g.NetBox46 {
			// FilterLookup[int]: its text lookups have no REST filter
			return []string{"exact", "in_list", "is_null"}
		}
	case "DatetimeFilterLookup":
		return append(slices.Clip(comparisonLookups), "year", "iso_year", "date")
	case "DateFilterLookup":
		if g.NetBox46 {
			return append(slices.Clip(comparisonLookups), "year", "iso_year")
		}
	}
	return comparisonLookups
}

// lookupInput draws a lookup input for a FilterLookup field: a lookup object, or for a one-of
// numeric lookup one member.
func (g *Gen) lookupInput(obj *model.Object, ff *model.FilterField) map[string]any {
	value := func() any { return g.scalarValue(obj, ff) }
	if !ff.OneOf {
		return g.lookupObject(obj, ff, g.lookupNames(ff.Input), false, value)
	}
	switch g.R.Intn(3) {
	case 0:
		return map[string]any{"filter_lookup": g.lookupObject(obj, ff, []string{"exact", "in_list", "is_null"}, false, value)}
	case 1:
		if p := obj.Filter(ff.Param); Supported(obj, p, "range") {
			return map[string]any{"range_lookup": g.rangeValue(value)}
		}
	}
	return map[string]any{"comparison_lookup": g.lookupObject(obj, ff, comparisonLookups, false, value)}
}

// multiLeaf are the lookups that compile to more than one leaf (see lookupObject's single).
var multiLeaf = map[string]bool{"range": true, "is_null": true, "year": true, "iso_year": true, "date": true}

// lookupObject draws one or two of lks that the endpoint supports, with values from value;
// single draws exactly one that compiles to one leaf, for a many-to-many filter under NOT.
func (g *Gen) lookupObject(obj *model.Object, ff *model.FilterField, lks []string, single bool, value func() any) map[string]any {
	p := obj.Filter(ff.Param)
	var ok []string
	for _, lk := range lks {
		if !Supported(obj, p, lk) || (g.mono && lk == "is_null") || (single && multiLeaf[lk]) ||
			(single && lk == "in_list" && p.Type == model.ParamBool) {
			continue
		}
		ok = append(ok, lk)
	}
	lks = ok
	out := map[string]any{}
	n := 1 + g.R.Intn(2)
	if single {
		n = 1
	}
	for ; n > 0 && len(lks) > 0; n-- {
		lk := Pick(g.R, lks)
		switch lk {
		case "is_null":
			out[lk] = g.R.Intn(2) == 0
		case "in_list":
			var l []any
			for k := g.R.Intn(4); k > 0 || (g.mono && len(l) == 0); k-- {
				l = append(l, value())
			}
			out[lk] = l
		case "range":
			out[lk] = g.rangeValue(value)
		case "regex", "i_regex":
			out[lk] = g.regex()
		case "year", "iso_year", "date":
			out[lk] = g.partInput(obj, ff, lk)
		default:
			out[lk] = value()
		}
	}
	return out
}

// rangeValue draws {start, end}; with NetBox46 a bound is sometimes null (left out or given
// as null), which Django compares BETWEEN x AND NULL.
func (g *Gen) rangeValue(value func() any) map[string]any {
	out := map[string]any{"start": value(), "end": value()}
	if g.NetBox46 && g.R.Intn(4) == 0 {
		switch g.R.Intn(4) {
		case 0:
			delete(out, "start")
		case 1:
			out["end"] = nil
		case 2:
			delete(out, "start")
			delete(out, "end")
		default:
			out["start"] = nil
		}
	}
	return out
}

// partInput draws a comparison lookup on a date part: years around the data's, dates of it.
func (g *Gen) partInput(obj *model.Object, ff *model.FilterField, part string) map[string]any {
	value := func() any {
		at := time.Date(2024, 1, 1+g.R.Intn(6), 0, 0, 0, 0, time.UTC)
		if s, ok := g.rowString(obj, obj.Filter(ff.Param)); ok && g.R.Intn(4) > 0 {
			if t, ok := parseDate(s); ok {
				at = t.UTC()
			}
		}
		switch part {
		case "date":
			return at.AddDate(0, 0, g.R.Intn(3)-1).Format(time.DateOnly)
		case "iso_year":
			y, _ := at.ISOWeek()
			return int32(y + g.R.Intn(3) - 1)
		}
		return int32(at.Year() + g.R.Intn(3) - 1)
	}
	return g.lookupObject(obj, ff, comparisonLookups, false, value)
}

// Supported tells whether the endpoint has the REST parameter a positive lookup needs (the
// registry-driven SDL offers every lookup of the input type; the compiler refuses the rest).
func Supported(obj *model.Object, p *model.FilterParam, lk string) bool {
	need := map[string]string{"exact": "", "in_list": "", "i_exact": "ie", "contains": "regex", "starts_with": "regex",
		"ends_with": "regex", "regex": "regex", "i_regex": "iregex", "i_contains": "ic", "i_starts_with": "isw",
		"i_ends_with": "iew", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "range": "gte", "is_null": "empty"}[lk]
	// Without __regex (NetBox 4.2) the case-sensitive lookups are the case-insensitive one
	// narrowed by a check of the field, which a derived parameter does not have.
	if ci, ok := map[string]string{"contains": "ic", "starts_with": "isw", "ends_with": "iew"}[lk]; ok && !p.HasLookup("regex") {
		return p.Field != "" && p.HasLookup(ci)
	}
	if lk == "range" && !p.HasLookup("lte") {
		return false
	}
	if DatePart(lk) {
		return p.HasLookup("gte") && p.HasLookup("lt") // a part is bounds [lo, hi)
	}
	if lk == "is_null" && stringLike(p.Type) {
		if f := obj.Field(p.Field); f != nil && !f.Nullable {
			return true
		}
	}
	return p.HasLookup(need)
}

func stringLike(t model.ParamType) bool {
	return t == model.ParamString || t == model.ParamChoice || t == model.ParamUUID
}

// Filter returns a random filter input for obj, nesting operators and relations up to depth.
func (g *Gen) Filter(obj *model.Object, depth int) map[string]any {
	g.m2mUsed = map[string]bool{}
	return g.filter(obj, depth, true, false)
}

func (g *Gen) filter(obj *model.Object, depth int, top, underNot bool) map[string]any {
	out := map[string]any{}
	if top && g.R.Intn(4) == 0 {
		// drawn among all filter fields, custom fields would be rare
		if in := g.customField(obj, underNot); in != nil {
			out["custom_field_data"] = in
		}
	}
	for n := 1 + g.R.Intn(2); n > 0; n-- {
		ff := &obj.FilterFields[g.R.Intn(len(obj.FilterFields))]
		switch ff.Kind {
		case model.FilterCustomFields:
			if top {
				if in := g.customField(obj, underNot); in != nil {
					out[ff.Name] = in
				}
			}
			continue
		case model.FilterDistinct, model.FilterUnavailable:
			continue // DISTINCT is drawn below; an unavailable field only fails
		}
		if g.skip(obj, ff) {
			continue
		}
		switch ff.Kind {
		case model.FilterChoice:
			out[ff.Name] = g.choice(obj, ff, false)
		case model.FilterID:
			if id, ok := g.idValue(obj, ff); ok {
				out[ff.Name] = id
			}
		case model.FilterRelated:
			if ff.Input == "TreeNodeFilter" {
				if in := g.treeNode(obj, ff); in != nil {
					out[ff.Name] = in
				}
				continue
			}
			if depth <= 0 {
				continue
			}
			rel := g.Reg.Object(ff.Related)
			if ff.Reverse != "" {
				// like a many-to-many relation: monotone, once per relation
				if key := obj.Name + "." + ff.Name; !g.m2mUsed[key] {
					g.m2mUsed[key] = true
					out[ff.Name] = g.manyToMany(rel, underNot)
				}
				continue
			}
			if f := obj.Field(ff.Field); f != nil && (f.Kind == model.KindManyToMany || f.List) {
				// the compiler takes one filter per many-to-many relation and tree
				if key := obj.Name + "." + ff.Param; !g.m2mUsed[key] {
					g.m2mUsed[key] = true
					out[ff.Name] = g.manyToMany(rel, underNot)
				}
				continue
			}
			out[ff.Name] = g.filter(rel, depth-1, false, underNot)
		default:
			out[ff.Name] = g.lookupInput(obj, ff)
		}
	}
	if depth > 0 {
		for _, opn := range []string{"AND", "OR", "NOT"} {
			if g.R.Intn(4) == 0 {
				out[opn] = g.filter(obj, depth-1, top, underNot || opn == "NOT")
			}
		}
	}
	// drawn only where it may appear: without DISTINCT the draws are those of older versions,
	// so a seed gives the same trees
	if (g.Distinct || slices.ContainsFunc(obj.FilterFields, func(ff model.FilterField) bool { return ff.Kind == model.FilterDistinct })) && g.R.Intn(6) == 0 {
		out["DISTINCT"] = g.R.Intn(2) == 0
	}
	return out
}

// TreeMatches are the match types of NetBox 4.6's TreeNodeFilter that the compiler plans (the
// others need a node's own parent, which REST cannot select, and are refused).
var TreeMatches = []string{"EXACT", "SELF_AND_DESCENDANTS", "DESCENDANTS", "CHILDREN"}

// treeNode draws a TreeNodeFilter {id, match_type}: a node of the related rows (an unknown id
// is a 400 to a NetBox-like upstream's tree parameter), mostly one at or a step or two above a
// row's own, so that every match type selects rows; nil without related rows.
func (g *Gen) treeNode(obj *model.Object, ff *model.FilterField) map[string]any {
	nodes := g.Data[ff.Related]
	if len(nodes) == 0 {
		return nil
	}
	node := Pick(g.R, nodes)
	if rows := g.Data[obj.Name]; len(rows) > 0 && g.R.Intn(4) > 0 {
		if own := g.Data.ByID(ff.Related, NestedID(Pick(g.R, rows)[ff.Field])); own != nil {
			node = own
			for up := g.R.Intn(3); up > 0; up-- {
				p := g.Data.ByID(ff.Related, NestedID(node["parent"]))
				if p == nil {
					break
				}
				node = p
			}
		}
	}
	return map[string]any{"id": strconv.Itoa(node.ID()), "match_type": Pick(g.R, TreeMatches)}
}

// choice draws a choice filter: NetBox 4.5+'s {exact, in_list, is_null} for an
// <Enum>BaseFilterLookup input, else NetBox 4.4's enum or list of enums; single draws one leaf.
func (g *Gen) choice(obj *model.Object, ff *model.FilterField, single bool) any {
	f := obj.Field(ff.Field)
	enum := func() any { return Pick(g.R, f.Choices).Enum }
	if !strings.HasSuffix(ff.Input, "BaseFilterLookup") {
		if g.R.Intn(2) == 0 || single {
			return enum()
		}
		var l []any
		for k := g.R.Intn(3); k > 0; k-- {
			l = append(l, enum())
		}
		return l
	}
	return g.lookupObject(obj, ff, []string{"exact", "in_list", "is_null"}, single, enum)
}

// manyToMany draws a filter on a many-to-many relation in the shapes the compiler plans: no
// NOT, no NULL test, and under NOT a single leaf (Django's exclude over such a relation tests
// each related row in a subquery, a semi-join only for one lookup).
func (g *Gen) manyToMany(rel *model.Object, underNot bool) map[string]any {
	g.mono = true
	defer func() { g.mono = false }()
	var fields []*model.FilterField
	for i := range rel.FilterFields {
		ff := &rel.FilterFields[i]
		if (ff.Kind == model.FilterLookup || ff.Kind == model.FilterChoice) && !g.skip(rel, ff) {
			fields = append(fields, ff)
		}
	}
	out := map[string]any{}
	if len(fields) == 0 {
		return out
	}
	leaf := func() (string, any) {
		ff := Pick(g.R, fields)
		if ff.Kind == model.FilterChoice {
			return ff.Name, g.choice(rel, ff, true)
		}
		value := func() any { return g.scalarValue(rel, ff) }
		if !ff.OneOf {
			return ff.Name, g.lookupObject(rel, ff, g.lookupNames(ff.Input), true, value)
		}
		return ff.Name, map[string]any{"comparison_lookup": g.lookupObject(rel, ff, comparisonLookups, true, value)}
	}
	k, v := leaf()
	out[k] = v
	if !underNot {
		if k, v := leaf(); g.R.Intn(3) == 0 && out[k] == nil {
			out[k] = v
		}
		if k, v := leaf(); g.R.Intn(4) == 0 {
			out["OR"] = map[string]any{k: v}
		}
	}
	return out
}

// IDs returns the ids of rows, in their order.
func IDs(rows []rest.Object) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.ID()
	}
	return out
}

// FuzzSettings reads the size of a differential run: GRAPHBOX_FUZZ_SEED (a number, or "random")
// and GRAPHBOX_FUZZ_N (a positive number of trees), defaulting to seed and n, which CI runs.
func FuzzSettings(t testing.TB, seed int64, n int) (int64, int) {
	t.Helper()
	if s := os.Getenv("GRAPHBOX_FUZZ_SEED"); s == "random" {
		seed = time.Now().UnixNano()
	} else if s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("GRAPHBOX_FUZZ_SEED: %v", err)
		}
		seed = v
	}
	if s := os.Getenv("GRAPHBOX_FUZZ_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("GRAPHBOX_FUZZ_N: %q is not a positive number", s)
		}
		n = v
	}
	return seed, n
}
