// The claim picker: as the analyst types, replace the choices with matching claims.
// Without script the form's Search button does the same by reloading the page.
(function () {
  "use strict";
  document.querySelectorAll("[data-picker]").forEach(function (input) {
    var box = document.getElementById(input.dataset.picker);
    var timer = null;
    var latest = 0;
    function refresh() {
      var url = new URL(input.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", input.value);
      var checked = box.querySelector("input[type=radio]:checked");
      if (checked) { url.searchParams.set("selected", checked.value); }
      var ticket = ++latest;
      fetch(url, { headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          if (ticket !== latest) { return; }
          var legend = box.querySelector("legend");
          box.innerHTML = html;
          if (legend) { box.prepend(legend); }
        })
        .catch(function () { /* keep the current choices; the Search button still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); refresh(); }
    });
  });
})();
