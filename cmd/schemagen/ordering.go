package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/graphbox/graphbox/model"
)

// defaultOrdering is NetBox's default order of each list (ordering.yaml): hand-kept, since the
// document does not say how a list is ordered.
//
//go:embed ordering.yaml
var defaultOrdering []byte

// orderingEntry is one content type's entry of ordering.yaml.
type orderingEntry struct {
	Order []string  `yaml:"order"`
	Tree  *[]string `yaml:"tree"`
	Meta  *[]string `yaml:"meta"`
}

var collations = map[string]model.Collation{
	"natural": model.CollateNatural, "interface": model.CollateInterface, "inet": model.CollateInet,
	"inet-host": model.CollateInetHost, "lowest": model.CollateLowest,
}

// orderings builds each object's model.Ordering from ordering.yaml; terms on fields the object
// lacks (another NetBox version's serializer) are dropped, and every object of the registry
// must have an entry.
func orderings(reg *model.Registry, data []byte) (map[string]model.Ordering, error) {
	var entries map[string]orderingEntry
	if err := yamlUnmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("ordering.yaml: %w", err)
	}
	o := &orderer{reg: reg, entries: entries}
	out := map[string]model.Ordering{}
	var missing []string
	for _, obj := range reg.Objects {
		e, ok := entries[obj.ContentType]
		if !ok {
			missing = append(missing, obj.ContentType)
			continue
		}
		raw := e.Order
		if e.Tree != nil {
			raw = *e.Tree
		}
		terms, err := o.expand(obj, raw, "", 0)
		if err != nil {
			return nil, fmt.Errorf("ordering.yaml: %s: %w", obj.ContentType, err)
		}
		out[obj.Name] = model.Ordering{Terms: terms, Tree: e.Tree != nil}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("ordering.yaml: no entry for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// yamlUnmarshal reads ordering.yaml strictly: an unknown key is a mistake in the file.
func yamlUnmarshal(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

type orderer struct {
	reg     *model.Registry
	entries map[string]orderingEntry
}

// expand turns an entry's terms into registry terms read from obj, prefixed by the path that
// led there; a bare foreign key stands for the related model's meta (or order) terms.
func (o *orderer) expand(obj *model.Object, raw []string, prefix string, depth int) ([]model.OrderTerm, error) {
	if depth > 4 {
		return nil, fmt.Errorf("foreign keys nest too deep at %s", prefix)
	}
	var out []model.OrderTerm
	for _, r := range raw {
		words := strings.Fields(r)
		if len(words) == 0 {
			return nil, fmt.Errorf("an empty term")
		}
		t := model.OrderTerm{}
		path := words[0]
		if strings.HasPrefix(path, "-") {
			t.Desc, path = true, path[1:]
		}
		for _, w := range words[1:] {
			if w == "nulls-first" {
				t.NullsFirst = true
				continue
			}
			c, ok := collations[w]
			if !ok {
				return nil, fmt.Errorf("term %q: unknown word %q", r, w)
			}
			t.Collation = c
		}
		field, sub, _ := strings.Cut(path, ".")
		f := obj.Field(field)
		if f == nil {
			continue // not in this document's serializer
		}
		t.Path = prefix + path
		if f.Kind != model.KindForeignKey || sub != "" {
			out = append(out, t)
			continue
		}
		rel := o.reg.Object(f.Related)
		relRaw := []string{"id"}
		if rel != nil {
			if e, ok := o.entries[rel.ContentType]; ok {
				switch {
				case e.Meta != nil && len(*e.Meta) > 0:
					relRaw = *e.Meta
				case e.Meta == nil && len(e.Order) > 0:
					relRaw = e.Order
				}
			}
		}
		if rel == nil {
			out = append(out, model.OrderTerm{Path: prefix + field + ".id", Desc: t.Desc, NullsFirst: t.NullsFirst})
			continue
		}
		sub2, err := o.expand(rel, relRaw, prefix+field+".", depth+1)
		if err != nil {
			return nil, err
		}
		for _, s := range sub2 {
			s.Desc = s.Desc != t.Desc
			s.NullsFirst = s.NullsFirst || t.NullsFirst
			out = append(out, s)
		}
	}
	return out, nil
}

var collationNames = map[model.Collation]string{
	model.CollateNatural: "CollateNatural", model.CollateInterface: "CollateInterface", model.CollateInet: "CollateInet",
	model.CollateInetHost: "CollateInetHost", model.CollateLowest: "CollateLowest",
}

// generateOrdering renders model/zz_generated_ordering.go from the built-in ordering.yaml.
func generateOrdering(reg *model.Registry, source string) (outputFile, error) {
	ords, err := orderings(reg, defaultOrdering)
	if err != nil {
		return outputFile{}, err
	}
	data, err := emitOrdering(ords, source)
	return outputFile{Path: "model/zz_generated_ordering.go", Data: data}, err
}

// emitOrdering writes the orderings as Go literals (model/zz_generated_ordering.go).
func emitOrdering(ords map[string]model.Ordering, source string) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, generatedHeader, source+" and cmd/schemagen/ordering.yaml")
	w.WriteString("package model\n\n")
	w.WriteString("// generatedOrdering is each object type's default list order, by Name.\n")
	w.WriteString("func generatedOrdering() map[string]Ordering {\n\treturn map[string]Ordering{\n")
	names := make([]string, 0, len(ords))
	for n := range ords {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ord := ords[n]
		fmt.Fprintf(&w, "%q: {", n)
		if ord.Tree {
			w.WriteString("Tree: true, ")
		}
		w.WriteString("Terms: []OrderTerm{")
		for i, t := range ord.Terms {
			if i > 0 {
				w.WriteString(", ")
			}
			fmt.Fprintf(&w, "{Path: %q", t.Path)
			if c := collationNames[t.Collation]; c != "" {
				fmt.Fprintf(&w, ", Collation: %s", c)
			}
			if t.Desc {
				w.WriteString(", Desc: true")
			}
			if t.NullsFirst {
				w.WriteString(", NullsFirst: true")
			}
			w.WriteString("}")
		}
		w.WriteString("}},\n")
	}
	w.WriteString("\t}\n}\n")
	return format.Source(w.Bytes())
}
