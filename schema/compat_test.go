package schema

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/graphbox/graphbox/internal/schemacompat"
)

var release = flag.Bool("release", false, "write the served schemas as the released snapshots (at a release)")

const acceptedChanges = "testdata/accepted-changes.txt"

// servedSchemas are the schemas clients rely on, each held to the snapshot of its last release.
// v1 (SDLV1, /graphql/v1/) joins with a snapshot of its own at the first release that serves it.
var servedSchemas = []struct {
	name     string
	snapshot string
	sdl      func() string
}{
	{"v2 (/graphql/v2/, /graphql/ by default)", "testdata/released.graphql", SDL},
}

const snapshotHeader = `# The schema of Graphbox's last release, served as
#   %s
# TestSchemaCompatibility fails when the served schema breaks it outside the deprecation policy
# (README.md, "Deprecation policy"). Written by that test, not by hand; at a release:
#   go test ./schema -run TestSchemaCompatibility -release
`

// TestSchemaCompatibility enforces the deprecation policy: each served schema keeps what its
// last release had, unless it was deprecated and its date has passed, or the change is listed in
// testdata/accepted-changes.txt; and no deprecation outlives its date.
func TestSchemaCompatibility(t *testing.T) {
	f, err := os.Open(acceptedChanges)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := schemacompat.ParseAllowlist(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	unusedIn := make(map[schemacompat.Accepted]int) // by how many schemas
	for _, s := range servedSchemas {
		if *release {
			if err := os.WriteFile(s.snapshot, []byte(fmt.Sprintf(snapshotHeader, s.name)+s.sdl()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		released, err := os.ReadFile(s.snapshot)
		if err != nil {
			t.Fatalf("%s: %v (at the first release, write it with -release)", s.name, err)
		}
		old := loadSDL(t, s.snapshot, string(released))
		served := loadSDL(t, s.name, s.sdl())
		left, unused := schemacompat.Filter(schemacompat.Compare(old, served, time.Now()), accepted)
		for _, a := range unused {
			unusedIn[a]++
		}
		if len(left) > 0 {
			lines := make([]string, len(left))
			for i, p := range left {
				lines[i] = "  " + p.String()
			}
			t.Errorf("%s breaks %s in %d places; follow the deprecation policy, or list a change made on purpose in %s as <kind> <path> <reason>:\n%s",
				s.name, s.snapshot, len(left), acceptedChanges, strings.Join(lines, "\n"))
		}
	}
	for _, a := range accepted {
		if unusedIn[a] == len(servedSchemas) {
			t.Errorf("%s %s accepts a change no served schema makes: delete it", acceptedChanges, a)
		}
	}
}

func loadSDL(t *testing.T, name, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}
