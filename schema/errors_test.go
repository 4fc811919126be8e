package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
)

// A tiny schema with each field twice: answered by a resolver that returns its error, as
// graphql-go expects, and by one that takes no context and returns no error, failing through
// must, as the generated relation resolvers do.
const mustSDL = `
schema { query: Query }
type Query {
	items: [Item!]!
	slowItems(n: Int): [Item!]!
}
type Item {
	id: Int!
	returned: Item
	inline: Item
	cancelled: Item
	boom: Item
}`

type mustQuery struct{}

func (*mustQuery) Items() []*mustItem { return []*mustItem{{1}, {2}, {3}} }

// SlowItems takes arguments, so graphql-go runs it, and the fields below it, in goroutines.
func (*mustQuery) SlowItems(args struct{ N *int32 }) []*mustItem { return []*mustItem{{1}, {2}} }

type mustItem struct{ id int32 }

func (i *mustItem) ID() int32 { return i.id }

// child fails for odd ids with a coded error.
func (i *mustItem) child() (*mustItem, error) {
	if i.id%2 == 1 {
		return nil, coded("NOT_FOUND", "item %d has no child", i.id)
	}
	return &mustItem{i.id * 10}, nil
}

func (i *mustItem) Returned(ctx context.Context) (*mustItem, error) { return i.child() }
func (i *mustItem) Inline() *mustItem                               { return must(i.child()) }
func (i *mustItem) Cancelled() *mustItem                            { return must[*mustItem](nil, context.Canceled) }
func (i *mustItem) Boom() *mustItem                                 { panic(fmt.Sprintf("bug at item %d", i.id)) }

// TestMustFailsTheFieldAsAReturnedError: a field failing through must gets the error a returned
// error gets (message, extensions.code, its own path), in lists and under fields graphql-go runs
// in goroutines; a context error is classified as one; any other panic is masked and logged,
// and must's are not logged.
func TestMustFailsTheFieldAsAReturnedError(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := graphql.ParseSchema(mustSDL, &mustQuery{}, graphql.PanicHandler(panicHandler{}), graphql.Logger(panicLogger{log}))
	if err != nil {
		t.Fatal(err)
	}
	type fieldErr struct{ path, message, code string }
	run := func(q string) (map[string]fieldErr, string) {
		t.Helper()
		logs.Reset()
		resp := s.Exec(context.Background(), q, "", nil)
		classifyErrors(resp)
		out := map[string]fieldErr{}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			p := fmt.Sprint(e.Path)
			out[p] = fieldErr{p, e.Message, code}
		}
		return out, string(resp.Data)
	}

	for _, list := range []string{"items", "slowItems"} {
		errs, data := run(`{ ` + list + ` { id returned { id } inline { id } } }`)
		n := 0
		for p, e := range errs {
			if !strings.Contains(p, " returned]") {
				continue
			}
			n++
			in := strings.Replace(p, " returned]", " inline]", 1)
			got, ok := errs[in]
			if !ok {
				t.Errorf("%s: %s failed with %+v, %s did not fail", list, p, e, in)
				continue
			}
			if got.message != e.message || got.code != e.code {
				t.Errorf("%s: %+v, want %+v as the returned error", list, got, e)
			}
		}
		if n == 0 || len(errs) != 2*n || errs["["+list+" 0 inline]"].code != "NOT_FOUND" {
			t.Errorf("%s: errors %v, want NOT_FOUND at returned and inline of each odd item", list, errs)
		}
		if !strings.Contains(data, `"inline":{"id":20}`) {
			t.Errorf("%s: data %s, want item 2's child answered inline", list, data)
		}
		if logs.Len() > 0 {
			t.Errorf("%s: a field error was logged as a panic: %s", list, logs.String())
		}
	}

	errs, _ := run(`{ items { id cancelled { id } } }`)
	if e := errs["[items 1 cancelled]"]; e.code != CodeCancelled {
		t.Errorf("a context error through must: %+v, want %s", e, CodeCancelled)
	}

	errs, data := run(`{ slowItems { id boom { id } } }`)
	e := errs["[slowItems 1 boom]"]
	if e.code != CodeInternal || e.message != "internal server error" || strings.Contains(data, "bug at") {
		t.Errorf("a resolver's bug: %+v, data %s, want it masked", e, data)
	}
	if !strings.Contains(logs.String(), "resolver panic") || !strings.Contains(logs.String(), "bug at item 2") {
		t.Errorf("a resolver's bug was not logged: %q", logs.String())
	}
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Errorf("data is not JSON: %s", data)
	}
}
