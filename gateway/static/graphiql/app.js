/*
 * GraphiQL for the citizen graph, served by the gateway itself.
 *
 * The page's <body> tells this script the endpoint and the mode. In dev mode it
 * adds a "Query plan" panel, which asks the endpoint for the plan of the current
 * operation, and, when the development issuer is on, a persona picker that puts
 * a persona's bearer token into the Authorization header, optionally acting for
 * another persona.
 */
(function () {
  "use strict";

  var h = React.createElement;
  var config = document.body.dataset;
  var endpoint = config.endpoint;
  var dev = config.dev === "true";
  var signIn = config.signIn === "true";
  var useEditorContext = GraphiQL.React.useEditorContext;

  function parseObject(text) {
    if (!text || !text.trim()) {
      return {};
    }
    try {
      var value = JSON.parse(text);
      return value && typeof value === "object" && !Array.isArray(value) ? value : {};
    } catch (error) {
      return {};
    }
  }

  function setAuthorization(editor, value) {
    if (!editor) {
      return;
    }
    var headers = parseObject(editor.getValue());
    if (value) {
      headers.Authorization = value;
    } else {
      delete headers.Authorization;
    }
    editor.setValue(JSON.stringify(headers, null, 2));
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error(url + " answered " + r.status);
      }
      return r.json();
    });
  }

  function PersonaPicker() {
    var editors = useEditorContext({ nonNull: true });
    var [personas, setPersonas] = React.useState([]);
    var [persona, setPersona] = React.useState("");
    var [actFor, setActFor] = React.useState("");
    var [problem, setProblem] = React.useState("");

    React.useEffect(function () {
      getJson("/dev/personas")
        .then(function (body) {
          // Either {"personas": ["name", ...]} or [{"name": ..., "description": ...}].
          var list = Array.isArray(body) ? body : body.personas || [];
          setPersonas(list.map(function (p) {
            return typeof p === "string" ? { name: p, description: "" } : p;
          }));
        })
        .catch(function () { setProblem("no personas"); });
    }, []);

    // Signs in as ``name``, acting for ``principal`` when one is chosen; the gateway
    // decides whether the persona may act for them.
    function signIn(name, principal) {
      setPersona(name);
      setActFor(principal);
      setProblem("");
      if (!name) {
        setAuthorization(editors.headerEditor, null);
        return;
      }
      var url = "/dev/token?persona=" + encodeURIComponent(name);
      if (principal) {
        url += "&actFor=" + encodeURIComponent(principal);
      }
      getJson(url)
        .then(function (body) {
          setAuthorization(editors.headerEditor, "Bearer " + body.token);
        })
        .catch(function () { setProblem("sign-in failed"); });
    }

    function options(first) {
      return [h("option", { key: "", value: "" }, first)].concat(
        personas.map(function (p) {
          return h("option", { key: p.name, value: p.name, title: p.description || "" }, p.name);
        })
      );
    }
    return h(
      "span",
      { className: "cg-persona" },
      h(
        "label",
        null,
        "Signed in as ",
        h("select", {
          value: persona,
          onChange: function (event) { signIn(event.target.value, actFor); },
          "aria-label": "Persona",
        }, options("nobody"))
      ),
      persona
        ? h(
            "label",
            null,
            " acting for ",
            h("select", {
              value: actFor,
              onChange: function (event) { signIn(persona, event.target.value); },
              "aria-label": "Acting for",
            }, options("themself"))
          )
        : null,
      problem ? " (" + problem + ")" : null
    );
  }

  // A plan as an indented outline: each node's kind and attributes on one line,
  // a fetch's operation text below it, and its child nodes indented under it.
  function outline(value, depth) {
    var pad = "  ".repeat(depth);
    if (Array.isArray(value)) {
      return value.map(function (item) { return outline(item, depth); }).join("\n");
    }
    if (!value || typeof value !== "object") {
      return pad + JSON.stringify(value);
    }
    var attributes = [];
    var children = [];
    var texts = [];
    Object.keys(value).forEach(function (key) {
      var item = value[key];
      if (key === "kind") {
        return;
      }
      if (typeof item === "string" && item.indexOf("\n") >= 0) {
        texts.push(item);
      } else if (item && typeof item === "object" && !isFlat(item)) {
        children.push(item);
      } else if (!(Array.isArray(item) && item.length === 0)) {
        attributes.push(key + ": " + JSON.stringify(item));
      }
    });
    var head = pad + (value.kind || "") + (attributes.length ? " (" + attributes.join(", ") + ")" : "");
    var lines = [head];
    texts.forEach(function (text) {
      lines.push(text.split("\n").map(function (line) { return pad + "  | " + line; }).join("\n"));
    });
    children.forEach(function (child) { lines.push(outline(child, depth + 1)); });
    return lines.join("\n");
  }

  function isFlat(item) {
    return Array.isArray(item) && item.every(function (x) { return !x || typeof x !== "object"; });
  }

  function PlanView() {
    var editors = useEditorContext({ nonNull: true });
    var [state, setState] = React.useState({
      text: "Plan the operation in the editor to see the fetches it makes.",
      error: false,
    });

    function plan() {
      var headers = parseObject(editors.headerEditor && editors.headerEditor.getValue());
      var body = {
        query: editors.queryEditor ? editors.queryEditor.getValue() : "",
        variables: parseObject(editors.variableEditor && editors.variableEditor.getValue()),
        operationName: editors.operationName || null,
        extensions: { queryPlan: true },
      };
      setState({ text: "Planning…", error: false });
      fetch(endpoint, {
        method: "POST",
        headers: Object.assign(
          {
            "Content-Type": "application/json",
            Accept: "application/graphql-response+json, application/json",
          },
          headers
        ),
        body: JSON.stringify(body),
      })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          var queryPlan = result.extensions && result.extensions.queryPlan;
          if (queryPlan === undefined) {
            var errors = (result.errors || []).map(function (e) { return e.message; });
            setState({ text: errors.join("\n") || "The server sent no plan.", error: true });
          } else {
            setState({
              text: typeof queryPlan === "string" ? queryPlan : outline(queryPlan, 0),
              json: JSON.stringify(queryPlan, null, 2),
              error: false,
            });
          }
        })
        .catch(function (error) { setState({ text: String(error), error: true }); });
    }

    return h(
      "div",
      { className: "cg-plan" },
      h("div", { className: "graphiql-doc-explorer-title" }, "Query plan"),
      h("button", { type: "button", className: "graphiql-button", onClick: plan }, "Plan the current operation"),
      h("pre", { className: state.error ? "cg-error" : "cg-plan-text" }, state.text),
      state.json
        ? h("details", null, h("summary", null, "As JSON"), h("pre", { className: "cg-plan-json" }, state.json))
        : null
    );
  }

  function PlanIcon() {
    return h(
      "svg",
      { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.5, "aria-hidden": "true" },
      h("circle", { cx: 5, cy: 6, r: 2 }),
      h("circle", { cx: 19, cy: 6, r: 2 }),
      h("circle", { cx: 12, cy: 18, r: 2 }),
      h("path", { d: "M6.5 7.5 10.5 16.5M17.5 7.5 13.5 16.5M7 6h10" })
    );
  }

  var plugins = [GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false })];
  if (dev) {
    plugins.push({ title: "Query plan", icon: PlanIcon, content: PlanView });
  }
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var DEFAULT_QUERY = [
    "# Citizen Graph: pick a persona, then fields in the explorer, or write a query.",
    "",
    "query Me {",
    "  me {",
    "    personId",
    "    name {",
    "      firstNames",
    "      lastName",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  var search = new URLSearchParams(window.location.search);

  function App() {
    return h(
      GraphiQL,
      {
        fetcher: fetcher,
        plugins: plugins,
        query: search.get("query") || undefined,
        variables: search.get("variables") || undefined,
        defaultQuery: DEFAULT_QUERY,
        defaultEditorToolsVisibility: signIn ? "headers" : false,
        shouldPersistHeaders: false,
      },
      h(
        GraphiQL.Logo,
        null,
        h("span", { className: "cg-logo" }, "Citizen Graph", signIn ? h(PersonaPicker) : null)
      )
    );
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(App));
})();
