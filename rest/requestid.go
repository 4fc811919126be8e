package rest

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the client's request, which the client's log lines
// about upstream failures repeat so that an operator can find them from the id a client reports.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id WithRequestID put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
