/*
 * Warden isolation app.
 *
 * Runs in a sandboxed, opaque-origin iframe served from the isolation:
 * scheme. It is the only document holding the launch key. Every request the
 * plugin page posts here passes the isolation hook, gets the next sequence
 * number, is sealed with AES-256-GCM and is handed to the channel the
 * webview host installs as WardenIsolation.send.
 *
 * Envelope (must match the Go package isolation):
 *   "w1." b64url(pluginId) "." b64url(launchId) "." b64url(nonce12) "." b64url(ciphertext||tag)
 *   associated data: "warden.envelope.v1" 0x00 pluginId 0x00 launchId
 *   plaintext: JSON {"seq", "id", "cmd", "args"?}
 *
 * Classic script, no dependencies; loads in browsers and in Node >= 20.
 */
(function (root) {
  'use strict';

  var LABEL = 'warden.envelope.v1';
  var PREFIX = 'w1.';
  var KEY_SIZE = 32;
  var NONCE_SIZE = 12;
  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  var encoder = new TextEncoder();

  // b64url encodes bytes as unpadded base64url.
  function b64url(bytes) {
    var out = '';
    var i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    }
    if (i + 1 === bytes.length) {
      var a = bytes[i] << 16;
      out += ALPHABET[a >> 18] + ALPHABET[(a >> 12) & 63];
    } else if (i + 2 === bytes.length) {
      var b = (bytes[i] << 16) | (bytes[i + 1] << 8);
      out += ALPHABET[b >> 18] + ALPHABET[(b >> 12) & 63] + ALPHABET[(b >> 6) & 63];
    }
    return out;
  }

  // unb64 decodes base64 or base64url, padded or not.
  function unb64(s) {
    s = String(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    var out = new Uint8Array(Math.floor(s.length * 3 / 4));
    var acc = 0;
    var bits = 0;
    var j = 0;
    for (var i = 0; i < s.length; i++) {
      var v = ALPHABET.indexOf(s[i]);
      if (v < 0) throw new Error('bad base64 in key');
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[j++] = (acc >> bits) & 255;
      }
    }
    return out;
  }

  function concat(parts) {
    var n = 0;
    var i;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n);
    var off = 0;
    for (i = 0; i < parts.length; i++) {
      out.set(parts[i], off);
      off += parts[i].length;
    }
    return out;
  }

  function checkId(what, id) {
    if (typeof id !== 'string' || id === '' || id.indexOf('\u0000') >= 0) {
      throw new Error(what + ' id must be a non-empty string without NUL');
    }
  }

  function associatedData(pluginId, launchId) {
    var zero = new Uint8Array(1);
    return concat([encoder.encode(LABEL), zero, encoder.encode(pluginId), zero, encoder.encode(launchId)]);
  }

  function subtle() {
    var c = root.crypto;
    if (!c || !c.subtle || typeof c.getRandomValues !== 'function') {
      throw new Error('WebCrypto is unavailable');
    }
    return c.subtle;
  }

  // importKey turns 32 raw key bytes into a non-extractable AES-GCM key.
  function importKey(keyBytes) {
    return Promise.resolve().then(function () {
      if (!keyBytes || keyBytes.length !== KEY_SIZE) {
        throw new Error('key must be ' + KEY_SIZE + ' bytes');
      }
      // Copy: the bytes may come from another realm (Node vm, Buffer).
      var raw = new Uint8Array(KEY_SIZE);
      for (var i = 0; i < KEY_SIZE; i++) raw[i] = keyBytes[i];
      return subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt']);
    });
  }

  function isCount(v) {
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  }

  // sealWith seals request under an imported CryptoKey.
  function sealWith(cryptoKey, pluginId, launchId, request) {
    return Promise.resolve().then(function () {
      checkId('plugin', pluginId);
      checkId('launch', launchId);
      if (!request || typeof request !== 'object') throw new Error('request must be an object');
      if (!isCount(request.seq) || request.seq < 1) throw new Error('seq must be a positive integer');
      if (!isCount(request.id)) throw new Error('id must be a non-negative integer');
      if (typeof request.cmd !== 'string' || request.cmd === '') throw new Error('cmd must be a non-empty string');
      // Only these members are sealed, whatever else the payload carries.
      var body = { seq: request.seq, id: request.id, cmd: request.cmd };
      if (request.args !== undefined) body.args = request.args;
      var plaintext = encoder.encode(JSON.stringify(body));
      var nonce = root.crypto.getRandomValues(new Uint8Array(NONCE_SIZE));
      return subtle().encrypt(
        { name: 'AES-GCM', iv: nonce, additionalData: associatedData(pluginId, launchId), tagLength: 128 },
        cryptoKey,
        plaintext
      ).then(function (ct) {
        return PREFIX + b64url(encoder.encode(pluginId)) + '.' + b64url(encoder.encode(launchId)) + '.' +
          b64url(nonce) + '.' + b64url(new Uint8Array(ct));
      });
    });
  }

  // seal seals request {seq, id, cmd, args} for (pluginId, launchId) under
  // the 32 raw key bytes, with a fresh random nonce. Resolves to the envelope.
  function seal(keyBytes, pluginId, launchId, request) {
    return importKey(keyBytes).then(function (k) {
      return sealWith(k, pluginId, launchId, request);
    });
  }

  function messageOf(err) {
    if (err && typeof err === 'object' && 'message' in err) return String(err.message);
    return String(err);
  }

  var api = {
    seal: seal,
    // send(envelope, id) is installed by the webview host: the frame's private
    // channel to the core. Until then requests fail with
    // "isolation channel unavailable".
    send: null,
    // hook(payload) is an alternative to window.__WARDEN_ISOLATION_HOOK__.
    hook: null
  };

  // install wires the isolation frame: config from the document, requests
  // from the parent, envelopes to api.send.
  function install(win) {
    var el = win.document && win.document.documentElement;
    var data = el && el.dataset;
    if (!data || !data.wardenKey) return; // not a rendered launch document
    var pluginId = data.wardenPlugin;
    var launchId = data.wardenLaunch;
    var keyPromise = importKey(unb64(data.wardenKey));
    // The key lives on only inside this closure.
    delete data.wardenKey;
    if (typeof el.removeAttribute === 'function') el.removeAttribute('data-warden-key');

    var seq = 0;
    var queue = Promise.resolve();

    function fail(id, err) {
      win.parent.postMessage({ id: id, error: messageOf(err) }, '*');
    }

    function currentHook() {
      if (typeof win.__WARDEN_ISOLATION_HOOK__ === 'function') return win.__WARDEN_ISOLATION_HOOK__;
      if (typeof api.hook === 'function') return api.hook;
      return null;
    }

    // enqueue seals and sends strictly one after another, so envelopes
    // leave in seq order even though WebCrypto is asynchronous.
    function enqueue(id, payload) {
      var step = queue.then(function () {
        var send = api.send;
        if (typeof send !== 'function') throw new Error('isolation channel unavailable');
        seq += 1;
        var request = { seq: seq, id: id, cmd: payload.cmd, args: payload.args };
        return keyPromise.then(function (k) {
          return sealWith(k, pluginId, launchId, request);
        }).then(function (envelope) {
          var sent = send.call(api, envelope, id);
          // A rejected delivery is the caller's error; the queue moves on
          // without waiting for the core's reply.
          if (sent && typeof sent.then === 'function') {
            sent.then(null, function (err) { fail(id, err); });
          }
        });
      });
      queue = step.then(null, function () {});
      return step;
    }

    win.addEventListener('message', function (event) {
      if (event.source !== win.parent) return;
      var msg = event.data;
      if (!msg || typeof msg !== 'object' || typeof msg.cmd !== 'string') return;
      var id = msg.id;
      if (!isCount(id)) return;
      var payload = { id: id, cmd: msg.cmd, args: msg.args };
      Promise.resolve().then(function () {
        var hook = currentHook();
        return hook ? hook(payload) : payload;
      }).then(function (result) {
        // A hook that returns nothing keeps (possibly mutated) payload.
        var out = result === undefined ? payload : result;
        if (!out || typeof out !== 'object' || typeof out.cmd !== 'string' || out.cmd === '') {
          throw new Error('isolation hook returned an invalid payload');
        }
        // The id routes the reply to the caller: the hook cannot change it.
        return enqueue(id, out);
      }).then(null, function (err) {
        fail(id, err);
      });
    });
  }

  root.WardenIsolation = api;
  if (typeof module === 'object' && module && module.exports) module.exports = api;
  if (typeof window !== 'undefined' && window && window.parent && window.parent !== window) {
    install(window);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
