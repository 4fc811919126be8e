package filters

import (
	"context"
	"math/rand"
	"reflect"
	"testing"

	"github.com/graphbox/graphbox/filters/internal/order"
	"github.com/graphbox/graphbox/rest"
)

// TestWithBatchAll checks the reverse-relation helpers on random filters: the filter ANDed with
// site_id ∈ {parents} through With+All, and through Batch when the plan is one request.
func TestWithBatchAll(t *testing.T) {
	reg := testRegistry()
	data := makeData(3)
	ref := newReference(reg, data)
	g := newGen(rand.New(rand.NewSource(3)), reg, data)
	dev := reg.Object("Device")
	ctx := context.Background()
	parents := []string{"1", "2", "5", "9"}
	batched := 0
	for i := 0; i < 500; i++ {
		in := g.filter(dev, 2)
		fake := &fakeREST{reg: reg, data: data, maxPage: 1 + g.r.Intn(30)}
		p, err := Compile(reg, dev, in)
		if err != nil {
			continue
		}
		// The matching rows in the upstream's default order (devices by name, then id).
		var wantRows []rest.Object
		for _, row := range data["Device"] {
			site := nestedID(row["site"])
			if site != 1 && site != 2 && site != 5 && site != 9 {
				continue
			}
			if m, empty := ref.eval(dev, row, in); m || empty {
				wantRows = append(wantRows, row)
			}
		}
		order.Default(wantRows, nil, dev, nil)
		want := idsOf(wantRows)
		if want == nil {
			want = []int{}
		}
		wp, err := p.With("site_id", parents...)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := wp.All(ctx, fake, []string{"name"})
		if err != nil {
			t.Fatalf("All: %v\nplan %s", err, wp.Explain())
		}
		if got := idsOf(rows); !reflect.DeepEqual(got, want) {
			t.Fatalf("With+All: got %v, want %v\nplan %s", got, want, wp.Explain())
		}
		q, ok, err := p.Batch(ctx, fake, "site_id", parents)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		batched++
		got := []int{}
		if q != nil {
			rows, err := fake.All(ctx, dev, q)
			if err != nil {
				t.Fatal(err)
			}
			got = idsOf(rows)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Batch %s: got %v, want %v", q.Encode(), got, want)
		}
	}
	if batched == 0 {
		t.Fatal("no plan was batchable")
	}
	p, _ := Compile(reg, dev, map[string]any{"site_id": "1"})
	q, ok, err := p.Batch(ctx, &fakeREST{reg: reg, data: data, maxPage: 10}, "site_id", []string{"2", "3"})
	if err != nil || !ok || q != nil {
		t.Fatalf("site_id=1 with parents 2,3 must match nothing: %v %v %v", q, ok, err)
	}
	if _, err := p.With("nope", "1"); err == nil {
		t.Fatal("With on an unknown parameter accepted")
	}
}

func BenchmarkCompileComplex(b *testing.B) {
	reg := testRegistry()
	dev := reg.Object("Device")
	in := map[string]any{
		"NOT": map[string]any{
			"name":   map[string]any{"i_contains": "core", "regex": "^c"},
			"status": []any{"STATUS_ACTIVE", "STATUS_FAILED"},
			"OR":     map[string]any{"position": cmp(map[string]any{"gt": 1.0}), "tenant": map[string]any{"name": map[string]any{"exact": "Foo"}}},
		},
		"OR": map[string]any{"site": map[string]any{"region": map[string]any{"slug": map[string]any{"exact": "r2"}}, "NOT": map[string]any{"status": "STATUS_RETIRED"}}},
	}
	for b.Loop() {
		if _, err := Compile(reg, dev, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunMergedOR(b *testing.B) {
	reg := testRegistry()
	data := makeData(1)
	dev := reg.Object("Device")
	p, err := Compile(reg, dev, map[string]any{"name": map[string]any{"i_contains": "c"}, "OR": map[string]any{"position": cmp(map[string]any{"gt": 1.0})}})
	if err != nil {
		b.Fatal(err)
	}
	fake := &fakeREST{reg: reg, data: data, maxPage: 1000}
	for b.Loop() {
		if _, err := p.Run(context.Background(), fake, Window{Offset: 10, Limit: 20}); err != nil {
			b.Fatal(err)
		}
	}
}
