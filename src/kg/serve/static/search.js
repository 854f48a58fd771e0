// Search by label on a static copy of the site (kg publish): the server's search, run in the page
// over /search.json. Same matching: substring of a normalised label (NFKC, case-folded, katakana as
// hiragana); exact matches first, then prefixes, then shorter labels. Text is only ever set as text.
"use strict";
(function () {
  const SHOWN = 100;
  // the site's own path (a site may be published under one): where this script is, less /static/…
  const root = new URL(document.currentScript.src).pathname.replace(/\/static\/search\.js$/, "");
  const params = new URLSearchParams(location.search);
  const q = (params.get("q") || "").trim();
  const lang = ["ja", "en"].includes(params.get("lang")) ? params.get("lang") : "";
  const found = document.getElementById("found");
  const hits = document.getElementById("hits");
  document.querySelectorAll('input[name="q"]').forEach((input) => { input.value = q; });
  const select = document.querySelector('select[name="lang"]');
  if (select) select.value = lang;
  if (!q || !found || !hits) return;

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().replace(/[\u30a1-\u30f6]/g,
      (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
  }

  function element(name, text, attributes) {
    const node = document.createElement(name);
    if (text) node.textContent = text;
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function show(index) {
    const needle = normalise(q);
    const best = new Map();
    for (const [item, text, language] of index.labels) {
      if (lang && language !== lang) continue;
      const norm = normalise(text);
      const at = norm.indexOf(needle);
      if (at < 0) continue;
      const rank = [norm === needle ? 0 : at === 0 ? 1 : 2, norm.length, text];
      const seen = best.get(item);
      if (!seen || compare(rank, seen.rank) < 0) best.set(item, { rank, text, language });
    }
    const ranked = [...best.entries()].sort((a, b) => compare(a[1].rank, b[1].rank) ||
      (index.items[a[0]][0] < index.items[b[0]][0] ? -1 : 1));
    found.textContent = `「${q}」: ${ranked.length.toLocaleString("ja-JP")} 件` +
      (ranked.length > SHOWN ? `（上位 ${SHOWN} 件を表示）` : "");
    found.append(" ", element("span", `${ranked.length.toLocaleString("en")} found` +
      (ranked.length > SHOWN ? `, showing the first ${SHOWN}` : ""), { class: "en", lang: "en" }));
    for (const [item, match] of ranked.slice(0, SHOWN)) {
      const [href, ja, en, types] = index.items[item];
      const li = element("li");
      li.append(element("a", ja || en || href, { href: root + href }));
      if (en && ja && en !== ja) li.append(" ", element("span", en, { class: "en", lang: "en" }));
      for (const type of types) {
        const [name, label] = index.classes[type];
        li.append(" ", element("a", label, { class: "type", href: root + "/class/" + name }));
      }
      if (match.text !== ja && match.text !== en) {
        const matched = element("div", "一致: ", { class: "matched" });
        matched.append(element("span", match.text, match.language ? { lang: match.language } : {}));
        li.append(matched);
      }
      hits.append(li);
    }
  }

  function compare(a, b) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  found.textContent = "検索中… Searching…";
  fetch(root + "/search.json").then((r) => {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(show).catch(() => {
    found.textContent = "検索の索引を読めませんでした。The search index could not be read.";
  });
})();
