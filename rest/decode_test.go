package rest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// BenchmarkDecodePage decodes the simulator's bodies (simBodyPaths): three 1000-row pages and a
// detail object, by DecodePage and DecodeObject and by encoding/json alone, side by side.
func BenchmarkDecodePage(b *testing.B) {
	decoders := []struct {
		name   string
		page   func([]byte) (*Page, error)
		object func([]byte) (Object, error)
	}{
		{"encoding_json", decodePageStd, decodeObjectStd},
		{"parser", DecodePage, DecodeObject},
	}
	for _, sb := range simBodies(b) {
		for _, d := range decoders {
			b.Run(sb.name+"/decoder="+d.name, func(b *testing.B) {
				b.SetBytes(int64(len(sb.body)))
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if sb.page {
						_, err = d.page(sb.body)
					} else {
						_, err = d.object(sb.body)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// sameJSON reports whether two decoded values are the same: the same types (Object is not
// map[string]any), the same keys, and numbers of the same bits (reflect.DeepEqual takes -0 for 0).
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []any:
		b, ok := b.([]any)
		return ok && (a == nil) == (b == nil) && sameSlice(a, b)
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && (a == nil) == (b == nil) && sameMap(a, b)
	case Object:
		b, ok := b.(Object)
		return ok && (a == nil) == (b == nil) && sameMap(a, b)
	case []Object:
		b, ok := b.([]Object)
		if !ok || (a == nil) != (b == nil) || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case *Page:
		b, ok := b.(*Page)
		return ok && (a == nil) == (b == nil) && (a == nil || a.Count == b.Count && a.Next == b.Next &&
			a.Previous == b.Previous && sameJSON(a.Results, b.Results))
	}
	panic(fmt.Sprintf("sameJSON: unexpected %T", a))
}

func sameSlice(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameJSON(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameMap(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !sameJSON(v, w) {
			return false
		}
	}
	return true
}

// sameError: both nil, or the same BAD_UPSTREAM_RESPONSE with the same cause.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *Error
	return errors.As(a, &ea) && errors.As(b, &eb) && ea.Code == CodeBadUpstreamResponse &&
		ea.Code == eb.Code && ea.Detail == eb.Detail && fmt.Sprint(ea.Err) == fmt.Sprint(eb.Err)
}

// checkAsStd decodes body as a page and as an object, and as encoding/json alone does both: the
// same values, or the same errors.
func checkAsStd(t testing.TB, body []byte) {
	t.Helper()
	p, err := DecodePage(body)
	sp, serr := decodePageStd(body)
	if !sameError(err, serr) || (err == nil && !sameJSON(p, sp)) {
		t.Fatalf("DecodePage(%.300q):\n got %#v, %v\nwant %#v, %v", body, p, err, sp, serr)
	}
	o, err := DecodeObject(body)
	so, serr := decodeObjectStd(body)
	if !sameError(err, serr) || (err == nil && !sameJSON(o, so)) {
		t.Fatalf("DecodeObject(%.300q):\n got %#v, %v\nwant %#v, %v", body, o, err, so, serr)
	}
}

// edgeValues are JSON values (and things that are not) put in a row of a page and in an object.
var edgeValues = []string{
	`"plain"`, `""`, `"é ü 日本 😀"`,
	"\"\xff\xfe\"", "\"a\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xe2\x82\"", "\"\xf4\x90\x80\x80\"",
	`"\u0041\u00e9\u65e5"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\ud83dx"`, `"\ud83d\"`, `"\uDBFF\uDFFF"`, `"\uD800\uDC00"`, `"\u0000"`, `"\uFFFD"`, `"\ud800\uFFFD"`,
	`"\u12"`, `"\u12g4"`, `"\x41"`, `"\'"`, `"\/\\\"\b\f\n\r\t"`, "\"tab\there\"", "\"nl\nhere\"", "\"\x7f\"",
	`0`, `-0`, `-0.0`, `0.0`, `0e0`, `1`, `-1`, `4095`, `4096`, `123456789012345`, `1234567890123456`,
	`-123456789012345`, `9007199254740993`, `12345678901234567890`, `1e400`, `-1e400`, `1e-400`,
	`1.5e-3`, `1E5`, `1e+5`, `0.1`, `2.5`, `1e308`, `4.9e-324`,
	`01`, `1.`, `.5`, `+1`, `-`, `1e`, `1e+`, `0x10`, `Infinity`, `NaN`, `1_000`,
	`true`, `false`, `null`, `tru`, `nul`, `True`, `nulll`,
	`[]`, `[1,"a",null,true,{}]`, `[1,]`, `[,1]`, `[1 2]`, `{}`, `{"a":1,"a":2}`, `{"a":{"b":1},"a":{"c":2}}`,
	`{"a":1,}`, `{"a"}`, `{"a":}`, `{1:2}`, `{"a" : [ 1 , 2 ] }`, "\t\n\r [1]",
	strings.Repeat("[", 996) + strings.Repeat("]", 996),
	strings.Repeat("[", 997) + strings.Repeat("]", 997),
	strings.Repeat("[", 998) + strings.Repeat("]", 998),
	strings.Repeat("[", 9996) + strings.Repeat("]", 9996),
	strings.Repeat("[", 9997) + strings.Repeat("]", 9997),
	strings.Repeat("[", 9998) + strings.Repeat("]", 9998),
	strings.Repeat(`{"a":`, 9997) + "1" + strings.Repeat("}", 9997),
	strings.Repeat(`{"a":`, 9998) + "1" + strings.Repeat("}", 9998),
	strings.Repeat("[", 100000),
}

// edgeBodies are whole bodies: pages in the forms encoding/json reads in its own way, and
// things that are not pages or objects at all.
var edgeBodies = []string{
	``, ` `, `null`, `[]`, `"x"`, `1`, `{`, `}`, `{}`, `{"id":1}xyz`, `{"id":1}{}`, `{"id":1} ` + "\n\t\r",
	"\xef\xbb\xbf{\"id\":1}", `{"id":1,"id":2}`, `{"a":null}`,
	onePage,
	`{"count":0,"next":null,"previous":null,"results":[]}`,
	` { "count" : 2 , "next" : "http://nb/api/x/?offset=1" , "previous" : null , "results" : [ { "id" : 1 } , { } ] } `,
	`{"results":[{"id":1}],"count":1}`,
	`{"count":1,"results":[{"id":1}],"extra":{"deep":[1,2,{"x":null}]},"more":1e400}`,
	`{"count":1,"results":[{"id":1}],"next":"a","previous":"b"}`,
	`{"count":1,"results":[]}x`, `{"count":1,"results":[]}` + "\n",
	`{"count":1}`, `{"results":[]}`, `{"count":null,"results":[]}`, `{"count":1,"results":null}`,
	`{"count":1,"results":{}}`, `{"count":1,"results":[null]}`, `{"count":1,"results":["a"]}`,
	`{"count":1,"results":[[]]}`, `{"count":1,"results":[{}]}`, `{"count":1,"results":[{},]}`,
	`{"count":-1,"results":[]}`, `{"count":-0,"results":[]}`, `{"count":00,"results":[]}`,
	`{"count":1.0,"results":[]}`, `{"count":1e2,"results":[]}`, `{"count":"1","results":[]}`,
	`{"count":true,"results":[]}`, `{"count":12345678901234567890,"results":[]}`,
	`{"count":9223372036854775807,"results":[]}`, `{"count":9223372036854775808,"results":[]}`,
	`{"count":1e400,"results":[]}`, `{"count":1,"next":5,"results":[]}`, `{"count":1,"previous":{},"results":[]}`,
	`{"count":1,"count":2,"results":[]}`, `{"count":1,"results":[{"a":1}],"results":[{"b":2}]}`,
	`{"count":1,"results":[{"a":1},{"c":3}],"results":[{"b":2}]}`, `{"count":1,"results":[{"a":1}],"results":null}`,
	`{"count":1,"next":"a","next":null,"results":[]}`, `{"count":1,"previous":"a","previous":"b","results":[]}`,
	`{"Count":1,"RESULTS":[{"id":1}]}`, `{"count":1,"Count":2,"results":[]}`, `{"cOuNt":3,"results":[]}`,
	`{"count":1,"reſults":[{"id":1}]}`, `{"count":1,"results":[],"ne` + "\u212a" + `t":"x"}`,
	`{"co\u0075nt":1,"results":[{"id":1}]}`, `{"count":1,"results":[{"id":1}],"NEXT":"n"}`,
	`{"count":1,"results":[{"id":1,"\u0069d":2}]}`, "{\"count\":1,\"results\":[{\"\xff\":1,\"\xfe\":2}]}",
	`{"count":1,"results":[{"id":1}]`, `{"count":1,"results":[{"id":1}`, `{"count":1,"results":[{"id":1`,
	`{"count":1,"results":[{"id":`, `{"count":1,"results":[{"id"`, `{"count":1,"results":[`, `{"count":1,"results"`,
	`{"count":1,`, `{"count":1`, `{"count":`, `{"count"`, `{"`, `{"count":1 "results":[]}`,
	`{"count":1,"results":[` + strings.Repeat(`{"a":`, 998) + "1" + strings.Repeat("}", 998) + `]}`,
	`{"count":1,"results":[` + strings.Repeat(`{"a":`, 9998) + "1" + strings.Repeat("}", 9998) + `]}`,
	`{"count":1,"results":[` + strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999) + `]}`,
}

// TestDecodeAsStd: on the simulator's bodies, on every prefix of a detail body and many of a
// page, and on edge cases, DecodePage and DecodeObject give what encoding/json alone gives.
func TestDecodeAsStd(t *testing.T) {
	for _, b := range simBodies(t) {
		t.Run(b.name, func(t *testing.T) {
			checkAsStd(t, b.body)
			// The fast path takes what the upstream sends; encoding/json is only the fallback.
			if b.page {
				if _, ok := newParser(b.body).page(); !ok {
					t.Error("the fast parser did not take the page")
				}
			} else if _, ok := newParser(b.body).object(); !ok {
				t.Error("the fast parser did not take the object")
			}
			step := max(1, len(b.body)/40)
			if !b.page {
				step = 1
			}
			for n := 0; n < len(b.body); n += step {
				checkAsStd(t, b.body[:n])
			}
		})
	}
	t.Run("values", func(t *testing.T) {
		for _, v := range edgeValues {
			checkAsStd(t, []byte(`{"count":1,"next":null,"previous":null,"results":[{"id":1,"v":`+v+`}]}`))
			checkAsStd(t, []byte(`{"count":1,"results":[{"v":[`+v+`,`+v+`]}],"next":`+v+`}`))
			checkAsStd(t, []byte(`{"id":1,"v":`+v+`,"w":{"x":`+v+`}}`))
			checkAsStd(t, []byte(`{`+v+`:1}`))
			checkAsStd(t, []byte(v))
		}
	})
	t.Run("bodies", func(t *testing.T) {
		for _, b := range edgeBodies {
			checkAsStd(t, []byte(b))
		}
	})
}
