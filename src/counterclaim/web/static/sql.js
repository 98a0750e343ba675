// The SQL console: Ctrl+Enter (Cmd+Enter) in the query runs it, and a field appears for
// each :name parameter as it is typed. Without script the Run button does both: a query
// with parameters comes back with their fields.
(function () {
  "use strict";
  // The rule SQLAlchemy's text() applies: `::` casts and `\:word` are not parameters.
  var PARAMETER = /(?<![:\w\\]):(\w+)(?!:)/g;
  document.querySelectorAll("[data-sql-form] textarea").forEach(function (area) {
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.form.requestSubmit();
      }
    });
    var holder = area.form.querySelector("[data-parameters]");
    if (!holder) { return; }
    var prefix = holder.dataset.prefix || "p-";
    function names(sql) {
      var seen = [];
      sql.replace(PARAMETER, function (_, name) {
        if (seen.indexOf(name) < 0) { seen.push(name); }
        return _;
      });
      return seen;
    }
    function refresh() {
      var wanted = names(area.value);
      var typed = {};
      holder.querySelectorAll("input").forEach(function (input) { typed[input.name] = input.value; });
      holder.textContent = "";
      if (!wanted.length) { return; }
      var fieldset = document.createElement("fieldset");
      fieldset.className = "parameters";
      var legend = document.createElement("legend");
      legend.textContent = "Parameters";
      fieldset.appendChild(legend);
      var row = document.createElement("div");
      row.className = "row";
      wanted.forEach(function (name) {
        var field = document.createElement("div");
        field.className = "field";
        var label = document.createElement("label");
        label.htmlFor = prefix + name;
        label.textContent = ":" + name;
        var input = document.createElement("input");
        input.type = "text";
        input.id = input.name = prefix + name;
        input.value = typed[prefix + name] || "";
        field.appendChild(label);
        field.appendChild(input);
        row.appendChild(field);
      });
      fieldset.appendChild(row);
      holder.appendChild(fieldset);
    }
    var timer = null;
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  });
})();
