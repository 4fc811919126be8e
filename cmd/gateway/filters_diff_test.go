package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/filters/filtertest"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
	"github.com/graphbox/graphbox/schema"
)

// diffRoots are the lists the differential test filters: rich filters, relations, choices,
// numbers, dates, booleans, nullable fields.
var diffRoots = []string{"Device", "Interface", "Site", "IPAddress", "Circuit", "Prefix"}

// diffDepth is the nesting of AND/OR/NOT and related filters in the random trees.
const diffDepth = 3

// TestFilterDifferential runs random filter trees through the gateway (GraphQL over HTTP, in
// front of the simulator) and through filtertest's reference evaluator over the simulator's rows,
// and wants the same ids in the same order and the same total_count. The CI run has a fixed seed;
// GRAPHBOX_FUZZ_SEED (a number or "random") and GRAPHBOX_FUZZ_N run it longer:
//
//	GRAPHBOX_FUZZ_SEED=random GRAPHBOX_FUZZ_N=20000 go test -run FilterDifferential ./cmd/gateway
func TestFilterDifferential(t *testing.T) {
	seed, n := filtertest.FuzzSettings(t, 20261121, 2000)
	t.Logf("seed %d, %d filter trees (replay: GRAPHBOX_FUZZ_SEED=%d GRAPHBOX_FUZZ_N=%d)", seed, n, seed, n)

	s := newStack(t, func(c *Config) {
		// A random tree may need many semi-join and merge requests; the default budget (200)
		// would refuse some, which is the budget working, not a filter answer to compare.
		c.Limits.MaxUpstreamRequests = 100000
		c.Limits.MaxQueryLength = 1 << 20
		c.Limits.MaxBodyBytes = 1 << 22
		c.Limits.RequestTimeout = time.Minute
	})
	reg := model.Default()
	data := dumpForDiff(t, s, reg)
	ref := &filtertest.Reference{Reg: reg, Data: data}
	g := &filtertest.Gen{R: rand.New(rand.NewSource(seed)), Reg: reg, Data: data, FromData: true, NetBox46: true,
		Skip: diffSkip(t, reg, data), CustomFields: customFieldsForDiff(t, s)}

	// The generator draws the trees in order (a seed gives the same trees); the reference's
	// answers and the gateway's are then worked out from a few goroutines.
	cases := make([]diffCase, n)
	for i := range cases {
		obj := reg.Object(diffRoots[g.R.Intn(len(diffRoots))])
		in := g.Filter(obj, diffDepth)
		c := diffCase{i: i, obj: obj, in: in, offset: g.R.Intn(16), limit: 1 + g.R.Intn(30)}
		switch g.R.Intn(8) {
		case 0:
			c.limit = 1000 // the whole answer in one window
		case 1:
			c.offset = g.R.Intn(len(data[obj.Name]) + 1)
		}
		c.query = fmt.Sprintf("{ %s(filters: %s, pagination: {offset: %d, limit: %d}) { total_count results { id } } }",
			obj.List, renderFilter(reg, obj, in), c.offset, c.limit)
		cases[i] = c
	}

	var mu sync.Mutex
	refused, used := map[string]int{}, map[string]int{}
	failures, nonEmpty := 0, 0
	work := make(chan *diffCase)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.wantIDs, c.wantTotal = ref.Rows(c.obj, c.in, filtertest.Window{Offset: c.offset, Limit: c.limit})
				msg, class := s.runDiffCase(c)
				mu.Lock()
				switch {
				case class != "":
					if refused[class] < 2 {
						t.Logf("refused (%s): %s\n  query %s", class, msg, c.query)
					}
					refused[class]++
				case msg != "":
					failures++
					if failures <= 5 {
						t.Errorf("seed %d, tree #%d: %s\n  query %s\n  want total %d ids %v", seed, c.i, msg, c.query, c.wantTotal, c.wantIDs)
					}
				default:
					if c.wantTotal > 0 {
						nonEmpty++
					}
					countUses(reg, c.obj, c.in, false, used)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range cases {
		work <- &cases[i]
	}
	close(work)
	wg.Wait()

	totalRefused := 0
	for _, k := range refused {
		totalRefused += k
	}
	t.Logf("%d trees: %d compared (%d with a non-empty answer), %d refused by class %v, %d failed",
		n, n-totalRefused-failures, nonEmpty, totalRefused, refused, failures)
	if failures > 0 {
		t.Errorf("%d of %d trees differ or failed; replay with GRAPHBOX_FUZZ_SEED=%d GRAPHBOX_FUZZ_N=%d", failures, n, seed, n)
	}
	// Guards against a test that proves nothing: most trees compile, and many select rows.
	if totalRefused > n/5 {
		t.Errorf("%d of %d trees were refused: %v", totalRefused, n, refused)
	}
	if nonEmpty < n/5 {
		t.Errorf("only %d of %d trees select any row; the generator draws values that match nothing", nonEmpty, n)
	}
	t.Logf("compared trees by form: %v", used)
	if n >= 500 {
		for _, k := range diffForms {
			if used[k] == 0 && (reg.RegexLookups() || (k != "regex" && k != "i_regex")) {
				// Without __regex (NetBox 4.2) the regex lookups are refused, never compared.
				t.Errorf("no compared tree uses %s", k)
			}
		}
	}
}

// diffForms are the forms every run of 500 trees or more must have compared (countUses' names).
var diffForms = []string{
	// lookups, operators, relations, custom fields
	"exact", "i_exact", "contains", "i_contains", "starts_with", "i_starts_with", "ends_with", "i_ends_with",
	"regex", "i_regex", "in_list", "is_null", "gt", "gte", "lt", "lte", "range", "AND", "OR", "NOT", "related",
	"related many-to-many", "custom_field", "string_lookup", "int_comparison_lookup", "int_range_lookup",
	"float_comparison_lookup", "float_range_lookup", "date_lookup", "boolean_lookup",
	// NetBox 4.6.8's forms
	"choice", "enum exact", "enum in_list", "enum is_null", "ID lookup", "ID", "ID of a tree",
	"filter_lookup", "range_lookup", "comparison_lookup", "range with a null bound", "BigInt", "year", "iso_year", "date",
	"tree EXACT", "tree SELF_AND_DESCENDANTS", "tree DESCENDANTS", "tree CHILDREN", "tags", "NOT tags", "DISTINCT",
	"related reverse",
}

// countUses counts the forms of a filter input: lookups, operators, choices, relations, and
// NetBox 4.6.8's enum lookups, IDs, one-of members, date parts, tree match types, tags and
// DISTINCT (neg: under an odd number of NOTs).
func countUses(reg *model.Registry, obj *model.Object, in map[string]any, neg bool, used map[string]int) {
	for k, v := range in {
		if v == nil {
			continue
		}
		switch k {
		case "AND", "OR", "NOT":
			used[k]++
			countUses(reg, obj, v.(map[string]any), neg != (k == "NOT"), used)
			continue
		case "DISTINCT":
			used[k]++
			continue
		}
		ff := obj.FilterField(k)
		switch ff.Kind {
		case model.FilterChoice:
			used["choice"]++
			if lks, ok := v.(map[string]any); ok {
				for lk := range lks {
					used["enum "+lk]++
				}
			}
		case model.FilterID:
			used["ID"]++
			if ff.Type != model.ParamInt {
				used["ID of a tree"]++
			}
		case model.FilterRelated:
			sub := v.(map[string]any)
			switch {
			case ff.Input == "TreeNodeFilter":
				used["tree "+sub["match_type"].(string)]++
				continue
			case ff.Reverse != "":
				used["related reverse"]++
			case ff.Name == "tags":
				used["tags"]++
				if neg {
					used["NOT tags"]++
				}
			case isList(obj, ff):
				used["related many-to-many"]++
			default:
				used["related"]++
			}
			countUses(reg, reg.Object(ff.Related), sub, neg, used)
		case model.FilterCustomFields:
			used["custom_field"]++
			for kind, lv := range v.(map[string]any)["lookup"].(map[string]any) {
				used[kind]++
				for lk := range lv.(map[string]any) {
					used[kind+"."+lk]++
				}
			}
		default:
			lks := v.(map[string]any)
			if ff.Input == "IDComparisonFilterLookup" {
				used["ID lookup"]++
			}
			if isBigInt(ff.Input) {
				used["BigInt"]++
			}
			if ff.OneOf {
				var member string
				member, lks = filtertest.MemberLookups(lks)
				used[member]++
			}
			for lk, lv := range lks {
				used[lk]++
				if r, ok := lv.(map[string]any); ok && lk == "range" && (r["start"] == nil || r["end"] == nil) {
					used["range with a null bound"]++
				}
			}
		}
	}
}

// isList tells whether a related filter goes through a many-to-many relation or a list.
func isList(obj *model.Object, ff *model.FilterField) bool {
	f := obj.Field(ff.Field)
	return f != nil && (f.Kind == model.KindManyToMany || f.List)
}

// isBigInt tells whether a lookup input takes BigInt values, which GraphQL writes as numbers.
func isBigInt(input string) bool {
	switch input {
	case "BigIntFilterLookup", "BigIntComparisonFilterLookup", "BigIntegerLookup":
		return true
	}
	return false
}

type diffCase struct {
	i             int
	obj           *model.Object
	in            map[string]any
	offset, limit int
	query         string
	wantIDs       []int
	wantTotal     int
}

// runDiffCase asks the gateway; it returns ("", "") when the answer matches, (message, class)
// for a refusal the compiler makes by design, and (message, "") for a failure.
func (s *stack) runDiffCase(c *diffCase) (string, string) {
	r, err := s.tryQuery(c.query)
	if err != nil {
		return err.Error(), ""
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		if code, _ := e.Extensions["code"].(string); code == "BAD_USER_INPUT" && r.Status == 200 {
			if class := refusalClass(e.Message); class != "" {
				return e.Message, class
			}
		}
		return fmt.Sprintf("HTTP %d, errors %+v", r.Status, r.Errors), ""
	}
	var page idPage
	if err := json.Unmarshal(r.Data[c.obj.List], &page); err != nil {
		return fmt.Sprintf("answer %s: %v", r.Data[c.obj.List], err), ""
	}
	got := make([]int, 0, len(page.Results))
	for _, x := range page.Results {
		id, err := strconv.Atoi(x.ID)
		if err != nil {
			return fmt.Sprintf("id %q: %v", x.ID, err), ""
		}
		got = append(got, id)
	}
	if page.TotalCount != c.wantTotal || !reflect.DeepEqual(got, c.wantIDs) {
		return fmt.Sprintf("mismatch: got total %d ids %v", page.TotalCount, got), ""
	}
	return "", ""
}

// tryQuery is query for worker goroutines, which must not call t.Fatal.
func (s *stack) tryQuery(query string) (gqlResponse, error) {
	var out gqlResponse
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, s.gwURL+"/graphql/", bytes.NewReader(body))
	if err != nil {
		return out, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", fullToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return out, fmt.Errorf("read the answer: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("answer is not JSON (%d): %s", resp.StatusCode, raw)
	}
	out.Status = resp.StatusCode
	return out, nil
}

// refusalClass names the refusals the compiler makes by design; "" for any other error.
func refusalClass(msg string) string {
	switch {
	case strings.Contains(msg, "has no parameter"), strings.Contains(msg, "unsupported lookup"):
		return "missing lookup"
	case strings.Contains(msg, "more than"):
		return "too many branches"
	case strings.Contains(msg, "upstream requests (at most"):
		return "too many chunks"
	case strings.Contains(msg, "evaluated through its complement"):
		return "NULL under NOT"
	case strings.Contains(msg, "NOT over a compound filter on a many-to-many relation"):
		// also where the compiler complements a related filter that holds one (a nullable
		// relation whose filter is true on a missing object)
		return "many-to-many compound under NOT"
	}
	return ""
}

// dumpForDiff reads, through REST, the rows of the root types and of every type their related
// filters reach within diffDepth.
func dumpForDiff(t *testing.T, s *stack, reg *model.Registry) filtertest.Dataset {
	t.Helper()
	data := filtertest.Dataset{}
	var visit func(obj *model.Object, depth int)
	visit = func(obj *model.Object, depth int) {
		if _, seen := data[obj.Name]; !seen {
			rows := s.restAll(t, fullToken, obj.Path, nil)
			out := make([]rest.Object, len(rows))
			for i, r := range rows {
				out[i] = rest.Object(r)
			}
			sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
			data[obj.Name] = out
		}
		if depth == 0 {
			return
		}
		for _, ff := range obj.FilterFields {
			if ff.Kind == model.FilterRelated {
				visit(reg.Object(ff.Related), depth-1)
			}
		}
	}
	for _, name := range diffRoots {
		obj := reg.Object(name)
		if obj == nil {
			t.Fatalf("the registry has no %s", name)
		}
		visit(obj, diffDepth-1)
		if len(data[name]) == 0 {
			t.Fatalf("the simulator serves no %s; the comparison would prove nothing", name)
		}
	}
	return data
}

// customFieldsForDiff reads the simulator's custom-field definitions, as the gateway does.
func customFieldsForDiff(t *testing.T, s *stack) []filtertest.CustomField {
	t.Helper()
	var out []filtertest.CustomField
	for _, r := range s.restAll(t, fullToken, "/api/extras/custom-fields/", nil) {
		cf := filtertest.CustomField{Name: r["name"].(string),
			Type:        r["type"].(map[string]any)["value"].(string),
			FilterLogic: r["filter_logic"].(map[string]any)["value"].(string)}
		for _, ot := range r["object_types"].([]any) {
			cf.ObjectTypes = append(cf.ObjectTypes, ot.(string))
		}
		out = append(out, cf)
	}
	if len(out) == 0 {
		t.Fatal("the simulator has no custom fields; custom-field filters would go untested")
	}
	return out
}

// diffSkip leaves out what the reference cannot evaluate over the dumped rows: parameters NetBox
// derives, fields the REST rows do not carry, relations to types not dumped.
func diffSkip(t *testing.T, reg *model.Registry, data filtertest.Dataset) func(*model.Object, *model.FilterField) bool {
	served, gerr := gqlparser.LoadSchema(&ast.Source{Name: "graphbox", Input: schema.SDL()})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return func(obj *model.Object, ff *model.FilterField) bool {
		p := obj.Filter(ff.Param)
		if p == nil {
			return true
		}
		if ff.Reverse != "" {
			_, ok := data[ff.Related]
			return !ok || len(data[obj.Name]) == 0
		}
		// a related filter reads the filter field's own field (tags, whose tag_id names none)
		field := p.Field
		if ff.Kind == model.FilterRelated {
			field = ff.Field
		}
		rows := data[obj.Name]
		if field == "" || len(rows) == 0 {
			return true
		}
		if _, ok := rows[0][ff.Field]; !ok {
			return true
		}
		if ff.Kind == model.FilterRelated {
			_, ok := data[ff.Related]
			return !ok || reg.Object(ff.Related) == nil
		}
		if ff.Kind == model.FilterChoice && !enumsServed(obj, ff, served) {
			return true
		}
		if p.Related != "" {
			_, ok := data[p.Related]
			return !ok
		}
		return false
	}
}

// enumsServed tells whether the served input of a choice filter takes every enum of the field's
// choices, which the generator draws. NetBox 4.6.8's WirelessLinkFilter.status takes
// WirelessLANStatusEnum, none of whose values is a link status.
func enumsServed(obj *model.Object, ff *model.FilterField, served *ast.Schema) bool {
	in := served.Types[ff.Input]
	if in == nil {
		return false
	}
	enum := in
	if f := in.Fields.ForName("exact"); f != nil { // <Enum>BaseFilterLookup
		enum = served.Types[f.Type.Name()]
	}
	if enum == nil || enum.Kind != ast.Enum {
		return false
	}
	for _, ch := range obj.Field(ff.Field).Choices {
		if enum.EnumValues.ForName(ch.Enum) == nil {
			return false
		}
	}
	return true
}

// renderFilter writes a filter input as a GraphQL literal: enums by name (bare, in lists and in
// enum lookups), IDs and strings quoted, BigInt as a number.
func renderFilter(reg *model.Registry, obj *model.Object, in map[string]any) string {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + ": ")
		v := in[k]
		switch k {
		case "AND", "OR", "NOT":
			b.WriteString(renderFilter(reg, obj, v.(map[string]any)))
			continue
		case "DISTINCT":
			b.WriteString(renderValue(v, false))
			continue
		}
		ff := obj.FilterField(k)
		switch {
		case ff.Kind == model.FilterChoice:
			b.WriteString(renderEnums(v))
		case ff.Input == "TreeNodeFilter":
			m := v.(map[string]any)
			fmt.Fprintf(&b, "{id: %s, match_type: %s}", renderValue(m["id"], false), m["match_type"])
		case ff.Kind == model.FilterRelated:
			b.WriteString(renderFilter(reg, reg.Object(ff.Related), v.(map[string]any)))
		default: // lookups, IDs, custom fields
			b.WriteString(renderValue(v, isBigInt(ff.Input)))
		}
	}
	b.WriteString("}")
	return b.String()
}

// renderEnums writes a choice filter: an enum, a list of them, or an enum lookup object whose
// exact and in_list hold enums (is_null a Boolean).
func renderEnums(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = renderEnums(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return renderObject(x, func(v any) string {
			if b, ok := v.(bool); ok {
				return strconv.FormatBool(b)
			}
			return renderEnums(v)
		})
	}
	panic(fmt.Sprintf("renderEnums: %T", v))
}

// renderObject writes an input object, its fields in name order, their values by value.
func renderObject(m map[string]any, value func(any) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + value(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func renderValue(v any, bigInt bool) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return renderObject(x, func(v any) string { return renderValue(v, bigInt) })
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = renderValue(e, bigInt)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if bigInt {
			return x
		}
		q, _ := json.Marshal(x)
		return string(q)
	case int32:
		return strconv.Itoa(int(x))
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	panic(fmt.Sprintf("renderValue: %T", v))
}
