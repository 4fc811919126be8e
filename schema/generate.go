package schema

// The SDL and resolver types here, and the registry in ../model, come from the upstream's
// OpenAPI document. With NetBox plugins, point --openapi at your NetBox's /api/schema/.
//go:generate go run ../cmd/schemagen -q --root .. --openapi ../../shared/netbox/openapi-4.6.8.json
