package server

import (
	"io"
	"net/http"
)

// playgroundHTML is GraphiQL loaded from a CDN, pinned with subresource integrity (the versions
// and hashes strawberry-graphql's GraphiQL page, which NetBox serves, uses). The page itself is
// served by the gateway, so without the CDN (offline) it still explains how to query the API.
const playgroundHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Graphbox GraphiQL</title>
<link rel="stylesheet" crossorigin href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css"
  integrity="sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM">
<style>
  body { margin: 0; height: 100vh; }
  #graphiql { height: 100vh; }
  #offline { font-family: system-ui, sans-serif; max-width: 48em; padding: 2em; line-height: 1.5; }
  code, pre { background: #f3f3f3; padding: 0.1em 0.3em; }
</style>
</head>
<body>
<div id="graphiql">
  <div id="offline">
    <h1>Graphbox</h1>
    <p>Loading GraphiQL from unpkg.com&hellip; If this text stays, the browser could not load it
    (offline, or the CDN is blocked). The GraphQL API works without it:</p>
    <pre>curl -H "Authorization: Token $TOKEN" -H "Content-Type: application/json" \
  --data '{"query": "{ device_list { results { id name } } }"}' \
  http://HOST/graphql/</pre>
    <p>In GraphiQL, put your token in the <em>Headers</em> tab:
    <code>{"Authorization": "Token &lt;your token&gt;"}</code>. It is not stored by the page.</p>
  </div>
</div>
<script crossorigin src="https://unpkg.com/react@18.2.0/umd/react.production.min.js"
  integrity="sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8"></script>
<script crossorigin src="https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js"
  integrity="sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"></script>
<script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"
  integrity="sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"></script>
<script>
  (function () {
    if (!window.React || !window.ReactDOM || !window.GraphiQL) { return; }
    var params = new URLSearchParams(window.location.search);
    var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        query: params.get("query") || undefined,
        defaultQuery: "{\n  device_list(pagination: {limit: 10}) {\n    total_count\n    results {\n      id\n      name\n      site { name }\n    }\n  }\n}\n",
        defaultHeaders: "{\n  \"Authorization\": \"Token <your token>\"\n}",
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false
      })
    );
  })();
</script>
</body>
</html>
`

func servePlayground(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, playgroundHTML)
}
