package netboxsim

import (
	"strings"
	"unicode"
)

// appNames are NetBox's app verbose names (AppConfig.verbose_name), which ObjectType shows as
// app_name and in its display ("DCIM > Device").
var appNames = map[string]string{
	"circuits": "Circuits", "core": "Core", "dcim": "DCIM", "extras": "Extras", "ipam": "IPAM",
	"tenancy": "Tenancy", "users": "Users", "virtualization": "Virtualization", "vpn": "VPN", "wireless": "Wireless",
}

// objectTypes describes each object type as NetBox's ObjectType serializer does: the app's and
// the model's verbose names, the list endpoint, and "<App> > <Model>" as display. Verbose names
// are the model name in words, acronyms kept (IPAddress: "IP address"), as NetBox's mostly are.
func (g *generator) objectTypes() {
	t := g.tab("ObjectType")
	if t == nil {
		return
	}
	for r := range t.n {
		app, model := "", ""
		if c := t.col("app_label"); c != nil && c.kind == colString {
			app = c.strs[r]
		}
		if c := t.col("model"); c != nil && c.kind == colString {
			model = c.strs[r]
		}
		o := g.s.byLower[model]
		if o == nil || !strings.HasPrefix(o.obj.ContentType, app+".") {
			continue
		}
		verbose := words(o.obj.Name)
		appName := appNames[app]
		if appName == "" {
			appName = app
		}
		strSet(t, "app_name", r, appName)
		strSet(t, "model_name", r, verbose)
		strSet(t, "model_name_plural", r, verbose+pluralSuffix(verbose))
		strSet(t, "rest_api_endpoint", r, o.obj.Path)
		boolSet(t, "public", r, true)
		boolSet(t, "is_plugin_model", r, false)
		t.display[r] = appName + " > " + titleWords(verbose)
	}
}

// words splits a model name into lower-case words, keeping acronyms: VMInterface -> "VM interface".
func words(name string) string {
	var out []string
	rs := []rune(name)
	start := 0
	for i := 1; i <= len(rs); i++ {
		boundary := i == len(rs) ||
			(unicode.IsUpper(rs[i]) && unicode.IsLower(rs[i-1])) ||
			(unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))
		if !boundary {
			continue
		}
		w := string(rs[start:i])
		if len(w) == 1 || strings.ToUpper(w) != w {
			w = strings.ToLower(w)
		}
		out = append(out, w)
		start = i
	}
	return strings.Join(out, " ")
}

func titleWords(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		ws[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(ws, " ")
}

func pluralSuffix(s string) string {
	switch {
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "ch"):
		return "es"
	}
	return "s"
}
