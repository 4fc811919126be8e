package server

import (
	"context"
	"fmt"

	"github.com/graphbox/graphbox/schema"
)

// SchemaExecutor runs the HTTP layer's requests on the schema's gateway: the dialect rewrites
// the HTTP layer made become the answer's LEGACY_FILTER_SYNTAX warnings.
func SchemaExecutor(g *schema.Gateway) Executor { return schemaExecutor{g} }

type schemaExecutor struct{ g *schema.Gateway }

func (e schemaExecutor) Execute(ctx context.Context, req Request) Result {
	warnings := make([]schema.Warning, len(req.Rewrites))
	for i, rw := range req.Rewrites {
		warnings[i] = schema.Warning{Code: "LEGACY_FILTER_SYNTAX", Path: rw.Path, Old: rw.Old, New: rw.New,
			Message: fmt.Sprintf("%s: %s is written %s in NetBox 4.6; the query was answered as if it said so", rw.Path, rw.Old, rw.New)}
	}
	res := e.g.Execute(ctx, schema.Request{
		Query: req.Query, OperationName: req.OperationName, Variables: req.Variables,
		Authorization: req.Authorization, Explain: req.Explain, RequestID: req.RequestID, Warnings: warnings, Version: req.Version,
	})
	return Result{Response: res.Response, Status: res.Status}
}
