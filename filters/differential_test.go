package filters

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/graphbox/graphbox/filters/filtertest"
	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// TestDifferential compares Plan.Run over the fake REST API with the reference evaluator on
// random filter trees. GRAPHBOX_FUZZ_SEED (a number or "random") and GRAPHBOX_FUZZ_N run it
// longer: GRAPHBOX_FUZZ_SEED=random GRAPHBOX_FUZZ_N=100000 go test -run Differential ./filters
func TestDifferential(t *testing.T) {
	seed, n := filtertest.FuzzSettings(t, 20261121, 3000)
	t.Logf("seed %d, %d filters", seed, n)
	reg := testRegistry()
	data := makeData(seed)
	differential(t, diffConfig{reg: reg, data: data, obj: "Device", seed: seed, n: n, depth: 3,
		fetcher: func(r *rand.Rand) Fetcher { return &fakeREST{reg: reg, data: data, maxPage: 1 + r.Intn(40)} }})
}

// TestDifferentialShortURLs runs the differential against an upstream whose URLs take only a
// few ids past the window's reserve and which fails longer queries, as a server answering 414
// would: semi-joins are then split into chunks, and must still give the reference's rows.
func TestDifferentialShortURLs(t *testing.T) {
	seed, n := filtertest.FuzzSettings(t, 20261122, 1500)
	reg := testRegistry()
	data := makeData(seed)
	splits := 0
	differential(t, diffConfig{reg: reg, data: data, obj: "Device", seed: seed, n: n, depth: 3,
		fetcher: func(r *rand.Rand) Fetcher {
			return &shortURLs{fakeREST: &fakeREST{reg: reg, data: data, maxPage: 1 + r.Intn(40)}, max: WindowReserve + 100 + r.Intn(150)}
		},
		refused: func(err error) bool { return strings.Contains(err.Error(), "narrow the filter") },
		compared: func(p *Plan, f Fetcher) {
			// the same plan, resolved without the limit: did it need a split to fit?
			plain := &Plan{reg: p.reg, obj: p.obj, dnf: p.dnf, cache: &setCache{sets: map[string][]int{}}}
			bs, err := plain.resolveDNF(context.Background(), f.(*shortURLs).fakeREST, p.obj, p.dnf)
			if err != nil {
				t.Errorf("resolve without the limit: %v", err)
			}
			for _, q := range bs {
				if len(q.Encode()) > f.(QueryLimiter).MaxQuery(p.obj)-WindowReserve {
					splits++
					return
				}
			}
		}})
	t.Logf("%d plans needed a split", splits)
	if splits < n/40 {
		t.Errorf("only %d of %d plans needed a split; the test proves little", splits, n)
	}
}

// shortURLs is the fake upstream with a URL limit: it fails a longer query.
type shortURLs struct {
	*fakeREST
	max int
}

func (s *shortURLs) MaxQuery(*model.Object) int { return s.max }

func (s *shortURLs) check(q url.Values) error {
	if n := len(q.Encode()); n > s.max {
		return fmt.Errorf("414 Request-URI Too Long: %d characters, at most %d", n, s.max)
	}
	return nil
}

func (s *shortURLs) Page(ctx context.Context, obj *model.Object, q url.Values) (*rest.Page, error) {
	if err := s.check(q); err != nil {
		return nil, err
	}
	return s.fakeREST.Page(ctx, obj, q)
}

func (s *shortURLs) All(ctx context.Context, obj *model.Object, q url.Values) ([]rest.Object, error) {
	if err := s.check(q); err != nil {
		return nil, err
	}
	return s.fakeREST.All(ctx, obj, q)
}

// diffConfig lets the differential run over another upstream (the simulator): data must be
// what that upstream serves, fetcher a Fetcher over it (each call may vary page sizes).
type diffConfig struct {
	reg     *model.Registry
	data    dataset
	obj     string
	seed    int64
	n       int
	depth   int
	fetcher func(*rand.Rand) Fetcher
	// refused tells the run-time refusals the plan may make by design (nil: none).
	refused func(error) bool
	// compared, when set, sees each plan whose answer matched, with its fetcher.
	compared func(*Plan, Fetcher)
}

func differential(t *testing.T, cfg diffConfig) {
	reg, data := cfg.reg, cfg.data
	ref := newReference(reg, data)
	g := newGen(rand.New(rand.NewSource(cfg.seed)), reg, data)
	dev := reg.Object(cfg.obj)
	unordered := *dev // an endpoint without ordering=: merged ORs read every branch
	unordered.Ordering = false
	ctx := context.Background()
	n := cfg.n
	errs, multi, failures, refusedRuns := map[string]int{}, 0, 0, 0
	forms := map[string]int{} // NetBox 4.6 forms in the trees compared
	for i := 0; i < n && failures < 5; i++ {
		dev := dev
		in := g.filter(dev, cfg.depth)
		w := g.window(dev)
		if i%8 == 7 {
			dev = &unordered
			w.Ordering = nil
		}
		fetcher := cfg.fetcher(g.r)
		logOf := func() string {
			if fk, ok := fetcher.(*fakeREST); ok {
				return strings.Join(fk.log, "\n  ")
			}
			return "(not recorded)"
		}
		show := func() string {
			b, _ := json.Marshal(in)
			return string(b)
		}
		plan, err := Compile(reg, dev, in)
		if err != nil {
			if errs[errClass(err)] < 3 {
				t.Logf("refused: %v", err)
			}
			errs[errClass(err)]++
			continue
		}
		if len(plan.dnf) > 1 {
			multi++
		}
		res, err := plan.Run(ctx, fetcher, w)
		if err != nil && cfg.refused != nil && cfg.refused(err) {
			if refusedRuns < 3 {
				t.Logf("refused when run: %v", err)
			}
			refusedRuns++
			continue
		}
		if err != nil {
			t.Errorf("#%d Run: %v\nfilter %s\nwindow %+v\nplan %s", i, err, show(), w, plan.Explain())
			failures++
			continue
		}
		wantIDs, wantTotal := ref.rows(dev, in, w)
		got := idsOf(res.Rows)
		if w.Limit == 0 {
			wantIDs = []int{}
		}
		if len(got) == 0 && len(wantIDs) == 0 {
			got, wantIDs = nil, nil
		}
		if res.Total != wantTotal || !reflect.DeepEqual(got, wantIDs) {
			t.Errorf("#%d mismatch\nfilter %s\nwindow %+v\nplan %s\ngot  total %d ids %v\nwant total %d ids %v\nrequests:\n  %s",
				i, show(), w, plan.Explain(), res.Total, got, wantTotal, wantIDs, logOf())
			failures++
			continue
		}
		if cfg.compared != nil {
			cfg.compared(plan, fetcher)
		}
		countForms(reg, dev, in, false, forms)
		// Count agrees with the reference, and Simple gives the same rows when it applies.
		cnt, err := plan.Count(ctx, fetcher)
		if err != nil || cnt != len(mustAll(ref, dev, in)) {
			t.Errorf("#%d Count = %d, %v; filter %s", i, cnt, err, show())
			failures++
		}
		if q, ok, err := plan.Simple(ctx, fetcher); err != nil {
			t.Errorf("#%d Simple: %v", i, err)
		} else if ok {
			rows, err := fetcher.All(ctx, dev, q)
			if err != nil || !reflect.DeepEqual(idsOf(rows), mustAll(ref, dev, in)) {
				t.Errorf("#%d Simple %s gives %v, want %v (%v)", i, q.Encode(), idsOf(rows), mustAll(ref, dev, in), err)
				failures++
			}
		}
	}
	t.Logf("%d filters, %d merged OR plans; compile errors by class: %v; %d refused when run", n, multi, errs, refusedRuns)
	t.Logf("NetBox 4.6 forms compared: %v", forms)
	if n >= 1000 {
		for _, f := range []string{"enum lookup", "enum is_null", "bare enum", "ID", "DISTINCT", "DISTINCT in a related filter",
			"filter_lookup", "range_lookup", "comparison_lookup", "null range", "NOT null range", "year", "iso_year", "date",
			"bool in_list", "tags", "NOT tags", "tags compound"} {
			if forms[f] == 0 {
				t.Errorf("no compared tree uses %s", f)
			}
		}
	}
	if refusedRuns > n/10 {
		t.Errorf("%d of %d plans were refused when run", refusedRuns, n)
	}
	bad := 0
	for _, c := range errs {
		bad += c
	}
	if bad > n/20 {
		t.Errorf("%d of %d random filters did not compile: %v", bad, n, errs)
	}
}

func mustAll(ref *reference, obj *model.Object, in map[string]any) []int {
	ids, _ := ref.rows(obj, in, Window{Limit: 1 << 30})
	if ids == nil {
		ids = []int{}
	}
	return ids
}

// errClass groups the expected refusals of the test registry's deliberately missing lookups.
func errClass(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "has no parameter"):
		return "missing lookup"
	case strings.Contains(s, "more than"):
		return "too many branches"
	case strings.Contains(s, "derived"):
		return "derived"
	}
	return s
}

// countForms counts the NetBox 4.6 forms of a filter input (neg: under an odd number of NOTs).
func countForms(reg *model.Registry, obj *model.Object, in map[string]any, neg bool, used map[string]int) {
	for k, v := range in {
		if v == nil {
			continue
		}
		switch k {
		case "AND", "OR", "NOT":
			countForms(reg, obj, v.(map[string]any), neg != (k == "NOT"), used)
			continue
		case "DISTINCT":
			used["DISTINCT"]++
			if obj.FilterField("DISTINCT") == nil {
				used["DISTINCT in a related filter"]++
			}
			continue
		}
		ff := obj.FilterField(k)
		switch ff.Kind {
		case model.FilterChoice:
			if lks, ok := v.(map[string]any); ok {
				used["enum lookup"]++
				if lks["is_null"] != nil {
					used["enum is_null"]++
				}
			} else {
				used["bare enum"]++
			}
		case model.FilterID:
			used["ID"]++
		case model.FilterRelated:
			sub := v.(map[string]any)
			if ff.Name == "tags" {
				used["tags"]++
				if neg {
					used["NOT tags"]++
				}
				if len(sub) > 1 {
					used["tags compound"]++
				}
			}
			countForms(reg, reg.Object(ff.Related), sub, neg, used)
		case model.FilterLookup:
			lks := v.(map[string]any)
			if ff.OneOf {
				var member string
				member, lks = filtertest.MemberLookups(lks)
				used[member]++
			}
			for lk, lv := range lks {
				switch lk {
				case "year", "iso_year", "date":
					used[lk]++
					if r, ok := lv.(map[string]any)["range"].(map[string]any); ok && (r["start"] == nil || r["end"] == nil) {
						used["null range"]++
					}
				case "range":
					if r := lv.(map[string]any); r["start"] == nil || r["end"] == nil {
						used["null range"]++
						if neg {
							used["NOT null range"]++
						}
					}
				case "in_list":
					if obj.Filter(ff.Param).Type == model.ParamBool {
						used["bool in_list"]++
					}
				}
			}
		}
	}
}
