package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"

	"github.com/graphbox/graphbox/internal/introspect"
)

// introspectNetBox reads the GraphQL schema a live NetBox serves at url (its /graphql/) and
// loads it as the SDL NetBox's strawberry would print: the same definitions, in the same
// (name) order. The first answer also describes the introspection types themselves; where they
// have the newer fields (strawberry's __Type.isOneOf, graphql-core's specifiedByURL and
// isRepeatable), a second, small query reads them.
func introspectNetBox(ctx context.Context, url, token string) (*netboxSchema, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, fmt.Errorf("NetBox GraphQL schema: %w", err)
	}
	what := "introspect " + u.Redacted()
	var first struct {
		Schema *introspect.Schema `json:"__schema"`
	}
	if err := postGraphQL(ctx, what, url, token, introspect.Query, &first); err != nil {
		return nil, err
	}
	s := first.Schema
	if s == nil {
		return nil, fmt.Errorf("%s: the answer has no __schema", what)
	}
	if q := s.ExtrasQuery(); q != "" {
		var second struct {
			Schema *introspect.Extras `json:"__schema"`
		}
		if err := postGraphQL(ctx, what, url, token, q, &second); err != nil {
			return nil, err
		}
		if second.Schema == nil {
			return nil, fmt.Errorf("%s: the answer has no __schema", what)
		}
		s.Merge(second.Schema)
	}
	sdl, err := s.SDL()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return parseNetBoxSchema(u.Host+u.Path, sdl)
}

// postGraphQL sends one query and decodes its data into out; errors in the answer are errors.
func postGraphQL(ctx context.Context, what, url, token, query string, out any) error {
	body, err := json.Marshal(map[string]string{"query": query})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	data, err := fetch(ctx, what, http.MethodPost, url, token, body,
		map[string]string{"Content-Type": "application/json", "Accept": "application/json"})
	if err != nil {
		return err
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			return fmt.Errorf("%s: the answer is an HTML page, not GraphQL's JSON (is the URL NetBox's /graphql/?)", what)
		}
		return fmt.Errorf("%s: the answer is not JSON: %w", what, err)
	}
	if len(answer.Errors) > 0 {
		var msgs []string
		for i, e := range answer.Errors {
			if i == 3 {
				msgs = append(msgs, fmt.Sprintf("and %d more", len(answer.Errors)-i))
				break
			}
			msgs = append(msgs, bodyExcerpt([]byte(e.Message)))
		}
		return fmt.Errorf("%s: the GraphQL API answered with errors: %s", what, strings.Join(msgs, "; "))
	}
	if len(answer.Data) == 0 || string(answer.Data) == "null" {
		return fmt.Errorf("%s: the answer has no data", what)
	}
	if err := json.Unmarshal(answer.Data, out); err != nil {
		return fmt.Errorf("%s: the answer is not an introspection result: %w", what, err)
	}
	return nil
}
