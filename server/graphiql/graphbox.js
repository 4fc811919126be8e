// Starts GraphiQL on the Graphbox page. Served from the gateway like the rest of the bundle, so
// the page needs no other host (the Content-Security-Policy allows none).
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    return; // the fallback text in the page stays
  }
  // GraphiQL keeps its tabs and history in localStorage, and graphiql 3.8's history saves each
  // query's headers whatever shouldPersistHeaders says: this storage drops every "headers"
  // member before writing, so the Authorization header never outlives the page.
  function withoutHeaders(value) {
    try {
      return JSON.stringify(JSON.parse(value), function (key, v) {
        return key === "headers" ? null : v;
      });
    } catch (e) {
      return value; // not JSON: a query's text
    }
  }
  function ownKeys() {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var k = window.localStorage.key(i);
      if (k.indexOf("graphiql:") === 0) keys.push(k);
    }
    return keys;
  }
  var storage = {
    getItem: function (k) { return window.localStorage.getItem(k); },
    setItem: function (k, v) {
      if (k === "graphiql:headers") return; // the Headers tab's text itself
      window.localStorage.setItem(k, withoutHeaders(v));
    },
    removeItem: function (k) { window.localStorage.removeItem(k); },
    clear: function () { ownKeys().forEach(function (k) { window.localStorage.removeItem(k); }); },
    get length() { return ownKeys().length; },
  };
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      query: params.get("query") || undefined,
      defaultQuery:
        "{\n  device_list(pagination: {limit: 10}) {\n    total_count\n    results {\n      id\n      name\n      site { name }\n    }\n  }\n}\n",
      defaultHeaders: '{\n  "Authorization": "Token <your token>"\n}',
      isHeadersEditorEnabled: true,
      // The token stays in the Headers tab of this page only: never written to localStorage.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
