// Search on a static copy of the site: the form's ?q= filtered over /search-index.json (built with the release),
// in the order the server's own search uses (an exact ID first). No server, no inline script (CSP-friendly).
"use strict";
(function () {
  const form = document.getElementById("static-search");
  if (!form) return;
  const q = new URLSearchParams(window.location.search).get("q") || "";
  const lang = document.documentElement.lang === "en" ? "en" : "ja";
  const other = lang === "ja" ? "en" : "ja";
  form.querySelector("input[name=q]").value = q;
  const needle = q.trim().toLowerCase();
  if (!needle) return;
  const count = document.getElementById("hit-count");
  const table = document.getElementById("hits");
  const body = table.querySelector("tbody");
  fetch(form.dataset.index)
    .then((response) => response.json())
    .then((rows) => {
      const hits = rows.filter((r) =>
        [r.n, r.ja, r.en].some((text) => (text || "").toLowerCase().includes(needle)));
      const exact = hits.filter((r) => (r.b || "").toLowerCase() === needle);
      const shown = exact.concat(hits.filter((r) => !exact.includes(r))).slice(0, 100);
      count.textContent = shown.length + " " + body.dataset.matches;
      count.hidden = false;
      if (!shown.length) {
        count.textContent = body.dataset.none;
        return;
      }
      for (const hit of shown) {
        const row = body.insertRow();
        row.insertCell().textContent = hit.s;
        const cell = row.insertCell();
        const link = document.createElement("a");
        link.href = hit.u + "?lang=" + lang;
        const code = document.createElement("span");
        code.className = "notation";
        code.textContent = hit.st ? hit.of : hit.n;
        link.append(code, " ", hit.st ? body.dataset.statement.replace("{n}", hit.st) : hit[lang]);
        cell.append(link);
        if (hit.st) {
          const text = document.createElement("div");
          text.className = "text";
          text.textContent = hit[lang];
          cell.append(text);
        }
        const translation = row.insertCell();
        translation.lang = other;
        translation.textContent = hit[other];
      }
      table.hidden = false;
    });
})();
