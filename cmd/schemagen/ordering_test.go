package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/model"
)

// TestOrderingBothDocuments: ordering.yaml gives every object type of each reference document
// an ordering, and every term reads a field the type has.
func TestOrderingBothDocuments(t *testing.T) {
	for _, name := range []string{"openapi.yaml", "openapi-4.6.8.json"} {
		t.Run(name, func(t *testing.T) {
			_, reg := referenceRegistry(t, name)
			ords, err := orderings(reg, defaultOrdering)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range reg.Objects {
				ord, ok := ords[o.Name]
				if !ok {
					t.Errorf("%s has no ordering", o.Name)
				}
				for _, term := range ord.Terms {
					if o.Field(term.Fields()[0]) == nil {
						t.Errorf("%s: term %s reads a field the type lacks", o.Name, term.Path)
					}
				}
			}
			if d := ords["Device"]; len(d.Terms) == 0 || d.Terms[0].Path != "name" || d.Terms[0].Collation != model.CollateNatural {
				t.Errorf("Device orders by %+v, want name in the natural_sort collation first", d.Terms)
			}
		})
	}
}

// TestOrderingFacts checks ordering.yaml against NetBox 4.6.8's ordering facts
// (../shared/netbox/ordering-4.6.8.json): an entry per list model, tree order exactly for the
// django-mptt trees, naturalize_interface where NetBox orders by it, and the natural_sort
// collation on the list's own name where its Meta.ordering has it.
func TestOrderingFacts(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "..", "shared", "netbox", "ordering-4.6.8.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("NetBox's ordering facts are not at %s (it sits in ../shared beside the repository): %v", path, err)
	}
	var facts struct {
		Endpoints []struct {
			Model           string `json:"model"`
			IsTree          bool   `json:"is_mptt_tree"`
			NaturalOrdering struct {
				Field     bool `json:"uses_natural_ordering_field"`
				Collation bool `json:"uses_natural_sort_collation"`
			} `json:"natural_ordering"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(data, &facts); err != nil {
		t.Fatal(err)
	}
	var entries map[string]orderingEntry
	if err := yamlUnmarshal(defaultOrdering, &entries); err != nil {
		t.Fatal(err)
	}
	if len(facts.Endpoints) < 100 {
		t.Fatalf("%d endpoints in the facts; the check proves nothing", len(facts.Endpoints))
	}
	for _, e := range facts.Endpoints {
		ct := strings.ToLower(e.Model)
		entry, ok := entries[ct]
		if !ok {
			t.Errorf("ordering.yaml has no entry for %s", ct)
			continue
		}
		if (entry.Tree != nil) != e.IsTree {
			t.Errorf("%s: tree %t in ordering.yaml, NetBox %t", ct, entry.Tree != nil, e.IsTree)
		}
		terms := strings.Join(entry.Order, ",")
		if entry.Meta != nil {
			terms += "," + strings.Join(*entry.Meta, ",")
		}
		if got := strings.Contains(terms, " interface"); got != e.NaturalOrdering.Field {
			t.Errorf("%s: naturalize_interface %t in ordering.yaml, NetBox %t", ct, got, e.NaturalOrdering.Field)
		}
		if got := strings.Contains(terms, "name natural"); got != e.NaturalOrdering.Collation {
			t.Errorf("%s: natural_sort on its name %t in ordering.yaml, NetBox %t", ct, got, e.NaturalOrdering.Collation)
		}
	}
}
