// Test harness: the whole page-to-core chain under Node. bridge.js runs in
// a fake page; its isolation iframe is a second vm context running
// isolation.js, any admin hooks and channel.js, with a fake native handler
// window.webkit.messageHandlers.warden. Windows talk through postMessage
// with structured clones and the right event.source on each side.
//
// Protocol, one JSON object per line:
//   stdin  first line  {"mode": "chain"|"probe", "bridge", "isolation",
//                       "channel", "hooks": [isolation scripts], "document": html,
//                       "handler": bool, "direct": bool,
//                       "directClosed": bool (__wardenSend throws),
//                       "calls": [{"cmd", "args"?}]}
//   stdout             {"envelope": string, "n": k, "route": r}  for each
//                      message the handler ("handler") or the web
//                      extension's __wardenSend ("direct") receives; the
//                      test answers on stdin with
//   stdin              {"n": k, "reply": string} or {"n": k, "error": string}
//   stdout last line   {"done": {...}}
// "probe" loads only the iframe and reports what channel.js did there.
'use strict';
const readline = require('readline');
const { Listeners, Timers, tick, newWindow, newIframe, newDocument, htmlElement } = require('./fakedom.js');

const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');

const lines = readline.createInterface({ input: process.stdin });
let job = null;
const waiting = new Map(); // n -> {resolve, reject}
const hookErrors = []; // what the isolation scripts threw while loading

lines.on('line', (line) => {
  const msg = JSON.parse(line);
  if (job === null) {
    job = msg;
    run(job).then(
      (done) => { out({ done }); process.exit(0); },
      (err) => { out({ done: { harnessError: String(err && err.stack ? err.stack : err) } }); process.exit(0); }
    );
    return;
  }
  const w = waiting.get(msg.n);
  if (!w) return;
  waiting.delete(msg.n);
  if ('error' in msg) w.reject(new Error(msg.error));
  else w.resolve(msg.reply);
});

// loadFrame makes the isolation iframe's window: its document, its fake
// native handler and the scripts WebKit would inject into its world.
function loadFrame(listeners, opts) {
  let n = 0;
  const globals = {
    document: { documentElement: htmlElement(opts.document) },
    parent: opts.parent,
    crypto: globalThis.crypto,
    TextEncoder,
    setTimeout,
  };
  if (opts.handler) {
    globals.webkit = {
      messageHandlers: {
        warden: {
          postMessage(envelope) {
            n += 1;
            const k = n;
            return new Promise((resolve, reject) => {
              waiting.set(k, { resolve, reject });
              out({ envelope, n: k, route: 'handler' });
            });
          },
        },
      },
    };
  }
  if (opts.direct) {
    // The web extension's channel: a callback, called once.
    globals.__wardenSend = function (envelope, onReply) {
      if (opts.directClosed) throw new Error('core channel closed');
      n += 1;
      const k = n;
      waiting.set(k, { resolve: (r) => onReply(r, null), reject: (e) => onReply(null, e.message) });
      out({ envelope, n: k, route: 'direct' });
      return true;
    };
  }
  const w = newWindow(listeners, globals);
  w.run(opts.isolation, 'isolation.js');
  // Each script on its own, as WebKit injects them: one that fails to
  // parse or throws does not keep the next from running.
  for (const [i, src] of (opts.hooks || []).entries()) {
    try {
      w.run(src, 'hook' + i + '.js');
    } catch (err) {
      hookErrors.push(String(err && err.message ? err.message : err));
    }
  }
  w.run(opts.channel, 'channel.js');
  return w;
}

async function run(job) {
  const listeners = new Listeners();
  if (job.mode === 'probe') {
    const posted = [];
    const parent = { postMessage(msg, origin) { posted.push({ msg: structuredClone(msg), origin }); } };
    const w = loadFrame(listeners, { ...job, parent });
    await tick();
    return { posted, sendInstalled: typeof w.g.WardenIsolation.send === 'function', ...(hookErrors.length ? { hookErrors } : {}) };
  }

  const timers = new Timers();
  let page = null;
  let frameWin = null;
  // The page's view of the iframe window and the iframe's view of the page.
  const childProxy = {
    postMessage(msg, origin) {
      const data = frameWin.run('JSON.parse')(JSON.stringify(msg));
      setImmediate(() => listeners.fire(frameWin.g, 'message', new (frameWin.run('MessageEvent'))(data, parentProxy)));
      return origin;
    },
  };
  const parentProxy = {
    postMessage(msg) {
      const data = page.run('JSON.parse')(JSON.stringify(msg));
      setImmediate(() => listeners.fire(page.g, 'message', new (page.run('MessageEvent'))(data, childProxy)));
    },
  };
  const doc = newDocument(listeners, () => newIframe(listeners, (el) => {
    // The frame's document loads after the current task, as in a browser.
    setImmediate(() => {
      frameWin = loadFrame(listeners, { ...job, parent: parentProxy });
      setImmediate(() => listeners.fire(el, 'load', {}));
    });
    return childProxy;
  }));
  page = newWindow(listeners, {
    document: doc,
    location: { host: job.plugin, href: 'plugin://' + job.plugin + '/ui/index.html' },
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
    structuredClone,
  });
  page.run(job.bridge, 'bridge.js');

  // All calls start at once, before the frame is ready, like a page that
  // invokes during load. A call still pending after 10 s shows as such.
  const results = job.calls.map(() => ({ pending: true }));
  const settled = Promise.all(job.calls.map((c, i) =>
    page.g.warden.invoke(c.cmd, c.args).then(
      (value) => { results[i] = { ok: true, value }; },
      (err) => { results[i] = { ok: false, name: err.name, code: err.code, message: err.message }; }
    )
  ));
  await Promise.race([settled, new Promise((r) => setTimeout(r, 10000))]);
  return {
    results,
    keyLeft: frameWin.g.document.documentElement.hasAttribute('data-warden-key'),
    directLeft: '__wardenSend' in frameWin.g,
    pageHasWebkit: 'webkit' in page.g,
    armedTimers: timers.queue.length,
    ...(hookErrors.length ? { hookErrors } : {}),
  };
}
