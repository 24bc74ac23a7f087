'use strict';

// Hostile test plugin: window.runHostile(opts) tries each way a plugin page
// could get around Warden's isolation and resolves with
// {name: {blocked: bool, detail: string}} for every attempt. It never
// rejects and never hangs: each attempt has a timeout. See ../README.md.
//
// blocked means the attempt had no effect the page could observe. For the
// network attempts the page cannot always tell (a blocked sendBeacon may
// still return true), so the test's beacon server is the judge there: it
// must see no request at all.
(function () {
  var PLUGIN = 'test.warden.hostile';
  var ISOLATION_URL = 'isolation://' + PLUGIN + '/';
  var KEY_RE = /data-warden-key="([^"]+)"/;
  // An isolation key as isolation.Document writes it: 32 bytes, base64url.
  var KEY_VALUE_RE = /^[A-Za-z0-9_-]{43}$/;

  var violations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    violations.push({ uri: String(e.blockedURI), directive: String(e.violatedDirective || e.effectiveDirective) });
  });

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function describe(err) {
    if (err && typeof err === 'object') return String(err.name || 'Error') + ': ' + String(err.message);
    return String(err);
  }

  // violated reports the CSP violations seen for URLs starting with prefix.
  function violated(prefix) {
    var out = [];
    for (var i = 0; i < violations.length; i++) {
      if (violations[i].uri.indexOf(prefix) === 0 || prefix.indexOf(violations[i].uri) === 0) {
        out.push(violations[i].directive);
      }
    }
    return out;
  }

  // run races fn against a timeout; a timeout or a throw becomes a result.
  function run(fn, ms, onTimeout) {
    return Promise.race([
      Promise.resolve().then(fn).then(null, function (err) {
        return { blocked: true, detail: 'threw ' + describe(err) };
      }),
      sleep(ms).then(function () { return onTimeout; })
    ]);
  }

  function b64url(s) {
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomB64url(n) {
    var a = new Uint8Array(n);
    crypto.getRandomValues(a);
    var s = '';
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return b64url(s);
  }

  function forgedEnvelope() {
    return 'w2.' + b64url(PLUGIN) + '.' + b64url('forged-launch') + '.' + randomB64url(12) + '.' + randomB64url(48);
  }

  // bridgeFrame is the isolation iframe the bridge created.
  function bridgeFrame() {
    var frames = document.querySelectorAll('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (String(frames[i].src).indexOf('isolation:') === 0 && !frames[i].hasAttribute('data-hostile')) return frames[i];
    }
    return null;
  }

  // collect listens to the window's messages for ms.
  function collect(ms) {
    var seen = [];
    function on(e) {
      var d;
      try { d = JSON.stringify(e.data); } catch (_) { d = String(e.data); }
      seen.push(d);
    }
    window.addEventListener('message', on);
    return sleep(ms).then(function () {
      window.removeEventListener('message', on);
      return seen;
    });
  }

  // leaks reports messages that carry a key or an envelope.
  function leaks(messages) {
    var out = [];
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      if (KEY_RE.test(m) || /"w[0-9]+\.[A-Za-z0-9_-]+\./.test(m)) { out.push(m); continue; }
      var strings = m.match(/"[A-Za-z0-9_-]{43}"/g) || [];
      for (var j = 0; j < strings.length; j++) {
        if (KEY_VALUE_RE.test(strings[j].slice(1, -1))) out.push(m);
      }
    }
    return out;
  }

  function hasKey(text) {
    var m = KEY_RE.exec(String(text));
    return !!(m && m[1]);
  }

  var attempts = [];
  function attempt(name, ms, onTimeout, fn) {
    attempts.push({ name: name, ms: ms, onTimeout: onTimeout, fn: fn });
  }

  function timedOut(blocked, what) {
    return { blocked: blocked, detail: 'timed out: ' + what };
  }

  // The bridge works: without this, every "blocked" below could be an
  // artefact of a broken page. Needs the storage grant.
  attempt('_control', 4000, timedOut(false, 'no reply to storage.set/get'), function (o) {
    var value = 'v' + Date.now();
    return warden.invoke('storage.set', { key: 'hostile.control', value: value }).then(function () {
      return warden.invoke('storage.get', { key: 'hostile.control' });
    }).then(function (got) {
      var ok = JSON.stringify(got).indexOf(value) >= 0;
      return { blocked: !ok, detail: 'storage round trip returned ' + JSON.stringify(got) };
    }, function (err) {
      return { blocked: true, detail: 'storage failed: ' + String(err && err.code) + ': ' + describe(err) };
    });
  });

  attempt('webkitHandlers', 1000, timedOut(true, 'probe hung'), function () {
    var found = [];
    var candidates = { window: window, self: self, globalThis: globalThis, top: window.top, parent: window.parent };
    for (var k in candidates) {
      try {
        var w = candidates[k] && candidates[k].webkit;
        if (w !== undefined) found.push(k + '.webkit=' + typeof w + (w && w.messageHandlers ? ' with messageHandlers' : ''));
      } catch (e) { /* cross-origin: nothing reachable */ }
    }
    var f = bridgeFrame();
    try {
      var fw = f && f.contentWindow && f.contentWindow.webkit;
      if (fw !== undefined) found.push('isolationFrame.webkit=' + typeof fw);
    } catch (e) { /* cross-origin, as expected */ }
    var names = Object.getOwnPropertyNames(window);
    for (var i = 0; i < names.length; i++) {
      var v;
      try { v = window[names[i]]; } catch (e) { continue; }
      if (v && (typeof v === 'object' || typeof v === 'function') && names[i] !== 'warden') {
        try {
          if ('messageHandlers' in v) found.push(names[i] + '.messageHandlers');
        } catch (e) { /* exotic object */ }
      }
    }
    return { blocked: found.length === 0, detail: found.length ? found.join('; ') : 'no webkit object or messageHandlers reachable' };
  });

  // The web process extension's direct channel to the core exists only in
  // the isolation world of isolation frames.
  attempt('extensionChannel', 3000, timedOut(true, 'probe hung'), function () {
    var found = [];
    function probe(label, w) {
      try {
        if (w && w.__wardenSend !== undefined) found.push(label + '.__wardenSend=' + typeof w.__wardenSend);
      } catch (e) { /* cross-origin: nothing reachable */ }
    }
    probe('window', window);
    probe('top', window.top);
    probe('parent', window.parent);
    var f = bridgeFrame();
    probe('isolationFrame', f && f.contentWindow);
    var names = Object.getOwnPropertyNames(window);
    for (var i = 0; i < names.length; i++) {
      if (names[i].indexOf('wardenSend') >= 0) found.push('window.' + names[i]);
    }
    // A frame of its own on the isolation scheme (it gets the 404 page).
    // The page's CSP may stop it loading; probe after load or 1.5 s.
    return new Promise(function (resolve) {
      var own = document.createElement('iframe');
      var loaded = false;
      function finish() {
        probe('ownIsolationFrame', own.contentWindow);
        var note = loaded ? ' (own isolation frame loaded)' : ' (own isolation frame did not load)';
        resolve({ blocked: found.length === 0, detail: (found.length ? found.join('; ') : 'no __wardenSend reachable from the page') + note });
      }
      own.onload = function () { loaded = true; finish(); };
      setTimeout(finish, 1500);
      own.src = ISOLATION_URL + '?own';
      document.body.appendChild(own);
    });
  });

  attempt('fetchIsolation', 2000, timedOut(true, 'fetch hung'), function () {
    var tries = [
      fetch(ISOLATION_URL).then(function (r) { return r.text(); }),
      fetch(ISOLATION_URL, { mode: 'no-cors' }).then(function (r) { return r.text(); })
    ];
    return Promise.all(tries.map(function (p) {
      return p.then(function (t) { return { text: t }; }, function (e) { return { err: describe(e) }; });
    })).then(function (rs) {
      var got = rs.some(function (r) { return r.text !== undefined && hasKey(r.text); });
      var detail = rs.map(function (r, i) {
        var mode = i === 0 ? 'cors' : 'no-cors';
        return mode + ': ' + (r.err ? 'rejected ' + r.err : 'body of ' + r.text.length + ' bytes' + (hasKey(r.text) ? ' WITH THE KEY' : ''));
      }).join('; ');
      return { blocked: !got, detail: detail };
    });
  });

  attempt('xhrIsolation', 2000, timedOut(true, 'XHR hung'), function () {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      try {
        x.open('GET', ISOLATION_URL);
      } catch (e) {
        resolve({ blocked: true, detail: 'open threw ' + describe(e) });
        return;
      }
      x.onload = function () {
        resolve({ blocked: !hasKey(x.responseText), detail: 'status ' + x.status + ', ' + x.responseText.length + ' bytes' + (hasKey(x.responseText) ? ' WITH THE KEY' : '') });
      };
      x.onerror = function () { resolve({ blocked: true, detail: 'error event, status ' + x.status }); };
      try {
        x.send();
      } catch (e) {
        resolve({ blocked: true, detail: 'send threw ' + describe(e) });
      }
    });
  });

  attempt('iframeIsolation', 3000, timedOut(true, 'own isolation iframe never loaded'), function () {
    return new Promise(function (resolve) {
      var f = document.createElement('iframe');
      f.setAttribute('data-hostile', '1');
      f.src = ISOLATION_URL;
      var seen = collect(700);
      f.addEventListener('load', function () {
        var notes = [];
        var key = false;
        try {
          var d = f.contentDocument;
          if (d && d.documentElement) {
            var html = d.documentElement.outerHTML;
            key = hasKey(html) || !!(d.documentElement.dataset && d.documentElement.dataset.wardenKey);
            notes.push('contentDocument readable (' + html.length + ' chars)');
          } else {
            notes.push('contentDocument ' + String(d));
          }
        } catch (e) {
          notes.push('contentDocument threw ' + describe(e));
        }
        try {
          var t = f.contentWindow.document.documentElement.outerHTML;
          key = key || hasKey(t);
          notes.push('contentWindow.document readable');
        } catch (e) {
          notes.push('contentWindow.document threw ' + describe(e));
        }
        // Ask the frame for its key in every way a message could.
        try {
          f.contentWindow.postMessage({ id: 1, cmd: '__key__' }, '*');
          f.contentWindow.postMessage('key', '*');
          f.contentWindow.postMessage({ getKey: true }, '*');
        } catch (e) {
          notes.push('postMessage threw ' + describe(e));
        }
        seen.then(function (msgs) {
          var leaked = leaks(msgs);
          notes.push(msgs.length + ' messages back' + (leaked.length ? ', LEAKS: ' + leaked.join(' | ') : ''));
          f.remove();
          resolve({ blocked: !key && leaked.length === 0, detail: notes.join('; ') });
        });
      });
      document.body.appendChild(f);
    });
  });

  attempt('bridgeFramePostMessage', 2000, timedOut(true, 'probe hung'), function () {
    var f = bridgeFrame();
    if (!f || !f.contentWindow) return { blocked: true, detail: 'no isolation frame found' };
    var seen = collect(800);
    var w = f.contentWindow;
    var notes = [];
    try { notes.push('contentDocument ' + String(f.contentDocument)); } catch (e) { notes.push('contentDocument threw ' + describe(e)); }
    // Messages a naive isolation app might answer with its key or state.
    var probes = ['key', { getKey: true }, { id: 900000001, cmd: 'constructor' }, { id: 900000002, cmd: 'toString' },
      { id: '900000003', cmd: 'storage.get' }, { id: -1, cmd: 'storage.get' }, { id: 900000004, cmd: '' }, null];
    for (var i = 0; i < probes.length; i++) {
      try { w.postMessage(probes[i], '*'); } catch (e) { notes.push('postMessage threw ' + describe(e)); }
    }
    return seen.then(function (msgs) {
      var leaked = leaks(msgs);
      notes.push(msgs.length + ' messages back: ' + msgs.join(' | '));
      return { blocked: leaked.length === 0, detail: notes.join('; ') };
    });
  });

  attempt('forgedEnvelope', 2500, timedOut(true, 'probe hung'), function () {
    var env = forgedEnvelope();
    var notes = [];
    var reached = false;
    var f = bridgeFrame();
    var seen = collect(800);
    if (f && f.contentWindow) {
      f.contentWindow.postMessage(env, '*');
      f.contentWindow.postMessage({ envelope: env }, '*');
    }
    var tries = [];
    try {
      var h = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.warden;
      if (h) {
        reached = true;
        tries.push(Promise.resolve(h.postMessage(env)).then(function (r) { notes.push('native handler replied ' + String(r)); },
          function (e) { notes.push('native handler rejected ' + describe(e)); }));
      } else {
        notes.push('no native handler in the page');
      }
    } catch (e) {
      notes.push('native handler threw ' + describe(e));
    }
    // As a command, the envelope is just an unknown command name: it gets
    // sealed like any other request and the core refuses it.
    var asCmd = warden.invoke(env).then(function (r) { return 'invoke(envelope) resolved ' + JSON.stringify(r); },
      function (e) { return 'invoke(envelope) rejected ' + String(e && e.code); });
    return Promise.all(tries).then(function () { return Promise.all([seen, asCmd]); }).then(function (r) {
      var msgs = r[0];
      notes.push(r[1]);
      notes.push(msgs.length + ' messages back' + (msgs.length ? ': ' + msgs.join(' | ') : ''));
      var accepted = /resolved/.test(r[1]);
      return { blocked: !reached && !accepted, detail: notes.join('; ') };
    });
  });

  attempt('replayRequest', 4000, timedOut(true, 'no replies to re-posted requests'), function () {
    // The page never sees an envelope, so the closest it gets to a replay
    // is posting the same request message twice. Each copy passes the hook
    // and is sealed afresh with the next seq: two independent requests,
    // not a replay. A pass proves no envelope is ever visible to the page.
    var f = bridgeFrame();
    if (!f || !f.contentWindow) return { blocked: true, detail: 'no isolation frame found' };
    var seen = collect(1000);
    var msg = { id: 900000010, cmd: 'storage.get', args: { key: 'hostile.control' } };
    f.contentWindow.postMessage(msg, '*');
    f.contentWindow.postMessage(msg, '*');
    return seen.then(function (msgs) {
      var replies = msgs.filter(function (m) { return m.indexOf('"id":900000010') >= 0; });
      var envelopes = msgs.filter(function (m) { return /w[0-9]+\.[A-Za-z0-9_-]+\./.test(m); });
      return {
        blocked: envelopes.length === 0,
        detail: replies.length + ' replies to 2 identical request messages (each sealed afresh); ' +
          (envelopes.length ? 'ENVELOPES SEEN: ' + envelopes.join(' | ') : 'no envelope ever visible to the page')
      };
    });
  });

  function mustReject(cmd, args) {
    return function () {
      return warden.invoke(cmd, args).then(function (r) {
        return { blocked: false, detail: 'resolved ' + JSON.stringify(r) };
      }, function (e) {
        var code = e && e.code;
        return { blocked: typeof code === 'string' && code !== '', detail: 'rejected ' + String(code) + ': ' + String(e && e.message) };
      });
    };
  }

  attempt('undeclaredBackend', 4000, timedOut(false, 'backend.nothere never settled'), mustReject('backend.nothere'));
  attempt('undeclaredFsRead', 4000, timedOut(false, 'fs.read never settled'), mustReject('fs.read', { path: '/etc/passwd' }));

  attempt('fetchBeacon', 2000, timedOut(true, 'fetch hung'), function (o) {
    var url = o.beacon + 'fetch';
    return fetch(url, { mode: 'no-cors' }).then(function (r) {
      return { blocked: false, detail: 'fetch resolved, type ' + r.type };
    }, function (e) {
      return { blocked: true, detail: 'rejected ' + describe(e) + '; csp: ' + violated(url).join(',') };
    });
  });

  attempt('webSocket', 2000, timedOut(true, 'no open event'), function (o) {
    var url = o.beacon.replace(/^http/, 'ws') + 'ws';
    return new Promise(function (resolve) {
      var ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        resolve({ blocked: true, detail: 'constructor threw ' + describe(e) });
        return;
      }
      ws.onopen = function () { ws.close(); resolve({ blocked: false, detail: 'opened' }); };
      ws.onerror = function () { resolve({ blocked: true, detail: 'error event; csp: ' + violated(url).join(',') }); };
      ws.onclose = function () { resolve({ blocked: true, detail: 'closed without opening' }); };
    });
  });

  attempt('imageBeacon', 2000, timedOut(true, 'image neither loaded nor failed'), function (o) {
    var url = o.beacon + 'img';
    return new Promise(function (resolve) {
      var img = new Image();
      img.onload = function () { resolve({ blocked: false, detail: 'image loaded' }); };
      img.onerror = function () { resolve({ blocked: true, detail: 'error event; csp: ' + violated(url).join(',') }); };
      img.src = url;
    });
  });

  attempt('sendBeacon', 1000, timedOut(true, 'hung'), function (o) {
    var url = o.beacon + 'beacon';
    var r;
    try {
      r = navigator.sendBeacon(url, 'hostile');
    } catch (e) {
      return { blocked: true, detail: 'threw ' + describe(e) };
    }
    return sleep(300).then(function () {
      var csp = violated(url);
      // A true return only says it was queued; the server is the judge.
      return { blocked: r !== true || csp.length > 0, detail: 'returned ' + String(r) + '; csp: ' + csp.join(',') };
    });
  });

  attempt('prefetch', 1000, timedOut(true, 'no load event'), function (o) {
    var url = o.beacon + 'prefetch';
    return new Promise(function (resolve) {
      var l = document.createElement('link');
      l.rel = 'prefetch';
      l.href = url;
      l.onload = function () { resolve({ blocked: false, detail: 'prefetch loaded' }); };
      l.onerror = function () { resolve({ blocked: true, detail: 'error event; csp: ' + violated(url).join(',') }); };
      document.head.appendChild(l);
    });
  });

  attempt('iframeBeacon', 2000, timedOut(true, 'no load event'), function (o) {
    var url = o.beacon + 'frame';
    return new Promise(function (resolve) {
      var f = document.createElement('iframe');
      f.setAttribute('data-hostile', '1');
      f.src = url;
      f.onload = function () {
        var csp = violated(url);
        var readable = false;
        try { readable = !!(f.contentDocument && f.contentDocument.body && f.contentDocument.body.innerHTML); } catch (e) { /* cross-origin */ }
        f.remove();
        resolve({ blocked: csp.length > 0 || !readable, detail: 'load event; csp: ' + csp.join(',') + '; readable: ' + readable });
      };
      document.body.appendChild(f);
    });
  });

  function navigation(target) {
    return function (o) {
      var to = target === 'beacon' ? o.beacon + 'nav' : target;
      var before = location.href;
      try {
        location.href = to;
      } catch (e) {
        return { blocked: true, detail: 'threw ' + describe(e) };
      }
      return sleep(o.wait).then(function () {
        var same = location.href === before;
        return { blocked: same, detail: 'location after ' + o.wait + ' ms: ' + location.href };
      });
    };
  }

  attempt('windowOpen', 2000, timedOut(true, 'hung'), function (o) {
    var w;
    try {
      w = window.open(o.beacon + 'open', '_blank');
    } catch (e) {
      return { blocked: true, detail: 'threw ' + describe(e) };
    }
    return sleep(o.wait).then(function () {
      var closed = true;
      try { closed = !w || w.closed; } catch (e) { /* cross-origin window: treat as open */ closed = false; }
      return { blocked: closed, detail: 'window.open returned ' + (w ? 'a window' : String(w)) + ', closed: ' + closed };
    });
  });

  // Navigations last: if one succeeded this page would be gone, and the
  // test sees the missing result.
  attempt('navigateTopToBeacon', 3000, timedOut(true, 'hung'), navigation('beacon'));
  attempt('navigateTopToOtherPlugin', 3000, timedOut(true, 'hung'), navigation('plugin://other.plugin/ui/index.html'));

  // Warden's manager window: its page, its scheme and its message handler
  // exist only in the manager's own process.
  attempt('managerHandler', 1000, timedOut(true, 'probe hung'), function () {
    var h;
    try {
      h = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.manager;
    } catch (e) {
      return { blocked: true, detail: 'threw ' + describe(e) };
    }
    return { blocked: !h, detail: 'window.webkit.messageHandlers.manager is ' + typeof h };
  });
  attempt('iframeManager', 3000, timedOut(true, 'the manager page never loaded in a frame'), function () {
    return new Promise(function (resolve) {
      var f = document.createElement('iframe');
      f.setAttribute('data-hostile', '1');
      f.src = 'warden-manager://app/index.html';
      f.addEventListener('load', function () {
        var title;
        try {
          title = f.contentDocument ? f.contentDocument.title : 'no document';
        } catch (e) {
          title = 'threw ' + describe(e);
        }
        resolve({ blocked: title !== 'Warden', detail: 'frame loaded; its title: ' + title });
      });
      document.body.appendChild(f);
    });
  });
  attempt('navigateTopToManager', 3000, timedOut(true, 'hung'), navigation('warden-manager://app/index.html'));

  // runHostile runs every attempt in order, one at a time, and resolves
  // with the results. opts.beacon is the test server's base URL (ending in
  // "/"), opts.wait how long a navigation or window gets to happen (ms).
  window.runHostile = function (opts) {
    var o = {
      beacon: String((opts && opts.beacon) || 'http://127.0.0.1:9/'),
      wait: (opts && opts.wait) || 700
    };
    if (o.beacon.charAt(o.beacon.length - 1) !== '/') o.beacon += '/';
    var results = {};
    var chain = Promise.resolve();
    attempts.forEach(function (a) {
      chain = chain.then(function () {
        return run(function () { return a.fn(o); }, a.ms, a.onTimeout);
      }).then(function (r) {
        results[a.name] = { blocked: !!(r && r.blocked), detail: String(r && r.detail) };
      });
    });
    return chain.then(function () { return results; });
  };

  var button = document.getElementById('run');
  if (button) {
    button.addEventListener('click', function () {
      var out = document.getElementById('out');
      out.textContent = 'running...';
      window.runHostile({}).then(function (r) { out.textContent = JSON.stringify(r, null, 2); });
    });
  }
})();
