package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/model"
)

// TestNetBoxModelQueries runs, for every model of NetBox 4.6.8's GraphQL schema, the get and the
// list query NetBox's own test suite builds (APIViewTestCases.GraphQLTestCase._build_query: every
// field of the type, related objects as { id }), on /graphql/v1/ (plain lists) and on
// /graphql/v2/ (results / total_count), and holds the answers to the simulator's REST API.
// An answer passes when its only errors are FIELD_UNAVAILABLE on fields that
// schema/zz_generated_unmapped.md lists as having no REST source.
func TestNetBoxModelQueries(t *testing.T) {
	nb := netboxSchema(t)
	unmapped := readUnmapped(t, "../../schema/zz_generated_unmapped.md")
	reg := model.Default()
	s := newStack(t, nil)

	tallies := map[int]*modelTally{1: {}, 2: {}}
	empty := 0
	for _, root := range nb.Query.Fields {
		if strings.HasPrefix(root.Name, "__") || strings.HasSuffix(root.Name, "_list") {
			continue
		}
		list := nb.Query.Fields.ForName(root.Name + "_list")
		if list == nil {
			t.Errorf("NetBox's %s has no %s_list", root.Name, root.Name)
			continue
		}
		def := nb.Types[root.Type.Name()]
		t.Run(root.Name, func(t *testing.T) {
			q := buildModelQuery(t, nb, def, unmapped)
			obj := objectBySingle(reg, root.Name)
			if obj == nil {
				for _, v := range []int{1, 2} {
					tallies[v].failed = append(tallies[v].failed, root.Name+": the registry has no REST endpoint for it")
				}
				t.Errorf("the registry has no object type with root query %s", root.Name)
				return
			}
			page := s.restPage(t, obj.Path+"?limit=5")
			if len(page.Results) == 0 {
				empty++
				t.Errorf("REST %s is empty: the simulator has no %s to ask for", obj.Path, obj.Name)
				return
			}
			key := "id"
			if def.Fields.ForName("id") == nil {
				key = "display" // NotificationType and its kin have no id in NetBox's GraphQL
			}
			id := page.Results[0]["id"]
			detail := s.restObject(t, fmt.Sprintf("%s%s/", obj.Path, id))
			for _, v := range []int{1, 2} {
				t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
					c := &modelCheck{t: t, nb: nb, unmapped: unmapped, version: v, def: def}
					get := s.queryAt(t, v, fmt.Sprintf("{ %s(id: %s) {\n%s} }", root.Name, id, q.fields))
					c.errors(root.Name, get)
					c.agree(root.Name, get.Data[root.Name], detail)
					listField := fmt.Sprintf("%s(pagination: {limit: 5})", list.Name)
					if v == 1 {
						listField += " {\n" + q.fields + "}"
					} else {
						listField += " { results {\n" + q.fields + "} total_count }"
					}
					lst := s.queryAt(t, v, "{ "+listField+" }")
					c.errors(list.Name, lst)
					c.agreeList(list.Name, lst.Data[list.Name], page, key)
					tallies[v].add(root.Name, c, q.dropped)
				})
			}
		})
	}
	for _, v := range []int{1, 2} {
		tl := tallies[v]
		t.Logf("version %d: %d models: %d strict passes, %d passes with documented nulls, %d failures; %d values held to REST's, %d REST mismatches in %d models",
			v, tl.strict+tl.documented+len(tl.failed), tl.strict, tl.documented, len(tl.failed), tl.compared, tl.mismatches, tl.mismatchModels)
		if len(tl.dropped) > 0 {
			t.Logf("  left out of the queries, documented as not served: %s", strings.Join(tl.dropped, ", "))
		}
		for _, f := range tl.failed {
			t.Logf("  failed: %s", f)
		}
	}
	if empty > 0 {
		t.Logf("%d models have no object in the simulator's REST lists", empty)
	}
}

// modelTally counts one version's outcomes over the models.
type modelTally struct {
	strict, documented         int
	failed                     []string
	mismatches, mismatchModels int
	compared                   int
	// dropped are the NetBox fields left out of the queries because they are not served.
	dropped []string
}

func (tl *modelTally) add(name string, c *modelCheck, dropped []string) {
	tl.dropped = append(tl.dropped, dropped...)
	switch {
	case len(c.failures) > 0:
		tl.failed = append(tl.failed, name+": "+strings.Join(c.failures, "; "))
	case c.documented > 0 || len(dropped) > 0:
		tl.documented++
	default:
		tl.strict++
	}
	tl.compared += c.compared
	if c.mismatches > 0 {
		tl.mismatches += c.mismatches
		tl.mismatchModels++
	}
}

// modelQuery is the selection NetBox's test suite makes on a model's type.
type modelQuery struct {
	fields string
	// dropped are the fields the unmapped list says are not served at all: selecting one
	// would fail the whole query's validation.
	dropped []string
}

// buildModelQuery follows NetBox's _build_query: every field, without its arguments; an object
// as { id } (DjangoImageType { name }, DjangoModelType { pk }, IPAddressFamilyType
// { value, label }, which have none); a union as { ... on Member { id } } for each member, which
// NetBox's suite leaves out for want of fragments.
func buildModelQuery(t *testing.T, nb *ast.Schema, def *ast.Definition, unmapped map[string]string) modelQuery {
	t.Helper()
	var q modelQuery
	var b strings.Builder
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if reason := unmapped[def.Name+"."+f.Name]; strings.HasPrefix(reason, "not served") {
			q.dropped = append(q.dropped, def.Name+"."+f.Name)
			continue
		}
		b.WriteString(f.Name)
		switch ft := nb.Types[f.Type.Name()]; ft.Kind {
		case ast.Object:
			b.WriteString(" " + relatedSelection(t, ft))
		case ast.Union, ast.Interface:
			b.WriteString(" {")
			for _, m := range nb.GetPossibleTypes(ft) {
				b.WriteString(" ... on " + m.Name + " " + relatedSelection(t, m))
			}
			b.WriteString(" }")
		}
		b.WriteString("\n")
	}
	q.fields = b.String()
	return q
}

func relatedSelection(t *testing.T, def *ast.Definition) string {
	t.Helper()
	if def.Fields.ForName("id") != nil {
		return "{ id }"
	}
	switch def.Name {
	case "DjangoImageType":
		return "{ name }"
	case "DjangoModelType":
		return "{ pk }"
	case "IPAddressFamilyType":
		return "{ value label }"
	}
	t.Fatalf("NetBox's %s has no id and no known selection", def.Name)
	return ""
}

// readUnmapped reads the generator's list of NetBox object fields without a REST source:
// "Type.field" → reason.
func readUnmapped(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the generator's list of unmapped fields: %v", err)
	}
	defer f.Close()
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line
			continue
		}
		if !strings.HasPrefix(section, "## Object types and fields") || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		out[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[2])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no object fields: has its format changed?", path)
	}
	return out
}

func objectBySingle(reg *model.Registry, single string) *model.Object {
	for _, o := range reg.Objects {
		if o.Single == single {
			return o
		}
	}
	return nil
}

// modelCheck collects one model's outcome in one version.
type modelCheck struct {
	t          *testing.T
	nb         *ast.Schema
	unmapped   map[string]string
	version    int
	def        *ast.Definition
	failures   []string
	documented int
	mismatches int
	// unavailable are the model's fields whose answer holds a FIELD_UNAVAILABLE null, each with
	// the field it is on ("DeviceType._site", "DjangoImageType.path").
	unavailable map[string]string
	// compared counts the fields held to REST's.
	compared int
}

func (c *modelCheck) fail(format string, a ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, a...)
	for _, f := range c.failures {
		if f == msg {
			return // the same error on every object of a list
		}
	}
	c.failures = append(c.failures, msg)
	c.t.Error(msg)
}

func (c *modelCheck) mismatch(format string, a ...any) {
	c.t.Helper()
	c.mismatches++
	c.t.Errorf("REST disagrees: "+format, a...)
}

// errors classifies an answer's errors: FIELD_UNAVAILABLE on a listed field is documented,
// everything else fails.
func (c *modelCheck) errors(root string, r modelAnswer) {
	c.t.Helper()
	if r.Status != http.StatusOK {
		c.fail("%s: HTTP %d", root, r.Status)
	}
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		field, top := c.fieldAt(e.Path)
		if code == "FIELD_UNAVAILABLE" && c.unmapped[field] != "" {
			c.documented++
			if c.unavailable == nil {
				c.unavailable = map[string]string{}
			}
			c.unavailable[top] = field
			continue
		}
		if code == "FIELD_UNAVAILABLE" {
			c.fail("%s: FIELD_UNAVAILABLE on %s, which the unmapped list does not name: %s", root, field, e.Message)
			continue
		}
		c.fail("%s: %s at %v (%s): %s", root, code, e.Path, field, e.Message)
	}
	if r.Data[root] == nil && len(r.Errors) == 0 {
		c.fail("%s: null without an error", root)
	}
}

// fieldAt names the NetBox field ("Type.field") an error path ends on, and the model's field
// the path goes through.
func (c *modelCheck) fieldAt(path []any) (string, string) {
	if len(path) == 0 {
		return "(no path)", ""
	}
	root, _ := path[0].(string)
	f := c.nb.Query.Fields.ForName(root)
	if f == nil {
		return fmt.Sprintf("%v", path), ""
	}
	cur := c.nb.Types[f.Type.Name()]
	name, top := "Query."+root, ""
	for i, seg := range path[1:] {
		s, ok := seg.(string)
		if !ok {
			continue
		}
		if c.version == 2 && i == 0 && s == "results" {
			continue
		}
		if top == "" {
			top = s
		}
		name = cur.Name + "." + s
		if cur.Kind != ast.Object {
			return name, top // within a union's fragment: only id is selected there
		}
		g := cur.Fields.ForName(s)
		if g == nil {
			return name, top
		}
		cur = c.nb.Types[g.Type.Name()]
	}
	return name, top
}

// agree compares the get query's object with REST's: every field of the same name whose REST
// value is a scalar (a choice as its value), and related objects by id.
func (c *modelCheck) agree(root string, got any, rest map[string]any) {
	c.t.Helper()
	obj, ok := got.(map[string]any)
	if !ok {
		return // reported by errors
	}
	for _, f := range c.def.Fields {
		rv, inREST := rest[f.Name]
		gv, inGQL := obj[f.Name]
		if !inREST || !inGQL {
			continue
		}
		if on, ok := c.unavailable[f.Name]; ok {
			// A field the generator found no source for, yet REST has under its name.
			if on == c.def.Name+"."+f.Name && choiceValue(rv) != nil && !isEmptyList(rv) {
				c.mismatch("%s.%s answered null (FIELD_UNAVAILABLE), REST has %v", root, f.Name, rv)
			}
			continue
		}
		c.compared++
		if msg := compareWithREST(gv, rv); msg != "" {
			c.mismatch("%s.%s: %s", root, f.Name, msg)
		}
	}
}

// compareWithREST returns "" when a GraphQL value agrees with REST's, or what differs. Values the two
// APIs shape differently (a ContentTypeType against REST's "app.model", an image against its
// URL, JSON) are not compared.
func compareWithREST(gv, rv any) string {
	rv = choiceValue(rv)
	switch r := rv.(type) {
	case nil:
		if gv != nil && !isEmptyList(gv) {
			return fmt.Sprintf("%v, REST null", gv)
		}
	case map[string]any:
		rid, ok := r["id"]
		if !ok {
			return ""
		}
		g, ok := gv.(map[string]any)
		if !ok {
			return fmt.Sprintf("%v, REST an object with id %v", gv, rid)
		}
		gid, ok := g["id"]
		if !ok {
			gid = g["pk"]
		}
		if !sameScalar(gid, rid) {
			return fmt.Sprintf("id %v, REST %v", gid, rid)
		}
	case []any:
		g, ok := gv.([]any)
		if !ok {
			return ""
		}
		gk, rk := listKeys(g), listKeys(r)
		if gk == nil || rk == nil {
			return ""
		}
		if strings.Join(gk, ",") != strings.Join(rk, ",") {
			return fmt.Sprintf("%v, REST %v", gk, rk)
		}
	default:
		if m, ok := gv.(map[string]any); ok {
			if v, ok := m["value"]; ok && !sameScalar(v, rv) { // IPAddressFamilyType
				return fmt.Sprintf("value %v, REST %v", v, rv)
			}
			return ""
		}
		if !sameScalar(gv, rv) {
			return fmt.Sprintf("%v, REST %v", gv, rv)
		}
	}
	return ""
}

// agreeList compares a list query's objects, in order, with REST's first page.
func (c *modelCheck) agreeList(root string, got any, rest restListPage, key string) {
	c.t.Helper()
	if c.version == 2 {
		page, ok := got.(map[string]any)
		if !ok {
			return
		}
		if !sameScalar(page["total_count"], json.Number(strconv.Itoa(rest.Count))) {
			c.mismatch("%s.total_count %v, REST count %d", root, page["total_count"], rest.Count)
		}
		got = page["results"]
	}
	items, ok := got.([]any)
	if !ok {
		return
	}
	var gk, rk []string
	for _, x := range items {
		m, _ := x.(map[string]any)
		gk = append(gk, fmt.Sprint(m[key]))
	}
	for _, x := range rest.Results {
		rk = append(rk, fmt.Sprint(x[key]))
	}
	c.compared++
	if strings.Join(gk, "\x00") != strings.Join(rk, "\x00") {
		c.mismatch("%s %ss %q, REST %q", root, key, gk, rk)
	}
}

// choiceValue reads REST's {"value","label"} choice object as its value.
func choiceValue(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 2 {
		if _, ok := m["label"]; ok {
			if x, ok := m["value"]; ok {
				return x
			}
		}
	}
	return v
}

func isEmptyList(v any) bool {
	l, ok := v.([]any)
	return ok && len(l) == 0
}

// listKeys is a list's elements as strings: the ids of objects, scalars as they are; nil when
// an element is neither.
func listKeys(l []any) []string {
	out := make([]string, 0, len(l))
	for _, x := range l {
		x = choiceValue(x)
		switch v := x.(type) {
		case map[string]any:
			id, ok := v["id"]
			if !ok {
				return nil
			}
			out = append(out, numeric(id))
		case []any:
			return nil
		default:
			out = append(out, numeric(v))
		}
	}
	return out
}

// numeric writes a number (or a numeric string: an ID, a Decimal) in one form.
func numeric(v any) string {
	s := fmt.Sprint(v)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// sameScalar compares JSON scalars, numbers numerically whether given as numbers or strings
// (GraphQL's ID and Decimal are strings, REST's numbers).
func sameScalar(a, b any) bool {
	_, an := a.(json.Number)
	_, bn := b.(json.Number)
	if an || bn {
		return numeric(a) == numeric(b)
	}
	return a == b
}

// modelAnswer is a GraphQL answer read with its numbers kept exact and its errors' paths.
type modelAnswer struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// queryAt posts a query to /graphql/v<version>/.
func (s *stack) queryAt(t *testing.T, version int, query string) modelAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/graphql/v%d/", s.gwURL, version), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", fullToken)
	var out modelAnswer
	out.Status = s.getJSON(t, req, &out)
	return out
}

// restListPage is one page of a REST list.
type restListPage struct {
	Count   int              `json:"count"`
	Results []map[string]any `json:"results"`
}

func (s *stack) restPage(t *testing.T, pathQuery string) restListPage {
	t.Helper()
	var page restListPage
	s.restJSON(t, pathQuery, &page)
	return page
}

func (s *stack) restObject(t *testing.T, path string) map[string]any {
	t.Helper()
	var obj map[string]any
	s.restJSON(t, path, &obj)
	return obj
}

func (s *stack) restJSON(t *testing.T, pathQuery string, into any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.simURL+pathQuery, nil)
	req.Header.Set("Authorization", fullToken)
	if status := s.getJSON(t, req, into); status != http.StatusOK {
		t.Fatalf("REST %s: HTTP %d", pathQuery, status)
	}
}

// getJSON sends a request and decodes its JSON answer, numbers as json.Number.
func (s *stack) getJSON(t *testing.T, req *http.Request, into any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s %s: the answer is not JSON (%d): %.300s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}
