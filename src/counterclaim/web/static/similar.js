// The new-claim form: as the analyst types the claim, show the recorded claims that read
// alike, so that a duplicate gets a source added instead of being entered twice.
(function () {
  "use strict";
  document.querySelectorAll("[data-similar]").forEach(function (input) {
    var box = document.getElementById(input.dataset.similar);
    var source = input.form ? input.form.querySelector("[name=source_id]") : null;
    var timer = null;
    var latest = 0;
    var asked = "";
    function refresh() {
      if (leaving) { return; }
      var text = input.value.trim();
      var key = text + "\u0000" + (source ? source.value : "");
      if (key === asked) { return; }
      asked = key;
      var url = new URL(input.dataset.similarUrl, window.location.href);
      url.searchParams.set("text", text);
      if (source && source.value) { url.searchParams.set("source", source.value); }
      var ticket = ++latest;
      fetch(url, { headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { if (ticket === latest) { box.innerHTML = html; } })
        .catch(function () { /* suggestions are a help, never in the way */ });
    }
    var leaving = false;
    function later() { if (!leaving) { clearTimeout(timer); timer = setTimeout(refresh, 400); } }
    input.addEventListener("input", later);
    if (source) { source.addEventListener("change", later); }
    // Once the form is sent, a suggestion is of no use: ask for none.
    if (input.form) { input.form.addEventListener("submit", function () { leaving = true; clearTimeout(timer); }); }
    if (input.value.trim()) { refresh(); }
  });
})();
