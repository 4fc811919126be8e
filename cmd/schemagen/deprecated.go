package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/graphbox/graphbox/model"
)

// keptOverrides lists what Graphbox has served that a newer document no longer has. The
// deprecation policy keeps every served field and filter input field: when the document lacks
// one, the generator adds it back marked @deprecated; it answers null (an empty list for a
// relation) and, as a filter, is refused with a clear error by the compiler, which finds no
// REST parameter for it.
type keptOverrides struct {
	After   string               `yaml:"after"` // removal date in the reason: "2027/06/03"
	Fields  map[string]keptEntry `yaml:"fields"`
	Filters map[string]keptEntry `yaml:"filters"`
}

// keptEntry is one kept field: its GraphQL type as served, the filter input of its filters
// argument (a reverse relation), and the field that replaces it, if any.
type keptEntry struct {
	Type string `yaml:"type"`
	Args string `yaml:"args"`
	Use  string `yaml:"use"`
}

// kept is one deprecated field or filter input field of an object type.
type kept struct {
	Name   string
	Type   string // GraphQL type as served: "ContactGroupType", "Int", "[DeviceType!]!"
	Args   string // filter input of a relation's filters argument, or ""
	Reason string
}

// keptSet holds the deprecated additions per object type name.
type keptSet struct {
	Fields  map[string][]kept
	Filters map[string][]kept
}

// deprecations adds back, marked deprecated, each kept name the document no longer gives the
// object; names it still has, and objects it lacks altogether, add nothing.
func (b *builder) deprecations() (*keptSet, error) {
	ks := &keptSet{Fields: map[string][]kept{}, Filters: map[string][]kept{}}
	k := b.ov.Deprecated
	add := func(entries map[string]keptEntry, filter bool) error {
		for _, key := range sortedKeys(entries) {
			e := entries[key]
			objName, name, ok := strings.Cut(key, ".")
			o := b.objects[objName]
			if !ok || e.Type == "" {
				return fmt.Errorf("overrides: deprecated %s: want <Model>.<field> with a type", key)
			}
			if o == nil {
				continue
			}
			has := taken(o, name)
			if filter {
				has = o.FilterField(name) != nil
			}
			if has {
				continue
			}
			reason := "It is no longer in NetBox's REST API."
			if e.Use != "" {
				if !taken(o, e.Use) && o.FilterField(e.Use) == nil {
					return fmt.Errorf("overrides: deprecated %s: replacement %q is not a field of %s", key, e.Use, o.Type)
				}
				reason = "Use the " + e.Use + " field instead."
			}
			kp := kept{Name: name, Type: e.Type, Args: e.Args,
				Reason: "This field is deprecated and will be removed after " + k.After + ". " + reason}
			if filter {
				ks.Filters[objName] = append(ks.Filters[objName], kp)
			} else {
				ks.Fields[objName] = append(ks.Fields[objName], kp)
			}
		}
		return nil
	}
	if err := add(k.Fields, false); err != nil {
		return nil, err
	}
	if err := add(k.Filters, true); err != nil {
		return nil, err
	}
	return ks, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// keptSDL is a kept field's SDL line.
func keptSDL(k kept) string {
	args := ""
	if k.Args != "" {
		args = "(filters: " + k.Args + ", pagination: OffsetPaginationInput)"
	}
	return fmt.Sprintf("  %s%s: %s @deprecated(reason: %q)\n", k.Name, args, k.Type, k.Reason)
}

// keptResolver is a kept field's resolver: nothing to read, so null or an empty list.
func keptResolver(reg *model.Registry, recv string, k kept) (string, error) {
	m := goName(k.Name)
	t := strings.TrimSuffix(k.Type, "!")
	switch {
	case strings.HasPrefix(t, "["):
		elem := strings.TrimSuffix(strings.TrimPrefix(t, "["), "!]")
		if k.Args != "" {
			return fmt.Sprintf("%s%s(args relationArgs) []*%sResolver { return []*%sResolver{} }\n", recv, m, elem, elem), nil
		}
		return fmt.Sprintf("%s%s() []*%sResolver { return []*%sResolver{} }\n", recv, m, elem, elem), nil
	case t == model.TypeJSON:
		return fmt.Sprintf("%s%s() *JSON { return nil }\n", recv, m), nil
	case t == model.TypeInt, t == model.TypeBigInt, t == model.TypeFloat, t == model.TypeBool, t == model.TypeString:
		return fmt.Sprintf("%s%s() *%s { return nil }\n", recv, m, goScalar(t)), nil
	}
	for _, o := range reg.Objects {
		if o.Type == t {
			return fmt.Sprintf("%s%s() *%sResolver { return nil }\n", recv, m, t), nil
		}
	}
	return "", fmt.Errorf("deprecated %s: type %s has no resolver", k.Name, k.Type)
}
