package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/graphbox/graphbox/filters"
	"github.com/graphbox/graphbox/loaders"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/graphbox/graphbox/schema"
	"github.com/graphbox/graphbox/server"
)

// Config is the gateway's configuration. Each value comes from, by increasing precedence: the
// defaults below, the config file (--config FILE or GATEWAY_CONFIG), the environment
// (GATEWAY_<KEY>, nested keys joined by "_"; GRAPHQL_ENABLED as NetBox names it) and the flags
// (--listen, --upstream, --demo). The `key` tags are the file's keys; config.yaml.example lists
// them all, and a test keeps the two in step.
type Config struct {
	Listen   string         `key:"listen"`
	Upstream UpstreamConfig `key:"upstream"`
	GraphQL  GraphQLConfig  `key:"graphql"`
	Limits   LimitsConfig   `key:"limits"`
	Cache    CacheConfig    `key:"cache"`
	Log      LogConfig      `key:"log"`
	Demo     bool           `key:"demo"`
	Metrics  MetricsConfig  `key:"metrics"`
	CORS     CORSConfig     `key:"cors"`
	Ready    ReadyConfig    `key:"readiness"`
	Shutdown ShutdownConfig `key:"shutdown"`
}

// MetricsConfig is about /metrics.
type MetricsConfig struct {
	// Listen, when set, serves /metrics on this address only, away from the API.
	Listen string `key:"listen"`
}

// CORSConfig lets browser apps on other origins call the API; off while AllowedOrigins is empty.
type CORSConfig struct {
	AllowedOrigins []string      `key:"allowed_origins"`
	AllowedMethods []string      `key:"allowed_methods"`
	AllowedHeaders []string      `key:"allowed_headers"`
	MaxAge         time.Duration `key:"max_age"`
}

// ReadyConfig is the background upstream check /readyz answers from.
type ReadyConfig struct {
	Interval time.Duration `key:"interval"`
	Timeout  time.Duration `key:"timeout"`
}

// ShutdownConfig is what happens on SIGTERM: not ready at once, serving for DrainDelay, then
// in-flight requests get up to Timeout to finish.
type ShutdownConfig struct {
	DrainDelay time.Duration `key:"drain_delay"`
	Timeout    time.Duration `key:"timeout"`
}

// minURLLength leaves a filter's parameters as much room as the part of the URL a request
// keeps for its window.
const minURLLength = 2 * filters.WindowReserve

// UpstreamConfig is about the NetBox REST API the gateway reads.
type UpstreamConfig struct {
	URL          string        `key:"url"`
	Timeout      time.Duration `key:"timeout"` // per attempt
	RetryMax     int           `key:"retry_max"`
	RetryWaitMin time.Duration `key:"retry_wait_min"`
	RetryWaitMax time.Duration `key:"retry_wait_max"`
	MaxBodyBytes int64         `key:"max_body_bytes"`
	MaxURLLength int           `key:"max_url_length"`
	// MaxConcurrency bounds the upstream requests one GraphQL query runs at once (the pages
	// and chunks of one level).
	MaxConcurrency int `key:"max_concurrency"`
}

// GraphQLConfig switches the GraphQL endpoint's features.
type GraphQLConfig struct {
	Enabled       bool `key:"enabled"`
	Playground    bool `key:"playground"`
	Explain       bool `key:"explain"`
	LegacyFilters bool `key:"legacy_filters"`
	// DefaultVersion is the schema version /graphql/ serves (NetBox's GRAPHQL_DEFAULT_VERSION):
	// 1, NetBox's plain lists, or 2, results / total_count / page_info.
	DefaultVersion int `key:"default_version"`
}

// LimitsConfig bounds what one request may cost.
type LimitsConfig struct {
	MaxBodyBytes        int64         `key:"max_body_bytes"`
	MaxDepth            int           `key:"max_depth"`
	MaxAliases          int           `key:"max_aliases"`
	MaxSelections       int           `key:"max_selections"`
	MaxQueryLength      int           `key:"max_query_length"`
	MaxPageSize         int           `key:"max_page_size"`
	DefaultPageSize     int           `key:"default_page_size"`
	MaxUpstreamRequests int           `key:"max_upstream_requests"`
	RequestTimeout      time.Duration `key:"request_timeout"`
	MaxOverlapPairs     int           `key:"max_overlap_pairs"`
	MaxErrors           int           `key:"max_errors"`
	MaxConcurrent       int           `key:"max_concurrent"`
	MaxQueued           int           `key:"max_queued"`
	QueueTimeout        time.Duration `key:"queue_timeout"`
	RateLimit           float64       `key:"rate_limit"`
	RateBurst           int           `key:"rate_burst"`
}

// CacheConfig is the shared, per-token cache of upstream answers.
type CacheConfig struct {
	TTL           time.Duration `key:"ttl"`
	MaxEntries    int           `key:"max_entries"`
	MaxBytes      int64         `key:"max_bytes"`
	MaxEntryShare float64       `key:"max_entry_share"` // of max_bytes, the most one answer may take
	// ResponseShare is the share of max_bytes that holds finished GraphQL answers (0: no
	// response cache); the upstream answers have the rest.
	ResponseShare float64 `key:"response_share"`
}

// Options is the loaders' view of the cache settings.
func (c CacheConfig) Options() loaders.CacheOptions {
	return loaders.CacheOptions{TTL: c.TTL, MaxEntries: c.MaxEntries, MaxBytes: c.MaxBytes - c.responseBytes(), MaxEntryShare: c.MaxEntryShare}
}

// ResponseOptions bound the response cache; ok is false when it is off.
func (c CacheConfig) ResponseOptions() (o loaders.CacheOptions, ok bool) {
	if c.ResponseShare <= 0 || c.TTL <= 0 {
		return o, false
	}
	return loaders.CacheOptions{TTL: c.TTL, MaxEntries: c.MaxEntries, MaxBytes: c.responseBytes(), MaxEntryShare: c.MaxEntryShare}, true
}

func (c CacheConfig) responseBytes() int64 { return int64(float64(c.MaxBytes) * c.ResponseShare) }

// LogConfig chooses the log's level and format.
type LogConfig struct {
	Level  string `key:"level"`  // debug, info, warn, error
	Format string `key:"format"` // text, json
}

// DefaultConfig is the configuration when nothing is set (config.yaml.example shows it).
func DefaultConfig() Config {
	return Config{
		// Loopback unless told otherwise: the demo's tokens are public (containers set GATEWAY_LISTEN).
		Listen: "127.0.0.1:8080",
		Upstream: UpstreamConfig{
			Timeout:        10 * time.Second,
			RetryMax:       3,
			RetryWaitMin:   100 * time.Millisecond,
			RetryWaitMax:   2 * time.Second,
			MaxBodyBytes:   64 << 20,
			MaxURLLength:   loaders.DefaultMaxURLLength,
			MaxConcurrency: loaders.DefaultConcurrency,
		},
		GraphQL: GraphQLConfig{Enabled: true, Playground: true, LegacyFilters: true, DefaultVersion: 2},
		Limits: LimitsConfig{
			MaxBodyBytes:        server.DefaultMaxBodyBytes,
			MaxDepth:            server.DefaultMaxDepth,
			MaxAliases:          server.DefaultMaxAliases,
			MaxSelections:       server.DefaultMaxSelections,
			MaxQueryLength:      server.DefaultMaxQueryLength,
			MaxPageSize:         1000,
			DefaultPageSize:     100,
			MaxUpstreamRequests: 200,
			RequestTimeout:      server.DefaultRequestTimeout,
			MaxOverlapPairs:     schema.DefaultOverlapLimit,
			MaxErrors:           server.DefaultMaxErrors,
			MaxConcurrent:       server.DefaultMaxConcurrent,
			MaxQueued:           server.DefaultMaxQueued,
			QueueTimeout:        server.DefaultQueueTimeout,
		},
		Cache: CacheConfig{TTL: 60 * time.Second, MaxEntries: loaders.DefaultMaxEntries, MaxBytes: loaders.DefaultMaxBytes,
			MaxEntryShare: loaders.DefaultMaxEntryShare, ResponseShare: 0.25},
		Log:      LogConfig{Level: "info", Format: "text"},
		CORS:     CORSConfig{AllowedOrigins: []string{}, AllowedMethods: []string{"GET", "POST"}, AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"}},
		Ready:    ReadyConfig{Interval: server.DefaultReadyInterval, Timeout: server.DefaultReadyTimeout},
		Shutdown: ShutdownConfig{DrainDelay: server.DefaultDrainDelay, Timeout: 15 * time.Second},
	}
}

// envPrefix starts every environment variable of the gateway.
const envPrefix = "GATEWAY_"

// flagKeys maps the flags that set a config key to that key.
var flagKeys = map[string]string{"listen": "listen", "upstream": "upstream.url", "demo": "demo"}

// LoadConfig reads the configuration from the command line (args without the program name), the
// environment (env; nil reads the process's) and the config file. It reports every problem at
// once (errors.Join). With -h/--help it returns an error wrapping pflag.ErrHelp whose text is
// the usage.
func LoadConfig(args []string, env func(string) string) (Config, error) {
	if env == nil {
		env = os.Getenv
	}
	fs := pflag.NewFlagSet("gateway", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configFile := fs.String("config", "", "config file (YAML, JSON or TOML); also GATEWAY_CONFIG")
	fs.String("listen", DefaultConfig().Listen, "address to listen on; also GATEWAY_LISTEN")
	fs.String("upstream", "", "NetBox base URL, e.g. https://netbox.example.com; also GATEWAY_UPSTREAM_URL")
	fs.Bool("demo", false, "serve the built-in demo inventory instead of an upstream; also GATEWAY_DEMO")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return Config{}, usageError(fs.FlagUsages())
		}
		return Config{}, fmt.Errorf("command line: %w", err)
	}
	if *showVersion {
		return Config{}, ErrVersion
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("command line: unexpected argument %q (the gateway takes only flags)", fs.Arg(0))
	}

	var errs []error
	file := viper.New()
	path := *configFile
	if path == "" {
		path = env(envPrefix + "CONFIG")
	}
	if path != "" {
		file.SetConfigFile(path)
		// Other names (config, config.yaml.example) are read as YAML.
		if ext := strings.TrimPrefix(filepath.Ext(path), "."); !slices.Contains(viper.SupportedExts, ext) {
			file.SetConfigType("yaml")
		}
		if err := file.ReadInConfig(); err != nil {
			errs = append(errs, fmt.Errorf("config file %s: %w", path, err))
		}
	}

	cfg := DefaultConfig()
	leaves := configLeaves(&cfg)
	known := make(map[string]bool, len(leaves))
	sections := map[string]bool{}
	for _, l := range leaves {
		known[l.key] = true
		if section, _, ok := strings.Cut(l.key, "."); ok {
			sections[section] = true
		}
	}
	fileKeys := file.AllKeys()
	sort.Strings(fileKeys)
	for _, k := range fileKeys {
		switch {
		case known[k]:
		case sections[k]:
			errs = append(errs, fmt.Errorf("config file %s: %q must be a mapping of keys", path, k))
		default:
			errs = append(errs, fmt.Errorf("config file %s: unknown key %q", path, k))
		}
	}

	for _, l := range leaves {
		raw, source, ok := lookup(l.key, fs, env, file)
		if !ok {
			continue
		}
		if err := setValue(l.value, raw); err != nil {
			errs = append(errs, fmt.Errorf("%s (from %s): %w", l.key, source, err))
		}
	}
	errs = append(errs, cfg.validate()...)
	return cfg, errors.Join(errs...)
}

// ErrVersion is LoadConfig's answer to --version.
var ErrVersion = errors.New("version requested")

// usageError is LoadConfig's answer to -h/--help: its text is the usage, and it matches
// pflag.ErrHelp.
type usageError string

func (u usageError) Error() string {
	return "Usage:\n  gateway [flags]            serve GraphQL over a NetBox REST API\n" +
		"  gateway healthcheck [URL]  exit 0 when the gateway's /healthz answers 200 (container health checks)\n\nFlags:\n" + string(u)
}

func (usageError) Is(target error) bool { return target == pflag.ErrHelp }

// EnvName is the environment variable that sets key ("cache.ttl" → "GATEWAY_CACHE_TTL").
func EnvName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// netboxEnv are the keys NetBox has a setting for, by that setting's name.
var netboxEnv = map[string]string{"graphql.enabled": "GRAPHQL_ENABLED", "graphql.default_version": "GRAPHQL_DEFAULT_VERSION"}

// lookup finds the value of key with the highest precedence: flag, environment, file.
func lookup(key string, fs *pflag.FlagSet, env func(string) string, file *viper.Viper) (raw any, source string, ok bool) {
	for name, k := range flagKeys {
		if k == key && fs.Changed(name) {
			return fs.Lookup(name).Value.String(), "--" + name, true
		}
	}
	// An empty variable counts as unset, as in most container tooling.
	if v := env(EnvName(key)); v != "" {
		return v, EnvName(key), true
	}
	// NetBox's own setting names work too.
	if netbox, ok := netboxEnv[key]; ok {
		if v := env(netbox); v != "" {
			return v, netbox, true
		}
	}
	// A key left empty in the file ("url:") keeps its default.
	if v := file.Get(key); v != nil {
		return v, "config file", true
	}
	return nil, "", false
}

// leaf is one settable value of Config with its dotted key.
type leaf struct {
	key   string
	value reflect.Value
}

// configLeaves lists every leaf of cfg in declaration order, addressable so it can be set.
func configLeaves(cfg *Config) []leaf {
	var out []leaf
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			key := t.Field(i).Tag.Get("key")
			if prefix != "" {
				key = prefix + "." + key
			}
			f := v.Field(i)
			if f.Kind() == reflect.Struct {
				walk(key, f)
				continue
			}
			out = append(out, leaf{key: key, value: f})
		}
	}
	walk("", reflect.ValueOf(cfg).Elem())
	return out
}

var durationType = reflect.TypeOf(time.Duration(0))

// setValue converts raw (a string from a flag or the environment, or a value decoded from the
// file) to v's type.
func setValue(v reflect.Value, raw any) error {
	switch {
	case v.Type() == durationType:
		d, err := toDuration(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		list, err := toStrings(raw)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(list))
	case v.Kind() == reflect.String:
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("want a string, got %v", raw)
		}
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, err := toBool(raw)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case v.Kind() == reflect.Float64:
		f, err := toFloat(raw)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := toInt(raw)
		if err != nil {
			return err
		}
		if v.OverflowInt(n) {
			return fmt.Errorf("%d is too large", n)
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

func toDuration(raw any) (time.Duration, error) {
	switch x := raw.(type) {
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (write e.g. \"500ms\", \"30s\", \"2m\")", x)
		}
		return d, nil
	case int, int64, float64:
		if fmt.Sprint(x) == "0" {
			return 0, nil
		}
		return 0, fmt.Errorf("%v has no unit (write e.g. \"%vs\")", x, x)
	}
	return 0, fmt.Errorf("%v is not a duration (write e.g. \"30s\")", raw)
}

// toStrings reads a list: from the file a YAML list (or one string), from a flag or the
// environment comma-separated values.
func toStrings(raw any) ([]string, error) {
	var items []any
	switch x := raw.(type) {
	case string:
		for _, s := range strings.Split(x, ",") {
			items = append(items, s)
		}
	case []any:
		items = x
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("%v is not a list of strings", raw)
	}
	out := []string{}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not a string", it)
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func toBool(raw any) (bool, error) {
	switch x := raw.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes", "on":
			return true, nil
		case "false", "0", "no", "off":
			return false, nil
		}
	}
	return false, fmt.Errorf("%v is not a boolean (write true or false)", raw)
}

func toFloat(raw any) (float64, error) {
	switch x := raw.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%q is not a number", x)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%v is not a number", raw)
}

func toInt(raw any) (int64, error) {
	switch x := raw.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d is too large", x)
		}
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("%v is not a whole number", x)
		}
		return int64(x), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%v is not a whole number", raw)
}

// validate returns every inconsistency of c.
func (c Config) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not a host:port address (e.g. \":8080\")", c.Listen)
	}
	switch {
	case c.Upstream.URL == "" && !c.Demo:
		bad("upstream.url", "missing: give the NetBox URL with --upstream, GATEWAY_UPSTREAM_URL or upstream.url, or run with --demo")
	case c.Upstream.URL != "":
		u, err := url.Parse(c.Upstream.URL)
		switch {
		case err != nil:
			bad("upstream.url", "cannot parse %q: %v", c.Upstream.URL, err)
		case u.Scheme != "http" && u.Scheme != "https":
			bad("upstream.url", "%q must start with http:// or https://", c.Upstream.URL)
		case u.Host == "":
			bad("upstream.url", "%q has no host", c.Upstream.URL)
		case u.User != nil:
			bad("upstream.url", "must not contain credentials: the callers' tokens are forwarded")
		}
	}
	positiveDuration := func(key string, d time.Duration) {
		if d <= 0 {
			bad(key, "must be more than 0, got %s", d)
		}
	}
	positive := func(key string, n int64) {
		if n <= 0 {
			bad(key, "must be more than 0, got %d", n)
		}
	}
	positiveDuration("upstream.timeout", c.Upstream.Timeout)
	if c.Upstream.RetryMax < 0 {
		bad("upstream.retry_max", "must not be negative, got %d", c.Upstream.RetryMax)
	}
	positiveDuration("upstream.retry_wait_min", c.Upstream.RetryWaitMin)
	positiveDuration("upstream.retry_wait_max", c.Upstream.RetryWaitMax)
	if c.Upstream.RetryWaitMax < c.Upstream.RetryWaitMin {
		bad("upstream.retry_wait_max", "%s is less than upstream.retry_wait_min (%s)", c.Upstream.RetryWaitMax, c.Upstream.RetryWaitMin)
	}
	positive("upstream.max_body_bytes", c.Upstream.MaxBodyBytes)
	if c.Upstream.MaxURLLength < minURLLength {
		bad("upstream.max_url_length", "must be at least %d (room for a page's parameters), got %d", minURLLength, c.Upstream.MaxURLLength)
	}

	positive("upstream.max_concurrency", int64(c.Upstream.MaxConcurrency))

	positive("limits.max_body_bytes", c.Limits.MaxBodyBytes)
	positive("limits.max_depth", int64(c.Limits.MaxDepth))
	positive("limits.max_aliases", int64(c.Limits.MaxAliases))
	positive("limits.max_selections", int64(c.Limits.MaxSelections))
	positive("limits.max_query_length", int64(c.Limits.MaxQueryLength))
	positive("limits.max_page_size", int64(c.Limits.MaxPageSize))
	positive("limits.default_page_size", int64(c.Limits.DefaultPageSize))
	if c.Limits.DefaultPageSize > c.Limits.MaxPageSize {
		bad("limits.default_page_size", "%d is more than limits.max_page_size (%d)", c.Limits.DefaultPageSize, c.Limits.MaxPageSize)
	}
	positive("limits.max_upstream_requests", int64(c.Limits.MaxUpstreamRequests))
	positiveDuration("limits.request_timeout", c.Limits.RequestTimeout)
	positive("limits.max_overlap_pairs", int64(c.Limits.MaxOverlapPairs))
	positive("limits.max_errors", int64(c.Limits.MaxErrors))
	positive("limits.max_concurrent", int64(c.Limits.MaxConcurrent))
	if c.Limits.MaxQueued < 0 {
		bad("limits.max_queued", "must not be negative, got %d", c.Limits.MaxQueued)
	}
	positiveDuration("limits.queue_timeout", c.Limits.QueueTimeout)
	if c.Limits.RateLimit < 0 {
		bad("limits.rate_limit", "must not be negative, got %g", c.Limits.RateLimit)
	}
	if c.Limits.RateBurst < 0 {
		bad("limits.rate_burst", "must not be negative, got %d", c.Limits.RateBurst)
	}

	if c.Cache.TTL < 0 {
		bad("cache.ttl", "must not be negative, got %s", c.Cache.TTL)
	}
	positive("cache.max_entries", int64(c.Cache.MaxEntries))
	positive("cache.max_bytes", c.Cache.MaxBytes)
	if !(c.Cache.ResponseShare >= 0 && c.Cache.ResponseShare < 1) {
		bad("cache.response_share", "must be at least 0 and less than 1, got %v", c.Cache.ResponseShare)
	}
	if !(c.Cache.MaxEntryShare > 0 && c.Cache.MaxEntryShare <= 1) {
		bad("cache.max_entry_share", "must be more than 0 and at most 1, got %v", c.Cache.MaxEntryShare)
	}

	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			bad("metrics.listen", "%q is not a host:port address (e.g. \":9090\")", c.Metrics.Listen)
		}
	}
	for _, o := range c.CORS.AllowedOrigins {
		if u, err := url.Parse(o); o != "*" && (err != nil || u.Scheme == "" || u.Host == "" || u.Path != "") {
			bad("cors.allowed_origins", "%q is not an origin (scheme://host[:port]) or *", o)
		}
	}
	if c.CORS.MaxAge < 0 {
		bad("cors.max_age", "must not be negative, got %s", c.CORS.MaxAge)
	}
	positiveDuration("readiness.interval", c.Ready.Interval)
	positiveDuration("readiness.timeout", c.Ready.Timeout)
	if c.Shutdown.DrainDelay < 0 {
		bad("shutdown.drain_delay", "must not be negative, got %s", c.Shutdown.DrainDelay)
	}
	positiveDuration("shutdown.timeout", c.Shutdown.Timeout)

	if _, err := c.Log.level(); err != nil {
		bad("log.level", "%v", err)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	return errs
}

// ServerConfig is the HTTP layer's part of the configuration.
func (c Config) ServerConfig() server.Config {
	return server.Config{
		Enabled:        c.GraphQL.Enabled,
		MaxBodyBytes:   c.Limits.MaxBodyBytes,
		MaxDepth:       c.Limits.MaxDepth,
		MaxAliases:     c.Limits.MaxAliases,
		MaxSelections:  c.Limits.MaxSelections,
		MaxQueryLength: c.Limits.MaxQueryLength,
		RequestTimeout: c.Limits.RequestTimeout,
		Playground:     c.GraphQL.Playground,
		DefaultVersion: c.GraphQL.DefaultVersion,
		Explain:        c.GraphQL.Explain,
		MaxErrors:      c.Limits.MaxErrors,
		MaxConcurrent:  c.Limits.MaxConcurrent,
		MaxQueued:      c.Limits.MaxQueued,
		QueueTimeout:   c.Limits.QueueTimeout,
		RateLimit:      c.Limits.RateLimit,
		RateBurst:      c.Limits.RateBurst,
		ReadyTimeout:   c.Ready.Timeout,
		// Set by the wiring: Metrics, MetricsElsewhere.
		CORS: server.CORSConfig{
			AllowedOrigins: c.CORS.AllowedOrigins,
			AllowedMethods: c.CORS.AllowedMethods,
			AllowedHeaders: c.CORS.AllowedHeaders,
			MaxAge:         int(c.CORS.MaxAge / time.Second),
		},
	}
}

func (c LogConfig) level() (slog.Level, error) {
	switch strings.ToLower(c.Level) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q is not debug, info, warn or error", c.Level)
}

// NewLogger builds the logger c describes, writing to w (an invalid level, refused by
// LoadConfig, logs at info).
func (c LogConfig) NewLogger(w io.Writer) *slog.Logger {
	level, _ := c.level()
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
