// The Insights page's charts, drawn with Chart.js from the tables the page carries (the same
// rows as each chart's "Data" table and CSV). No data is fetched: the page holds it all.
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
    document.querySelectorAll("script.chartdata").forEach(function (holder) {
      const canvas = document.getElementById(holder.dataset.for);
      if (canvas) {
        draw(canvas, JSON.parse(holder.textContent));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
