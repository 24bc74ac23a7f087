// Developer mode only (warden dev): forwards the page's console calls and
// uncaught errors to the webview process, which passes them to the core
// for the terminal. It runs in the page's own world, so the page can
// change or silence it: it carries the page's text and nothing else, and
// the webview process bounds its size and rate.
(function () {
  "use strict";
  var handlers = window.webkit && window.webkit.messageHandlers;
  var sink = handlers && handlers.wardenConsole;
  if (!sink) return;
  var post = sink.postMessage.bind(sink);
  var MAX = 4096;

  function text(v) {
    if (typeof v === "string") return v;
    if (v instanceof Error) return v.stack ? v.name + ": " + v.message + "\n" + v.stack : String(v);
    try {
      var s = JSON.stringify(v);
      if (s !== undefined) return s;
    } catch (e) { /* cyclic or hostile: fall back to String */ }
    try { return String(v); } catch (e) { return "[unprintable]"; }
  }

  // where names the caller's file:line:column from a stack trace, or "".
  function where(stack) {
    var lines = String(stack || "").split("\n");
    for (var i = 0; i < lines.length; i++) {
      var m = /@?((?:plugin|isolation):\/\/[^\s)]+:\d+:\d+)/.exec(lines[i]);
      if (m) return m[1];
    }
    return "";
  }

  function send(level, message, at) {
    try {
      if (message.length > MAX) message = message.slice(0, MAX) + "…";
      post({ level: level, message: message, at: at || "" });
    } catch (e) { /* never break the page */ }
  }

  ["log", "info", "debug", "warn", "error"].forEach(function (level) {
    var orig = console[level];
    console[level] = function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(text(arguments[i]));
      var at = "";
      try { at = where(new Error().stack.split("\n").slice(1).join("\n")); } catch (e) { /* no stack */ }
      send(level, parts.join(" "), at);
      if (orig) return orig.apply(console, arguments);
    };
  });

  window.addEventListener("error", function (e) {
    if (e.target && e.target !== window) {
      send("error", "failed to load " + (e.target.src || e.target.href || e.target.tagName), "");
      return;
    }
    var at = e.filename ? e.filename + ":" + e.lineno + ":" + e.colno : "";
    send("error", "uncaught " + (e.error ? text(e.error) : e.message), at);
  }, true);

  window.addEventListener("unhandledrejection", function (e) {
    var r = e.reason;
    send("error", "unhandled rejection: " + text(r), r instanceof Error ? where(r.stack) : "");
  });
})();
