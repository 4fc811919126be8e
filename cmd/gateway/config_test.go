package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// examplePath finds config.yaml.example at the repository root (the directory of go.mod).
func examplePath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "config.yaml.example")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	withURL := func(c Config) Config { c.Upstream.URL = "https://netbox.example.com"; return c }
	def := DefaultConfig()

	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		file  string // YAML content; written to a temp file and passed with --config
		ext   string // file extension, default .yaml
		want  func(Config) Config
		errs  []string // pieces every one of which the error must contain
		isErr error
	}{
		{name: "demo needs nothing else", args: []string{"--demo"},
			want: func(c Config) Config { c.Demo = true; return c }},
		{name: "upstream from the flag", args: []string{"--upstream", "https://netbox.example.com"}, want: withURL},
		{name: "upstream from the environment", env: map[string]string{"GATEWAY_UPSTREAM_URL": "https://netbox.example.com"}, want: withURL},
		{name: "upstream from the file", file: "upstream:\n  url: https://netbox.example.com\n", want: withURL},
		{name: "json file", ext: ".json", file: `{"upstream": {"url": "https://netbox.example.com"}, "cache": {"ttl": "5m"}}`,
			want: func(c Config) Config { c = withURL(c); c.Cache.TTL = 5 * time.Minute; return c }},
		{name: "file without extension is YAML", ext: "-", file: "demo: true\n",
			want: func(c Config) Config { c.Demo = true; return c }},
		{name: "empty key in the file keeps the default", file: "demo: true\nlisten:\n",
			want: func(c Config) Config { c.Demo = true; return c }},
		{name: "file < env < flag for listen", args: []string{"--demo", "--listen", "127.0.0.1:3"},
			env:  map[string]string{"GATEWAY_LISTEN": "127.0.0.1:2"},
			file: "listen: 127.0.0.1:1\n",
			want: func(c Config) Config { c.Demo = true; c.Listen = "127.0.0.1:3"; return c }},
		{name: "file < env", args: []string{"--demo"},
			env:  map[string]string{"GATEWAY_LISTEN": "127.0.0.1:2", "GATEWAY_LIMITS_MAX_DEPTH": "7"},
			file: "listen: 127.0.0.1:1\nlimits:\n  max_depth: 5\n  max_aliases: 4\n",
			want: func(c Config) Config {
				c.Demo = true
				c.Listen = "127.0.0.1:2"
				c.Limits.MaxDepth = 7
				c.Limits.MaxAliases = 4
				return c
			}},
		{name: "every kind from the environment", env: map[string]string{
			"GATEWAY_DEMO": "true", "GATEWAY_CACHE_TTL": "2m", "GATEWAY_CACHE_MAX_ENTRIES": "5",
			"GATEWAY_CACHE_MAX_BYTES": "67108864", "GATEWAY_CACHE_MAX_ENTRY_SHARE": "0.25",
			"GATEWAY_UPSTREAM_MAX_BODY_BYTES": "1000", "GATEWAY_UPSTREAM_MAX_URL_LENGTH": "3000", "GATEWAY_UPSTREAM_RETRY_WAIT_MIN": "1s", "GATEWAY_UPSTREAM_RETRY_WAIT_MAX": "3s",
			"GATEWAY_GRAPHQL_EXPLAIN": "1", "GATEWAY_GRAPHQL_PLAYGROUND": "off", "GATEWAY_LOG_FORMAT": "json", "GATEWAY_LOG_LEVEL": "debug",
		}, want: func(c Config) Config {
			c.Demo = true
			c.Cache.TTL = 2 * time.Minute
			c.Cache.MaxEntries = 5
			c.Cache.MaxBytes = 64 << 20
			c.Cache.MaxEntryShare = 0.25
			c.Upstream.MaxBodyBytes = 1000
			c.Upstream.MaxURLLength = 3000
			c.Upstream.RetryWaitMin = time.Second
			c.Upstream.RetryWaitMax = 3 * time.Second
			c.GraphQL.Explain = true
			c.GraphQL.Playground = false
			c.Log = LogConfig{Level: "debug", Format: "json"}
			return c
		}},
		{name: "GRAPHQL_ENABLED as NetBox spells it", args: []string{"--demo"}, env: map[string]string{"GRAPHQL_ENABLED": "False"},
			want: func(c Config) Config { c.Demo = true; c.GraphQL.Enabled = false; return c }},
		{name: "GRAPHQL_ENABLED over the file", args: []string{"--demo"}, env: map[string]string{"GRAPHQL_ENABLED": "false"},
			file: "graphql:\n  enabled: true\n",
			want: func(c Config) Config { c.Demo = true; c.GraphQL.Enabled = false; return c }},
		{name: "GATEWAY_GRAPHQL_ENABLED over GRAPHQL_ENABLED", args: []string{"--demo"},
			env:  map[string]string{"GRAPHQL_ENABLED": "false", "GATEWAY_GRAPHQL_ENABLED": "true"},
			want: func(c Config) Config { c.Demo = true; return c }},
		{name: "graphql.enabled false in the file", args: []string{"--demo"}, file: "graphql:\n  enabled: false\n",
			want: func(c Config) Config { c.Demo = true; c.GraphQL.Enabled = false; return c }},
		{name: "empty environment variable is unset", args: []string{"--demo"}, env: map[string]string{"GATEWAY_LISTEN": ""},
			want: func(c Config) Config { c.Demo = true; return c }},
		{name: "--demo=false on the command line beats the file", args: []string{"--demo=false", "--upstream", "http://nb:8000"},
			file: "demo: true\n",
			want: func(c Config) Config { c.Upstream.URL = "http://nb:8000"; return c }},

		// Errors.
		{name: "missing upstream", errs: []string{"upstream.url: missing"}},
		{name: "upstream without scheme", args: []string{"--upstream", "netbox.example.com"}, errs: []string{"must start with http:// or https://"}},
		{name: "upstream with credentials", args: []string{"--upstream", "https://u:p@netbox.example.com"}, errs: []string{"must not contain credentials"}},
		{name: "every error at once", args: []string{"--listen", "nope"},
			env: map[string]string{"GATEWAY_CACHE_TTL": "soon", "GATEWAY_LIMITS_MAX_DEPTH": "-1"},
			file: "limits:\n  max_dept: 3\n  max_aliases: -2\n  default_page_size: 5000\n" +
				"upstream:\n  retry_wait_min: 5s\n  retry_wait_max: 1s\n  timeout: 30\n" +
				"log:\n  level: loud\n  format: xml\ncache:\n  max_entries: 0\n  max_bytes: -1\n  max_entry_share: 1.5\n",
			errs: []string{
				`unknown key "limits.max_dept"`,
				`cache.ttl (from GATEWAY_CACHE_TTL): "soon" is not a duration`,
				"limits.max_depth: must be more than 0, got -1",
				"limits.max_aliases: must be more than 0, got -2",
				"limits.default_page_size: 5000 is more than limits.max_page_size (1000)",
				"upstream.retry_wait_max: 1s is less than upstream.retry_wait_min (5s)",
				`upstream.timeout (from config file): 30 has no unit (write e.g. "30s")`,
				`log.level: "loud" is not debug, info, warn or error`,
				`log.format: "xml" is not text or json`,
				"cache.max_entries: must be more than 0, got 0",
				"cache.max_bytes: must be more than 0, got -1",
				"cache.max_entry_share: must be more than 0 and at most 1, got 1.5",
				`listen: "nope" is not a host:port address`,
				"upstream.url: missing",
			}},
		{name: "wrong types in the file",
			file: "listen: 8080\ndemo: maybe\nlimits:\n  max_depth: 2.5\n  max_body_bytes: lots\ngraphql: true\n",
			errs: []string{
				"listen (from config file): want a string, got 8080",
				"demo (from config file): maybe is not a boolean",
				"limits.max_depth (from config file): 2.5 is not a whole number",
				`limits.max_body_bytes (from config file): "lots" is not a whole number`,
				`"graphql" must be a mapping of keys`,
			}},
		{name: "int overflow", args: []string{"--demo"}, env: map[string]string{"GATEWAY_LIMITS_MAX_DEPTH": "99999999999999999999"},
			errs: []string{"limits.max_depth (from GATEWAY_LIMITS_MAX_DEPTH)"}},
		{name: "share not a number", args: []string{"--demo"}, env: map[string]string{"GATEWAY_CACHE_MAX_ENTRY_SHARE": "half"},
			errs: []string{`cache.max_entry_share (from GATEWAY_CACHE_MAX_ENTRY_SHARE): "half" is not a number`}},
		{name: "negative cache ttl", args: []string{"--demo"}, env: map[string]string{"GATEWAY_CACHE_TTL": "-1s"},
			errs: []string{"cache.ttl: must not be negative"}},
		{name: "negative retries", args: []string{"--demo"}, env: map[string]string{"GATEWAY_UPSTREAM_RETRY_MAX": "-1"},
			errs: []string{"upstream.retry_max: must not be negative"}},
		{name: "URL limit too short", args: []string{"--demo"}, env: map[string]string{"GATEWAY_UPSTREAM_MAX_URL_LENGTH": "100"},
			errs: []string{"upstream.max_url_length: must be at least 2048"}},
		{name: "missing config file", args: []string{"--demo", "--config", "/nonexistent/graphbox.yaml"},
			errs: []string{"config file /nonexistent/graphbox.yaml"}},
		{name: "config file from GATEWAY_CONFIG, missing", args: []string{"--demo"}, env: map[string]string{"GATEWAY_CONFIG": "/nonexistent/g.yaml"},
			errs: []string{"config file /nonexistent/g.yaml"}},
		{name: "malformed YAML", args: []string{"--demo"}, file: "limits: [\n", errs: []string{"config file"}},
		{name: "unknown flag", args: []string{"--nope"}, errs: []string{"command line: unknown flag: --nope"}},
		{name: "positional argument", args: []string{"--demo", "serve"}, errs: []string{`unexpected argument "serve"`}},
		{name: "help", args: []string{"--help"}, isErr: pflag.ErrHelp, errs: []string{"Usage:", "--upstream", "--listen", "--config", "--demo", "--version", "healthcheck"}},
		{name: "version", args: []string{"--version"}, isErr: ErrVersion, errs: []string{"version"}},
		{name: "CORS origins from the environment, comma-separated", args: []string{"--demo"},
			env: map[string]string{"GATEWAY_CORS_ALLOWED_ORIGINS": "https://a.example.com, https://b.example.com:8443,"},
			want: func(c Config) Config {
				c.Demo = true
				c.CORS.AllowedOrigins = []string{"https://a.example.com", "https://b.example.com:8443"}
				return c
			}},
		{name: "lifecycle and metrics from the file", args: []string{"--demo"},
			file: "cors:\n  allowed_origins: [\"*\"]\n  allowed_headers: [Authorization]\n  max_age: 10m\n" +
				"metrics:\n  listen: 127.0.0.1:9090\nreadiness:\n  interval: 1s\nshutdown:\n  drain_delay: 0s\n",
			want: func(c Config) Config {
				c.Demo = true
				c.CORS.AllowedOrigins, c.CORS.AllowedHeaders, c.CORS.MaxAge = []string{"*"}, []string{"Authorization"}, 10*time.Minute
				c.Metrics.Listen = "127.0.0.1:9090"
				c.Ready.Interval = time.Second
				c.Shutdown.DrainDelay = 0
				return c
			}},
		{name: "bad lifecycle values", args: []string{"--demo"},
			file: "cors:\n  allowed_origins: [app.example.com, 3]\nmetrics:\n  listen: nine\nreadiness:\n  interval: 0s\nshutdown:\n  drain_delay: -1s\n",
			errs: []string{"cors.allowed_origins (from config file): 3 is not a string", `metrics.listen: "nine" is not a host:port`,
				"readiness.interval: must be more than 0", "shutdown.drain_delay: must not be negative"}},
		{name: "an origin with a path", args: []string{"--demo"}, env: map[string]string{"GATEWAY_CORS_ALLOWED_ORIGINS": "https://a.example.com/app"},
			errs: []string{`cors.allowed_origins: "https://a.example.com/app" is not an origin`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				ext := tc.ext
				switch ext {
				case "":
					ext = ".yaml"
				case "-":
					ext = ""
				}
				args = append([]string{"--config", writeFile(t, "graphbox"+ext, tc.file)}, args...)
			}
			cfg, err := LoadConfig(args, envMap(tc.env))
			if tc.errs == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if want := tc.want(def); !reflect.DeepEqual(cfg, want) {
					t.Errorf("config =\n%+v\nwant\n%+v", cfg, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.errs)
			}
			for _, piece := range tc.errs {
				if !strings.Contains(err.Error(), piece) {
					t.Errorf("error lacks %q:\n%v", piece, err)
				}
			}
			if tc.isErr != nil && !errors.Is(err, tc.isErr) {
				t.Errorf("error %v is not %v", err, tc.isErr)
			}
		})
	}
}

// flattenYAML lists the leaf keys of a YAML mapping, dotted, and fails when one has no comment.
func flattenYAML(t *testing.T, prefix string, n *yaml.Node, out map[string]bool) {
	t.Helper()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		if v.Kind == yaml.MappingNode {
			flattenYAML(t, key, v, out)
			continue
		}
		if strings.TrimSpace(k.HeadComment+k.LineComment+v.LineComment) == "" {
			t.Errorf("config.yaml.example: key %s has no comment", key)
		}
		out[key] = true
	}
}

func TestExampleCoversConfig(t *testing.T) {
	path := examplePath(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	inExample := map[string]bool{}
	flattenYAML(t, "", doc.Content[0], inExample)

	var cfg Config
	inConfig := map[string]bool{}
	for _, l := range configLeaves(&cfg) {
		inConfig[l.key] = true
	}
	for k := range inConfig {
		if !inExample[k] {
			t.Errorf("config.yaml.example lacks key %s", k)
		}
	}
	for k := range inExample {
		if !inConfig[k] {
			t.Errorf("config.yaml.example has key %s that Config lacks", k)
		}
	}

	// The example documents the defaults: loading it gives them, with its upstream URL.
	got, err := LoadConfig([]string{"--config", path}, envMap(nil))
	if err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	want := DefaultConfig()
	want.Upstream.URL = "https://netbox.example.com"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the example's values differ from the defaults:\n%+v\nwant\n%+v", got, want)
	}
}

func TestEnvNames(t *testing.T) {
	var cfg Config
	var names []string
	for _, l := range configLeaves(&cfg) {
		names = append(names, EnvName(l.key))
	}
	sort.Strings(names)
	for _, want := range []string{"GATEWAY_CACHE_TTL", "GATEWAY_UPSTREAM_URL", "GATEWAY_LIMITS_MAX_PAGE_SIZE", "GATEWAY_GRAPHQL_ENABLED", "GATEWAY_DEMO"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("no key is set by %s (names: %v)", want, names)
		}
	}
}

func TestServerConfig(t *testing.T) {
	c := DefaultConfig()
	c.GraphQL = GraphQLConfig{Enabled: false, Playground: true, Explain: true}
	c.Limits.MaxDepth = 3
	c.Limits.RequestTimeout = time.Minute
	s := c.ServerConfig()
	if s.Enabled || !s.Playground || !s.Explain || s.MaxDepth != 3 || s.RequestTimeout != time.Minute ||
		s.MaxAliases != c.Limits.MaxAliases || s.MaxBodyBytes != c.Limits.MaxBodyBytes ||
		s.MaxSelections != c.Limits.MaxSelections || s.MaxQueryLength != c.Limits.MaxQueryLength {
		t.Errorf("ServerConfig() = %+v from %+v", s, c)
	}
}

func TestNewLogger(t *testing.T) {
	var b strings.Builder
	LogConfig{Level: "warn", Format: "json"}.NewLogger(&b).Info("hidden")
	LogConfig{Level: "warn", Format: "json"}.NewLogger(&b).Warn("shown")
	if out := b.String(); strings.Contains(out, "hidden") || !strings.Contains(out, `"msg":"shown"`) {
		t.Errorf("log = %q", out)
	}
}

func TestMemoryLimit(t *testing.T) {
	if got, ok := memoryLimit(64<<20, ""); !ok || got != 64<<20+memoryMargin {
		t.Errorf("memoryLimit(64 MiB) = %d, %v; want the cache bound plus the margin", got, ok)
	}
	if _, ok := memoryLimit(64<<20, "1GiB"); ok {
		t.Error("GOMEMLIMIT set: the gateway must leave it alone")
	}
}
