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
 *   send(envelope, id) hands the sealed envelope to the webview process,
 *   which relays it to the core; the handler's Promise resolves with the
 *   core's reply JSON, which is posted to the parent page as {id, reply}.
 *   A failed delivery rejects, and isolation.js posts {id, error}.
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

  var api = win.WardenIsolation;
  var el = win.document && win.document.documentElement;
  if (!api || typeof api !== 'object' || !el || !el.hasAttribute('data-warden-launch')) return;
  var webkit = win.webkit;
  var handler = webkit && webkit.messageHandlers && webkit.messageHandlers.warden;
  if (!handler || typeof handler.postMessage !== 'function') return;

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

  api.send = function (envelope, id) {
    return handler.postMessage(envelope).then(function (reply) {
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
    });
  };

  parent.postMessage({ ready: true }, '*');
})(window);
