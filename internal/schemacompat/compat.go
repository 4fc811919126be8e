// Package schemacompat enforces the deprecation policy: it lists what a new GraphQL schema breaks
// for clients of an old one that did not go through deprecation.
package schemacompat

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Kind is the kind of a Problem, as written in an allowlist.
type Kind string

const (
	// Removed: an item of the old schema is missing from the new one, and the old one did not
	// deprecate it with a date that has passed.
	Removed Kind = "removed"
	// Changed: a type a client relies on changed (named type, list-ness, a nullability that
	// breaks clients, a type's kind).
	Changed Kind = "changed"
	// Required: a new argument or input field that clients must give.
	Required Kind = "required"
	// Expired: a deprecated item the new schema keeps past its removal date.
	Expired Kind = "expired"
	// Reason: a deprecation reason not in the policy's form.
	Reason Kind = "reason"
)

// Problem is one breaking change. Path is Type, Type.field, Type.field.argument, Input.field,
// Enum.VALUE or Union.Member.
type Problem struct {
	Kind   Kind
	Path   string
	Detail string
}

func (p Problem) String() string { return fmt.Sprintf("%s %s: %s", p.Kind, p.Path, p.Detail) }

// reasonForm is the policy's deprecation reason; the second sentence names the replacement
// ("Use the X field instead.") or, where nothing replaces the item, says why.
var reasonForm = regexp.MustCompile(`^This field is deprecated and will be removed after (\d{4}/\d{2}/\d{2})\. (?:Use the (\w+) field instead\.|[^.]+\.)$`)

const dateForm = "2006/01/02"

// Compare lists what new breaks for clients of old, and the deprecations of new that are due or
// not in the policy's form, as of today. Every change of a named type counts, even between
// scalars that serialize alike: the caller decides through its allowlist.
func Compare(old, new *ast.Schema, today time.Time) []Problem {
	c := checker{old: old, new: new, today: civil(today)}
	c.removedTypes()
	for _, name := range slices.Sorted(maps.Keys(old.Types)) {
		o, n := old.Types[name], new.Types[name]
		if o.BuiltIn || n == nil {
			continue
		}
		if o.Kind != n.Kind {
			c.add(Changed, name, fmt.Sprintf("kind %s → %s", o.Kind, n.Kind))
			continue
		}
		c.compareType(o, n)
	}
	for _, name := range slices.Sorted(maps.Keys(new.Types)) {
		if n := new.Types[name]; !n.BuiltIn {
			c.checkDeprecations(n)
		}
	}
	return c.problems
}

type checker struct {
	old, new *ast.Schema
	today    time.Time
	problems []Problem
}

func (c *checker) add(k Kind, path, detail string) {
	c.problems = append(c.problems, Problem{Kind: k, Path: path, Detail: detail})
}

// removedTypes reports each type of old missing from new, unless old used it and every use went
// away through an expired deprecation (directly, or inside a type that went away so).
func (c *checker) removedTypes() {
	gone := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, o := range c.old.Types {
			if !o.BuiltIn && c.new.Types[name] == nil && !gone[name] && c.usesGone(name, gone) {
				gone[name], changed = true, true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.old.Types)) {
		if o := c.old.Types[name]; !o.BuiltIn && c.new.Types[name] == nil && !gone[name] {
			c.add(Removed, name, fmt.Sprintf("%s %s removed", strings.ToLower(string(o.Kind)), name))
		}
	}
}

// usesGone reports whether old uses type name, and only through items whose removal is allowed:
// deprecated with a date that has passed, or inside a type in gone. A type old never uses (an
// object reached only through fragments on it) is not gone.
func (c *checker) usesGone(name string, gone map[string]bool) bool {
	if name == queryName(c.old) {
		return false
	}
	used := false
	for owner, d := range c.old.Types {
		if d.BuiltIn {
			continue
		}
		if gone[owner] {
			used = used || uses(d, name)
			continue
		}
		if slices.Contains(d.Types, name) || slices.Contains(d.Interfaces, name) {
			return false
		}
		for _, f := range d.Fields {
			if f.Type.Name() == name {
				if !c.removable(f.Directives) {
					return false
				}
				used = true
			}
			for _, a := range f.Arguments {
				if a.Type.Name() == name {
					if !c.removable(a.Directives) && !c.removable(f.Directives) {
						return false
					}
					used = true
				}
			}
		}
	}
	return used
}

// uses reports whether d names type name anywhere.
func uses(d *ast.Definition, name string) bool {
	if slices.Contains(d.Types, name) || slices.Contains(d.Interfaces, name) {
		return true
	}
	for _, f := range d.Fields {
		if f.Type.Name() == name || slices.ContainsFunc(f.Arguments, func(a *ast.ArgumentDefinition) bool { return a.Type.Name() == name }) {
			return true
		}
	}
	return false
}

func queryName(s *ast.Schema) string {
	if s.Query != nil {
		return s.Query.Name
	}
	return "Query"
}

func (c *checker) compareType(o, n *ast.Definition) {
	switch o.Kind {
	case ast.Object, ast.Interface:
		for _, of := range o.Fields {
			path := o.Name + "." + of.Name
			nf := n.Fields.ForName(of.Name)
			if nf == nil {
				c.removed(path, "field", of.Directives)
				continue
			}
			if !outputCompatible(of.Type, nf.Type) {
				c.add(Changed, path, of.Type.String()+" → "+nf.Type.String())
			}
			c.compareInputs(path, "argument", inputs(of.Arguments), inputs(nf.Arguments))
		}
	case ast.InputObject:
		c.compareInputs(o.Name, "input field", fieldInputs(o.Fields), fieldInputs(n.Fields))
	case ast.Enum:
		for _, ov := range o.EnumValues {
			if n.EnumValues.ForName(ov.Name) == nil {
				c.removed(o.Name+"."+ov.Name, "enum value", ov.Directives)
			}
		}
	case ast.Union:
		for _, m := range o.Types {
			if !slices.Contains(n.Types, m) {
				c.add(Removed, o.Name+"."+m, "union member removed")
			}
		}
	}
}

// input is an argument or an input field: what a client gives.
type input struct {
	name       string
	typ        *ast.Type
	hasDefault bool
	directives ast.DirectiveList
}

func (i input) required() bool { return i.typ.NonNull && !i.hasDefault }

func inputs(args ast.ArgumentDefinitionList) []input {
	out := make([]input, len(args))
	for i, a := range args {
		out[i] = input{a.Name, a.Type, a.DefaultValue != nil, a.Directives}
	}
	return out
}

func fieldInputs(fields ast.FieldList) []input {
	out := make([]input, len(fields))
	for i, f := range fields {
		out[i] = input{f.Name, f.Type, f.DefaultValue != nil, f.Directives}
	}
	return out
}

func (c *checker) compareInputs(owner, what string, old, new []input) {
	byName := func(l []input, name string) (input, bool) {
		i := slices.IndexFunc(l, func(x input) bool { return x.name == name })
		if i < 0 {
			return input{}, false
		}
		return l[i], true
	}
	for _, o := range old {
		path := owner + "." + o.name
		n, ok := byName(new, o.name)
		switch {
		case !ok:
			c.removed(path, what, o.directives)
		case !o.required() && n.required():
			c.add(Changed, path, fmt.Sprintf("optional %s → required %s", o.typ, n.typ))
		case !inputCompatible(o.typ, n.typ):
			c.add(Changed, path, o.typ.String()+" → "+n.typ.String())
		}
	}
	for _, n := range new {
		if _, ok := byName(old, n.name); !ok && n.required() {
			c.add(Required, owner+"."+n.name, fmt.Sprintf("new required %s %s", what, n.typ))
		}
	}
}

// outputCompatible: the same named type and list-ness; a value may become non-null, never nullable.
func outputCompatible(o, n *ast.Type) bool {
	if o.NonNull && !n.NonNull {
		return false
	}
	return sameShape(o, n, outputCompatible)
}

// inputCompatible: the same named type and list-ness; a value may become nullable, never non-null.
func inputCompatible(o, n *ast.Type) bool {
	if !o.NonNull && n.NonNull {
		return false
	}
	return sameShape(o, n, inputCompatible)
}

func sameShape(o, n *ast.Type, elem func(o, n *ast.Type) bool) bool {
	if (o.Elem == nil) != (n.Elem == nil) {
		return false
	}
	if o.Elem != nil {
		return elem(o.Elem, n.Elem)
	}
	return o.NamedType == n.NamedType
}

func (c *checker) removed(path, what string, old ast.DirectiveList) {
	if c.removable(old) {
		return
	}
	detail := what + " removed"
	switch date, ok := deprecationDate(old); {
	case ok:
		detail += " before its date " + date.Format(dateForm)
	case old.ForName("deprecated") != nil:
		detail += "; its deprecation reason is not in the policy's form"
	default:
		detail += " without deprecation"
	}
	c.add(Removed, path, detail)
}

// removable: deprecated in the policy's form, with a date that has passed.
func (c *checker) removable(d ast.DirectiveList) bool {
	date, ok := deprecationDate(d)
	return ok && c.today.After(date)
}

func deprecationDate(d ast.DirectiveList) (time.Time, bool) {
	m := reasonForm.FindStringSubmatch(reason(d))
	if m == nil {
		return time.Time{}, false
	}
	date, err := time.Parse(dateForm, m[1])
	return date, err == nil
}

func reason(d ast.DirectiveList) string {
	dep := d.ForName("deprecated")
	if dep == nil {
		return ""
	}
	if a := dep.Arguments.ForName("reason"); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return ""
}

// checkDeprecations reports each deprecation of d that is due or not in the policy's form.
func (c *checker) checkDeprecations(d *ast.Definition) {
	fields := names(d.Fields, func(f *ast.FieldDefinition) string { return f.Name })
	for _, f := range d.Fields {
		c.checkDeprecation(d.Name+"."+f.Name, f.Directives, fields)
		args := names(f.Arguments, func(a *ast.ArgumentDefinition) string { return a.Name })
		for _, a := range f.Arguments {
			c.checkDeprecation(d.Name+"."+f.Name+"."+a.Name, a.Directives, args)
		}
	}
	values := names(d.EnumValues, func(v *ast.EnumValueDefinition) string { return v.Name })
	for _, v := range d.EnumValues {
		c.checkDeprecation(d.Name+"."+v.Name, v.Directives, values)
	}
}

func names[T any](l []T, name func(T) string) []string {
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = name(x)
	}
	return out
}

// checkDeprecation reports a deprecation that is due or not in the policy's form; siblings are
// the names a replacement may have.
func (c *checker) checkDeprecation(path string, d ast.DirectiveList, siblings []string) {
	if d.ForName("deprecated") == nil {
		return
	}
	r := reason(d)
	m := reasonForm.FindStringSubmatch(r)
	if m == nil {
		c.add(Reason, path, fmt.Sprintf("reason %q is not %q", r, "This field is deprecated and will be removed after YYYY/MM/DD. Use the X field instead."))
		return
	}
	date, err := time.Parse(dateForm, m[1])
	switch {
	case err != nil:
		c.add(Reason, path, fmt.Sprintf("reason's date %s is not a date", m[1]))
	case m[2] != "" && !slices.Contains(siblings, m[2]):
		c.add(Reason, path, fmt.Sprintf("reason names %s, which is not beside it", m[2]))
	case c.today.After(date):
		c.add(Expired, path, "deprecated until "+m[1]+": remove it")
	}
}

// civil is today's calendar date as the policy's dates are read: midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
