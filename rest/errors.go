package rest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"syscall"
)

// Codes of upstream failures; they become a GraphQL error's extensions.code.
const (
	CodeNotFound            = "NOT_FOUND"             // 404
	CodeForbidden           = "FORBIDDEN"             // 401, 403
	CodeBadRequest          = "BAD_REQUEST"           // 400 and other 4xx; Detail keeps NetBox's message
	CodeRateLimited         = "RATE_LIMITED"          // 429 after retries
	CodeUpstreamUnavailable = "UPSTREAM_UNAVAILABLE"  // 5xx, connection refused, reset or cut short, after retries
	CodeUpstreamTimeout     = "UPSTREAM_TIMEOUT"      // the upstream context's deadline or the per-attempt timeout
	CodeBadUpstreamResponse = "BAD_UPSTREAM_RESPONSE" // not JSON, wrong shape, too large, redirect
	CodeCancelled           = "CANCELLED"             // the caller went away (context cancelled)
)

// maxDetail bounds the upstream text kept in an Error: enough for NetBox's messages, not a whole
// HTML error page from a proxy.
const maxDetail = 512

// Error is a failed upstream request. Its Error() text is safe to show to clients: it never holds
// the token, the upstream URL, nor anything the upstream says about itself (a 5xx body's
// exception, versions, hosts) or about the connection (socket addresses): Detail is NetBox's
// message for a 4xx, which is addressed to the user, and a fixed phrase otherwise. Path (path and
// query, no host) and Err are for logs only.
type Error struct {
	Status int    // HTTP status, 0 when no response arrived
	Code   string // one of the Code* constants
	Detail string // NetBox's "detail" or field messages, or a short description of the failure
	Path   string // path?query of the request; for logs, never shown to clients
	Err    error  // underlying transport or decoding error; may hold the URL, so for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("upstream ")
	b.WriteString(e.Code)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Extensions lets graphql-go put the code into the GraphQL error (it asserts this method).
func (e *Error) Extensions() map[string]any {
	ext := map[string]any{"code": e.Code}
	if e.Status != 0 {
		ext["upstream_status"] = e.Status
	}
	return ext
}

// ErrorCode returns Code; CodeOf finds it through wrapping.
func (e *Error) ErrorCode() string { return e.Code }

// credentialMessages are the NetBox/DRF details that mean "this token is not accepted at all",
// as opposed to "this user may not see that" (which a GraphQL answer reports per field).
var credentialMessages = []string{
	"authentication credentials were not provided",
	"invalid token",  // also "Invalid token header. ..."
	"token expired",  // NetBox
	"token disabled", // some NetBox versions and plugins
	"user inactive",  // NetBox: the token's user is disabled
	"not permitted to authenticate using this token", // NetBox: source IP not allowed
}

// CredentialsRejected reports whether the upstream refused the credentials themselves (NetBox
// answers 403 for a missing, invalid, expired or disabled token; 401 is taken the same way),
// not a permission on one object type ("You do not have permission to perform this action.").
func (e *Error) CredentialsRejected() bool {
	if e.Status == http.StatusUnauthorized {
		return true
	}
	if e.Status != http.StatusForbidden {
		return false
	}
	d := strings.ToLower(e.Detail)
	for _, m := range credentialMessages {
		if strings.Contains(d, m) {
			return true
		}
	}
	return false
}

// CodeOf returns the code of the first error in err's chain that has one, or "" when none does.
func CodeOf(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// Sentinel transport failures, produced by attemptTransport.
var (
	errBodyTooLarge   = errors.New("response body exceeds the size limit")
	errAttemptTimeout = errors.New("attempt timed out")
	errTruncated      = errors.New("response body truncated")
	errMethod         = errors.New("only GET requests are allowed upstream")
)

// statusError builds the Error for a non-2xx answer from its body. A 5xx body describes the
// upstream's insides (NetBox's 500 names the exception and the NetBox and Python versions; a proxy's
// page may name hosts): the client gets the status text only, the log the body.
func statusError(status int, body []byte, path string) *Error {
	e := &Error{Status: status, Path: path}
	if status >= 500 {
		e.Detail = http.StatusText(status)
		if e.Detail == "" {
			e.Detail = "upstream server error"
		}
	} else {
		e.Detail = errorDetail(status, body)
	}
	switch {
	case status == http.StatusNotFound:
		e.Code = CodeNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Code = CodeForbidden
	case status == http.StatusTooManyRequests:
		e.Code = CodeRateLimited
	case status >= 500:
		e.Code = CodeUpstreamUnavailable
	case status >= 300 && status < 400:
		e.Code = CodeBadUpstreamResponse
		e.Detail = fmt.Sprintf("unexpected redirect (HTTP %d)", status)
	default:
		e.Code = CodeBadRequest
	}
	return e
}

// errorDetail extracts NetBox's message: {"detail": "..."} or DRF validation errors
// {"param": ["msg", ...], ...}, rendered "param: msg; other: msg" in key order.
func errorDetail(status int, body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) == nil && len(v) > 0 {
		if d, ok := v["detail"].(string); ok {
			return clip(d)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+": "+messageText(v[k]))
		}
		return clip(strings.Join(parts, "; "))
	}
	return http.StatusText(status)
}

func messageText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		s := make([]string, 0, len(t))
		for _, x := range t {
			s = append(s, messageText(x))
		}
		return strings.Join(s, " ")
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

func clip(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	// Cut on a rune boundary.
	cut := maxDetail
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// transportError classifies a failure without a usable response. The Detail is a fixed phrase:
// the underlying error text names the URL, which clients must not see.
func transportError(ctx context.Context, err error, path string) *Error {
	e := &Error{Path: path, Err: err}
	switch {
	case errors.Is(err, errMethod):
		e.Code, e.Detail = CodeBadRequest, errMethod.Error()
	case errors.Is(ctx.Err(), context.Canceled):
		e.Code, e.Detail = CodeCancelled, "request cancelled"
	case ctx.Err() != nil:
		e.Code, e.Detail = CodeUpstreamTimeout, "deadline exceeded before the upstream answered"
	case errors.Is(err, errAttemptTimeout):
		e.Code, e.Detail = CodeUpstreamTimeout, "upstream did not answer in time"
	case errors.Is(err, errBodyTooLarge):
		e.Code, e.Detail = CodeBadUpstreamResponse, errBodyTooLarge.Error()
	case errors.Is(err, errTruncated):
		e.Code, e.Detail = CodeUpstreamUnavailable, "the upstream closed the connection before the whole answer arrived"
	case isCertError(err):
		e.Code, e.Detail = CodeUpstreamUnavailable, "TLS certificate of the upstream not accepted"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Code, e.Detail = CodeUpstreamUnavailable, "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		e.Code, e.Detail = CodeUpstreamUnavailable, "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Code, e.Detail = CodeUpstreamUnavailable, "connection closed by the upstream"
	case isTimeout(err):
		e.Code, e.Detail = CodeUpstreamTimeout, "upstream did not answer in time"
	default:
		var dns *net.DNSError
		if errors.As(err, &dns) {
			e.Code, e.Detail = CodeUpstreamUnavailable, "upstream host name not found"
		} else {
			e.Code, e.Detail = CodeUpstreamUnavailable, "connection to the upstream failed"
		}
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isCertError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// retryableTransportError tells whether a failure without response is worth another attempt.
func retryableTransportError(err error) bool {
	switch {
	case errors.Is(err, errMethod), errors.Is(err, errBodyTooLarge):
		return false
	case errors.Is(err, errAttemptTimeout), errors.Is(err, errTruncated):
		// A body cut short is a transport failure like a reset, not a bad answer: the
		// next attempt may well get all of it.
		return true
	case isCertError(err):
		return false
	}
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isTimeout(err)
}
