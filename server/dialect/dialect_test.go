package dialect

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// netbox46 is NetBox 4.6.8's own schema, the dialect the gateway serves.
func netbox46(t *testing.T) *Upgrader {
	t.Helper()
	sdl, err := os.ReadFile("../../../shared/netbox/graphql/4.6.8.graphql")
	if err != nil {
		t.Skipf("NetBox 4.6.8's GraphQL schema is not beside the repository (../shared/netbox/graphql/4.6.8.graphql): %v", err)
	}
	u, err := New(string(sdl))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func canonical(t *testing.T, q string) string {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(doc)
	return b.String()
}

func TestUpgradeOlderDialects(t *testing.T) {
	u := netbox46(t)
	cases := []struct {
		name, old, want string
		rewrites        int
	}{
		{"4.3 bare enum (the documentation's form)",
			`{ site_list(filters: {status: STATUS_ACTIVE}) { name } }`,
			`{ site_list(filters: {status: {exact: STATUS_ACTIVE}}) { name } }`, 1},
		{"documentation's STATUS_ name for an enum NetBox names differently",
			`query { circuit_list(filters: {status: STATUS_ACTIVE}) { cid provider { name } } }`,
			`query { circuit_list(filters: {status: {exact: ACTIVE}}) { cid provider { name } } }`, 1},
		{"4.2 string choice",
			`{ device_list(filters: {status: "active"}) { name } }`,
			`{ device_list(filters: {status: {exact: STATUS_ACTIVE}}) { name } }`, 1},
		{"enum list",
			`{ device_list(filters: {status: [STATUS_ACTIVE, STATUS_PLANNED]}) { name } }`,
			`{ device_list(filters: {status: {in_list: [STATUS_ACTIVE, STATUS_PLANNED]}}) { name } }`, 1},
		{"bare boolean (the documentation's v1 form)",
			`query { device_list { id name interfaces(filters: {enabled: true}) { name } } }`,
			`query { device_list { id name interfaces(filters: {enabled: {exact: true}}) { name } } }`, 1},
		{"bare string",
			`{ device_list(filters: {name: "dmi01-akron-rtr01"}) { id } }`,
			`{ device_list(filters: {name: {exact: "dmi01-akron-rtr01"}}) { id } }`, 1},
		{"bare number on a one-of numeric lookup",
			`{ interface_list(filters: {mtu: 1500}) { name } }`,
			`{ interface_list(filters: {mtu: {filter_lookup: {exact: 1500}}}) { name } }`, 1},
		{"4.2 comparison lookup",
			`{ interface_list(filters: {mtu: {gte: 1500}}) { name } }`,
			`{ interface_list(filters: {mtu: {comparison_lookup: {gte: 1500}}}) { name } }`, 1},
		{"4.2 range lookup",
			`{ interface_list(filters: {mtu: {range: {start: 1000, end: 9000}}}) { name } }`,
			`{ interface_list(filters: {mtu: {range_lookup: {start: 1000, end: 9000}}}) { name } }`, 1},
		{"bare id where 4.6 wants IDComparisonFilterLookup",
			`{ device_list(filters: {id: "7"}) { name } }`,
			`{ device_list(filters: {id: {exact: "7"}}) { name } }`, 1},
		{"lookup where 4.6 wants a bare ID",
			`{ device_list(filters: {site_id: {exact: "3"}}) { name } }`,
			`{ device_list(filters: {site_id: "3"}) { name } }`, 1},
		{"4.2 one-element id list",
			`{ device_list(filters: {site_id: ["3"]}) { name } }`,
			`{ device_list(filters: {site_id: "3"}) { name } }`, 1},
		{"4.2 id list becomes an OR under AND",
			`{ device_list(filters: {status: {exact: STATUS_ACTIVE}, site_id: ["3", "4"]}) { name } }`,
			`{ device_list(filters: {status: {exact: STATUS_ACTIVE}, AND: {site_id: "3", OR: {site_id: "4"}}}) { name } }`, 1},
		{"4.2 tree filter matched descendants",
			`{ device_list(filters: {location_id: ["2"]}) { name } }`,
			`{ device_list(filters: {location_id: {id: "2", match_type: SELF_AND_DESCENDANTS}}) { name } }`, 1},
		{"inside OR and NOT",
			`{ site_list(filters: {status: STATUS_PLANNED, OR: {tenant: {name: {exact: "Foo"}}, NOT: {status: STATUS_RETIRED}}}) { name } }`,
			`{ site_list(filters: {status: {exact: STATUS_PLANNED}, OR: {tenant: {name: {exact: "Foo"}}, NOT: {status: {exact: STATUS_RETIRED}}}}) { name } }`, 2},
		{"inside a fragment",
			`{ device_list { ...D } } fragment D on DeviceType { interfaces(filters: {enabled: false}) { name } }`,
			`{ device_list { ...D } } fragment D on DeviceType { interfaces(filters: {enabled: {exact: false}}) { name } }`, 1},
		{"variable of the enum type",
			`query Q($s: SiteStatusEnum) { site_list(filters: {status: $s}) { name } }`,
			`query Q($s: SiteStatusEnum) { site_list(filters: {status: {exact: $s}}) { name } }`, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := u.Upgrade(c.old, "", nil)
			if got, want := res.Query, canonical(t, c.want); got != want {
				t.Errorf("upgraded to\n%s\nwant\n%s", got, want)
			}
			if len(res.Rewrites) != c.rewrites {
				t.Errorf("rewrites %+v, want %d", res.Rewrites, c.rewrites)
			}
			for _, r := range res.Rewrites {
				if r.Path == "" || r.Old == "" || r.New == "" || r.Old == r.New {
					t.Errorf("rewrite %+v does not say what changed where", r)
				}
			}
			// The 4.6 form itself is valid and never rewritten.
			if again := u.Upgrade(res.Query, "", nil); len(again.Rewrites) != 0 || again.Query != res.Query {
				t.Errorf("the upgraded query was rewritten again: %+v", again.Rewrites)
			}
		})
	}
}

func TestValidQueriesUntouched(t *testing.T) {
	u := netbox46(t)
	for _, q := range []string{
		`{ device_list(filters: {status: {exact: STATUS_ACTIVE}, site_id: "1"}) { name } }`,
		`{ interface_list(filters: {mtu: {filter_lookup: {exact: 1500}}}) { name } }`,
		`query Q($f: DeviceFilter) { device_list(filters: $f) { name } }`,
	} {
		res := u.Upgrade(q, "", map[string]any{"f": map[string]any{"name": map[string]any{"exact": "x"}}})
		if res.Query != q || len(res.Rewrites) != 0 {
			t.Errorf("%s was rewritten: %+v", q, res.Rewrites)
		}
	}
}

func TestUnfixableQueriesLeftAsWritten(t *testing.T) {
	u := netbox46(t)
	for _, q := range []string{
		`{ device_list(filters: {status: STATUS_NONSENSE}) { name } }`,
		`{ device_list(filters: {status: STATUS_ACTIVE}) { no_such_field } }`,
		`{ device_list(filters: {mtu: {gt: 1, range: {start: 1, end: 2}}}) { name } }`,
		`{ device_list(filters: {status: STATUS_ACTIVE) { name } }`,
	} {
		if res := u.Upgrade(q, "", nil); res.Query != q || len(res.Rewrites) != 0 {
			t.Errorf("%s became %s", q, res.Query)
		}
	}
}

func TestVariablesUpgraded(t *testing.T) {
	u := netbox46(t)
	q := `query Q($f: DeviceFilter) { device_list(filters: $f) { name } }`
	vars := map[string]any{"f": map[string]any{"status": "active", "site_id": []any{"1"}, "vc_position": float64(2)}}
	res := u.Upgrade(q, "Q", vars)
	got, _ := json.Marshal(res.Variables["f"])
	want := `{"site_id":"1","status":{"exact":"STATUS_ACTIVE"},"vc_position":{"filter_lookup":{"exact":2}}}`
	if string(got) != want {
		t.Errorf("variables upgraded to %s, want %s", got, want)
	}
	if len(res.Rewrites) != 3 {
		t.Errorf("rewrites %+v, want 3", res.Rewrites)
	}
	if _, ok := vars["f"].(map[string]any)["status"].(string); !ok {
		t.Error("the caller's variables were modified")
	}
}

// miniSDL has the shapes of NetBox 4.6's filter inputs, so the rules are tested where NetBox's
// own schema is not at hand.
const miniSDL = `
directive @oneOf on INPUT_OBJECT
enum ThingStatusEnum { STATUS_ACTIVE STATUS_PLANNED }
input ThingStatusEnumBaseFilterLookup { exact: ThingStatusEnum in_list: [ThingStatusEnum!] is_null: Boolean }
input StrFilterLookup { exact: String i_contains: String in_list: [String!] }
input IntFilterLookup { exact: Int in_list: [Int!] is_null: Boolean }
input IntRangeLookup { start: Int end: Int }
input IntComparisonFilterLookup { exact: Int gt: Int gte: Int lt: Int lte: Int in_list: [Int!] is_null: Boolean }
input IntegerLookup @oneOf { filter_lookup: IntFilterLookup range_lookup: IntRangeLookup comparison_lookup: IntComparisonFilterLookup }
input ThingFilter { name: StrFilterLookup status: ThingStatusEnumBaseFilterLookup size: IntegerLookup owner_id: ID AND: ThingFilter OR: ThingFilter NOT: ThingFilter }
type Thing { name: String }
type Query { thing_list(filters: ThingFilter): [Thing!]! }
`

func TestUpgradeMiniSchema(t *testing.T) {
	u, err := New(miniSDL)
	if err != nil {
		t.Fatal(err)
	}
	res := u.Upgrade(`{ thing_list(filters: {name: "a", status: "planned", size: {lt: 3}, owner_id: ["1", "2"]}) { name } }`, "", nil)
	want := canonical(t, `{ thing_list(filters: {name: {exact: "a"}, status: {exact: STATUS_PLANNED}, size: {comparison_lookup: {lt: 3}}, AND: {owner_id: "1", OR: {owner_id: "2"}}}) { name } }`)
	if res.Query != want {
		t.Errorf("upgraded to\n%s\nwant\n%s", res.Query, want)
	}
	if len(res.Rewrites) != 4 {
		t.Errorf("rewrites %+v, want 4", res.Rewrites)
	}
}

// TestUpgradeIDInList: Graphbox's earlier `site_id: {in_list: [...]}` becomes an OR of NetBox
// 4.6's bare IDs, under AND so the other fields still apply to every branch.
func TestUpgradeIDInList(t *testing.T) {
	u := netbox46(t)
	r := u.Upgrade(`{ device_list(filters: {name: {exact: "a"}, site_id: {in_list: ["1", "2"]}}) { name } }`, "", nil)
	want := canonical(t, `{ device_list(filters: {name: {exact: "a"}, AND: {site_id: "1", OR: {site_id: "2"}}}) { name } }`)
	if got := canonical(t, r.Query); got != want || len(r.Rewrites) != 1 {
		t.Errorf("got %s (%d rewrites), want %s", got, len(r.Rewrites), want)
	}
}
