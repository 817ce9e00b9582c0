// GraphiQL on our own endpoint, signed in with the page's session: the session cookie goes
// with every request, and the CSRF token in the header the endpoint asks for.
"use strict";

(function start() {
  const root = document.getElementById("graphiql");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const endpoint = root.dataset.endpoint;
  async function fetcher(params) {
    const response = await fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(params),
    });
    return response.json();
  }
  const example = [
    "# Assets with active incidents, and their health",
    "query unhealthyAssets {",
    "  searchAcrossEntities(input: {",
    "    query: \"*\", count: 10",
    "    orFilters: [{and: [{field: \"hasActiveIncidents\", values: [\"true\"]}]}]",
    "  }) {",
    "    total",
    "    searchResults {",
    "      entity { urn type ... on Dataset { health { status message } } }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: example, defaultEditorToolsVisibility: false })
  );
})();
