// Test harness: runs ../bridge.js in a fake page (a vm context with a fake
// document, iframe and message events) and plays scenarios against it.
// stdin: {"scenarios": [names], "bridge": source of bridge.js};
// stdout: {name: observed result}.
// bridge_test.go holds the expected results.
'use strict';
const { Listeners, Timers, tick, newWindow, newIframe, newDocument } = require('./fakedom.js');

let bridgeSrc = '';

// setup loads the bridge into a fresh page.
function setup(opts = {}) {
  const listeners = new Listeners();
  const timers = new Timers();
  const reported = [];
  const child = {
    posted: [],
    postMessage(msg, origin) { this.posted.push({ msg: structuredClone(msg), origin }); },
  };
  const other = { postMessage() {} };
  const doc = newDocument(listeners, () => newIframe(listeners, () => (opts.noContentWindow ? null : child)), opts);
  const globals = {
    document: doc,
    location: { host: 'test.plugin', href: 'plugin://test.plugin/ui/index.html' },
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
    structuredClone,
  };
  if (!opts.noReportError) globals.reportError = (e) => reported.push(String(e && e.message ? e.message : e));
  const w = newWindow(listeners, globals);
  w.run(bridgeSrc, 'bridge.js');
  // Message data is made in the page's realm, as a structured clone is.
  const parseInPage = w.run('JSON.parse');
  const inPage = (v) => parseInPage(JSON.stringify(v));
  const MessageEvent = w.run('MessageEvent');
  const env = {
    w,
    g: w.g,
    doc,
    child,
    other,
    timers,
    reported,
    frame: () => doc.created[0],
    posted: () => child.posted.map((p) => p.msg),
    fromFrame(data) { listeners.fire(w.g, 'message', new MessageEvent(inPage(data), child)); },
    fromOther(data) { listeners.fire(w.g, 'message', new MessageEvent(inPage(data), other)); },
    ready() { this.fromFrame({ ready: true }); },
    load() { listeners.fire(doc.created[0], 'load', {}); },
    domReady() { listeners.fire(doc, 'DOMContentLoaded', {}); },
    replyOK(id, result) { this.fromFrame({ id, reply: JSON.stringify({ id, ok: true, result }) }); },
    replyErr(id, code, message) { this.fromFrame({ id, reply: JSON.stringify({ id, ok: false, error: { code, message } }) }); },
    // track records how a promise settles.
    track(p) {
      const rec = { state: 'pending' };
      p.then(
        (value) => { rec.state = 'resolved'; rec.value = value === undefined ? '<undefined>' : value; },
        (err) => {
          rec.state = 'rejected';
          rec.name = err && err.name;
          rec.code = err && err.code;
          rec.message = err && err.message;
        }
      );
      return rec;
    },
  };
  return env;
}

// attempt runs fn and reports whether it threw (and what) or not.
function attempt(fn) {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return 'threw ' + (e && e.name);
  }
}

const scenarios = {
  // The isolation frame exists, hidden and sandboxed, before any request.
  async frame() {
    const env = setup();
    const f = env.frame();
    return {
      frames: env.doc.created.length,
      attached: f.parentNode === env.doc._root,
      sandbox: f.getAttribute('sandbox'),
      src: f.src,
      display: f.styles.display,
      ariaHidden: f.getAttribute('aria-hidden'),
      pluginId: env.g.warden.pluginId,
    };
  },

  // Requests wait for {ready:true}, then leave in order with target "*".
  async queuedBeforeReady() {
    const env = setup();
    const a = env.track(env.g.warden.invoke('storage.get', { key: 'k' }));
    const b = env.track(env.g.warden.invoke('ping'));
    await tick();
    const before = env.posted().length;
    env.ready();
    await tick();
    const sent = env.child.posted.slice();
    env.replyOK(2, 'pong');
    env.replyOK(1, { v: 42 });
    await tick();
    const c = env.track(env.g.warden.invoke('after.ready', [1]));
    await tick();
    const afterReady = env.posted().slice(2);
    return { before, sent, a, b, c: c.state, afterReady };
  },

  // Replies settle the promise with the same id, in any order, once.
  async settleById() {
    const env = setup();
    env.ready();
    const p = [1, 2, 3].map((i) => env.track(env.g.warden.invoke('cmd' + i)));
    await tick();
    env.replyOK(3, 'three');
    env.replyOK(99, 'nobody');
    env.replyOK(1, 'one');
    env.replyOK(1, 'again');
    await tick();
    return p;
  },

  // Error replies keep the core's code and message.
  async errorCodes() {
    const env = setup();
    env.ready();
    const w = env.g.warden;
    const r = {
      notGranted: env.track(w.invoke('storage.set', { key: 'a' })),
      notDeclared: env.track(w.invoke('fs.read', { path: '/etc/passwd' })),
      hook: env.track(w.invoke('storage.delete')),
      notJSON: env.track(w.invoke('x')),
      noResult: env.track(w.invoke('y')),
      noCode: env.track(w.invoke('z')),
      object: env.track(w.invoke('o')),
    };
    await tick();
    env.replyErr(1, 'not_granted', 'storage is not granted');
    env.replyErr(2, 'not_declared', 'fs.read is not declared');
    env.fromFrame({ id: 3, error: 'hook: storage.delete is not allowed' });
    env.fromFrame({ id: 4, reply: '{not json' });
    env.fromFrame({ id: 5, reply: '{"id":5,"ok":true}' });
    env.fromFrame({ id: 6, reply: '{"id":6,"ok":false}' });
    env.fromFrame({ id: 7, reply: { id: 7, ok: true, result: [1, 2] } });
    await tick();
    return r;
  },

  // Only the isolation frame's messages count.
  async otherSources() {
    const env = setup();
    const p = env.track(env.g.warden.invoke('a'));
    env.fromOther({ ready: true });
    await tick();
    const postedAfterForgedReady = env.posted().length;
    env.ready();
    await tick();
    env.fromOther({ id: 1, reply: JSON.stringify({ id: 1, ok: true, result: 'forged' }) });
    await tick();
    const afterForged = p.state;
    env.replyOK(1, 'real');
    await tick();
    return { postedAfterForgedReady, afterForged, final: p };
  },

  // A page redefining MessageEvent's source getter cannot forge replies,
  // nor break the bridge by polluting prototypes and builtins.
  async hostilePage() {
    const env = setup();
    const child = env.child;
    env.g.__child = child;
    env.w.run(`
      Object.defineProperty(MessageEvent.prototype, 'source', { get() { return __child; } });
      Object.defineProperty(MessageEvent.prototype, 'data', { get() { return { id: 1, reply: '{"id":1,"ok":true,"result":"forged"}' }; } });
      Object.prototype.ready = true;
      Object.defineProperty(Object.prototype, 'args', { set(v) { throw new Error('args setter'); }, configurable: true });
      Object.defineProperty(Object.prototype, 'error', { get() { return 'polluted'; }, configurable: true });
      JSON.parse = function () { throw new Error('JSON.parse replaced'); };
      Array.prototype.push = function () { throw new Error('push replaced'); };
      Function.prototype.call = function () { throw new Error('call replaced'); };
      Function.prototype.apply = function () { throw new Error('apply replaced'); };
      Map.prototype.get = function () { throw new Error('Map.get replaced'); };
      window.Promise = function () { throw new Error('Promise replaced'); };
      window.setTimeout = function () { throw new Error('setTimeout replaced'); };
      // Last: Node's vm global chokes on stores once this is set.
      Object.prototype.get = function () { return 'polluted getter'; };
    `, 'hostile.js');
    const p = env.track(env.g.warden.invoke('a', { n: 1 }));
    env.fromOther({ ready: true });
    await tick();
    const postedAfterForgery = env.posted().length;
    env.ready();
    await tick();
    env.replyOK(1, { fine: true });
    const q = env.track(env.g.warden.invoke('b'));
    await tick();
    env.replyErr(2, 'not_granted', 'no');
    await tick();
    return { postedAfterForgery, posted: env.posted(), p, q };
  },

  // Bad arguments fail locally with code bad_args.
  async badArgs() {
    const env = setup();
    env.ready();
    const w = env.g.warden;
    const r = {
      noCmd: env.track(w.invoke()),
      emptyCmd: env.track(w.invoke('')),
      numberCmd: env.track(w.invoke(5)),
      uncloneable: env.track(w.invoke('a', { f() {} })),
    };
    await tick();
    return { r, posted: env.posted().length };
  },

  // args are copied when invoke is called, as postMessage would.
  async argsCopied() {
    const env = setup();
    const args = { list: [1] };
    env.g.warden.invoke('a', args);
    args.list.push(2);
    args.added = true;
    env.ready();
    await tick();
    return env.posted();
  },

  // A frame that loads but never says ready fails queued and new requests,
  // and recovers if it says ready later.
  async neverReady() {
    const env = setup();
    const a = env.track(env.g.warden.invoke('a'));
    env.load();
    await tick();
    const beforeTimer = a.state;
    const timers = env.timers.runAll();
    await tick();
    const b = env.track(env.g.warden.invoke('b'));
    await tick();
    env.ready();
    const c = env.track(env.g.warden.invoke('c'));
    await tick();
    return { beforeTimer, timers, a, b, c: c.state, posted: env.posted() };
  },

  // Ready before the load event: the grace timer is never armed.
  async readyThenLoad() {
    const env = setup();
    env.ready();
    env.load();
    return { timers: env.timers.queue.length };
  },

  // listen, unlisten, ordering, isolation of a throwing listener.
  async listen() {
    const env = setup();
    const w = env.g.warden;
    const got = [];
    const un1 = w.listen('tick', (p) => got.push(['one', p]));
    w.listen('tick', () => { throw new Error('listener broke'); });
    w.listen('tick', (p) => got.push(['three', p]));
    w.listen('other', (p) => got.push(['other', p]));
    const ev = env.g.__wardenEvent;
    ev({ event: 'tick', payload: 1 });
    un1();
    un1();
    ev({ event: 'tick', payload: { n: 2 } });
    ev('{"event":"other","payload":"as string"}');
    ev({ event: 'nobody', payload: 3 });
    ev(null);
    ev('not json');
    ev({ payload: 'no event' });
    return {
      got,
      reported: env.reported,
      badEvent: attempt(() => w.listen('', () => {})),
      badFn: attempt(() => w.listen('tick', 'nope')),
    };
  },

  // Without reportError a listener's error is rethrown from a timer.
  async listenNoReportError() {
    const env = setup({ noReportError: true });
    env.g.warden.listen('e', () => { throw new Error('boom'); });
    env.g.__wardenEvent({ event: 'e' });
    let rethrown = '';
    try {
      env.timers.runAll();
    } catch (e) {
      rethrown = e.message;
    }
    return { rethrown };
  },

  // An unlisten during dispatch takes effect from the next event.
  async unlistenDuringDispatch() {
    const env = setup();
    const w = env.g.warden;
    const got = [];
    let un2 = null;
    w.listen('e', (p) => { got.push('one:' + p); un2(); });
    un2 = w.listen('e', (p) => got.push('two:' + p));
    env.g.__wardenEvent({ event: 'e', payload: 1 });
    env.g.__wardenEvent({ event: 'e', payload: 2 });
    return got;
  },

  // window.warden and __wardenEvent cannot be replaced or changed.
  async frozen() {
    const env = setup();
    const g = env.g;
    const api = g.warden;
    // Each attempt reports whether it threw and whether window.warden is
    // still the same frozen API (vm globals do not always throw in strict
    // mode where a browser would).
    const run = (src) => {
      let how = 'ok';
      try { env.w.run(src); } catch (e) { how = 'threw ' + e.name; }
      return { how, intact: g.warden === api && typeof g.warden.invoke === 'function' && !('extra' in g.warden) };
    };
    const desc = Object.getOwnPropertyDescriptor(g, 'warden');
    const evDesc = Object.getOwnPropertyDescriptor(g, '__wardenEvent');
    const ev = g.__wardenEvent;
    return {
      assign: run(`window.warden = {};`).intact,
      deleteIt: run(`delete window.warden;`).intact,
      redefine: run(`Object.defineProperty(window, 'warden', { value: {} });`),
      replaceInvoke: run(`'use strict'; warden.invoke = function () {};`),
      addMember: run(`'use strict'; warden.extra = 1;`),
      changeInvokeFn: run(`'use strict'; warden.invoke.extra = 1;`),
      replaceEvent: (run(`window.__wardenEvent = function () {};`), g.__wardenEvent === ev),
      redefineEvent: run(`Object.defineProperty(window, '__wardenEvent', { value: function () {} });`).how,
      same: g.warden === api,
      isFrozen: Object.isFrozen(api),
      writable: desc.writable,
      configurable: desc.configurable,
      eventWritable: evDesc.writable,
      eventConfigurable: evDesc.configurable,
      eventEnumerable: evDesc.enumerable,
      keys: Object.keys(api),
    };
  },

  // A second injection keeps the first bridge and makes no second frame.
  async injectedTwice() {
    const env = setup();
    const api = env.g.warden;
    env.w.run(bridgeSrc, 'bridge.js');
    return { frames: env.doc.created.length, same: env.g.warden === api };
  },

  // Without a documentElement yet, the frame is attached on DOMContentLoaded.
  async lateRoot() {
    const env = setup({ noRoot: true });
    const p = env.track(env.g.warden.invoke('early'));
    const attachedEarly = env.frame().parentNode !== null;
    env.doc.documentElement = env.doc._root;
    env.domReady();
    env.ready();
    await tick();
    return { attachedEarly, attachedLate: env.frame().parentNode === env.doc._root, posted: env.posted(), p: p.state };
  },

  // If the frame has no window (removed), requests reject with "isolation".
  async noWindow() {
    const env = setup({ noContentWindow: true });
    const p = env.track(env.g.warden.invoke('a'));
    env.fromFrame({ ready: true }); // source is not the (missing) frame: ignored
    env.load();
    env.timers.runAll();
    await tick();
    return p;
  },
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', async () => {
  const { scenarios: names, bridge } = JSON.parse(input);
  bridgeSrc = bridge;
  const out = {};
  for (const name of names) {
    const fn = scenarios[name];
    if (!fn) {
      out[name] = { harnessError: 'no such scenario' };
      continue;
    }
    try {
      out[name] = JSON.parse(JSON.stringify(await fn()));
    } catch (e) {
      out[name] = { harnessError: String(e && e.stack ? e.stack : e) };
    }
  }
  process.stdout.write(JSON.stringify(out));
});
