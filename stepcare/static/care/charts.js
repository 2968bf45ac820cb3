/* Stepcare trend charts: reads the chart JSON (json_script "care-charts-data") and draws one Chart.js
   line chart per group, with dashed vertical markers for medication changes. No build step. */
(function () {
  "use strict";
  var source = document.getElementById("care-charts-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var DAY = 86400000;
  var COLOURS = ["#0b5cab", "#a3212b", "#1c6b36", "#8a5a00"];
  function day(iso) { return Date.parse(iso + "T00:00:00Z") / DAY; }
  function iso(value) { return new Date(value * DAY).toISOString().slice(0, 10); }

  var markerPlugin = {
    id: "stepcareMarkers",
    afterDatasetsDraw: function (chart) {
      var markers = chart.options.plugins.stepcareMarkers.markers || [];
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#55606d"; ctx.fillStyle = "#1d2733"; ctx.setLineDash([4, 4]);
      ctx.font = "11px system-ui, sans-serif";
      markers.forEach(function (m, i) {
        var px = x.getPixelForValue(day(m.x));
        if (px < area.left || px > area.right) { return; }
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.fillText(m.label, Math.min(px + 3, area.right - 80), area.top + 12 + (i % 3) * 12);
      });
      ctx.restore();
    }
  };

  data.groups.forEach(function (group) {
    var canvas = document.getElementById("chart-" + group.id);
    if (!canvas || !group.series.length) { return; }
    var datasets = group.series.map(function (s, i) {
      return {
        label: s.label,
        data: s.points.map(function (p) { return { x: day(p.x), y: p.y }; }),
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        pointStyle: i === 0 ? "circle" : "rectRot",
        pointRadius: 4,
        tension: 0
      };
    });
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      plugins: [markerPlugin],
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: "linear", ticks: { callback: function (v) { return iso(v); }, maxTicksLimit: 6 } },
          y: { beginAtZero: true }
        },
        plugins: {
          stepcareMarkers: { markers: data.markers },
          tooltip: { callbacks: { title: function (items) { return iso(items[0].parsed.x); } } }
        }
      }
    });
  });
})();
