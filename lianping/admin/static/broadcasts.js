/* 廉政宣導: the LINE-like preview, block editing, image upload, live audience count and
   the progress bar. The pages work without this file; it only makes them live.
   Every text an officer typed is put in the page with textContent, never parsed as HTML. */
(function () {
  "use strict";

  var QUIZ_TITLE = "有獎徵答";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function readJson(id, fallback) {
    var node = document.getElementById(id);
    if (!node) return fallback;
    try { return JSON.parse(node.textContent || "null") || fallback; } catch (e) { return fallback; }
  }

  /* "2026-11-22T09:30" (Taipei, as typed) → "115年11月22日 09:30". */
  function rocDateTime(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!m) return "";
    var year = Number(m[1]) - 1911;
    if (year < 1) return "";
    return year + "年" + Number(m[2]) + "月" + Number(m[3]) + "日 " + m[4] + ":" + m[5];
  }

  // -- the renderer: composed messages (Broadcast.messages) as LINE shows them -----------

  function placeholder(text) { return el("div", "bc-placeholder", text); }

  function heroImage(image, className) {
    var img = el("img", className);
    img.src = image.url;
    img.alt = "";
    if (image.width && image.height) img.style.aspectRatio = image.width + " / " + image.height;
    return img;
  }

  function button(label, kind) {
    return el("span", "bc-flex-button bc-flex-button-" + kind, label);
  }

  function renderCard(message, images) {
    var bubble = el("div", "bc-flex");
    var image = message.image_id != null ? images[message.image_id] : null;
    if (image) bubble.appendChild(heroImage(image, "bc-hero"));
    var body = el("div", "bc-flex-body");
    body.appendChild(el("p", "bc-flex-title", message.title || "（卡片標題）"));
    body.appendChild(el("p", "bc-flex-text", message.body || "（卡片內文）"));
    bubble.appendChild(body);
    if (message.link_label) {
      var footer = el("div", "bc-flex-footer");
      footer.appendChild(button(message.link_label, "primary"));
      bubble.appendChild(footer);
    }
    return bubble;
  }

  function renderQuiz(message) {
    var bubble = el("div", "bc-flex");
    var header = el("div", "bc-flex-header");
    header.appendChild(el("p", "bc-flex-kicker", QUIZ_TITLE));
    bubble.appendChild(header);
    var body = el("div", "bc-flex-body");
    body.appendChild(el("p", "bc-flex-question", message.question || "（題目）"));
    bubble.appendChild(body);
    var footer = el("div", "bc-flex-footer bc-flex-stack");
    (message.choices || []).forEach(function (choice) { footer.appendChild(button(choice, "secondary")); });
    bubble.appendChild(footer);
    return bubble;
  }

  function renderOne(message, images) {
    if (message.type === "text") {
      return el("div", "bc-bubble", message.text || "（文字內容）");
    }
    if (message.type === "image") {
      var image = message.image_id != null ? images[message.image_id] : null;
      return image ? heroImage(image, "bc-photo") : placeholder("（尚未選擇圖片）");
    }
    if (message.type === "card") return renderCard(message, images);
    if (message.type === "quiz") return renderQuiz(message);
    return placeholder("（無法預覽）");
  }

  function render(container, messages, images) {
    container.textContent = "";
    var row = el("div", "bc-row");
    row.appendChild(el("span", "bc-avatar", "廉"));
    var column = el("div", "bc-column");
    messages.forEach(function (message, index) {
      var item = renderOne(message, images);
      item.setAttribute("data-preview-index", String(index));
      column.appendChild(item);
    });
    // LINE shows the time of day in the reader's clock: Taipei, like every time on these pages.
    column.appendChild(el("span", "bc-time", new Date().toLocaleTimeString("zh-TW", {
      timeZone: "Asia/Taipei", hour: "numeric", minute: "2-digit"
    })));
    row.appendChild(column);
    container.appendChild(row);
  }

  // -- the compose form -------------------------------------------------------------------

  function field(block, name) {
    return block.querySelector("[name$='-" + name + "']");
  }

  function value(block, name) {
    var input = field(block, name);
    return input ? input.value : "";
  }

  /* The block as the composed message form.py would post (blank choices left out). */
  function messageOf(block) {
    var type = block.getAttribute("data-type");
    var imageId = value(block, "image_id");
    var drop = field(block, "drop_image");
    var image = imageId && !(drop && drop.checked) ? Number(imageId) : null;
    if (type === "text") return { type: "text", text: value(block, "text") };
    if (type === "image") return { type: "image", image_id: image };
    if (type === "card") {
      return {
        type: "card", title: value(block, "title").trim(), body: value(block, "body"), image_id: image,
        link_label: value(block, "link_label").trim() || null, link_url: value(block, "link_url").trim() || null
      };
    }
    var choices = [];
    block.querySelectorAll("[name$='-choice']").forEach(function (input) {
      if (input.value.trim()) choices.push(input.value.trim());
    });
    return { type: "quiz", question: value(block, "question").trim(), choices: choices };
  }

  function renumber(list) {
    var blocks = list.querySelectorAll("[data-block]");
    blocks.forEach(function (block, index) {
      block.querySelectorAll("[name], [id], [for], [aria-describedby], [aria-labelledby], button[value]").forEach(function (node) {
        ["name", "id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attr) {
          var current = node.getAttribute(attr);
          if (current) node.setAttribute(attr, current.replace(/\bm-\d+-/g, "m-" + index + "-"));
        });
        if (node.tagName === "BUTTON" && node.hasAttribute("data-move")) {
          node.value = node.getAttribute("data-move") + "-" + index;
        }
      });
      block.setAttribute("aria-labelledby", "m-" + index + "-head");
      var number = block.querySelector("[data-number]");
      if (number) number.textContent = "第 " + (index + 1) + " 則";
      var up = block.querySelector("[data-move='up']");
      var down = block.querySelector("[data-move='down']");
      var remove = block.querySelector("[data-move='remove']");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === blocks.length - 1;
      if (remove) remove.disabled = blocks.length <= 1;
    });
    return blocks.length;
  }

  function counters(scope) {
    scope.querySelectorAll("[data-counter]").forEach(function (input) {
      if (input.nextElementSibling && input.nextElementSibling.classList.contains("bc-counter")) return;
      var max = Number(input.getAttribute("data-counter"));
      var out = el("span", "bc-counter");
      out.setAttribute("aria-hidden", "true");
      input.insertAdjacentElement("afterend", out);
      var update = function () {
        out.textContent = input.value.length.toLocaleString("zh-TW") + " / " + max.toLocaleString("zh-TW");
        out.classList.toggle("is-over", input.value.length > max);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  function compose(form) {
    var list = document.getElementById("bc-blocks");
    var preview = document.getElementById("bc-preview");
    var images = readJson("bc-images", {});
    var max = Number(form.getAttribute("data-max-blocks")) || 5;
    var csrf = form.querySelector("input[name='csrf_token']").value;
    var scheduled = false;

    function refresh() {
      if (scheduled) return;
      scheduled = true;
      window.requestAnimationFrame(function () {
        scheduled = false;
        var messages = [];
        list.querySelectorAll("[data-block]").forEach(function (block) { messages.push(messageOf(block)); });
        render(preview, messages, images);
        var count = renumber(list);
        form.querySelectorAll("[data-add]").forEach(function (add) { add.disabled = count >= max; });
      });
    }

    function upload(input) {
      var block = input.closest("[data-block]");
      var status = block.querySelector("[data-upload-status]");
      var file = input.files && input.files[0];
      if (!file) return;
      var body = new FormData();
      body.append("file", file);
      status.textContent = "上傳中…";
      status.classList.remove("is-error");
      fetch(form.getAttribute("data-upload-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) throw new Error(result.data.error || "上傳失敗，請再試一次。");
        var image = result.data;
        images[image.id] = image;
        block.querySelector("[data-image-id]").value = String(image.id);
        var thumb = block.querySelector("[data-thumb]");
        thumb.src = image.preview_url;
        thumb.alt = "已上傳的圖片";
        thumb.hidden = false;
        var drop = block.querySelector("[data-drop]");
        if (drop) { drop.hidden = false; drop.querySelector("input").checked = false; }
        input.value = "";  // kept on the server; the form posts only the id
        status.textContent = "已上傳（" + image.width + " × " + image.height + " 像素）";
        refresh();
      }).catch(function (error) {
        input.value = "";
        status.textContent = error.message;
        status.classList.add("is-error");
      });
    }

    form.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-add], button[data-move]");
      if (!target) return;
      event.preventDefault();
      if (target.hasAttribute("data-add")) {
        var kind = target.getAttribute("data-add");
        var template = document.getElementById("bc-template-" + kind);
        if (!template || list.querySelectorAll("[data-block]").length >= max) return;
        var block = template.content.firstElementChild.cloneNode(true);
        list.appendChild(block);
        counters(block);
        refresh();
        var first = block.querySelector("input[type=text], textarea, input[type=file]");
        if (first) first.focus();
        return;
      }
      var current = target.closest("[data-block]");
      var move = target.getAttribute("data-move");
      if (move === "remove") {
        if (list.querySelectorAll("[data-block]").length <= 1) return;
        var label = current.querySelector("[data-number]").textContent;
        if (!window.confirm("確定要刪除" + label + "訊息嗎？")) return;
        current.remove();
      } else if (move === "up" && current.previousElementSibling) {
        list.insertBefore(current, current.previousElementSibling);
      } else if (move === "down" && current.nextElementSibling) {
        list.insertBefore(current.nextElementSibling, current);
      }
      refresh();
      target = current.querySelector("[data-move='" + move + "']");
      if (target && !target.disabled) target.focus();
    });
    form.addEventListener("input", refresh);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-upload]")) upload(event.target);
      refresh();
    });
    counters(form);
    refresh();
    audience(form);
  }

  // -- the audience picker and its live count ----------------------------------------------

  function audience(form) {
    var out = document.getElementById("audience-count");
    var district = document.getElementById("district");
    var timer = null;
    var asked = 0;

    function kind() {
      var checked = form.querySelector("input[name='audience_kind']:checked");
      return checked ? checked.value : "";
    }

    function sync() {
      var current = kind();
      form.querySelectorAll("[data-audience-panel]").forEach(function (panel) {
        panel.hidden = panel.getAttribute("data-audience-panel") !== current;
      });
      form.querySelectorAll("[data-district]").forEach(function (group) {
        group.hidden = !district || group.getAttribute("data-district") !== district.value;
      });
      window.clearTimeout(timer);
      timer = window.setTimeout(count, 250);
    }

    function count() {
      var params = new URLSearchParams();
      params.append("audience_kind", kind());
      if (district) params.append("district", district.value);
      form.querySelectorAll("input[name='villages']:checked, input[name='tags']:checked").forEach(function (box) {
        params.append(box.name, box.value);
      });
      var mine = ++asked;
      out.hidden = false;
      out.classList.remove("is-error");
      out.textContent = "計算收訊人數中…";
      fetch(form.getAttribute("data-count-url") + "?" + params.toString(), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (mine !== asked) return;  // an older answer arriving late
        if (data.errors) {
          out.textContent = data.errors.join("；");
          out.classList.add("is-error");
        } else {
          out.textContent = "目前符合條件：" + data.count.toLocaleString("zh-TW") + " 人（" + data.audience + "）";
        }
      }).catch(function () {
        if (mine === asked) out.textContent = "暫時無法計算收訊人數。";
      });
    }

    form.addEventListener("change", function (event) {
      if (event.target.matches("input[name='audience_kind'], #district, input[name='villages'], input[name='tags']")) sync();
    });
    sync();
  }

  // -- the broadcast page: send form and progress ------------------------------------------

  function sendForm() {
    var at = document.getElementById("at");
    if (!at) return;
    var hint = document.querySelector("[data-roc-datetime-for='at']");
    var later = document.getElementById("when-later");
    var sync = function () {
      var on = later && later.checked;
      at.disabled = !on;
      at.required = on;
      hint.textContent = on && at.value ? "即民國 " + rocDateTime(at.value) + "（臺北時間）" : "";
    };
    document.querySelectorAll("input[name='when']").forEach(function (radio) { radio.addEventListener("change", sync); });
    at.addEventListener("input", sync);
    sync();
  }

  function progress() {
    var card = document.getElementById("bc-progress");
    if (!card || card.getAttribute("data-finished") === "1") return;
    var bar = card.querySelector("[data-bar]");
    var status = document.getElementById("bc-status");
    function show(data) {
      bar.setAttribute("aria-valuenow", String(data.percent));
      bar.firstElementChild.style.width = data.percent + "%";
      card.querySelectorAll("[data-field]").forEach(function (node) {
        var name = node.getAttribute("data-field");
        var v = data[name];
        if (name === "percent") node.textContent = v + "%";
        else if (name === "recipients") node.textContent = v == null ? "計算中" : v.toLocaleString("zh-TW");
        else if (name === "reached") node.textContent = (v || 0).toLocaleString("zh-TW");
        else if (name === "last_error") { node.textContent = v || ""; node.hidden = !v; }
        else node.textContent = v == null ? "—" : String(v);
      });
      if (status) {
        status.textContent = data.status_label;
        status.className = "status bc-status-" + data.status;
      }
    }
    function poll() {
      fetch(card.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          show(data);
          // Finished: load the page once more for the final figures and results.
          if (data.finished) {
            window.setTimeout(function () { window.location.replace(window.location.pathname); }, 600);
          }
          else window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("bc-form");
    if (form) compose(form);
    var stored = readJson("bc-messages", null);
    var preview = document.getElementById("bc-preview");
    if (stored && preview) render(preview, stored, readJson("bc-images", {}));
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    sendForm();
    progress();
  });
})();
