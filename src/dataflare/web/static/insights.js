// The Insights page's charts, drawn with Chart.js from the rows each canvas carries in
// data-rows (the same rows as its "Data" table and CSV). No data is fetched: the page holds it.
"use strict";

(function () {
  const COLOURS = ["#1f5fbf", "#b8431f", "#2f7d4f", "#7a4fb0", "#8a6a00"];

  function draw(canvas, rows) {
    const header = rows[0];
    const body = rows.slice(1);
    const horizontal = canvas.id === "chart-noisy";
    // The columns drawn: data-series names them (the MTTR charts leave out the count, which is
    // not in hours); otherwise every column after the first.
    const chosen = canvas.dataset.series
      ? canvas.dataset.series.split(",").map(Number)
      : header.slice(1).map(function (_, i) { return i + 1; });
    const counts = !canvas.dataset.series;
    const datasets = chosen.map(function (column, i) {
      return {
        label: header[column],
        data: body.map(function (row) { return row[column]; }),
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        pointRadius: 0,
        tension: 0.2,
      };
    });
    const ticks = counts ? { precision: 0 } : {};
    // eslint-disable-next-line no-undef
    new Chart(canvas, {
      type: canvas.dataset.kind,
      data: { labels: body.map(function (row) { return row[0]; }), datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          y: { beginAtZero: true, ticks: horizontal ? {} : ticks },
          x: { beginAtZero: true, ticks: horizontal ? ticks : {} },
        },
      },
    });
  }

  function start() {
    if (typeof Chart === "undefined") {
      return; // the tables still say it all
    }
    document.querySelectorAll("canvas[data-rows]").forEach(function (canvas) {
      draw(canvas, JSON.parse(canvas.dataset.rows));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
