// YASGUI on /query: the SPARQL editor over our own /sparql, with our prefixes and the canned queries as
// examples. It only runs with JavaScript; without it the page's form (below the editor) works as before.
// Everything YASGUI would fetch from elsewhere by default is turned off here: prefix.cc (prefix completion),
// Linked Open Vocabularies (class and property completion) and the catalogue of public endpoints.
(function () {
  "use strict";

  var holder = document.getElementById("yasgui");
  var data = document.getElementById("yasgui-config");
  if (!holder || !data || typeof Yasgui === "undefined") {
    return; // the form stays the page
  }
  var config = JSON.parse(data.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasqe = Yasgui.default ? Yasgui.default.Yasqe : Yasgui.Yasqe;
  var YasguiClass = Yasgui.default || Yasgui;

  // prefix completion from our namespaces, not from prefix.cc
  var ours = Object.keys(config.prefixes)
    .sort()
    .map(function (name) {
      return name + ": <" + config.prefixes[name] + ">";
    });
  Yasqe.forkAutocompleter(
    "prefixes",
    {
      name: "crosswalkPrefixes",
      persistenceId: null,
      get: function () {
        return Promise.resolve(ours);
      },
    },
    false
  );
  // lodash merges arrays index by index, so the list of completers is set in place rather than through the
  // config: only ours and the query's own variables (the class and property completers ask LOV)
  var completers = YasguiClass.defaults.yasqe.autocompleters;
  completers.splice(0, completers.length, "crosswalkPrefixes", "variables");

  var yasgui = new YasguiClass(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    yasqe: { value: config.newTabQuery, prefixCcApi: null },
    yasr: { prefixes: config.prefixes },
  });

  function open(title, query, run) {
    var tab = yasgui.addTab(
      true,
      { name: title, yasqe: { value: query }, requestConfig: { endpoint: endpoint } },
      { avoidDuplicateTabs: true }
    );
    tab = yasgui.getTab() || tab;
    if (run) {
      tab.query();
    }
    return tab;
  }

  var byName = {};
  config.examples.forEach(function (example) {
    byName[example.name] = example;
  });
  document.querySelectorAll("#canned a[data-query-name]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var example = byName[link.getAttribute("data-query-name")];
      if (!example || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
        return; // a new window or tab gets the server-rendered page
      }
      event.preventDefault();
      open(example.title, example.query, true);
      holder.scrollIntoView();
    });
  });

  // the editor replaces the form and the server's answer to it
  holder.hidden = false;
  ["query-form", "results-section", "ask"].forEach(function (id) {
    var element = document.getElementById(id);
    if (element) {
      element.hidden = true;
    }
  });
  if (config.current) {
    open(config.current.title, config.current.query, true);
  }
})();
