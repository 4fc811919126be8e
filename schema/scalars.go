package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	graphql "github.com/graph-gophers/graphql-go"
)

// JSON is the JSON scalar: a free-form value passed through as the upstream gave it.
type JSON struct{ Value any }

// ImplementsGraphQLType binds JSON to the JSON scalar.
func (JSON) ImplementsGraphQLType(name string) bool { return name == "JSON" }

// UnmarshalGraphQL accepts any input value.
func (j *JSON) UnmarshalGraphQL(input any) error {
	j.Value = input
	return nil
}

// MarshalJSON writes the value as it is.
func (j JSON) MarshalJSON() ([]byte, error) { return json.Marshal(j.Value) }

// BigInt is NetBox's BigInt scalar: an integer beyond 32 bits, written as a JSON number.
type BigInt int64

// ImplementsGraphQLType binds BigInt to the BigInt scalar.
func (BigInt) ImplementsGraphQLType(name string) bool { return name == "BigInt" }

// UnmarshalGraphQL accepts an integer, a whole float (from JSON variables) or a decimal string.
func (b *BigInt) UnmarshalGraphQL(input any) error {
	switch v := input.(type) {
	case int32:
		*b = BigInt(v)
	case int64:
		*b = BigInt(v)
	case int:
		*b = BigInt(v)
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return fmt.Errorf("BigInt: %v is not an integer", v)
		}
		*b = BigInt(v)
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("BigInt: %q is not an integer", v)
		}
		*b = BigInt(n)
	default:
		return fmt.Errorf("BigInt: wrong type %T", input)
	}
	return nil
}

// MarshalJSON writes the number.
func (b BigInt) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(b), 10), nil }

// FilterInput carries any <Model>Filter input as graphql-go built it, for the filters package to
// compile against the registry: one Go type serves all 123 filter inputs.
type FilterInput struct{ Raw map[string]any }

// ImplementsGraphQLType binds FilterInput to every <Model>Filter input.
func (FilterInput) ImplementsGraphQLType(name string) bool { return strings.HasSuffix(name, "Filter") }

// Nullable lets graphql-go hand an absent or null filters argument to UnmarshalGraphQL:
// graphql-go only calls custom unmarshalers for input objects held by value.
func (*FilterInput) Nullable() {}

// UnmarshalGraphQL keeps the validated input object.
func (f *FilterInput) UnmarshalGraphQL(input any) error {
	if input == nil {
		f.Raw = nil
		return nil
	}
	m, ok := input.(map[string]any)
	if !ok {
		return fmt.Errorf("filters: expected an input object, got %T", input)
	}
	f.Raw = m
	return nil
}

// OffsetPaginationInput is the pagination argument of lists and relations.
type OffsetPaginationInput struct {
	Offset int32  `graphql:"offset"`
	Limit  *int32 `graphql:"limit"`
}

type idArgs struct {
	ID graphql.ID
}

type listArgs struct {
	Filters    FilterInput
	Pagination *OffsetPaginationInput
	Q          *string
	Ordering   *[]string
}

type relationArgs struct {
	Filters    FilterInput            `graphql:"filters"`
	Pagination *OffsetPaginationInput `graphql:"pagination"`
}

// pageInfo resolves OffsetPaginationInfo.
type pageInfo struct {
	offset int32
	limit  *int32
}

func (p *pageInfo) Offset() int32 { return p.offset }
func (p *pageInfo) Limit() *int32 { return p.limit }

// familyResolver resolves IPAddressFamilyType, NetBox's {value, label} for IP families.
type familyResolver struct {
	value int32
	label string
}

func (f *familyResolver) Value() int32  { return f.value }
func (f *familyResolver) Label() string { return f.label }
