package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// Limits of one download from a NetBox: NetBox 4.6.8's OpenAPI document is about 13 MB and its
// GraphQL introspection answer under 2 MB, so these leave room for plugins and still bound
// memory. Variables so that tests can lower them.
var (
	fetchTimeout  = 2 * time.Minute
	fetchMaxBytes = int64(256 << 20)
)

func isURL(source string) bool {
	return strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://")
}

// authorization is the Authorization header for a token as NetBox reads it: a value that already
// names its scheme is sent as given; a bare v2 token (nbt_<key>.<secret>) goes as "Bearer", the
// form NetBox documents for it, and any other bare key as a v1 "Token".
func authorization(token string) string {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return ""
	case strings.HasPrefix(token, "Token ") || strings.HasPrefix(token, "Bearer "):
		return token
	case strings.HasPrefix(token, "nbt_"):
		return "Bearer " + token
	}
	return "Token " + token
}

// fetch sends one request to a NetBox and returns the body of its 200 answer. what names the
// job in every error. The token is sent only in the header and never appears in an error.
func fetch(ctx context.Context, what, method, url, token string, body []byte, header map[string]string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if h := authorization(token); h != "" {
		req.Header.Set("Authorization", h)
	}
	client := *http.DefaultClient
	if method != http.MethodGet {
		// Go's client would follow a redirect (Django's APPEND_SLASH for /graphql) as a GET
		// without the query; the redirect is reported instead.
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no answer from %s within %s", what, req.URL.Redacted(), fetchTimeout)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, fetchMaxBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: the answer from %s did not end within %s", what, req.URL.Redacted(), fetchTimeout)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("%s: upstream answered %s", what, resp.Status)
		if loc := resp.Header.Get("Location"); loc != "" {
			msg += " to " + loc + " (give that URL)"
		} else if excerpt := bodyExcerpt(data); excerpt != "" {
			msg += ": " + excerpt
		}
		return nil, errors.New(msg)
	}
	if int64(len(data)) > fetchMaxBytes {
		return nil, fmt.Errorf("%s: the answer is larger than %s", what, byteSize(fetchMaxBytes))
	}
	return data, nil
}

// bodyExcerpt is the start of an error answer on one line, as NetBox words its refusals
// ("Invalid v1 token", "The GraphQL API is not enabled."); an HTML page is left out.
func bodyExcerpt(data []byte) string {
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "<") {
		return ""
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
