// Suggestions while typing, for a plain search form that works without JavaScript.
// vouchSuggest({input, list, url(q), choose(li)}) wires the listbox: fetch, render, arrows, Enter, Escape.
window.vouchSuggest = function (options) {
  const input = options.input, list = options.list;
  if (!input || !list || !window.fetch) return;
  let timer = null, active = -1, controller = null;

  function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
  function render(results) {
    list.innerHTML = "";
    results.forEach(function (hit, i) {
      const li = document.createElement("li");
      li.id = "suggestion-" + i; li.setAttribute("role", "option"); li.dataset.orgId = hit.org_id;
      li.textContent = hit.name + " · " + hit.org_id + (hit.city ? " · " + hit.city : "") + (hit.status !== "active" ? " · " + hit.status : "");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); options.choose(li); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0; input.setAttribute("aria-expanded", String(results.length > 0));
  }
  function query() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(options.url(q), { signal: controller.signal }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { render(data.results || []); }).catch(function () {});
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(query, 150); });
  input.addEventListener("keydown", function (e) {
    const items = list.querySelectorAll("li");
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", items[active].id);
    } else if (e.key === "Enter" && active >= 0) { e.preventDefault(); options.choose(items[active]); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
};

// The organisation search page: choosing a suggestion opens that organisation.
(function () {
  const form = document.querySelector("form[data-autocomplete]");
  if (!form) return;
  const country = form.querySelector("select[name=country]");
  const detailBase = window.location.pathname.replace(/\/$/, "") + "/";
  window.vouchSuggest({
    input: form.querySelector("input[name=q]"),
    list: document.getElementById("suggestions"),
    url: function (q) { return form.dataset.autocomplete + "?limit=8&q=" + encodeURIComponent(q) + (country.value ? "&country=" + country.value : ""); },
    choose: function (item) { window.location.href = detailBase + encodeURIComponent(item.dataset.orgId) + "/"; },
  });
})();
