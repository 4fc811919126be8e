package filtertest

import (
	"fmt"
	"math/rand"
	"os"
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
		if g.R.Intn(4) == 0 {
			return ""
		}
	}
	return s
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
	switch ff.Input {
	case "IDFilterLookup":
		return strconv.Itoa(g.R.Intn(16))
	case "IntFilterLookup":
		return int32(g.R.Intn(6) - 1)
	case "BigIntFilterLookup":
		return strconv.Itoa(64499 + g.R.Intn(8))
	case "FloatFilterLookup":
		return float64(g.R.Intn(9)) / 2
	case "DateTimeFilterLookup":
		return fmt.Sprintf("2024-01-%02dT%02d:00:00Z", 1+g.R.Intn(5), g.R.Intn(3))
	case "DateFilterLookup":
		return fmt.Sprintf("2024-01-%02d", 1+g.R.Intn(5))
	case "BoolFilterLookup":
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
	switch ff.Input {
	case "IDFilterLookup":
		if p.Related != "" && p.RelatedKey == "id" {
			if rel := g.Data[p.Related]; len(rel) > 0 {
				return strconv.Itoa(Pick(g.R, rel).ID()), true
			}
			return nil, false // no id known to exist: the fixed range would draw unknown ids
		}
		if rows := g.Data[obj.Name]; len(rows) > 0 {
			return strconv.Itoa(Pick(g.R, rows).ID() + g.R.Intn(3) - 1), true
		}
	case "IntFilterLookup", "BigIntFilterLookup", "FloatFilterLookup":
		n, ok := g.rowNumber(obj, p)
		if !ok {
			return nil, false
		}
		if g.R.Intn(3) == 0 {
			n += float64(g.R.Intn(3) - 1)
		}
		switch ff.Input {
		case "IntFilterLookup":
			return int32(n), true
		case "BigIntFilterLookup":
			return strconv.FormatInt(int64(n), 10), true
		}
		if g.R.Intn(3) == 0 {
			n += 0.5
		}
		return n, true
	case "DateTimeFilterLookup", "DateFilterLookup":
		s, ok := g.rowString(obj, p)
		if !ok {
			return nil, false
		}
		if len(s) >= 10 && (ff.Input == "DateFilterLookup" || g.R.Intn(3) == 0) {
			return s[:10], true
		}
		return s, true
	}
	return nil, false
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

func (g *Gen) lookupInput(obj *model.Object, ff *model.FilterField) map[string]any {
	var lks []string
	switch ff.Input {
	case "StrFilterLookup":
		lks = []string{"exact", "i_exact", "contains", "i_contains", "starts_with", "i_starts_with", "ends_with", "i_ends_with", "regex", "i_regex", "in_list", "is_null"}
	case "BoolFilterLookup":
		lks = []string{"exact", "is_null"}
	case "IDFilterLookup":
		lks = []string{"exact", "in_list", "is_null", "gt", "gte", "lt", "lte"}
	default:
		lks = []string{"exact", "gt", "gte", "lt", "lte", "range", "in_list", "is_null"}
	}
	p := obj.Filter(ff.Param)
	var ok []string
	for _, lk := range lks {
		if Supported(obj, p, lk) {
			ok = append(ok, lk)
		}
	}
	lks = ok
	out := map[string]any{}
	for n := 1 + g.R.Intn(2); n > 0 && len(lks) > 0; n-- {
		lk := Pick(g.R, lks)
		switch lk {
		case "is_null":
			out[lk] = g.R.Intn(2) == 0
		case "in_list":
			var l []any
			for k := g.R.Intn(4); k > 0; k-- {
				l = append(l, g.scalarValue(obj, ff))
			}
			out[lk] = l
		case "range":
			a, b := g.scalarValue(obj, ff), g.scalarValue(obj, ff)
			out[lk] = map[string]any{"start": a, "end": b}
		case "regex", "i_regex":
			out[lk] = g.regex()
		default:
			out[lk] = g.scalarValue(obj, ff)
		}
	}
	return out
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
		if ff.Kind == model.FilterCustomFields {
			if top {
				if in := g.customField(obj, underNot); in != nil {
					out[ff.Name] = in
				}
			}
			continue
		}
		if g.skip(obj, ff) {
			continue
		}
		switch ff.Kind {
		case model.FilterChoice:
			f := obj.Field(ff.Field)
			if g.R.Intn(2) == 0 {
				out[ff.Name] = Pick(g.R, f.Choices).Enum
			} else {
				var l []any
				for k := g.R.Intn(3); k > 0; k-- {
					l = append(l, Pick(g.R, f.Choices).Enum)
				}
				out[ff.Name] = l
			}
		case model.FilterRelated:
			if depth <= 0 {
				continue
			}
			out[ff.Name] = g.filter(g.Reg.Object(ff.Related), depth-1, false, underNot)
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
