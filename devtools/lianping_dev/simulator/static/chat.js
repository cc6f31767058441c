/* The simulator's chat page: pick a resident, chat with the bot, poll for its messages.
 * Talks only to the simulator's own /_sim/ JSON API. Uses render.js for bot messages.
 */
(function () {
  "use strict";

  var R = window.LineRender;
  var el = R.el;
  var POLL_MS = 700;
  var root = document.getElementById("app");
  var BOT_NAME = root.dataset.botName;
  var DEFAULT_LOCATION = JSON.parse(root.dataset.location);

  var state = { userId: root.dataset.userId || null, resident: null, lastSeq: 0, timer: null, lastBotQuick: null, polling: false, pollAgain: false };
  var $ = function (id) { return document.getElementById(id); };

  function api(method, path, body) {
    var options = { method: method, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/_sim" + path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || response.statusText);
        return data;
      });
    });
  }

  function toast(text) {
    var node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { node.hidden = true; }, 2600);
  }

  /* ---- residents ----------------------------------------------------------- */

  function showPicker() {
    stopPolling();
    $("picker").hidden = false;
    $("chat").hidden = true;
    api("GET", "/residents").then(function (data) {
      var list = $("resident-list");
      list.replaceChildren();
      if (!data.residents.length) list.appendChild(el("li", "empty", ["尚無居民，請先新增一位。"]));
      data.residents.forEach(function (r) {
        var item = el("li", null, [
          el("span", "avatar small", [r.display_name.slice(0, 1)]),
          el("span", "resident-name", [r.display_name]),
          el("span", "resident-state", [r.following ? "好友" : (r.blocked ? "已封鎖" : "未加入")]),
        ]);
        item.addEventListener("click", function () { openChat(r.user_id); });
        list.appendChild(item);
      });
    }).catch(function (e) { toast("無法載入居民：" + e.message); });
  }

  function createResident(event) {
    event.preventDefault();
    var name = $("new-name").value.trim();
    api("POST", "/residents", { display_name: name || undefined, follow: true })
      .then(function (data) { $("new-name").value = ""; openChat(data.resident.user_id); })
      .catch(function (e) { toast("新增失敗：" + e.message); });
  }

  function openChat(userId) {
    state.userId = userId;
    state.lastSeq = 0;
    state.lastBotQuick = null;
    history.replaceState(null, "", "/chat/" + userId);
    $("picker").hidden = true;
    $("chat").hidden = false;
    $("log").replaceChildren();
    $("quick").replaceChildren();
    refreshResident();
    loadRichMenu();
    autosize();
    poll();
  }

  function refreshResident() {
    return api("GET", "/residents/" + state.userId).then(function (data) {
      state.resident = data.resident;
      $("me").textContent = data.resident.display_name;
      var following = data.resident.following;
      $("follow-toggle").textContent = following ? "封鎖" : "加入好友";
      $("follow-toggle").classList.toggle("danger", following);
      $("blocked-note").hidden = following;
    }).catch(function () { toast("找不到這位居民"); showPicker(); });
  }

  /* ---- sending ------------------------------------------------------------- */

  function send(command) {
    if (!state.userId) return Promise.resolve();
    return api("POST", "/residents/" + state.userId + "/send", command)
      .then(function (result) {
        if (result.webhook_status !== 200) {
          toast("Webhook 回應 " + (result.webhook_status || "無法連線"));
        }
        poll();
        return result;
      })
      .catch(function (e) { toast("送出失敗：" + e.message); });
  }

  function sendText(event) {
    event.preventDefault();
    var input = $("text-input");
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    autosize();
    send({ type: "text", text: text });
  }

  function toggleFollow() {
    var following = state.resident && state.resident.following;
    send({ type: following ? "unfollow" : "follow" }).then(refreshResident);
  }

  function openLocation() {
    var form = $("location-form");
    ["title", "address", "latitude", "longitude"].forEach(function (key) {
      form.elements[key].value = DEFAULT_LOCATION[key];
    });
    $("location-dialog").hidden = false;
  }

  function shareLocation(event) {
    event.preventDefault();
    var f = $("location-form").elements;
    $("location-dialog").hidden = true;
    send({ type: "location", title: f.title.value, address: f.address.value, latitude: f.latitude.value, longitude: f.longitude.value });
  }

  function sendImageFile() {
    var file = $("image-input").files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      var base64 = String(reader.result).split(",")[1];
      send({ type: "image", content_base64: base64, content_type: file.type || "image/jpeg" });
      $("image-input").value = "";
    };
    reader.readAsDataURL(file);
  }

  /** What tapping an action does, as LINE does it. */
  function performAction(action) {
    switch (action.type) {
      case "message": return send({ type: "text", text: action.text || action.label || "" });
      case "postback": return send({ type: "postback", data: action.data || "", displayText: action.displayText || action.text });
      case "datetimepicker": return pickDatetime(action);
      case "richmenuswitch": return send({ type: "postback", data: action.data || "", params: { newRichMenuAliasId: action.richMenuAliasId, status: "SUCCESS" } });
      case "location": return openLocation();
      case "camera": case "cameraRoll": return $("image-input").click();
      case "uri":
        if (/^(https?:|tel:|mailto:)/.test(action.uri || "")) window.open(action.uri, "_blank", "noopener");
        return;
      case "clipboard":
        if (navigator.clipboard) navigator.clipboard.writeText(action.clipboardText || "");
        return toast("已複製");
      default: toast("不支援的動作：" + action.type);
    }
  }

  function pickDatetime(action) {
    var mode = action.mode || "datetime";
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString();
    var initial = action.initial || { date: now.slice(0, 10), time: now.slice(11, 16), datetime: now.slice(0, 16) }[mode];
    var value = window.prompt("請輸入" + { date: "日期 (YYYY-MM-DD)", time: "時間 (HH:mm)", datetime: "日期時間 (YYYY-MM-DDTHH:mm)" }[mode], initial);
    if (value === null) return;
    var params = {};
    params[mode] = value;
    send({ type: "postback", data: action.data || "", params: params });
  }

  /* ---- conversation -------------------------------------------------------- */

  function stopPolling() {
    clearTimeout(state.timer);
    state.timer = null;
  }

  function poll() {
    stopPolling();
    // One request at a time: two in flight would both return the same new entries, and
    // the later copy of a resident's message would clear the quick replies that followed.
    if (state.polling) { state.pollAgain = true; return; }
    state.polling = true;
    var userId = state.userId;
    api("GET", "/residents/" + userId + "/messages?after=" + state.lastSeq).then(function (data) {
      if (userId !== state.userId) return;
      var fresh = data.items.filter(function (entry) { return entry.seq > state.lastSeq; });
      fresh.forEach(appendEntry);
      state.lastSeq = Math.max(state.lastSeq, data.last_seq);
      $("typing").hidden = !data.loading;
      if (fresh.length) scrollDown();
    }).catch(function () { /* the simulator restarted or is busy: try again */ })
      .then(function () {
        state.polling = false;
        if (state.pollAgain) { state.pollAgain = false; poll(); return; }
        if (userId === state.userId) state.timer = setTimeout(poll, POLL_MS);
      });
  }

  function scrollDown() {
    var log = $("log");
    log.scrollTop = log.scrollHeight;
  }

  function time(at) {
    var d = new Date(at);
    return isNaN(d) ? "" : d.toLocaleTimeString("zh-TW", { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function row(side, content, entry, note) {
    var meta = el("div", "meta", [note ? el("span", "warn", [note]) : null, time(entry.at)]);
    var parts = side === "bot" ? [el("span", "avatar", [BOT_NAME.slice(0, 1)]), el("div", "stack", [el("div", "sender", [BOT_NAME]), el("div", "line", [content, meta])])]
      : [el("div", "stack", [el("div", "line", [meta, content])])];
    return el("div", "row " + side, parts);
  }

  function system(text) {
    return el("div", "system", [el("span", null, [text])]);
  }

  function appendEntry(entry) {
    var log = $("log");
    if (entry.from === "bot") {
      var node = row("bot", R.message(entry.message, performAction), entry);
      node.dataset.messageId = entry.id;
      log.appendChild(node);
      state.lastBotQuick = entry.message.quickReply || null;
      renderQuick(state.lastBotQuick);
      return;
    }
    var event = entry.event;
    var note = entry.webhook_status === 200 ? null : "未送達 " + (entry.webhook_status || "");
    var content = userContent(entry);
    // Like LINE, quick reply buttons disappear once the resident does something.
    if (event.type === "message" || event.type === "postback") renderQuick(null);
    if (event.type === "unsend") {
      var target = log.querySelector('[data-message-id="' + CSS.escape(event.unsend.messageId) + '"] .content');
      if (target) target.replaceWith(el("div", "bubble unsent", ["已收回訊息"]));
      log.appendChild(system("你已收回訊息"));
      return;
    }
    if (!content) return;
    if (content.classList.contains("system")) { log.appendChild(content); return; }
    content.classList.add("content");
    var node2 = row("me", content, entry, note);
    if (event.message) node2.dataset.messageId = event.message.id;
    log.appendChild(node2);
  }

  function userContent(entry) {
    var event = entry.event;
    switch (event.type) {
      case "message":
        var m = event.message;
        if (m.type === "text") return el("div", "bubble text", [m.text]);
        if (m.type === "sticker") return R.sticker(m);
        if (m.type === "location") return R.location(m);
        if (m.type === "image") return el("div", "bubble photo", [R.image(entry.content_url, "photo-image", "照片")]);
        if (m.type === "file") return R.media("📄", m.fileName);
        return R.media(m.type === "video" ? "▶" : "♪", m.type === "video" ? "影片" : "語音訊息");
      case "postback":
        return entry.displayText ? el("div", "bubble text", [entry.displayText]) : system("（已點選：" + event.postback.data + "）");
      case "follow": return system(event.follow.isUnblocked ? "你已解除封鎖「" + BOT_NAME + "」" : "你已將「" + BOT_NAME + "」加入好友");
      case "unfollow": return system("你已封鎖「" + BOT_NAME + "」");
      default: return system("（" + event.type + "）");
    }
  }

  function renderQuick(quickReply) {
    var bar = $("quick");
    bar.replaceChildren();
    var chips = R.quickReply(quickReply, performAction);
    if (chips) bar.appendChild(chips);
    bar.hidden = !chips;
  }

  /* ---- rich menu ----------------------------------------------------------- */

  function loadRichMenu() {
    api("GET", "/richmenu").then(function (data) {
      var box = $("richmenu");
      var menu = data.richMenu;
      box.hidden = !menu;
      if (!menu) return;
      $("richmenu-bar-text").textContent = menu.chatBarText || "選單";
      var area = $("richmenu-areas");
      area.replaceChildren();
      area.style.aspectRatio = menu.size.width + " / " + menu.size.height;
      area.style.backgroundImage = "url(" + JSON.stringify(data.imageUrl) + ")";
      menu.areas.forEach(function (a) {
        var b = a.bounds;
        var hit = el("button", "richmenu-area");
        hit.type = "button";
        hit.title = a.action.label || a.action.displayText || a.action.text || a.action.data || "";
        hit.style.left = (100 * b.x / menu.size.width) + "%";
        hit.style.top = (100 * b.y / menu.size.height) + "%";
        hit.style.width = (100 * b.width / menu.size.width) + "%";
        hit.style.height = (100 * b.height / menu.size.height) + "%";
        hit.addEventListener("click", function () { performAction(a.action); });
        area.appendChild(hit);
      });
      area.hidden = !menu.selected && !box.dataset.opened;
    }).catch(function () { $("richmenu").hidden = true; });
  }

  function toggleRichMenu() {
    var area = $("richmenu-areas");
    area.hidden = !area.hidden;
    $("richmenu").dataset.opened = area.hidden ? "" : "1";
    $("richmenu-arrow").textContent = area.hidden ? "▴" : "▾";
  }

  /* ---- wiring -------------------------------------------------------------- */

  function autosize() {
    var input = $("text-input");
    input.style.height = "auto";
    // scrollHeight is 0 while the chat is hidden: keep the CSS minimum then.
    if (input.scrollHeight) input.style.height = Math.min(input.scrollHeight, 96) + "px";
    $("send").disabled = !input.value.trim();
  }

  function toggleTools() {
    $("tools").hidden = !$("tools").hidden;
  }

  $("new-resident").addEventListener("submit", createResident);
  $("back").addEventListener("click", showPicker);
  $("follow-toggle").addEventListener("click", toggleFollow);
  $("composer").addEventListener("submit", sendText);
  $("text-input").addEventListener("input", autosize);
  $("text-input").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) sendText(e);
  });
  $("tools-toggle").addEventListener("click", toggleTools);
  $("send-sticker").addEventListener("click", function () { toggleTools(); send({ type: "sticker" }); });
  $("send-location").addEventListener("click", function () { toggleTools(); openLocation(); });
  $("send-photo").addEventListener("click", function () { toggleTools(); $("image-input").click(); });
  $("send-sample").addEventListener("click", function () { toggleTools(); send({ type: "image" }); });
  $("image-input").addEventListener("change", sendImageFile);
  $("location-form").addEventListener("submit", shareLocation);
  $("location-cancel").addEventListener("click", function () { $("location-dialog").hidden = true; });
  $("richmenu-bar").addEventListener("click", toggleRichMenu);
  setInterval(function () { if (state.userId && !$("chat").hidden) loadRichMenu(); }, 5000);

  autosize();
  if (state.userId) openChat(state.userId); else showPicker();
})();
