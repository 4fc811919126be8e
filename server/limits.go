package server

import (
	"errors"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Error codes in extensions.code of the errors this package writes.
const (
	CodeBadRequest          = "BAD_REQUEST"
	CodeParseFailed         = "GRAPHQL_PARSE_FAILED"
	CodeOperationNotFound   = "OPERATION_NOT_FOUND"
	CodeOperationNotAllowed = "OPERATION_NOT_ALLOWED"
	CodeQueryTooLong        = "QUERY_TOO_LONG"
	CodeQueryTooDeep        = "QUERY_TOO_DEEP"
	CodeTooManyAliases      = "TOO_MANY_ALIASES"
	CodeTooManySelections   = "TOO_MANY_SELECTIONS"
	CodePayloadTooLarge     = "PAYLOAD_TOO_LARGE"
	CodeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	CodeInternal            = "INTERNAL_SERVER_ERROR"
	CodeOverloaded          = "OVERLOADED"
	CodeRateLimited         = "RATE_LIMITED"
	CodeTooManyErrors       = "TOO_MANY_ERRORS"
)

// saturation bounds the counters: with fragments spread many times the expanded counts grow
// exponentially with the document, and they only need to be compared with a limit.
const saturation = 1 << 30

// requestError is an error a client caused; it is answered before execution.
type requestError struct {
	Message   string
	Code      string
	Locations []location
}

func (e *requestError) Error() string { return e.Message }

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// limits are the checks made on a query document before it reaches the executor.
type limits struct {
	MaxQueryLength int
	MaxDepth       int
	MaxAliases     int
	MaxSelections  int
}

// cost is what a selection set weighs once every fragment is expanded where it is spread.
type cost struct {
	depth      int // deepest chain of fields; introspection subtrees count as one level
	aliases    int // fields whose response name differs from the field name
	selections int // fields, fragments expanded
}

func (c cost) add(o cost) cost {
	return cost{
		depth:      max(c.depth, o.depth),
		aliases:    satAdd(c.aliases, o.aliases),
		selections: satAdd(c.selections, o.selections),
	}
}

func satAdd(a, b int) int {
	if a+b > saturation {
		return saturation
	}
	return a + b
}

// parseDocument parses query, picks the operation the request runs and checks it against the
// limits. It returns the document and every limit that is exceeded, not only the first.
func parseDocument(query, operationName string, lim limits) (*ast.QueryDocument, []*requestError) {
	if lim.MaxQueryLength > 0 && len(query) > lim.MaxQueryLength {
		return nil, []*requestError{{
			Message: fmt.Sprintf("query is %d bytes long, more than the limit of %d", len(query), lim.MaxQueryLength),
			Code:    CodeQueryTooLong,
		}}
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
	if err != nil {
		return nil, []*requestError{parseError(err)}
	}
	op, rerr := selectOperation(doc, operationName)
	if rerr != nil {
		return nil, []*requestError{rerr}
	}
	if op.Operation != ast.Query && op.Operation != "" {
		return nil, []*requestError{{
			Message:   fmt.Sprintf("%s operations are not supported: this API is read-only, send a query", op.Operation),
			Code:      CodeOperationNotAllowed,
			Locations: positionLocation(op.Position),
		}}
	}

	a := analyzer{fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		memo: make(map[string]cost), visiting: make(map[string]bool)}
	for _, f := range doc.Fragments {
		if _, dup := a.fragments[f.Name]; dup {
			return nil, []*requestError{{Message: fmt.Sprintf("fragment %q is defined more than once", f.Name),
				Code: CodeParseFailed, Locations: positionLocation(f.Position)}}
		}
		a.fragments[f.Name] = f
	}
	c, err := a.selectionSet(op.SelectionSet)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			return nil, []*requestError{re}
		}
		return nil, []*requestError{{Message: err.Error(), Code: CodeParseFailed}}
	}

	var errs []*requestError
	if lim.MaxDepth > 0 && c.depth > lim.MaxDepth {
		errs = append(errs, &requestError{
			Message: fmt.Sprintf("query depth %s exceeds the limit of %d", countString(c.depth), lim.MaxDepth),
			Code:    CodeQueryTooDeep,
		})
	}
	if lim.MaxAliases > 0 && c.aliases > lim.MaxAliases {
		errs = append(errs, &requestError{
			Message: fmt.Sprintf("query uses %s aliases, more than the limit of %d", countString(c.aliases), lim.MaxAliases),
			Code:    CodeTooManyAliases,
		})
	}
	if lim.MaxSelections > 0 && c.selections > lim.MaxSelections {
		errs = append(errs, &requestError{
			Message: fmt.Sprintf("query selects %s fields (fragments expanded), more than the limit of %d", countString(c.selections), lim.MaxSelections),
			Code:    CodeTooManySelections,
		})
	}
	return doc, errs
}

func countString(n int) string {
	if n >= saturation {
		return fmt.Sprintf("over %d", saturation)
	}
	return fmt.Sprint(n)
}

func parseError(err error) *requestError {
	re := &requestError{Message: "cannot parse the query: " + err.Error(), Code: CodeParseFailed}
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		re.Message = "cannot parse the query: " + ge.Message
		for _, l := range ge.Locations {
			re.Locations = append(re.Locations, location{Line: l.Line, Column: l.Column})
		}
	}
	return re
}

func positionLocation(p *ast.Position) []location {
	if p == nil {
		return nil
	}
	return []location{{Line: p.Line, Column: p.Column}}
}

// selectOperation applies GraphQL's rule: the named operation, or the only one.
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *requestError) {
	if len(doc.Operations) == 0 {
		return nil, &requestError{Message: "the document contains no operation", Code: CodeParseFailed}
	}
	if name == "" {
		if len(doc.Operations) > 1 {
			return nil, &requestError{
				Message: "the document contains several operations: operationName must name the one to run",
				Code:    CodeOperationNotFound,
			}
		}
		return doc.Operations[0], nil
	}
	for _, op := range doc.Operations {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, &requestError{Message: fmt.Sprintf("no operation named %q in the document", name), Code: CodeOperationNotFound}
}

// analyzer computes the cost of selection sets, each fragment once (memo), so a document of n
// selections costs O(n) to check whatever its expanded size.
type analyzer struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]cost
	visiting  map[string]bool
}

func (a *analyzer) selectionSet(set ast.SelectionSet) (cost, error) {
	var total cost
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			sub, err := a.selectionSet(s.SelectionSet)
			if err != nil {
				return cost{}, err
			}
			c := cost{depth: 1 + sub.depth, aliases: sub.aliases, selections: satAdd(1, sub.selections)}
			if s.Name == "__schema" || s.Name == "__type" {
				// Introspection is answered from the schema in memory, and GraphiQL's own
				// introspection query nests ofType a dozen levels deep.
				c.depth = 1
			}
			if s.Alias != "" && s.Alias != s.Name {
				c.aliases = satAdd(c.aliases, 1)
			}
			total = total.add(c)
		case *ast.InlineFragment:
			sub, err := a.selectionSet(s.SelectionSet)
			if err != nil {
				return cost{}, err
			}
			total = total.add(sub)
		case *ast.FragmentSpread:
			sub, err := a.fragment(s)
			if err != nil {
				return cost{}, err
			}
			total = total.add(sub)
		}
	}
	return total, nil
}

func (a *analyzer) fragment(s *ast.FragmentSpread) (cost, error) {
	if c, ok := a.memo[s.Name]; ok {
		return c, nil
	}
	def, ok := a.fragments[s.Name]
	if !ok {
		return cost{}, &requestError{Message: fmt.Sprintf("unknown fragment %q", s.Name),
			Code: CodeParseFailed, Locations: positionLocation(s.Position)}
	}
	if a.visiting[s.Name] {
		return cost{}, &requestError{Message: fmt.Sprintf("fragment %q spreads itself (a fragment cycle)", s.Name),
			Code: CodeParseFailed, Locations: positionLocation(s.Position)}
	}
	a.visiting[s.Name] = true
	c, err := a.selectionSet(def.SelectionSet)
	delete(a.visiting, s.Name)
	if err != nil {
		return cost{}, err
	}
	a.memo[s.Name] = c
	return c, nil
}
