// Package dialect upgrades GraphQL queries written in an older NetBox filter dialect to the
// dialect of the schema the gateway serves (NetBox 4.6's), before validation.
//
// NetBox changed its filter syntax in 4.3 and 4.5, and each release accepts only its own:
// `status: "active"` (4.2), `status: STATUS_ACTIVE` (4.3, 4.4 and the documentation),
// `status: {exact: STATUS_ACTIVE}` (4.5+); `enabled: true` against `enabled: {exact: true}`;
// `mtu: 1500` against `mtu: {filter_lookup: {exact: 1500}}`; `site_id: ["1"]` (4.2) against
// `site_id: "1"`. The Upgrader reads each argument value against the type the served schema
// expects there and rewrites what an older release would have accepted into the form that means
// the same now, so saved queries keep running; every rewrite is reported so users can update
// them. A document that is valid as it is is never touched, and one the rewrites cannot make
// valid is left as it was, so its errors speak of what the user wrote.
package dialect

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Upgrader rewrites queries against one served schema; it is safe for concurrent use.
type Upgrader struct {
	schema *ast.Schema
	rules  *rules.Rules
}

// New reads the served schema's SDL.
func New(sdl string) (*Upgrader, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("dialect: the served schema: %w", err)
	}
	// The executor checks overlapping fields itself, under a bound; gqlparser's check has none,
	// and no dialect rewrite changes which fields a query selects.
	r := rules.NewDefaultRules()
	r.RemoveRule(rules.OverlappingFieldsCanBeMergedRule.Name)
	return &Upgrader{schema: s, rules: r}, nil
}

// Rewrite is one value rewritten: where, what the query said, and what it now says.
type Rewrite struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Result is a query after the upgrade. Rewrites is empty when nothing changed; then Query and
// Variables are the caller's own.
type Result struct {
	Query     string
	Variables map[string]any
	Rewrites  []Rewrite
}

// Upgrade rewrites query (and the variables whose declared types change) into the served
// dialect when the query is invalid as it is and the rewrites make it valid.
func (u *Upgrader) Upgrade(query, operationName string, vars map[string]any) Result {
	same := Result{Query: query, Variables: vars}
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
	if err != nil {
		return same
	}
	if u.valid(doc, operationName, vars) {
		return same
	}
	w := &walker{u: u, retype: map[string]*ast.Type{}}
	for _, op := range doc.Operations {
		w.opVars = op.VariableDefinitions
		root := u.schema.Query
		if op.Operation != ast.Query && op.Operation != "" {
			continue
		}
		w.selections(op.SelectionSet, root, op.Name)
	}
	for _, f := range doc.Fragments {
		w.opVars = allVariables(doc)
		w.selections(f.SelectionSet, u.schema.Types[f.TypeCondition], "fragment "+f.Name)
	}
	newVars, err := w.convertVariables(doc, vars)
	if err != nil || len(w.rewrites) == 0 {
		return same
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(doc)
	out := b.String()
	// The rewritten text is parsed again, so what is validated is exactly what will run.
	redoc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: out})
	if err != nil || !u.valid(redoc, operationName, newVars) {
		return same
	}
	return Result{Query: out, Variables: newVars, Rewrites: w.rewrites}
}

// valid tells whether doc validates against the served schema, its variables included.
func (u *Upgrader) valid(doc *ast.QueryDocument, operationName string, vars map[string]any) bool {
	if errs := validator.ValidateWithRules(u.schema, doc, u.rules); len(errs) > 0 {
		return false
	}
	op := doc.Operations.ForName(operationName)
	if op == nil && operationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	if op == nil {
		return true // the HTTP layer reports a missing operation
	}
	_, err := validator.VariableValues(u.schema, op, vars)
	return err == nil
}

func allVariables(doc *ast.QueryDocument) ast.VariableDefinitionList {
	var out ast.VariableDefinitionList
	for _, op := range doc.Operations {
		out = append(out, op.VariableDefinitions...)
	}
	return out
}

// walker carries the rewrites of one document.
type walker struct {
	u        *Upgrader
	opVars   ast.VariableDefinitionList
	retype   map[string]*ast.Type // variables whose declared type changes, with the new type
	rewrites []Rewrite
}

func (w *walker) selections(set ast.SelectionSet, parent *ast.Definition, path string) {
	if parent == nil {
		return
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			def := parent.Fields.ForName(s.Name)
			if def == nil {
				continue
			}
			for _, arg := range s.Arguments {
				ad := def.Arguments.ForName(arg.Name)
				if ad == nil {
					continue
				}
				arg.Value = w.value(arg.Value, ad.Type, path+"."+s.Name+"."+arg.Name)
			}
			w.selections(s.SelectionSet, w.u.schema.Types[def.Type.Name()], path+"."+s.Name)
		case *ast.InlineFragment:
			next := parent
			if s.TypeCondition != "" {
				next = w.u.schema.Types[s.TypeCondition]
			}
			w.selections(s.SelectionSet, next, path)
		}
	}
}

func (w *walker) note(path string, old, new *ast.Value) {
	w.rewrites = append(w.rewrites, Rewrite{Path: strings.TrimPrefix(path, "."), Old: old.String(), New: new.String()})
}

// value rewrites v for a position of type t.
func (w *walker) value(v *ast.Value, t *ast.Type, path string) *ast.Value {
	if v == nil || t == nil {
		return v
	}
	if v.Kind == ast.Variable {
		return w.variable(v, t, path)
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			return w.value(v, t.Elem, path)
		}
		for _, c := range v.Children {
			c.Value = w.value(c.Value, t.Elem, path)
		}
		return v
	}
	def := w.u.schema.Types[t.NamedType]
	if def == nil {
		return v
	}
	switch def.Kind {
	case ast.Enum:
		return w.enum(v, def, path)
	case ast.Scalar:
		return w.scalar(v, def, path)
	case ast.InputObject:
		return w.object(v, def, path)
	}
	return v
}

// enum maps an older release's enum value or string choice onto one of def's values.
func (w *walker) enum(v *ast.Value, def *ast.Definition, path string) *ast.Value {
	if v.Kind != ast.EnumValue && v.Kind != ast.StringValue {
		return v
	}
	if v.Kind == ast.EnumValue && def.EnumValues.ForName(v.Raw) != nil {
		return v
	}
	name, ok := matchEnum(def, v.Raw)
	if !ok {
		return v
	}
	nv := &ast.Value{Kind: ast.EnumValue, Raw: name, Position: v.Position}
	w.note(path, v, nv)
	return nv
}

// scalar unwraps a lookup written where a plain value is expected now: `site_id: {exact: "1"}`
// and 4.2's one-element id lists `site_id: ["1"]` become `site_id: "1"`.
func (w *walker) scalar(v *ast.Value, def *ast.Definition, path string) *ast.Value {
	switch {
	case v.Kind == ast.ObjectValue && len(v.Children) == 1 && v.Children[0].Name == "exact":
		nv := v.Children[0].Value
		w.note(path, v, nv)
		return nv
	case v.Kind == ast.ListValue && len(v.Children) == 1:
		nv := v.Children[0].Value
		w.note(path, v, nv)
		return nv
	case def.Name == "ID" && (v.Kind == ast.IntValue):
		nv := &ast.Value{Kind: ast.StringValue, Raw: v.Raw, Position: v.Position}
		return nv
	}
	return v
}

// lookupGroups of NetBox 4.5+'s one-of numeric lookups: which member takes which older keys.
var comparisonKeys = []string{"exact", "is_null", "in_list", "gt", "gte", "lt", "lte"}

func (w *walker) object(v *ast.Value, def *ast.Definition, path string) *ast.Value {
	switch v.Kind {
	case ast.ObjectValue:
		if nv, ok := w.oneOf(v, def, path); ok {
			return nv
		}
		w.listsToOr(v, def, path)
		for _, c := range v.Children {
			if fd := def.Fields.ForName(c.Name); fd != nil {
				c.Value = w.value(c.Value, fd.Type, path+"."+c.Name)
			}
		}
		return v
	case ast.NullValue:
		return v
	case ast.ListValue:
		// An older list of values (`status: [A, B]`, 4.2's `site_id: ["1", "2"]`) is in_list now.
		if in := def.Fields.ForName("in_list"); in != nil {
			nv := obj(child("in_list", w.value(v, in.Type, path+".in_list")))
			w.note(path, v, nv)
			return nv
		}
		if len(v.Children) == 1 {
			return w.object(v.Children[0].Value, def, path)
		}
		return v
	}
	// A bare value where a lookup is expected now.
	if def.Fields.ForName("filter_lookup") != nil { // IntegerLookup and its kin (@oneOf)
		fl := w.u.schema.Types[def.Fields.ForName("filter_lookup").Type.Name()]
		if fl == nil || fl.Fields.ForName("exact") == nil {
			return v
		}
		inner := w.value(v, fl.Fields.ForName("exact").Type, path+".filter_lookup.exact")
		nv := obj(child("filter_lookup", obj(child("exact", inner))))
		w.note(path, v, nv)
		return nv
	}
	if ex := def.Fields.ForName("exact"); ex != nil {
		nv := obj(child("exact", w.valueQuiet(v, ex.Type)))
		w.note(path, v, nv)
		return nv
	}
	if def.Fields.ForName("match_type") != nil && def.Fields.ForName("id") != nil {
		// NetBox 4.2's tree filters (`region_id`) matched the node and its descendants.
		nv := obj(child("id", w.valueQuiet(v, def.Fields.ForName("id").Type)),
			child("match_type", &ast.Value{Kind: ast.EnumValue, Raw: "SELF_AND_DESCENDANTS"}))
		w.note(path, v, nv)
		return nv
	}
	return v
}

// valueQuiet rewrites a value that is part of a rewrite already noted.
func (w *walker) valueQuiet(v *ast.Value, t *ast.Type) *ast.Value {
	n := len(w.rewrites)
	nv := w.value(v, t, "")
	w.rewrites = w.rewrites[:n]
	return nv
}

// oneOf files an older numeric lookup (`{gt: 10}`, `{range: {start, end}}`, `{exact: 1}`) under
// the member of NetBox 4.5+'s one-of input that takes it.
func (w *walker) oneOf(v *ast.Value, def *ast.Definition, path string) (*ast.Value, bool) {
	if def.Directives.ForName("oneOf") == nil || def.Fields.ForName("filter_lookup") == nil {
		return nil, false
	}
	var keys []string
	for _, c := range v.Children {
		if def.Fields.ForName(c.Name) != nil {
			return nil, false // already in the new form
		}
		keys = append(keys, c.Name)
	}
	var member string
	var inner *ast.Value
	switch {
	case len(keys) == 1 && keys[0] == "range":
		member, inner = "range_lookup", v.Children[0].Value
	case allIn(keys, comparisonKeys) && !allIn(keys, []string{"exact", "is_null", "in_list"}):
		member, inner = "comparison_lookup", v
	case allIn(keys, []string{"exact", "is_null", "in_list"}):
		member, inner = "filter_lookup", v
	default:
		return nil, false
	}
	md := def.Fields.ForName(member)
	if md == nil {
		return nil, false
	}
	inner = w.valueQuiet(inner, md.Type)
	nv := obj(child(member, inner))
	w.note(path, v, nv)
	return nv, true
}

func allIn(keys, set []string) bool {
	for _, k := range keys {
		if !slices.Contains(set, k) {
			return false
		}
	}
	return len(keys) > 0
}

// listsToOr rewrites NetBox 4.2's id lists on fields that take one value now (`site_id:
// ["1", "2"]`, `region_id: [...]`) into an OR of one value each, under AND so the filter's
// other fields still apply to every branch: {a: x, f: [1, 2]} → {a: x, AND: {f: 1, OR: {f: 2}}}.
func (w *walker) listsToOr(v *ast.Value, def *ast.Definition, path string) {
	if def.Fields.ForName("OR") == nil || def.Fields.ForName("AND") == nil {
		return
	}
	for i, c := range v.Children {
		fd := def.Fields.ForName(c.Name)
		if fd == nil || fd.Type.Elem != nil {
			continue
		}
		fdef := w.u.schema.Types[fd.Type.Name()]
		items := c.Value
		// Graphbox's earlier `site_id: {in_list: [...]}`, where NetBox 4.6 takes one bare ID.
		if fdef != nil && fdef.Kind == ast.Scalar && items.Kind == ast.ObjectValue && len(items.Children) == 1 && items.Children[0].Name == "in_list" {
			items = items.Children[0].Value
		}
		if items.Kind != ast.ListValue || len(items.Children) < 2 {
			continue
		}
		if fdef == nil || fdef.Fields.ForName("in_list") != nil || v.Children.ForName("AND") != nil {
			continue
		}
		old := &ast.Value{Kind: ast.ObjectValue, Children: ast.ChildValueList{{Name: c.Name, Value: c.Value}}}
		var chain *ast.Value
		for j := len(items.Children) - 1; j >= 0; j-- {
			branch := obj(child(c.Name, w.valueQuiet(items.Children[j].Value, fd.Type)))
			if chain != nil {
				branch.Children = append(branch.Children, child("OR", chain))
			}
			chain = branch
		}
		v.Children = slices.Delete(v.Children, i, i+1)
		v.Children = append(v.Children, child("AND", chain))
		w.note(path, old, obj(child("AND", chain)))
		return // one per object: a second would need its own AND
	}
}

// variable handles a variable used where its declared type no longer fits: a variable of an
// enum or scalar type used where a lookup is expected is wrapped (`status: $s` → `status:
// {exact: $s}`); one declared with an older input type is redeclared with the new type, and its
// value converted with the same rules.
func (w *walker) variable(v *ast.Value, t *ast.Type, path string) *ast.Value {
	vd := w.opVars.ForName(v.Raw)
	if vd == nil || compatible(vd.Type, t) {
		return v
	}
	target := w.u.schema.Types[t.Name()]
	declared := w.u.schema.Types[vd.Type.Name()]
	if target == nil {
		return v
	}
	if target.Kind == ast.InputObject && (declared == nil || declared.Kind != ast.InputObject) {
		wrapped := &ast.Value{Kind: v.Kind, Raw: v.Raw, Position: v.Position}
		var nv *ast.Value
		switch {
		case target.Fields.ForName("filter_lookup") != nil:
			nv = obj(child("filter_lookup", obj(child("exact", wrapped))))
		case vd.Type.Elem != nil && target.Fields.ForName("in_list") != nil:
			nv = obj(child("in_list", wrapped))
		case target.Fields.ForName("exact") != nil:
			nv = obj(child("exact", wrapped))
		default:
			return v
		}
		w.note(path, v, nv)
		return nv
	}
	if target.Kind == ast.InputObject && declared != nil && declared.Kind == ast.InputObject {
		w.retype[vd.Variable] = t
		return v
	}
	return v
}

// compatible tells whether a variable of type have may be used where want is expected.
func compatible(have, want *ast.Type) bool {
	if want.NonNull && !have.NonNull {
		return false
	}
	if (have.Elem == nil) != (want.Elem == nil) {
		return false
	}
	if have.Elem != nil {
		return compatible(have.Elem, want.Elem)
	}
	return have.NamedType == want.NamedType
}

// convertVariables redeclares the variables whose declared type changed, and applies the
// rewrites to the value of every variable of an input object type: a saved filter passed as a
// variable is as old as the query around it.
func (w *walker) convertVariables(doc *ast.QueryDocument, vars map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	for _, op := range doc.Operations {
		for _, vd := range op.VariableDefinitions {
			name := vd.Variable
			if t, ok := w.retype[name]; ok {
				old := vd.Type.String()
				vd.Type = &ast.Type{NamedType: t.Name(), NonNull: vd.Type.NonNull}
				w.rewrites = append(w.rewrites, Rewrite{Path: "$" + name, Old: old, New: vd.Type.String()})
			}
			def := w.u.schema.Types[vd.Type.Name()]
			raw, ok := vars[name]
			if def == nil || def.Kind != ast.InputObject || !ok || raw == nil {
				continue
			}
			lit, err := literal(raw)
			if err != nil {
				return nil, err
			}
			out[name] = goValue(w.value(lit, vd.Type, "$"+name))
		}
	}
	return out, nil
}

// goValue is a literal as encoding/json would have decoded it (numbers are float64).
func goValue(v *ast.Value) any {
	switch v.Kind {
	case ast.NullValue:
		return nil
	case ast.BooleanValue:
		return v.Raw == "true"
	case ast.IntValue, ast.FloatValue:
		f, _ := strconv.ParseFloat(v.Raw, 64)
		return f
	case ast.ListValue:
		out := make([]any, len(v.Children))
		for i, c := range v.Children {
			out[i] = goValue(c.Value)
		}
		return out
	case ast.ObjectValue:
		out := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			out[c.Name] = goValue(c.Value)
		}
		return out
	}
	return v.Raw // strings and enum names
}

// literal turns a JSON variable value into a GraphQL literal, so the same rules rewrite it.
// Strings that name no enum stay strings: enum() maps them where an enum is expected.
func literal(v any) (*ast.Value, error) {
	switch x := v.(type) {
	case nil:
		return &ast.Value{Kind: ast.NullValue, Raw: "null"}, nil
	case bool:
		return &ast.Value{Kind: ast.BooleanValue, Raw: strconv.FormatBool(x)}, nil
	case string:
		return &ast.Value{Kind: ast.StringValue, Raw: x}, nil
	case float64:
		if x == float64(int64(x)) {
			return &ast.Value{Kind: ast.IntValue, Raw: strconv.FormatInt(int64(x), 10)}, nil
		}
		return &ast.Value{Kind: ast.FloatValue, Raw: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case int:
		return &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(x)}, nil
	case []any:
		l := &ast.Value{Kind: ast.ListValue}
		for _, e := range x {
			c, err := literal(e)
			if err != nil {
				return nil, err
			}
			l.Children = append(l.Children, &ast.ChildValue{Value: c})
		}
		return l, nil
	case map[string]any:
		o := &ast.Value{Kind: ast.ObjectValue}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c, err := literal(x[k])
			if err != nil {
				return nil, err
			}
			o.Children = append(o.Children, &ast.ChildValue{Name: k, Value: c})
		}
		return o, nil
	}
	return nil, errors.New("dialect: a variable value of an unknown kind")
}

func obj(children ...*ast.ChildValue) *ast.Value {
	return &ast.Value{Kind: ast.ObjectValue, Children: children}
}

func child(name string, v *ast.Value) *ast.ChildValue { return &ast.ChildValue{Name: name, Value: v} }

// matchEnum finds the one value of def that an older release's name or string choice stands
// for: the same name, or the same once a field prefix is dropped from either side
// (`STATUS_ACTIVE` ↔ `ACTIVE`), or NetBox 4.2's choice value (`active`, `1000base-t` ↔
// `TYPE_1000BASE_T`).
func matchEnum(def *ast.Definition, given string) (string, bool) {
	g := normalize(given)
	var found []string
	for _, ev := range def.EnumValues {
		n := ev.Name
		if n == g || stripPrefix(n) == g || (alphaPrefix(g) && stripPrefix(g) == n) ||
			(alphaPrefix(g) && stripPrefix(g) == stripPrefix(n)) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// stripPrefix drops the first word of an enum name (the field it belongs to: STATUS_, TYPE_).
func stripPrefix(s string) string {
	if _, rest, ok := strings.Cut(s, "_"); ok && rest != "" {
		return rest
	}
	return s
}

// alphaPrefix tells whether s starts with a word of letters followed by "_": only then can its
// first word be a field prefix.
func alphaPrefix(s string) bool {
	word, _, ok := strings.Cut(s, "_")
	if !ok || word == "" {
		return false
	}
	for _, r := range word {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
