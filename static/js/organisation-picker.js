// Enhances the organisation step of the application (needs autocomplete.js): choosing a suggestion submits the
// choice form as if its radio button had been picked. Without JavaScript the search and radio list still work.
(function () {
  const search = document.querySelector("form[data-picker]");
  const choice = document.getElementById("org-choice");
  if (!search || !choice || !window.vouchSuggest) return;
  window.vouchSuggest({
    input: search.querySelector("input[name=q]"),
    list: document.getElementById("suggestions"),
    url: function (q) { return search.dataset.picker + "?limit=8&q=" + encodeURIComponent(q) + "&country=" + encodeURIComponent(search.dataset.country); },
    choose: function (item) {
      const field = document.createElement("input");
      field.type = "hidden"; field.name = "org_id"; field.value = item.dataset.orgId;
      choice.querySelectorAll("input[name=org_id]").forEach(function (radio) { radio.disabled = true; });
      const next = document.createElement("input");
      next.type = "hidden"; next.name = "continue"; next.value = "1";
      choice.appendChild(field); choice.appendChild(next);
      choice.submit();
    },
  });
})();
