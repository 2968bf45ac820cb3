/* Outcome report charts: one grouped bar chart per measure (data from the json_script block). */
(function () {
  "use strict";
  var source = document.getElementById("outcome-chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5cab", "#1c6b36", "#8a5a00"];
  data.charts.forEach(function (c) {
    var canvas = document.getElementById("chart-" + c.instrument);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d, i) {
          return { label: d.label, data: d.data, backgroundColor: colours[i % colours.length] };
        })
      },
      options: {
        responsive: true,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "% improved" } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
