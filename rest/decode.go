package rest

import (
	"encoding/json"
	"fmt"
)

// wirePage is a list endpoint's JSON; pointers tell absent keys from zero values.
type wirePage struct {
	Count    *int     `json:"count"`
	Next     *string  `json:"next"`
	Previous *string  `json:"previous"`
	Results  []Object `json:"results"`
}

// DecodePage decodes a list endpoint's body: {"count", "next", "previous", "results": [objects]}.
// Anything else is a BAD_UPSTREAM_RESPONSE.
//
// The values are encoding/json's for the body; a body the fast parser does not take (see parser)
// is decoded by encoding/json, which also gives the errors.
func DecodePage(body []byte) (*Page, error) {
	if p, ok := newParser(body).page(); ok {
		return p, nil
	}
	return decodePageStd(body)
}

// DecodeObject decodes a detail endpoint's body, which must be one JSON object.
func DecodeObject(body []byte) (Object, error) {
	if o, ok := newParser(body).object(); ok {
		return o, nil
	}
	return decodeObjectStd(body)
}

// decodePageStd is DecodePage by encoding/json alone.
func decodePageStd(body []byte) (*Page, error) {
	var w wirePage
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badResponse("list body is not a page of JSON objects", err)
	}
	if w.Count == nil || w.Results == nil {
		return nil, badResponse("list body lacks count or results", nil)
	}
	if *w.Count < 0 {
		return nil, badResponse("list body has a negative count", nil)
	}
	for i, o := range w.Results {
		if o == nil {
			return nil, badResponse(fmt.Sprintf("result %d is null", i), nil)
		}
	}
	p := &Page{Count: *w.Count, Results: w.Results}
	if w.Next != nil {
		p.Next = *w.Next
	}
	if w.Previous != nil {
		p.Previous = *w.Previous
	}
	return p, nil
}

// decodeObjectStd is DecodeObject by encoding/json alone.
func decodeObjectStd(body []byte) (Object, error) {
	var o Object
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, badResponse("body is not a JSON object", err)
	}
	if o == nil {
		return nil, badResponse("body is null", nil)
	}
	return o, nil
}

func badResponse(detail string, err error) *Error {
	return &Error{Code: CodeBadUpstreamResponse, Detail: detail, Err: err}
}
