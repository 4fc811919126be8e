package schema

import (
	"context"
	"sort"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// selection is the tree of fields selected under a resolver, read ahead of execution so that
// the next levels can be fetched as soon as a page arrives. Fragments are flattened: under a
// union, the children of every member are present, and each member reads those it has.
type selection struct {
	children map[string]*selection
	// args of a relation field with arguments (reverse relations), decoded at the top.
	args *relationArgs
}

// selectionOf reads the selection under the current resolver, with the arguments of the relation
// fields in it at every depth, the first level too: under a single object or version 1's plain
// list, the relations are that level. Only the root resolvers read it: it travels down with the
// nodes from there.
func selectionOf(ctx context.Context) *selection {
	root := &selection{}
	for _, path := range graphql.SelectedFieldNames(ctx) {
		s := root
		for _, name := range strings.Split(path, ".") {
			s = s.child(name, true)
		}
		var a relationArgs
		if ok, err := graphql.DecodeSelectedFieldArgs(ctx, path, &a); ok && err == nil {
			s.args = &a
		}
	}
	return root
}

func (s *selection) child(name string, create bool) *selection {
	if s == nil {
		return nil
	}
	c := s.children[name]
	if c == nil && create {
		if s.children == nil {
			s.children = map[string]*selection{}
		}
		c = &selection{}
		s.children[name] = c
	}
	return c
}

func (s *selection) has(name string) bool { return s != nil && s.children[name] != nil }

// names are the selected child fields, sorted.
func (s *selection) names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.children))
	for k := range s.children {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// static fields need nothing from the upstream.
func static(name string) bool { return name == "class_type" || name == "__typename" }

// restFields are the fields= to ask the upstream for so that sel can be resolved on obj: the
// selected fields, the id, and the keys relations are read through. extra adds keys a caller
// needs (the field a reverse relation groups by).
func restFields(obj *model.Object, sel *selection, extra ...string) []string {
	set := map[string]bool{"id": true}
	for _, e := range extra {
		set[e] = true
	}
	for name, sub := range sel.children {
		f := obj.Field(obj.RESTName(name))
		if f == nil {
			// A reverse relation needs the id, and its counter where the parent has one: the
			// children are then read in requests that each fit one page (model.ChildCount).
			if rev := obj.ReverseField(name); rev != nil && sub.children != nil {
				if c := model.ChildCountOf(obj.Name, rev.Child, rev.Via); c != "" && obj.Field(c) != nil {
					set[c] = true
				}
			}
			continue // class_type, or another member's field
		}
		set[f.Name] = true
		if t := obj.Field(f.Name + "_type"); t != nil && f.Kind == model.KindJSON {
			set[t.Name] = true // the type of link_peers, connected_endpoints
		}
		if f.TypeKey != "" {
			set[f.TypeKey], set[f.IDKey] = true, true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// covered reports whether a nested object (the brief form the upstream embeds) answers sel on
// obj without a request: every selected field is in it, recursively through nested relations.
// Reverse relations only need the id, which every nested object has.
func covered(reg *model.Registry, obj *model.Object, sel *selection, data rest.Object) bool {
	for name, sub := range sel.children {
		if static(name) || obj.ReverseField(name) != nil {
			continue
		}
		f := obj.Field(obj.RESTName(name))
		if f == nil {
			continue // a field of another union member
		}
		v, ok := data[f.Name]
		if !ok {
			return false
		}
		switch f.Kind {
		case model.KindForeignKey:
			if nested := asObject(v); nested != nil && !covered(reg, reg.Object(f.Related), sub, nested) {
				return false
			}
		case model.KindManyToMany:
			items, _ := v.([]any)
			for _, it := range items {
				if nested := asObject(it); nested == nil || !covered(reg, reg.Object(f.Related), sub, nested) {
					return false
				}
			}
		case model.KindGeneric:
			return false
		}
	}
	return true
}
