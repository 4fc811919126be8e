package schema

// The SDL and resolver types here, and the registry in ../model, come from the upstream's
// OpenAPI document (how to fetch) and NetBox's GraphQL schema (what to serve, name for name).
// With NetBox plugins, point --openapi at your NetBox's /api/schema/ and --graphql at an SDL
// file of its /graphql/ schema.
//go:generate go run ../cmd/schemagen -q --root .. --openapi ../../shared/netbox/openapi-4.6.8.json --graphql ../../shared/netbox/graphql/4.6.8.graphql
