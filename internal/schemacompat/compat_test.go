package schemacompat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func load(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: t.Name(), Input: sdl})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return s
}

// dep is the policy's deprecation until date, naming a replacement when use is not empty.
func dep(date, use string) string {
	second := "It is no longer served."
	if use != "" {
		second = "Use the " + use + " field instead."
	}
	return fmt.Sprintf(`@deprecated(reason: "This field is deprecated and will be removed after %s. %s")`, date, second)
}

// today is after 2027/06/03 and on 2027/06/04.
var today = time.Date(2027, 6, 4, 15, 0, 0, 0, time.UTC)

func TestCompare(t *testing.T) {
	const passed, due, ahead = "2027/06/03", "2027/06/04", "2027/12/01"
	cases := []struct {
		name     string
		old, new string
		want     []string // "kind path"
	}{
		{"identical", `type Query { a: String }`, `type Query { a: String }`, nil},
		{"additions are fine",
			`type Query { a: String } enum E { A } union U = Query`,
			`type Query { a: String b(x: Int): T } type T { c: Int } enum E { A B } union U = Query | T`, nil},

		{"field removed", `type Query { a: String b: Int }`, `type Query { a: String }`, []string{"removed Query.b"}},
		{"field removed after its date", `type Query { a: String b: Int ` + dep(passed, "a") + ` }`, `type Query { a: String }`, nil},
		{"field removed on its date", `type Query { a: String b: Int ` + dep(due, "a") + ` }`, `type Query { a: String }`, []string{"removed Query.b"}},
		{"field removed before its date", `type Query { a: String b: Int ` + dep(ahead, "a") + ` }`, `type Query { a: String }`, []string{"removed Query.b"}},
		{"field removed, deprecated in another form",
			`type Query { a: String b: Int @deprecated(reason: "gone after 2020/01/01") }`, `type Query { a: String }`,
			[]string{"removed Query.b"}},
		{"argument removed", `type Query { a(x: Int, y: Int): String }`, `type Query { a(x: Int): String }`, []string{"removed Query.a.y"}},
		{"argument removed after its date", `type Query { a(x: Int, y: Int ` + dep(passed, "x") + `): String }`, `type Query { a(x: Int): String }`, nil},
		{"input field removed",
			`type Query { a(f: F): String } input F { x: Int y: Int }`, `type Query { a(f: F): String } input F { x: Int }`,
			[]string{"removed F.y"}},
		{"input field removed after its date",
			`type Query { a(f: F): String } input F { x: Int y: Int ` + dep(passed, "x") + ` }`, `type Query { a(f: F): String } input F { x: Int }`, nil},
		{"enum value removed", `type Query { a: E } enum E { A B }`, `type Query { a: E } enum E { A }`, []string{"removed E.B"}},
		{"enum value removed after its date", `type Query { a: E } enum E { A B ` + dep(passed, "A") + ` }`, `type Query { a: E } enum E { A }`, nil},
		{"union member removed",
			`type Query { a: U } type A { x: Int } type B { x: Int } union U = A | B`,
			`type Query { a: U } type A { x: Int } type B { x: Int } union U = A`, []string{"removed U.B"}},
		{"type removed", `type Query { a: String t: T }  type T { x: Int }`, `type Query { a: String }`, []string{"removed T", "removed Query.t"}},
		{"type old never used removed",
			`type Query { a: String t: T ` + dep(passed, "a") + ` } type T { x: Int } type O { y: Int }`, `type Query { a: String }`,
			[]string{"removed O"}},
		{"type removed with its only field, after the field's date",
			`type Query { a: String t: T ` + dep(passed, "a") + ` } type T { x: Int }`, `type Query { a: String }`, nil},
		{"type removed with the argument that took it, after the field's date",
			`type Query { a: String b(f: F): String ` + dep(passed, "a") + ` } input F { x: Int }`, `type Query { a: String }`, nil},
		{"type removed with a type used only through an expired field",
			`type Query { a: String t: T ` + dep(passed, "a") + ` } type T { u: U } type U { x: Int }`, `type Query { a: String }`, nil},
		{"type removed though a field still uses it",
			`type Query { a: String t: T ` + dep(passed, "a") + ` s: T } type T { x: Int }`, `type Query { a: String s: String }`,
			[]string{"removed T", "changed Query.s"}},
		{"type's kind changed", `type Query { a: T } scalar T`, `type Query { a: T } type T { x: Int }`, []string{"changed T"}},

		{"output: another named type", `type Query { a: String }`, `type Query { a: Int }`, []string{"changed Query.a"}},
		{"output: scalars that serialize alike still differ", `type Query { a: String } scalar DateTime`, `type Query { a: DateTime } scalar DateTime`, []string{"changed Query.a"}},
		{"output: non-null is fine", `type Query { a: String b: [String] }`, `type Query { a: String! b: [String!]! }`, nil},
		{"output: nullable breaks", `type Query { a: String! }`, `type Query { a: String }`, []string{"changed Query.a"}},
		{"output: nullable list element breaks", `type Query { a: [String!]! }`, `type Query { a: [String]! }`, []string{"changed Query.a"}},
		{"output: list-ness", `type Query { a: [String] b: String }`, `type Query { a: String b: [String] }`, []string{"changed Query.a", "changed Query.b"}},

		{"input: optional is fine", `type Query { a(x: Int!, y: [Int!]!): String }`, `type Query { a(x: Int, y: [Int]): String }`, nil},
		{"input: optional becomes required", `type Query { a(x: Int): String }`, `type Query { a(x: Int!): String }`, []string{"changed Query.a.x"}},
		{"input: non-null with a default refuses null", `type Query { a(x: Int): String }`, `type Query { a(x: Int! = 3): String }`, []string{"changed Query.a.x"}},
		{"input: required gets a default", `type Query { a(x: Int!): String }`, `type Query { a(x: Int! = 3): String }`, nil},
		{"input: non-null list element breaks", `type Query { a(x: [Int]): String }`, `type Query { a(x: [Int!]): String }`, []string{"changed Query.a.x"}},
		{"input: another named type", `type Query { a(x: Int): String }`, `type Query { a(x: ID): String }`, []string{"changed Query.a.x"}},
		{"input field: optional becomes required",
			`type Query { a(f: F): String } input F { x: Int }`, `type Query { a(f: F): String } input F { x: Int! }`, []string{"changed F.x"}},
		{"new required argument", `type Query { a: String }`, `type Query { a(x: Int!): String }`, []string{"required Query.a.x"}},
		{"new optional arguments", `type Query { a: String }`, `type Query { a(x: Int, y: Int! = 1): String }`, nil},
		{"new required input field",
			`type Query { a(f: F): String } input F { x: Int }`, `type Query { a(f: F): String } input F { x: Int y: Int! }`, []string{"required F.y"}},
		{"deprecated field still checked for its type",
			`type Query { a: String b: Int ` + dep(ahead, "a") + ` }`, `type Query { a: String b: String ` + dep(ahead, "a") + ` }`, []string{"changed Query.b"}},

		{"deprecation ahead", `type Query { a: String }`, `type Query { a: String b: Int ` + dep(ahead, "a") + ` c: Int ` + dep(ahead, "") + ` }`, nil},
		{"deprecation on its date", `type Query { a: String }`, `type Query { a: String b: Int ` + dep(due, "a") + ` }`, nil},
		{"deprecation past its date",
			`type Query { a: String }`,
			`type Query { a(x: Int ` + dep(passed, "") + `): String b: Int ` + dep(passed, "a") + ` } enum E { A B ` + dep(passed, "A") + ` } input F { x: Int ` + dep(passed, "") + ` }`,
			[]string{"expired Query.a.x", "expired Query.b", "expired E.B", "expired F.x"}},
		{"deprecation reasons not in the policy's form",
			`type Query { a: String }`,
			`type Query { a: String b: Int @deprecated c: Int @deprecated(reason: "use a") d: Int ` + dep("2027/02/30", "a") + ` e: Int ` + dep("2027/6/30", "a") + ` f: Int ` + dep(ahead, "nothere") + ` }`,
			[]string{"reason Query.b", "reason Query.c", "reason Query.d", "reason Query.e", "reason Query.f"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range Compare(load(t, c.old), load(t, c.new), today) {
				got = append(got, string(p.Kind)+" "+p.Path)
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestCompareDetail: a problem says what changed, so a reader can judge it without the schemas.
func TestCompareDetail(t *testing.T) {
	old := load(t, `type Query { a: String! b(x: Int): Int c: Int `+dep("2027/12/01", "a")+` }`)
	new := load(t, `type Query { a: String b(x: Int!): Int }`)
	var got []string
	for _, p := range Compare(old, new, today) {
		got = append(got, p.String())
	}
	want := []string{
		"changed Query.a: String! → String",
		"changed Query.b.x: optional Int → required Int!",
		"removed Query.c: field removed before its date 2027/12/01",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAllowlist(t *testing.T) {
	list := `# accepted changes
changed Query.a NetBox types it DateTime

removed Query.b   renamed as NetBox names it
removed Query.gone never made
`
	accepted, err := ParseAllowlist(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(accepted) != 3 || accepted[1].Reason != "renamed as NetBox names it" || accepted[1].Line != 4 {
		t.Fatalf("parsed %+v", accepted)
	}
	problems := []Problem{
		{Kind: Changed, Path: "Query.a"},
		{Kind: Removed, Path: "Query.b"},
		{Kind: Changed, Path: "Query.b"}, // same path, another kind: not accepted
		{Kind: Removed, Path: "Query.c"},
	}
	left, unused := Filter(problems, accepted)
	if want := []Problem{problems[2], problems[3]}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if len(unused) != 1 || unused[0].Path != "Query.gone" || unused[0].Line != 5 {
		t.Errorf("unused %v, want the entry on line 5", unused)
	}

	for _, bad := range []string{
		"changed Query.a",               // no reason
		"renamed Query.a NetBox's name", // no such kind
	} {
		if _, err := ParseAllowlist(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
