package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// codePatterns find the extensions.code values the gateway's packages can answer with.
var codePatterns = []*regexp.Regexp{
	regexp.MustCompile(`\bCode\w*\s*=\s*"([A-Z][A-Z_]+)"`),
	regexp.MustCompile(`\bcoded\("([A-Z][A-Z_]+)"`),
	regexp.MustCompile(`"code":\s*"([A-Z][A-Z_]+)"`),
}

// TestREADMEListsEveryErrorCode keeps the README's error table complete: every code a package
// of the request's path can put in extensions.code is in it.
func TestREADMEListsEveryErrorCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, pkg := range []string{"server", "schema", "filters", "loaders", "rest"} {
		files, _ := filepath.Glob(filepath.Join("../..", pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range codePatterns {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					found[m[1]] = f
				}
			}
		}
	}
	if len(found) < 20 {
		t.Fatalf("found only %d codes: the patterns no longer match the sources", len(found))
	}
	var missing []string
	for code, f := range found {
		if !strings.Contains(string(readme), "`"+code+"`") {
			missing = append(missing, code+" ("+f+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("the README's error table does not list %s", m)
	}
}
