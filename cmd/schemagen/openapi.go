package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is the part of an OpenAPI 3 document the generator reads.
type document struct {
	Info struct {
		Title   string `yaml:"title"`
		Version string `yaml:"version"`
	} `yaml:"info"`
	Paths      orderedMap[pathItem] `yaml:"paths"`
	Components struct {
		Schemas map[string]*schema `yaml:"schemas"`
	} `yaml:"components"`
}

type pathItem struct {
	Get *operation `yaml:"get"`
}

type operation struct {
	OperationID string               `yaml:"operationId"`
	Parameters  []parameter          `yaml:"parameters"`
	Responses   map[string]*response `yaml:"responses"`
}

type parameter struct {
	In          string  `yaml:"in"`
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Schema      *schema `yaml:"schema"`
}

type response struct {
	Content map[string]struct {
		Schema *schema `yaml:"schema"`
	} `yaml:"content"`
}

// schema is an OpenAPI schema object. Properties keep the document's order so that generated
// output is stable and reads like the REST representation.
type schema struct {
	Ref                  string               `yaml:"$ref"`
	Type                 string               `yaml:"type"`
	Format               string               `yaml:"format"`
	Nullable             bool                 `yaml:"nullable"`
	ReadOnly             bool                 `yaml:"readOnly"`
	Enum                 []any                `yaml:"enum"`
	Maximum              *float64             `yaml:"maximum"`
	Description          string               `yaml:"description"`
	AllOf                []*schema            `yaml:"allOf"`
	OneOf                []*schema            `yaml:"oneOf"`
	Items                *schema              `yaml:"items"`
	Properties           orderedMap[*schema]  `yaml:"properties"`
	AdditionalProperties yaml.Node            `yaml:"additionalProperties"`
	Required             []string             `yaml:"required"`
	Extensions           map[string]yaml.Node `yaml:",inline"`
}

// refName is the component name a schema refers to, directly or through a one-element allOf.
func (s *schema) refName() string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	if len(s.AllOf) == 1 {
		return s.AllOf[0].refName()
	}
	return ""
}

// plain is the schema a property's value has, seen through drf-spectacular's oneOf of a
// pattern-checked string and the blank string (a field with blank=True and validators, such as
// color or email in NetBox 4.6's raw document): both are strings, so the property is one.
func (s *schema) plain() *schema {
	if s == nil || len(s.OneOf) == 0 {
		return s
	}
	first := s.OneOf[0]
	for _, alt := range s.OneOf[1:] {
		if alt.Type != first.Type || alt.Type == "" || alt.Type == "object" || alt.Type == "array" || alt.refName() != "" {
			return s
		}
	}
	out := *first
	out.Nullable = s.Nullable || first.Nullable
	out.ReadOnly = s.ReadOnly || first.ReadOnly
	return &out
}

// orderedMap is a YAML mapping decoded with its keys in document order.
type orderedMap[V any] struct {
	Keys   []string
	Values map[string]V
}

func (m *orderedMap[V]) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping", n.Line)
	}
	m.Values = make(map[string]V, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		var v V
		if err := n.Content[i+1].Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		m.Keys = append(m.Keys, key)
		m.Values[key] = v
	}
	return nil
}

// loadDocument reads an OpenAPI document (YAML or JSON) from a file or an http(s) URL.
func loadDocument(ctx context.Context, source, token string) (*document, error) {
	var data []byte
	var err error
	if isURL(source) {
		data, err = fetch(ctx, "fetch OpenAPI document", http.MethodGet, source, token, nil,
			map[string]string{"Accept": "application/json, application/yaml;q=0.9"})
	} else {
		data, err = os.ReadFile(source)
	}
	if err != nil {
		return nil, err
	}
	return parseDocument(data)
}

func parseDocument(data []byte) (*document, error) {
	var doc document
	// YAML is a superset of JSON, so one decoder reads both forms of /api/schema/.
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse OpenAPI document: %w", err)
	}
	if len(doc.Paths.Keys) == 0 {
		return nil, fmt.Errorf("parse OpenAPI document: no paths")
	}
	return &doc, nil
}
