package schema

import (
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
)

// TestSchemaBinds parses the generated SDL with the generated resolver types; graphql-go fails on
// any field without a method, any method with the wrong shape, any union member without To<Type>.
func TestSchemaBinds(t *testing.T) {
	if _, err := graphql.ParseSchema(SDL(), root{&Query{}}, graphql.UseStringDescriptions()); err != nil {
		t.Fatalf("schema does not bind: %v", err)
	}
}

func BenchmarkParseSchema(b *testing.B) {
	sdl := SDL()
	for b.Loop() {
		if _, err := graphql.ParseSchema(sdl, root{&Query{}}); err != nil {
			b.Fatal(err)
		}
	}
}
