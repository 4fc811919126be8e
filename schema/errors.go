package schema

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// Codes of the errors graphql-go itself makes, in extensions.code.
const (
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	CodeParseFailed      = "GRAPHQL_PARSE_FAILED"
	CodeBadUserInput     = "BAD_USER_INPUT"
	CodeQueryTooComplex  = "QUERY_TOO_COMPLEX"
	CodeQueryTooDeep     = "QUERY_TOO_DEEP"
	CodeRequestTimeout   = "REQUEST_TIMEOUT"
	CodeCancelled        = "CANCELLED"
	CodeInternal         = "INTERNAL_SERVER_ERROR"
)

// ruleCodes maps graphql-go's validation rules to the code their errors carry; any other rule is
// GRAPHQL_VALIDATION_FAILED. A variable's value that cannot be coerced to its type is the
// caller's input, as Apollo Server has it.
var ruleCodes = map[string]string{
	"VariablesOfCorrectType":         CodeBadUserInput,
	"OverlapValidationLimitExceeded": CodeQueryTooComplex,
	"MaxDepthExceeded":               CodeQueryTooDeep,
	"MaxDepthEvaluationError":        CodeQueryTooDeep,
}

// classifyErrors gives every error graphql-go made itself an extensions.code (the resolvers'
// errors bring theirs). A context error of the whole execution means graphql-go dropped the
// data: say what happened in words a client understands.
func classifyErrors(resp *graphql.Response) {
	for _, e := range resp.Errors {
		if code, _ := e.Extensions["code"].(string); code != "" {
			continue
		}
		code := CodeInternal
		switch {
		case e.Rule != "":
			code = CodeValidationFailed
			if c, ok := ruleCodes[e.Rule]; ok {
				code = c
			}
		case errors.Is(e.Err, gqlerrors.ErrSyntax):
			code = CodeParseFailed
		case e.Err != nil && e.ResolverError == nil && len(e.Path) == 0 && !isContextError(e.Err):
			// graphql-go could not coerce an argument's value (a literal or a variable) to the
			// argument's type while planning the execution.
			code = CodeBadUserInput
			if typ, ok := strings.CutPrefix(e.Message, "wrong type for "); ok {
				typ, _, _ = strings.Cut(typ, ":")
				e.Message = fmt.Sprintf("an argument of type %s was given a value of another kind", typ)
			}
		case errors.Is(e.Err, context.DeadlineExceeded) || e.Message == context.DeadlineExceeded.Error():
			code = CodeRequestTimeout
			e.Message = "the request took longer than its deadline"
		case errors.Is(e.Err, context.Canceled) || e.Message == context.Canceled.Error():
			code = CodeCancelled
			e.Message = "the request was cancelled"
		}
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["code"] = code
	}
	// A document refused for its cost may also have thousands of ordinary validation errors
	// before the limit stopped validation: the reason it was refused goes first, so it survives
	// when the list is capped.
	slices.SortStableFunc(resp.Errors, func(a, b *gqlerrors.QueryError) int {
		return cmp.Compare(costRank(a), costRank(b))
	})
}

func isContextError(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func costRank(e *gqlerrors.QueryError) int {
	if e.Extensions["code"] == CodeQueryTooComplex {
		return 0
	}
	return 1
}

// upstreamMargin is how long before the request's deadline the upstream calls are ended, so
// graphql-go still finishes and writes the fields already answered: a tenth of the time left,
// between 50 ms and 2 s.
func upstreamMargin(left time.Duration) time.Duration {
	return min(max(left/10, 50*time.Millisecond), 2*time.Second)
}

// upstreamDeadline is when the upstream calls of a request with ctx's deadline must end (zero:
// no deadline).
func upstreamDeadline(ctx context.Context) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Time{}
	}
	return d.Add(-upstreamMargin(time.Until(d)))
}

// fieldError carries a field's error out of a resolver that returns none. graphql-go runs a
// resolver inline only when it takes no context and returns no error; one that answers from data
// in hand may still fail (a related object the token may not see, the look-ahead's upstream
// error), and then panics with a fieldError, which graphql-go recovers in the field's own frame
// and hands to panicHandler: the field is null and the error has the field's path, as a returned
// error would.
type fieldError struct{ err error }

// must is how a generated resolver without an error result fails its field.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fieldError{err})
	}
	return v
}

// panicHandler makes the field error of a fieldError as graphql-go makes a resolver's returned
// error: its message and extensions. Any other panic is a bug: a coded error with a fixed
// message (panicLogger logs the panic).
type panicHandler struct{}

func (panicHandler) MakePanicError(_ context.Context, value any) *gqlerrors.QueryError {
	if fe, ok := value.(fieldError); ok {
		return fe.queryError()
	}
	return &gqlerrors.QueryError{Message: "internal server error", Extensions: map[string]any{"code": CodeInternal}}
}

// queryError is the error graphql-go makes of a resolver's returned error.
func (fe fieldError) queryError() *gqlerrors.QueryError {
	e := gqlerrors.Errorf("%s", fe.err)
	e.ResolverError = fe.err
	if ex, ok := fe.err.(interface{ Extensions() map[string]any }); ok {
		e.Extensions = ex.Extensions()
	}
	return e
}

// panicLogger logs a resolver's panic, its value and stack, for the operator only; a fieldError
// is a field's answer, not a panic.
type panicLogger struct{ log *slog.Logger }

func (l panicLogger) LogPanic(ctx context.Context, value any) {
	if _, ok := value.(fieldError); ok {
		return
	}
	l.log.ErrorContext(ctx, "resolver panic", "panic", value, "stack", string(debug.Stack()))
}
