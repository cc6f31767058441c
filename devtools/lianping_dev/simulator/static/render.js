/* Renders LINE message objects as DOM nodes for the simulator's chat page.
 *
 * Everything is built with createElement/textContent: message text comes from the bot
 * (and through it from residents), so it is never parsed as HTML.
 * Exposes window.LineRender = { message, quickReply, el }.
 * Actions are handed to the `onAction(action)` callback given by the caller.
 */
(function () {
  "use strict";

  /** Create an element with classes, properties and children (strings become text). */
  function el(tag, cls, children) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function placeholder(label) {
    return el("div", "placeholder", [label]);
  }

  /** An <img> that turns into a neutral box when the URL cannot load (no internet here). */
  function image(url, cls, alt) {
    var img = el("img", cls);
    img.alt = alt || "圖片";
    img.loading = "lazy";
    img.addEventListener("error", function () {
      var box = placeholder("🖼 " + (alt || "圖片"));
      box.className += " " + (cls || "");
      if (img.parentNode) img.parentNode.replaceChild(box, img);
    });
    if (/^(https?:|\/_sim\/)/.test(url || "")) img.src = url;
    return img;
  }

  function actionButton(action, cls, onAction) {
    var button = el("button", cls, [action.label || actionLabel(action)]);
    button.type = "button";
    button.addEventListener("click", function () { onAction(action); });
    return button;
  }

  function actionLabel(action) {
    var names = {
      camera: "相機", cameraRoll: "相簿", location: "位置資訊", uri: "開啟連結",
      datetimepicker: "選擇日期時間", clipboard: "複製", message: action.text, postback: "選擇",
    };
    return names[action.type] || action.type;
  }

  /* ---- plain messages ------------------------------------------------------ */

  function textBubble(text) {
    return el("div", "bubble text", [text]);
  }

  function sticker(message) {
    var node = el("div", "sticker", [el("span", "sticker-face", ["🙂"]), el("span", "sticker-note", ["貼圖"])]);
    node.title = "貼圖 " + (message.packageId || "") + "/" + (message.stickerId || "");
    return node;
  }

  function location(message) {
    return el("div", "bubble card location", [
      el("div", "location-map", ["📍"]),
      el("div", "card-title", [message.title || "位置資訊"]),
      el("div", "card-text", [message.address || (message.latitude + ", " + message.longitude)]),
    ]);
  }

  function media(icon, label) {
    return el("div", "bubble card media", [el("span", "media-icon", [icon]), el("span", null, [label])]);
  }

  /* ---- templates ----------------------------------------------------------- */

  function templateColumn(column, onAction) {
    var card = el("div", "bubble card template");
    if (column.thumbnailImageUrl) card.appendChild(image(column.thumbnailImageUrl, "template-image"));
    var inner = el("div", "template-body");
    if (column.title) inner.appendChild(el("div", "card-title", [column.title]));
    inner.appendChild(el("div", "card-text", [column.text || ""]));
    card.appendChild(inner);
    var actions = el("div", "template-actions");
    (column.actions || []).forEach(function (a) { actions.appendChild(actionButton(a, "template-action", onAction)); });
    card.appendChild(actions);
    return card;
  }

  function template(message, onAction) {
    var t = message.template || {};
    if (t.type === "buttons") return templateColumn(t, onAction);
    if (t.type === "confirm") {
      var card = el("div", "bubble card template confirm", [el("div", "template-body card-text", [t.text || ""])]);
      var row = el("div", "template-actions row");
      (t.actions || []).forEach(function (a) { row.appendChild(actionButton(a, "template-action", onAction)); });
      card.appendChild(row);
      return card;
    }
    if (t.type === "carousel") {
      return el("div", "carousel", (t.columns || []).map(function (c) { return templateColumn(c, onAction); }));
    }
    if (t.type === "image_carousel") {
      return el("div", "carousel", (t.columns || []).map(function (c) {
        var tile = el("div", "bubble card image-tile", [image(c.imageUrl, "template-image")]);
        if (c.action) tile.appendChild(actionButton(c.action, "template-action", onAction));
        return tile;
      }));
    }
    return placeholder(message.altText || "樣板訊息");
  }

  /* ---- Flex ---------------------------------------------------------------- */

  var SPACING = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
  var TEXT_SIZE = { xxs: 10, xs: 11, sm: 13, md: 14, lg: 16, xl: 19, xxl: 24, "3xl": 28, "4xl": 34, "5xl": 44 };
  var IMAGE_SIZE = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, "3xl": 180, "4xl": 200, "5xl": 240 };
  var BUBBLE_WIDTH = { nano: 120, micro: 160, deca: 200, hecto: 220, kilo: 240, mega: 260, giga: 290 };

  function px(value, table) {
    if (value === undefined || value === null) return null;
    if (table && value in table) return table[value] + "px";
    return /^-?\d+(\.\d+)?(px|%)$/.test(String(value)) ? String(value) : null;
  }

  function applyBoxStyle(node, c) {
    var s = node.style;
    if (c.backgroundColor) s.backgroundColor = c.backgroundColor;
    if (c.borderColor) s.borderColor = c.borderColor;
    if (c.borderWidth) { s.borderStyle = "solid"; s.borderWidth = px(c.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2, "semi-bold": 3, bold: 4 }) || "1px"; }
    if (c.cornerRadius) s.borderRadius = px(c.cornerRadius, SPACING);
    ["paddingAll", "paddingTop", "paddingBottom", "paddingStart", "paddingEnd"].forEach(function (key) {
      var value = px(c[key], SPACING);
      if (!value) return;
      var css = { paddingAll: "padding", paddingTop: "paddingTop", paddingBottom: "paddingBottom", paddingStart: "paddingLeft", paddingEnd: "paddingRight" }[key];
      s[css] = value;
    });
    if (c.width) s.width = px(c.width);
    if (c.height) s.height = px(c.height);
    if (c.justifyContent) s.justifyContent = c.justifyContent;
    if (c.alignItems) s.alignItems = c.alignItems;
  }

  function flexText(c) {
    var node = el("div", "fx-text");
    if (c.contents && c.contents.length) {
      c.contents.forEach(function (span) {
        var part = el("span", null, [span.text || ""]);
        if (span.color) part.style.color = span.color;
        if (span.weight === "bold") part.style.fontWeight = "700";
        if (span.size) part.style.fontSize = px(span.size, TEXT_SIZE);
        node.appendChild(part);
      });
    } else {
      node.textContent = c.text || "";
    }
    node.style.fontSize = px(c.size || "md", TEXT_SIZE);
    if (c.weight === "bold") node.style.fontWeight = "700";
    if (c.color) node.style.color = c.color;
    if (c.style === "italic") node.style.fontStyle = "italic";
    if (c.decoration === "underline" || c.decoration === "line-through") node.style.textDecoration = c.decoration;
    if (c.align) node.style.textAlign = { start: "left", end: "right", center: "center" }[c.align] || "left";
    if (c.wrap) node.classList.add("wrap");
    if (c.maxLines) { node.classList.add("clamp"); node.style.webkitLineClamp = String(c.maxLines); }
    return node;
  }

  function flexImage(c, isHero) {
    var img = image(c.url, "fx-image", "圖片");
    var ratio = /^(\d+(\.\d+)?):(\d+(\.\d+)?)$/.exec(c.aspectRatio || "1:1");
    if (ratio) img.style.aspectRatio = ratio[1] + " / " + ratio[3];
    img.style.objectFit = c.aspectMode === "cover" ? "cover" : "contain";
    var size = c.size || (isHero ? "full" : "md");
    if (size === "full") img.style.width = "100%";
    else img.style.width = px(size, IMAGE_SIZE) || "100px";
    if (c.backgroundColor) img.style.backgroundColor = c.backgroundColor;
    return img;
  }

  function flexButton(c, onAction) {
    var action = c.action || { type: "postback", label: "" };
    var button = actionButton(action, "fx-button " + (c.style || "link"), onAction);
    if (c.color) {
      if (c.style === "primary" || c.style === "secondary") button.style.backgroundColor = c.color;
      else button.style.color = c.color;
    }
    if (c.height === "sm") button.classList.add("sm");
    return button;
  }

  /** One Flex component; `layout` is the parent box's layout (for default flex and margins). */
  function flexComponent(c, layout, onAction, isHero) {
    var node;
    switch (c && c.type) {
      case "box":
        node = el("div", "fx-box " + (c.layout || "vertical"));
        var gap = px(c.spacing, SPACING);
        (c.contents || []).forEach(function (child, index) {
          var childNode = flexComponent(child, c.layout, onAction, false);
          var margin = px(child.margin, SPACING) || (index > 0 ? gap : null);
          if (margin && child.type !== "filler") {
            if (c.layout === "vertical") childNode.style.marginTop = margin;
            else childNode.style.marginLeft = margin;
          }
          node.appendChild(childNode);
        });
        applyBoxStyle(node, c);
        break;
      case "text": node = flexText(c); break;
      case "image": node = flexImage(c, isHero); break;
      case "icon": node = image(c.url, "fx-icon", "圖示"); node.style.height = px(c.size || "md", TEXT_SIZE); break;
      case "button": node = flexButton(c, onAction); break;
      case "separator":
        node = el("div", "fx-separator " + (layout === "vertical" ? "h" : "v"));
        if (c.color) node.style.backgroundColor = c.color;
        break;
      case "spacer": node = el("div", "fx-spacer"); node.style.minHeight = node.style.minWidth = px(c.size || "md", SPACING); break;
      case "filler": node = el("div", "fx-filler"); break;
      case "video": node = placeholder("▶ 影片"); break;
      default: node = placeholder("不支援的元件：" + ((c && c.type) || "?"));
    }
    var horizontal = layout === "horizontal" || layout === "baseline";
    var grow = c && c.flex !== undefined ? c.flex : (horizontal && c.type !== "separator" && c.type !== "spacer" ? 1 : 0);
    node.style.flex = c && c.type === "filler" ? String(c.flex || 1) : grow + " " + (grow ? 0 : "auto") + " " + (grow ? "0" : "auto");
    if (c && c.action && c.type !== "button") {
      node.classList.add("tappable");
      node.addEventListener("click", function () { onAction(c.action); });
    }
    return node;
  }

  function flexBubble(bubble, onAction) {
    var node = el("div", "fx-bubble");
    node.style.width = (BUBBLE_WIDTH[bubble.size] || BUBBLE_WIDTH.mega) + "px";
    var styles = bubble.styles || {};
    ["header", "hero", "body", "footer"].forEach(function (part) {
      var block = bubble[part];
      if (!block) return;
      var section = el("div", "fx-section " + part, [flexComponent(block, "vertical", onAction, part === "hero")]);
      var style = styles[part] || {};
      if (style.backgroundColor) section.style.backgroundColor = style.backgroundColor;
      if (style.separator) section.style.borderTop = "1px solid " + (style.separatorColor || "#e5e8ec");
      node.appendChild(section);
    });
    if (bubble.action) {
      node.classList.add("tappable");
      node.addEventListener("click", function (e) { if (e.target === node) onAction(bubble.action); });
    }
    return node;
  }

  function flex(message, onAction) {
    var contents = message.contents || {};
    if (contents.type === "carousel") {
      return el("div", "carousel", (contents.contents || []).map(function (b) { return flexBubble(b, onAction); }));
    }
    if (contents.type === "bubble") return flexBubble(contents, onAction);
    return placeholder(message.altText || "Flex 訊息");
  }

  /* ---- entry points -------------------------------------------------------- */

  /** The DOM for one message object sent by the bot. */
  function message(m, onAction) {
    switch (m.type) {
      case "text": return textBubble(m.text || "");
      case "textV2": return textBubble((m.text || "").replace(/\{(\w+)\}/g, "@$1"));
      case "sticker": return sticker(m);
      case "image": return el("div", "bubble photo", [image(m.previewImageUrl || m.originalContentUrl, "photo-image")]);
      case "video": return media("▶", "影片");
      case "audio": return media("♪", "語音訊息");
      case "location": return location(m);
      case "template": return template(m, onAction);
      case "flex": return flex(m, onAction);
      case "imagemap": return placeholder("🖼 " + (m.altText || "圖片訊息"));
      default: return placeholder(m.altText || ("不支援的訊息類型：" + m.type));
    }
  }

  /** Quick reply chips for a message's quickReply, or null. */
  function quickReply(qr, onAction) {
    if (!qr || !qr.items || !qr.items.length) return null;
    return el("div", "quick-items", qr.items.map(function (item) {
      var action = item.action || {};
      var chip = actionButton(action, "chip", onAction);
      if (item.imageUrl) chip.insertBefore(image(item.imageUrl, "chip-icon", ""), chip.firstChild);
      return chip;
    }));
  }

  window.LineRender = { message: message, quickReply: quickReply, el: el, image: image, sticker: sticker, location: location, media: media };
})();
