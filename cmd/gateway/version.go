package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"

	"github.com/graphbox/graphbox/model"
	"github.com/graphbox/graphbox/rest"
)

// versionWatch compares the NetBox version the upstream reports on /api/status/ with the version
// of the document the build was generated from. A NetBox of another major.minor has other models,
// fields and filters: queries may then fail or, worse, a filter the build plans with may be
// ignored by that NetBox. It warns once per version seen.
type versionWatch struct {
	built string // major.minor of the registry's document
	log   *slog.Logger

	mu       sync.Mutex
	upstream string // the last netbox-version seen
	mismatch bool
}

func newVersionWatch(reg *model.Registry, log *slog.Logger) *versionWatch {
	return &versionWatch{built: model.MajorMinor(reg.APIVersion), log: log}
}

// observe reads an /api/status/ answer: its netbox-version when the token may read it, else
// the API-Version header NetBox sets on every answer (major.minor only).
func (v *versionWatch) observe(resp *rest.Response) {
	var status struct {
		Version string `json:"netbox-version"`
	}
	version := resp.APIVersion
	if resp.Status == http.StatusOK && json.Unmarshal(resp.Body, &status) == nil && status.Version != "" {
		version = status.Version
	}
	if version == "" {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if version == v.upstream {
		return
	}
	v.upstream = version
	got := model.MajorMinor(version)
	v.mismatch = v.built != "" && got != "" && got != v.built
	if v.mismatch {
		v.log.Warn("the upstream runs another NetBox release than the schema was generated from: regenerate it from the upstream's /api/schema/ (README: regenerating the schema)",
			"upstream_version", version, "schema_version", v.built)
	} else {
		v.log.Info("upstream NetBox version", "upstream_version", version, "schema_version", v.built)
	}
}

// Mismatch tells whether the last version seen differs from the build's (for /metrics).
func (v *versionWatch) Mismatch() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.mismatch
}
