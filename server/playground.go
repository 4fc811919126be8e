package server

import (
	"embed"
	"io"
	"io/fs"
	"net/http"
)

// graphiqlFiles are GraphiQL, React and ReactDOM (fetched by tools/graphiql/fetch at pinned
// versions, integrity checked; see graphiql/VERSIONS) and the page's own script. Embedded, so the
// playground works without internet, as NetBox's bundled GraphiQL does.
//
//go:embed graphiql
var graphiqlFiles embed.FS

// playgroundStatic is where the page loads its files from.
const playgroundStatic = "/graphql/static/"

// playgroundCSP lets the page load nothing from another host: scripts, styles, fonts and the
// GraphQL requests all go to the gateway. GraphiQL's editors set inline styles, and its fonts
// and icons are data: URLs in its CSS.
const playgroundCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

const playgroundHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Graphbox GraphiQL</title>
<link rel="stylesheet" href="/graphql/static/graphiql.min.css">
<link rel="stylesheet" href="/graphql/static/graphbox.css">
</head>
<body>
<div id="graphiql">
  <div id="fallback">
    <h1>Graphbox</h1>
    <p>GraphiQL needs JavaScript. The GraphQL API works without it:</p>
    <pre>curl -H "Authorization: Token $TOKEN" -H "Content-Type: application/json" \
  --data '{"query": "{ device_list { results { id name } } }"}' \
  http://HOST/graphql/</pre>
    <p>In GraphiQL, put your token in the <em>Headers</em> tab:
    <code>{"Authorization": "Token &lt;your token&gt;"}</code>. It is not stored by the page.</p>
  </div>
</div>
<script src="/graphql/static/react.production.min.js"></script>
<script src="/graphql/static/react-dom.production.min.js"></script>
<script src="/graphql/static/graphiql.min.js"></script>
<script src="/graphql/static/graphbox.js"></script>
</body>
</html>
`

func servePlayground(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", playgroundCSP)
	_, _ = io.WriteString(w, playgroundHTML)
}

// playgroundAssets serves the embedded files under playgroundStatic.
func playgroundAssets() http.Handler {
	sub, err := fs.Sub(graphiqlFiles, "graphiql")
	if err != nil {
		panic(err) // "graphiql" is embedded above: cannot happen
	}
	files := http.StripPrefix(playgroundStatic, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
