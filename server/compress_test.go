package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/klauspost/compress/zstd"
)

func TestCompression(t *testing.T) {
	big := `{"rows":[` + strings.Repeat(`{"name":"device","site":{"name":"site"}},`, 200) + `{}]}`
	exec := &fakeExec{fn: func(_ context.Context, req Request) Result {
		if strings.Contains(req.Query, "small") {
			return Result{Response: &graphql.Response{Data: json.RawMessage(`{"small":1}`)}}
		}
		return Result{Response: &graphql.Response{Data: json.RawMessage(big)}}
	}}
	h := New(testConfig(), exec, nil, nil)
	for _, tc := range []struct {
		name, query, accept, want string
	}{
		{"gzip asked", "{ big }", "gzip", "gzip"},
		{"zstd asked", "{ big }", "zstd", "zstd"},
		{"both asked, as curl --compressed", "{ big }", "deflate, gzip, br, zstd", "gzip"},
		{"nothing asked", "{ big }", "", ""},
		{"identity only", "{ big }", "identity", ""},
		{"below the threshold", "{ small }", "gzip", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql/", strings.NewReader(`{"query":"`+tc.query+`"}`))
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get("Content-Encoding"); got != tc.want {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.want)
			}
			if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") && tc.query == "{ big }" {
				t.Errorf("Vary %q lacks Accept-Encoding", w.Header().Get("Vary"))
			}
			var body io.Reader = w.Body
			switch tc.want {
			case "gzip":
				zr, err := gzip.NewReader(w.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			case "zstd":
				zr, err := zstd.NewReader(w.Body)
				if err != nil {
					t.Fatal(err)
				}
				defer zr.Close()
				body = zr
			}
			raw, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			var answer struct{ Data json.RawMessage }
			if err := json.Unmarshal(raw, &answer); err != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			if tc.want != "" && w.Body.Len() >= len(raw) {
				t.Errorf("compressed %d bytes into %d", len(raw), w.Body.Len())
			}
		})
	}
}
