// Command schemagen reads an OpenAPI document of a NetBox-style REST API and writes Graphbox's
// model registry (model/zz_generated_registry.go), its GraphQL SDL
// (schema/zz_generated_schema.graphql) and the resolver types (schema/zz_generated_resolvers.go).
//
//	go run ./cmd/schemagen --openapi ../shared/netbox/openapi-4.6.8.json
//	go run ./cmd/schemagen --openapi 'https://netbox.example.com/api/schema/?format=json' --graphql https://netbox.example.com/graphql/ --token "$TOKEN"
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/graphbox/graphbox/model"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("schemagen", flag.ContinueOnError)
	source := fs.String("openapi", "../shared/netbox/openapi-4.6.8.json", "OpenAPI document: a file (YAML or JSON) or an http(s) URL such as https://netbox.example.com/api/schema/?format=json")
	token := fs.String("token", os.Getenv("NETBOX_TOKEN"), "API token for URL sources, v1 or v2 (nbt_...) (default $NETBOX_TOKEN)")
	root := fs.String("root", ".", "the Graphbox module root to write into")
	overridesFile := fs.String("overrides", "", "overrides file (default: the built-in cmd/schemagen/overrides.yaml)")
	quiet := fs.Bool("q", false, "do not list skipped endpoints")
	graphqlSchema := fs.String("graphql", "", "NetBox's GraphQL schema to serve, name for name: an SDL file, or a NetBox's /graphql/ URL read by introspection; empty derives names from REST")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ovData := defaultOverrides
	if *overridesFile != "" {
		data, err := os.ReadFile(*overridesFile)
		if err != nil {
			return err
		}
		ovData = data
	}
	doc, err := loadDocument(ctx, *source, *token)
	if err != nil {
		return err
	}
	var nb *netboxSchema
	switch {
	case isURL(*graphqlSchema):
		if nb, err = introspectNetBox(ctx, *graphqlSchema, *token); err != nil {
			return err
		}
	case *graphqlSchema != "":
		if nb, err = loadNetBoxSchema(*graphqlSchema); err != nil {
			return err
		}
		nb.source = filepath.Base(*graphqlSchema)
	}
	reg, files, skipped, unbound, err := generate(doc, ovData, filepath.Base(*source), nb)
	if err != nil {
		return err
	}
	if !*quiet {
		for _, s := range skipped {
			fmt.Fprintf(log, "skipped %s: %s\n", s.Path, s.Reason)
		}
		for _, u := range unbound {
			fmt.Fprintf(log, "unmapped %s: %s\n", u.Name, u.Reason)
		}
	}
	for _, f := range files {
		path := filepath.Join(*root, f.Path)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	fmt.Fprintf(log, "schemagen: %d object types from %s (%s %s), %d endpoints skipped\n",
		len(reg.Objects), *source, doc.Info.Title, doc.Info.Version, len(skipped))
	return nil
}

// outputFile is one generated file, with its path relative to the module root.
type outputFile struct {
	Path string
	Data []byte
}

// generate builds the registry and renders every output file; it writes nothing. With NetBox's
// GraphQL schema (nb), the served schema is NetBox's, bound to REST, in both versions; without
// it, names are derived from REST and both versions serve the paginated lists.
func generate(doc *document, overridesData []byte, source string, nb *netboxSchema) (*model.Registry, []outputFile, []skipped, []unmapped, error) {
	ov, err := parseOverrides(overridesData)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	reg, ks, skipped, err := build(doc, ov)
	if err != nil {
		return nil, nil, skipped, nil, err
	}
	var sdl1, sdl2, resolvers, report []byte
	var unbound []unmapped
	if nb != nil {
		b, err := bindNetBox(reg, nb, ov, ks)
		if err != nil {
			return nil, nil, skipped, nil, err
		}
		unbound = b.sortedUnmapped()
		report = emitUnmappedReport(unbound, source, nb.source)
		sdl1, sdl2 = emitNetBoxSDL(b, 1, source), emitNetBoxSDL(b, 2, source)
		if resolvers, err = emitNetBoxResolvers(b, source); err != nil {
			return nil, nil, skipped, nil, err
		}
	} else {
		sdl2 = append(append([]byte(nil), baseSDL...), emitSDL(reg, ks, source)...)
		sdl1 = sdl2
		if resolvers, err = emitResolvers(reg, ks, source); err != nil {
			return nil, nil, skipped, nil, err
		}
	}
	registry, err := emitRegistry(reg, source, doc.Info.Version)
	if err != nil {
		return nil, nil, skipped, nil, err
	}
	ordering, err := generateOrdering(reg, source)
	if err != nil {
		return nil, nil, skipped, nil, err
	}
	files := []outputFile{
		{Path: "model/zz_generated_registry.go", Data: registry},
		{Path: "schema/zz_generated_schema.graphql", Data: sdl2},
		{Path: "schema/zz_generated_schema_v1.graphql", Data: sdl1},
		{Path: "schema/zz_generated_resolvers.go", Data: resolvers},
		ordering,
	}
	if report != nil {
		files = append(files, outputFile{Path: "schema/zz_generated_unmapped.md", Data: report})
	}
	return reg, files, skipped, unbound, nil
}
