/*
 * Warden isolation channel.
 *
 * Injected by the webview process into the "warden-isolation" script world
 * of isolation:// frames only, at document start, after the isolation app
 * (isolation.js) and any admin isolation scripts. It installs
 * WardenIsolation.send, the isolation frame's private channel to the core:
 * the native handler "warden", registered with reply in this world only,
 * so neither the plugin page nor the frame's own document can reach it.
 *
 *   send(envelope, id) hands the sealed envelope to the core: straight
 *   through the web process extension's __wardenSend when the extension
 *   defined it in this world, else through the handler, whose webview
 *   process relays it. The core's reply JSON is posted to the parent page
 *   as {id, reply}; a failed delivery is posted as {id, error} (the relay
 *   rejects and isolation.js posts it).
 *
 * id is the caller's request id. When isolation.js does not pass it, the id
 * echoed in the reply is used; that one is 0 when the core could not open
 * the envelope, and send then rejects with the core's message so that
 * isolation.js settles the caller with {id, error}.
 *
 * Once installed it posts {ready: true} to the parent, which then starts
 * sending requests. It does nothing in isolation frames that are not a
 * launch's isolation document (a page's second request for it gets a 404
 * page, which has no launch attributes).
 *
 * Classic script, no dependencies.
 */
(function (win) {
  'use strict';

  // direct is the web process extension's channel to the core, when the
  // extension is loaded: one process hop instead of two. Taken off the
  // global first, in every frame, so that nothing running later in this
  // world holds it.
  var direct = typeof win.__wardenSend === 'function' ? win.__wardenSend : null;
  try {
    delete win.__wardenSend;
  } catch (_) {}

  var api = win.WardenIsolation;
  var el = win.document && win.document.documentElement;
  if (!api || typeof api !== 'object' || !el || !el.hasAttribute('data-warden-launch')) return;
  var webkit = win.webkit;
  var handler = webkit && webkit.messageHandlers && webkit.messageHandlers.warden;
  if (direct === null && (!handler || typeof handler.postMessage !== 'function')) return;

  var parent = win.parent;
  var parseJSON = JSON.parse;

  // parse returns the reply as an object, or null when it is not JSON.
  function parse(reply) {
    try {
      var r = parseJSON(reply);
      return r && typeof r === 'object' ? r : null;
    } catch (_) {
      return null;
    }
  }

  // route posts the core's reply to the parent as {id, reply}. It throws
  // when the reply cannot be routed to a caller.
  function route(reply, id) {
    var text = typeof reply === 'string' ? reply : JSON.stringify(reply);
    var to = id;
    if (typeof to !== 'number') {
      var r = parse(text);
      to = r && typeof r.id === 'number' ? r.id : 0;
      if (to === 0) {
        // Only the caller's id is missing: rejecting lets isolation.js,
        // which knows it, settle the caller with the core's message.
        var e = r && r.error;
        throw new Error(e && typeof e.message === 'string' ? e.message : 'reply without a request id');
      }
    }
    // The frame has an opaque origin and frame-ancestors pins its parent
    // to the plugin's own origin, so "*" reaches only the plugin page.
    parent.postMessage({ id: to, reply: text }, '*');
  }

  api.send = function (envelope, id) {
    if (direct !== null) {
      // Throws when the channel is closed; isolation.js then settles the
      // caller with the error.
      direct(envelope, function (reply, error) {
        try {
          if (typeof reply !== 'string') throw new Error(error || 'core channel failed');
          route(reply, id);
        } catch (err) {
          if (typeof id === 'number') parent.postMessage({ id: id, error: err && err.message ? err.message : String(err) }, '*');
        }
      });
      return undefined;
    }
    return handler.postMessage(envelope).then(function (reply) { route(reply, id); });
  };

  parent.postMessage({ ready: true }, '*');
})(window);
