/* The dashboard's charts, drawn by the vendored Chart.js from the JSON the page embeds.
   Without scripts the same figures are in the table under each chart; once a chart is
   drawn its table folds away (still one click, and always read by screen readers). */
(function () {
  "use strict";

  // Okabe–Ito colours: told apart with every common colour-vision deficiency.
  var NATURE_COLOURS = { need: "#0072B2", reform: "#E69F00", tip: "#CC79A7" };
  var BLUE = "#0072B2";
  var ORANGE = "#E69F00";
  var GREEN = "#009E73";
  var INK = "#36414d";
  var GRID = "#e6e9ed";
  var numbers = new Intl.NumberFormat("zh-TW");

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function countAxis(stacked) {
    return {
      stacked: stacked,
      beginAtZero: true,
      grid: { color: GRID },
      ticks: { precision: 0, callback: function (value) { return numbers.format(value); } }
    };
  }

  function categoryAxis(stacked, max) {
    return {
      stacked: stacked,
      grid: { display: false },
      ticks: {
        color: INK,
        autoSkip: false,
        callback: function (value) { return shorten(this.getLabelForValue(value), max); }
      }
    };
  }

  function tooltipUnit(unit) {
    return {
      callbacks: {
        label: function (item) {
          var name = item.dataset.label ? item.dataset.label + "：" : "";
          var value = item.parsed[item.chart.options.indexAxis === "y" ? "x" : "y"];
          return name + numbers.format(value) + (unit ? " " + unit : "");
        }
      }
    };
  }

  function draw(name, config) {
    var canvas = document.getElementById("chart-" + name);
    if (!canvas) return;
    new window.Chart(canvas, config);
    var table = document.querySelector('[data-chart-table="' + name + '"]');
    if (table) table.open = false;
  }

  function bars(name, items, unit, colour, maxLabel) {
    draw(name, {
      type: "bar",
      data: {
        labels: items.map(function (c) { return c.label; }),
        datasets: [{ data: items.map(function (c) { return c.count; }), backgroundColor: colour,
                     borderRadius: 3, maxBarThickness: 22 }]
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false }, tooltip: tooltipUnit(unit) },
        scales: { x: countAxis(false), y: categoryAxis(false, maxLabel) }
      }
    });
  }

  function weekly(data) {
    draw("weekly", {
      type: "bar",
      data: {
        labels: data.weeks.map(function (w) { return w.label; }),
        datasets: data.weekly.map(function (row) {
          return { label: row.label, data: row.counts, backgroundColor: NATURE_COLOURS[row.key],
                   borderColor: "#fff", borderWidth: { top: 1 }, maxBarThickness: 48 };
        })
      },
      options: {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "top", align: "start" }, tooltip: tooltipUnit("件") },
        scales: {
          x: {
            stacked: true,
            grid: { display: false },
            // The full ROC week is in the tooltip and the table; the axis drops the year.
            ticks: { color: INK, maxRotation: 0, autoSkipPadding: 12,
                     callback: function (value) {
                       return this.getLabelForValue(value).replace(/^\d+年/, "");
                     } }
          },
          y: countAxis(true)
        }
      }
    });
  }

  function broadcasts(data) {
    var items = data.broadcasts.items;
    draw("broadcasts", {
      type: "bar",
      data: {
        labels: items.map(function (b) { return b.sent_on + " " + b.title; }),
        datasets: [
          { label: "發送人次", data: items.map(function (b) { return b.recipients; }),
            backgroundColor: BLUE, maxBarThickness: 16 },
          { label: "作答人數", data: items.map(function (b) { return b.quiz_answers; }),
            backgroundColor: ORANGE, maxBarThickness: 16 },
          { label: "連結點閱", data: items.map(function (b) { return b.link_taps; }),
            backgroundColor: GREEN, maxBarThickness: 16 }
        ]
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { position: "top", align: "start" }, tooltip: tooltipUnit("") },
        scales: { x: countAxis(false), y: categoryAxis(false, 30) }
      }
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source) return;
    if (!window.Chart) {
      // The library did not load: leave the tables, drop the empty frames.
      document.querySelectorAll(".chart-box").forEach(function (box) { box.hidden = true; });
      return;
    }
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = INK;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
    weekly(data);
    bars("status", data.by_status, "件", BLUE, 12);
    bars("theme", data.by_theme, "件", BLUE, 12);
    bars("satisfaction", data.satisfaction.by_score, "則", GREEN, 6);
    bars("unit", data.by_unit, "件", BLUE, 12);
    bars("agency", data.by_agency, "件", BLUE, 16);
    broadcasts(data);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
