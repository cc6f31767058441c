/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function rocDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) return "";
    var year = Number(m[1]) - 1911;
    if (year < 1) return "";
    return "民國 " + year + "年" + Number(m[2]) + "月" + Number(m[3]) + "日";
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // Sizes drawn from data (chart heights, progress bars): set through the DOM, because the
    // Content-Security-Policy refuses style attributes written in the page.
    document.querySelectorAll("[data-height]").forEach(function (el) {
      el.style.height = Number(el.getAttribute("data-height")) + "px";
    });
    document.querySelectorAll("[data-width-percent]").forEach(function (el) {
      el.style.width = Number(el.getAttribute("data-width-percent")) + "%";
    });

    // Date inputs: show the ROC date beside the ISO picker.
    document.querySelectorAll("[data-roc-for]").forEach(function (hint) {
      var input = document.getElementById(hint.getAttribute("data-roc-for"));
      if (!input) return;
      var update = function () { hint.textContent = rocDate(input.value); };
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      update();
    });

    // Sub-item selects list only the sub-items of the chosen nature.
    document.querySelectorAll("[data-controls-subitems]").forEach(function (nature) {
      var sub = document.getElementById(nature.getAttribute("data-controls-subitems"));
      if (!sub) return;
      var sync = function () {
        Array.prototype.forEach.call(sub.options, function (option) {
          var owner = option.getAttribute("data-nature");
          var fits = !owner || !nature.value || owner === nature.value;
          option.hidden = !fits;
          option.disabled = !fits;
          if (!fits && option.selected) sub.value = "";
        });
      };
      nature.addEventListener("change", sync);
      sync();
    });

    // Status changes: show the §173 reason or the merge target only when they apply.
    document.querySelectorAll("[data-status-select]").forEach(function (select) {
      var form = select.form;
      var sync = function () {
        form.querySelectorAll("[data-when-status]").forEach(function (block) {
          var on = block.getAttribute("data-when-status") === select.value;
          block.hidden = !on;
          block.querySelectorAll("select, input").forEach(function (el) { el.required = on; });
        });
      };
      select.addEventListener("change", sync);
      sync();
    });

    // Reply: a saved template fills the text; the preview shows what LINE will show.
    document.querySelectorAll("[data-fills]").forEach(function (select) {
      var target = document.getElementById(select.getAttribute("data-fills"));
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var body = option && option.getAttribute("data-body");
        if (target && body !== null) {
          if (!target.value.trim() || window.confirm("以範本內容取代目前的回覆內容？")) {
            target.value = body;
            target.dispatchEvent(new Event("input"));
          }
        }
      });
    });
    document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
      var bubble = document.getElementById(area.getAttribute("data-preview"));
      if (!bubble) return;
      var before = bubble.getAttribute("data-before") || "";
      var after = bubble.getAttribute("data-after") || "";
      var update = function () {
        var body = area.value.trim();
        if (!body) return;
        bubble.textContent = before + body + after; // textContent: never parsed as HTML
      };
      area.addEventListener("input", update);
      update();
    });

    // Manual intake: §169 confirmation is required for spoken channels.
    var channel = document.getElementById("i-channel");
    var confirmed = document.getElementById("i-confirmed");
    if (channel && confirmed) {
      var spoken = (channel.getAttribute("data-spoken") || "").split(" ");
      var sync = function () { confirmed.required = spoken.indexOf(channel.value) >= 0; };
      channel.addEventListener("change", sync);
      sync();
    }

    // Field activity: handing out materials is 宣揚反貪倡廉資訊, so the box is ticked when a
    // material is named, until the officer sets it themselves.
    document.querySelectorAll("[data-auto-from]").forEach(function (box) {
      var touched = false;
      box.addEventListener("change", function () { touched = true; });
      var name = box.getAttribute("data-auto-from");
      box.form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        input.addEventListener("input", function () {
          if (!touched && input.value.trim()) { box.checked = true; }
        });
      });
    });

    // Print view: a print button.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
