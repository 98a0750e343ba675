// The SQL console: Ctrl+Enter (Cmd+Enter) in the query runs it. Without script the Run
// button does the same.
(function () {
  "use strict";
  document.querySelectorAll("[data-sql-form] textarea").forEach(function (area) {
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.form.requestSubmit();
      }
    });
  });
})();
