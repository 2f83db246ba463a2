// The checkout's priced summary, updated as the form changes. Without JavaScript the "Review order" button does the
// same through a page load; here the form is posted with summary_only and the summary (and the Buy button) replaced.
(function () {
  var form = document.getElementById("checkout");
  if (!form || !window.fetch) { return; }
  var box = document.getElementById(form.dataset.summary);
  var buy = document.getElementById("buy");
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    data.set("summary_only", "1");
    data.set("action", "review");
    fetch(form.action || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        box.innerHTML = html;
        var section = box.querySelector("[data-can-buy]");
        buy.hidden = !(section && section.dataset.canBuy === "1");
      })
      .catch(function () { /* the Review order button still works */ });
  }
  form.addEventListener("input", function (event) {
    if (event.target.name === "idempotency_key") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
  form.addEventListener("change", function () { window.clearTimeout(timer); timer = window.setTimeout(refresh, 50); });
})();
