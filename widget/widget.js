// The web chat widget: one script tag, e.g.
//   <script src="https://portal.example.org/widget/widget.js" data-rasa-url="https://bot.example.org" defer></script>
// No framework; every piece of text shown comes from the bot or from the catalogs (strings/<lang>.json),
// and is inserted as text, never as HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/widget\.js(\?.*)?$/, "");
  var rasaUrl = script.dataset.rasaUrl || location.protocol + "//" + location.hostname + ":5005";
  var LANGUAGES = { en: "English", fr: "français", es: "español", pt: "português", ar: "العربية",
    fa: "فارسی", ps: "پښتو", uk: "українська", ru: "русский", tr: "Türkçe", so: "Soomaali", ti: "ትግርኛ" };
  var RTL = { ar: true, fa: true, ps: true };
  var PHONE = /\+?\d[\d ]{6,}\d/g;
  var strings = {};
  var socket;

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  var root = el("section", { "class": "mra", role: "region", lang: "en", dir: "ltr" });
  var header = el("header", { "class": "mra-header" });
  var title = el("h2", { "class": "mra-title", id: "mra-title" });
  var picker = el("select", { "class": "mra-language", id: "mra-language" });
  var pickerLabel = el("label", { "for": "mra-language", "class": "mra-hidden" });
  Object.keys(LANGUAGES).forEach(function (code) {
    var option = el("option", { value: code, lang: code }, LANGUAGES[code]);
    picker.appendChild(option);
  });
  header.append(title, pickerLabel, picker);
  var log = el("ol", { "class": "mra-log", "aria-live": "polite", "aria-labelledby": "mra-title" });
  var form = el("form", { "class": "mra-form" });
  var inputLabel = el("label", { "for": "mra-input", "class": "mra-hidden" });
  var input = el("input", { id: "mra-input", "class": "mra-input", dir: "auto", maxlength: "2000", autocomplete: "off" });
  var send = el("button", { type: "submit", "class": "mra-send" });
  form.append(inputLabel, input, send);
  var locate = el("button", { type: "button", "class": "mra-locate" });
  var locateNote = el("p", { "class": "mra-note" });
  root.append(header, log, form, locate, locateNote);

  function setLanguage(code) {
    if (!LANGUAGES[code]) return;
    root.setAttribute("lang", code);
    root.setAttribute("dir", RTL[code] ? "rtl" : "ltr");
    picker.value = code;
    fetch(base + "strings/" + code + ".json").then(function (r) { return r.json(); }).then(function (s) {
      strings = s;
      title.textContent = s.title;
      pickerLabel.textContent = s.language;
      inputLabel.textContent = s.placeholder;
      input.placeholder = s.placeholder;
      send.textContent = s.send;
      locate.textContent = s.location;
      locateNote.textContent = s.location_note;
    });
  }

  function textWithPhoneLinks(node, text) {
    var last = 0;
    text.replace(PHONE, function (match, offset) {
      node.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: "tel:" + match.replace(/ /g, ""), dir: "ltr" }, match);
      node.appendChild(link);
      last = offset + match.length;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function add(kind, text) {
    var item = el("li", { "class": "mra-" + kind, dir: "auto" });
    textWithPhoneLinks(item, text);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function addButtons(buttons) {
    var item = el("li", { "class": "mra-buttons" });
    buttons.forEach(function (b) {
      var button = el("button", { type: "button", dir: "auto" }, b.title);
      button.addEventListener("click", function () { say(b.payload, b.title); });
      item.appendChild(button);
    });
    log.appendChild(item);
  }

  function addMapLinks(locations) {
    var item = el("li", { "class": "mra-buttons" });
    locations.forEach(function (place) {
      // geo: opens the phone's own maps app; nothing is fetched from any map service by us.
      var link = el("a", { href: "geo:" + place.latitude + "," + place.longitude + "?q=" + place.latitude + "," +
        place.longitude, "class": "mra-map", dir: "auto" }, (strings.map || "Map") + ": " + place.name);
      item.appendChild(link);
    });
    log.appendChild(item);
  }

  function say(message, shown) {
    add("user", shown || message);
    socket.emit("user_uttered", { message: message });
  }

  function onBotMessage(data) {
    var custom = data.custom || {};
    if (custom.language && custom.language !== root.getAttribute("lang")) setLanguage(custom.language);
    if (data.text) add("bot", data.text);
    if (data.quick_replies && data.quick_replies.length) addButtons(data.quick_replies);
    if (custom.locations && custom.locations.length) addMapLinks(custom.locations);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    input.value = "";
    if (text) say(text);
  });
  picker.addEventListener("change", function () {
    setLanguage(picker.value);
    socket.emit("user_uttered", { message: "/change_language" + JSON.stringify({ language: picker.value }) });
  });
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { add("bot", strings.location_denied || ""); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      add("user", "📍");
      socket.emit("user_uttered", { location: { latitude: position.coords.latitude,
        longitude: position.coords.longitude } });
    }, function () { add("bot", strings.location_denied || ""); }, { maximumAge: 60000, timeout: 15000 });
  });

  function start() {
    var css = el("link", { rel: "stylesheet", href: base + "widget.css" });
    document.head.appendChild(css);
    (script.dataset.container ? document.querySelector(script.dataset.container) : document.body).appendChild(root);
    var browserLanguage = (navigator.language || "en").slice(0, 2);
    setLanguage(LANGUAGES[browserLanguage] ? browserLanguage : "en");
    var io = el("script", { src: base + "socket.io.min.js" });
    io.onload = function () {
      socket = window.io(rasaUrl, { path: "/socket.io", transports: ["websocket", "polling"] });
      socket.on("connect", function () { socket.emit("session_request", {}); });
      socket.on("bot_uttered", onBotMessage);
    };
    document.head.appendChild(io);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
