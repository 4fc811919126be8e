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

// Decimal is NetBox's Decimal scalar, written as a string as strawberry writes Python's Decimal.
type Decimal string

// DateTime is NetBox's DateTime scalar: ISO 8601, as REST gives it.
type DateTime string

// Date is NetBox's Date scalar: YYYY-MM-DD.
type Date string

// Time is NetBox's Time scalar.
type Time string

// UUID is NetBox's UUID scalar.
type UUID string

// ImplementsGraphQLType binds Decimal to the Decimal scalar.
func (Decimal) ImplementsGraphQLType(name string) bool { return name == "Decimal" }

// ImplementsGraphQLType binds DateTime to the DateTime scalar.
func (DateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }

// ImplementsGraphQLType binds Date to the Date scalar.
func (Date) ImplementsGraphQLType(name string) bool { return name == "Date" }

// ImplementsGraphQLType binds Time to the Time scalar.
func (Time) ImplementsGraphQLType(name string) bool { return name == "Time" }

// ImplementsGraphQLType binds UUID to the UUID scalar.
func (UUID) ImplementsGraphQLType(name string) bool { return name == "UUID" }

func unmarshalString(name string, input any) (string, error) {
	switch v := input.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case int32:
		return strconv.Itoa(int(v)), nil
	}
	return "", fmt.Errorf("%s: wrong type %T", name, input)
}

// UnmarshalGraphQL accepts a decimal string or a number.
func (d *Decimal) UnmarshalGraphQL(input any) error {
	s, err := unmarshalString("Decimal", input)
	*d = Decimal(s)
	return err
}

// UnmarshalGraphQL accepts a string.
func (d *DateTime) UnmarshalGraphQL(input any) error {
	s, err := unmarshalString("DateTime", input)
	*d = DateTime(s)
	return err
}

// UnmarshalGraphQL accepts a string.
func (d *Date) UnmarshalGraphQL(input any) error {
	s, err := unmarshalString("Date", input)
	*d = Date(s)
	return err
}

// UnmarshalGraphQL accepts a string.
func (t *Time) UnmarshalGraphQL(input any) error {
	s, err := unmarshalString("Time", input)
	*t = Time(s)
	return err
}

// UnmarshalGraphQL accepts a string.
func (u *UUID) UnmarshalGraphQL(input any) error {
	s, err := unmarshalString("UUID", input)
	*u = UUID(s)
	return err
}

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
	// Start is NetBox 4.5+'s cursor: the list from this id on, in id order.
	Start *int32 `graphql:"start"`
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

// pagination is the pagination argument of args, which may be nil (a list declared without
// arguments).
func (a *relationArgs) pagination() *OffsetPaginationInput {
	if a == nil {
		return nil
	}
	return a.Pagination
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
