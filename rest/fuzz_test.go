package rest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeUpstream feeds arbitrary bodies to the decoders of list pages and detail objects:
// neither may panic, each gives what encoding/json alone gives (the same values or the same
// error), and each either fails with a BAD_UPSTREAM_RESPONSE *Error or returns a well-formed
// value that survives a round trip through JSON.
//
//	go test ./rest -run '^$' -fuzz FuzzDecodeUpstream -fuzztime 5m
func FuzzDecodeUpstream(f *testing.F) {
	seeds := []string{
		onePage,
		`{"count":0,"next":null,"previous":null,"results":[]}`,
		`{"count":2,"next":"http://nb/api/dcim/sites/?limit=1&offset=1","previous":null,"results":[{"id":1,"tags":[{"id":2}],"custom_fields":{"a":{"b":[1,2.5,null,true]}}}]}`,
		`{"id":1,"name":"a","site":{"id":2,"display":"x"}}`,
		`{"count":1e400,"results":[]}`,
		`{"count":-1,"results":[]}`,
		`{"count":1,"results":[{"id":1e308},{"id":-0},{"id":9007199254740993}]}`,
		`{"count":1,"results":[null]}`,
		`{"count":1,"results":["a"]}`,
		"{\"count\":1,\"results\":[{\"name\":\"\xff\xfe\xc3\"}]}",
		"{\"id\":1,\"name\":\"\\ud800\"}",
		`{"count":1,"count":2,"results":[],"results":[{}]}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		`{"id":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000) + "}",
		`null`, `[]`, `"x"`, `1`, ``, `{`, `{"id":1}xyz`, "\xef\xbb\xbf{\"id\":1}",
	}
	seeds = append(seeds, edgeBodies...)
	for _, v := range edgeValues {
		if len(v) <= 64 {
			seeds = append(seeds, `{"count":1,"next":null,"previous":null,"results":[{"id":1,"v":`+v+`}]}`, `{"v":`+v+`}`)
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, page bool) {
		checkAsStd(t, body)
		var (
			val any
			err error
		)
		if page {
			var p *Page
			if p, err = DecodePage(body); err == nil {
				checkPage(t, p)
				val = p
			}
		} else {
			var o Object
			if o, err = DecodeObject(body); err == nil {
				if o == nil {
					t.Fatal("nil object without error")
				}
				_ = o.ID()
				val = o
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadUpstreamResponse || e.Detail == "" {
				t.Fatalf("error %#v, want a BAD_UPSTREAM_RESPONSE *Error", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("invalid JSON %q decoded to %v", body, val)
		}
		roundTrip(t, val)
	})
}

func checkPage(t *testing.T, p *Page) {
	t.Helper()
	if p == nil || p.Results == nil || p.Count < 0 {
		t.Fatalf("malformed page %+v", p)
	}
	for i, o := range p.Results {
		if o == nil {
			t.Fatalf("result %d is nil", i)
		}
		_ = o.ID()
	}
}

// roundTrip encodes a decoded value as the upstream's JSON again and decodes it: the same value.
func roundTrip(t *testing.T, val any) {
	t.Helper()
	var (
		b     []byte
		err   error
		again any
	)
	switch v := val.(type) {
	case *Page:
		w := map[string]any{"count": v.Count, "results": v.Results, "next": nil, "previous": nil}
		if v.Next != "" {
			w["next"] = v.Next
		}
		if v.Previous != "" {
			w["previous"] = v.Previous
		}
		if b, err = json.Marshal(w); err == nil {
			again, err = DecodePage(b)
		}
	case Object:
		if b, err = json.Marshal(v); err == nil {
			again, err = DecodeObject(b)
		}
	}
	if err != nil {
		t.Fatalf("decoded value %#v does not survive re-encoding (%s): %v", val, b, err)
	}
	if !reflect.DeepEqual(val, again) {
		t.Fatalf("round trip changed the value:\n%#v\n%#v", val, again)
	}
}
