// Record pickers: as the analyst types in a picker's search box, the select beside it
// is refilled with the matching records (the chosen ones kept). Without script the
// box's Search button posts the form and the page comes back with the same matches.
(function () {
  "use strict";
  document.querySelectorAll("[data-record-picker]").forEach(function (input) {
    var select = document.getElementById(input.dataset.recordPicker);
    var status = document.getElementById(select.id + "-found");
    var timer = null;
    var latest = 0;
    function refresh() {
      var url = new URL(input.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", input.value);
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        if (option.value) { url.searchParams.append("selected", option.value); }
      });
      var ticket = ++latest;
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (found) {
          if (ticket !== latest) { return; }
          var keep = {};
          Array.prototype.slice.call(select.options).forEach(function (option) {
            if (option.value === "" || option.selected) { keep[option.value] = true; }
            else { option.remove(); }
          });
          var added = 0;
          found.choices.forEach(function (choice) {
            if (keep[String(choice.id)]) { return; }
            select.add(new Option(choice.label, choice.id));
            added += 1;
          });
          if (!select.multiple && select.value === "" && added > 0 && input.value.trim()) {
            select.selectedIndex = select.options[0].value === "" ? 1 : 0;
            select.dispatchEvent(new Event("change", { bubbles: true }));
          }
          status.textContent = found.more
            ? "Showing the first " + found.limit + " matches: type more of the name to narrow them."
            : (added === 0 && input.value.trim() ? "Nothing matches \u201c" + input.value.trim() + "\u201d." :
               added + (added === 1 ? " match" : " matches") + ".");
        })
        .catch(function () { /* keep the current choices; the Search button still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); refresh(); select.focus(); }
    });
  });
})();
