// Enhances the organisation step of the application: suggestions while typing; choosing one submits the
// choice form as if its radio button had been picked. Without JavaScript the search and radio list still work.
(function () {
  const search = document.querySelector("form[data-picker]");
  const choice = document.getElementById("org-choice");
  if (!search || !choice || !window.fetch) return;
  const input = search.querySelector("input[name=q]");
  const list = document.getElementById("suggestions");
  let timer = null, active = -1, controller = null;

  function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
  function choose(item) {
    const field = document.createElement("input");
    field.type = "hidden"; field.name = "org_id"; field.value = item.dataset.orgId;
    choice.querySelectorAll("input[name=org_id]").forEach(function (radio) { radio.disabled = true; });
    const next = document.createElement("input");
    next.type = "hidden"; next.name = "continue"; next.value = "1";
    choice.appendChild(field); choice.appendChild(next);
    choice.submit();
  }
  function render(results) {
    list.innerHTML = "";
    results.forEach(function (hit, i) {
      const li = document.createElement("li");
      li.id = "suggestion-" + i; li.setAttribute("role", "option"); li.dataset.orgId = hit.org_id;
      li.textContent = hit.name + " · " + hit.org_id + (hit.city ? " · " + hit.city : "") + (hit.status !== "active" ? " · " + hit.status : "");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0; input.setAttribute("aria-expanded", String(results.length > 0));
  }
  function query() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    const url = search.dataset.picker + "?limit=8&q=" + encodeURIComponent(q) + "&country=" + encodeURIComponent(search.dataset.country);
    fetch(url, { signal: controller.signal }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
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
    } else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active]); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
