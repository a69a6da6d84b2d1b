// Accessibility repairs for YASGUI's own markup on /query (the vendored library is left as shipped). YASGUI
// builds and rebuilds its DOM as tabs open and results arrive, so the repairs run on every change under #yasgui:
// names for its unnamed controls, a tab list that holds only tabs, the language of literals it renders, and
// keyboard access (a labelled, focusable box) to what scrolls.
(function () {
  "use strict";

  var holder = document.getElementById("yasgui");
  if (!holder || typeof MutationObserver === "undefined") {
    return;
  }
  var ja = document.documentElement.lang === "ja";
  var names = {
    ".tableSizer": ja ? "1 ページの行数" : "Rows per page",
    ".autocomplete": ja ? "エンドポイント" : "Endpoint",
    ".CodeMirror textarea": ja ? "SPARQL クエリ" : "SPARQL query",
    ".tabsList .tab input": ja ? "タブの名前" : "Tab name",
    ".yasr .search input, .yasr input[type=search]": ja ? "結果を絞り込む" : "Filter the results",
  };

  function name(selector, text) {
    holder.querySelectorAll(selector).forEach(function (element) {
      if (!element.hasAttribute("aria-label")) {
        element.setAttribute("aria-label", text);
      }
    });
  }

  function scrollBox(selector, text) {
    holder.querySelectorAll(selector).forEach(function (element) {
      if (element.getAttribute("tabindex") !== "0") {
        element.setAttribute("tabindex", "0");
        element.setAttribute("role", "region");
        element.setAttribute("aria-label", text);
      }
    });
  }

  function repair() {
    Object.keys(names).forEach(function (selector) {
      name(selector, names[selector]);
    });
    // a tablist may hold only tabs: YASGUI's "add tab" button inside it is hidden (YASGUI inserts new tabs before
    // it, so it stays where it is) and a button just after the list clicks it
    holder.querySelectorAll(".tabsList").forEach(function (list) {
      var add = list.querySelector(".addTab");
      if (!add || list.nextElementSibling && list.nextElementSibling.classList.contains("add-tab")) {
        return;
      }
      add.parentElement.hidden = true;
      var proxy = document.createElement("button");
      proxy.type = "button";
      proxy.className = "add-tab";
      proxy.textContent = "+";
      proxy.setAttribute("aria-label", ja ? "新しいタブ" : "Add a new tab");
      proxy.title = proxy.getAttribute("aria-label");
      proxy.addEventListener("click", function () {
        add.click();
      });
      list.parentElement.insertBefore(proxy, list.nextSibling);
    });
    // literals carry their language tag as a <sup>@ja</sup>
    holder.querySelectorAll(".nonIri sup").forEach(function (sup) {
      var tag = sup.textContent.trim();
      if (tag.charAt(0) === "@" && !sup.parentElement.hasAttribute("lang")) {
        sup.parentElement.setAttribute("lang", tag.slice(1));
      }
    });
    scrollBox(".CodeMirror-scroll", ja ? "SPARQL クエリ" : "SPARQL query");
    scrollBox(".yasr .dt-layout-full", ja ? "結果" : "Results");
  }

  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        repair();
      });
    }
  }).observe(holder, { childList: true, subtree: true });
  repair();
})();
