/*
 * Warden isolation hook chain.
 *
 * Loaded by the webview process into isolation frames right after the
 * isolation app (isolation.js), when hooks are configured, as the first of
 * the scripts HookScripts (hooks.go) returns:
 *
 *   this script, given the hooks' names as [{name, user}, ...]
 *   each admin hook:   __WARDEN_HOOK_CHAIN__.add(i, function () { <hook> });
 *   __WARDEN_HOOK_CHAIN__.lock();
 *   each user hook:    __WARDEN_HOOK_CHAIN__.add(i, function () { <hook> });
 *   __WARDEN_HOOK_CHAIN__.done();
 *
 * A hook script sets window.__WARDEN_ISOLATION_HOOK__ (or
 * WardenIsolation.hook) while it runs; add() takes what it set into the
 * hook's slot. Both names are accessors from here on: reading either gives
 * the chain, which isolation.js calls for every request.
 *
 * The chain runs the user's hooks first, then the admin's, each on a fresh
 * copy of the request ({id, cmd, args}, args copied through JSON), so the
 * admin's hooks decide last on exactly what is sealed. Before any user hook
 * loads, lock() freezes the realm's built-in objects and pins the global
 * names the trusted scripts use (non-writable, non-configurable, which
 * also forbids a top-level let or const of that name): a user's hook can
 * refuse more, but it can neither replace the admin's hooks nor change
 * what they see or what is sealed after them.
 *
 * Fails closed: a hook that threw while loading, did not load (a syntax
 * error), or set no function makes every request fail, saying which hook;
 * so does a chain that could not lock or was not finished.
 *
 * Classic script, no dependencies.
 */
(function (win, hooks) {
  'use strict';

  var api = win.WardenIsolation;
  var HOOK = '__WARDEN_ISOLATION_HOOK__';
  var slots = [];
  var admins = 0;
  for (var i = 0; i < hooks.length; i++) {
    slots.push({ name: String(hooks[i].name), user: hooks[i].user === true, fn: null, error: '' });
    if (!slots[i].user) admins++;
  }
  var base = 0; // slots[base + i] is hooks[i]
  var next = 0; // the slot of the next hook script expected
  var running = null; // the slot whose script is loading
  var pending; // what that script set
  var locked = false;
  var finished = false;
  var broken = ''; // set when the chain itself failed

  // A hook set by a trusted script before the chain (UIOptions.IsolationJS
  // ahead of the policy's hooks) keeps its place, ahead of the admin's.
  var earlier = typeof win[HOOK] === 'function' ? win[HOOK] : api && typeof api.hook === 'function' ? api.hook : null;
  if (earlier) {
    slots.unshift({ name: 'an isolation script loaded before the hooks', user: false, fn: earlier, error: '' });
    admins++;
    base = next = 1;
  }

  // missing marks the slots from next up to end as not loaded.
  function missing(end) {
    for (; next < end && next < slots.length; next++) {
      if (!slots[next].fn && !slots[next].error) slots[next].error = 'did not load (a syntax error?)';
    }
  }

  function messageOf(err) {
    try {
      if (err && typeof err === 'object' && 'message' in err) return String(err.message);
      return String(err);
    } catch (_) {
      return 'an error that cannot be shown';
    }
  }

  // add runs hook script i (its body wrapped in a function, called with
  // this = window) and keeps the hook it set. Only the next scripts in
  // order are taken: never an admin's slot once the chain is locked, never
  // a slot already filled, never while another script loads.
  function add(i, body) {
    if (finished || running || typeof i !== 'number' || typeof body !== 'function') return;
    var s = base + i;
    if (s < next || s >= slots.length || (s < admins) === locked) return;
    missing(s);
    var slot = slots[s];
    next = s + 1;
    running = slot;
    pending = undefined;
    try {
      body.call(win);
      if (typeof pending !== 'function') slot.error = 'did not set window.' + HOOK + ' to a function while it loaded';
      else slot.fn = pending;
    } catch (err) {
      slot.error = 'threw while loading: ' + messageOf(err);
    } finally {
      running = null;
      pending = undefined;
    }
  }

  function isThenable(v) {
    return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
  }

  // copy returns what the next hook (or the sealer) sees: a fresh object
  // with the request's id, the command as a string read once and the
  // arguments through JSON, which is what is sealed anyway. A hook that
  // returns nothing keeps its (possibly changed) input.
  function copy(id, v, from) {
    var bad = from === 'input' ? 'invalid request' : 'isolation hook ' + from + ' returned an invalid payload';
    if (!v || typeof v !== 'object') throw new Error(bad);
    var cmd = v.cmd;
    if (typeof cmd !== 'string' || cmd === '') throw new Error(bad);
    var args = v.args;
    var text = args === undefined ? undefined : JSON.stringify(args);
    return { id: id, cmd: cmd, args: text === undefined ? undefined : JSON.parse(text) };
  }

  // order lists the slots in the order they see a request.
  var order = null;
  function ordered() {
    if (!order) {
      order = [];
      for (var u = 0; u < slots.length; u++) if (slots[u].user) order.push(slots[u]);
      for (var a = 0; a < slots.length; a++) if (!slots[a].user) order.push(slots[a]);
    }
    return order;
  }

  // step runs the slots from k on, the request's copy being input, and
  // returns the last copy or a Promise of it.
  function step(k, id, input) {
    var list = ordered();
    for (; k < list.length; k++) {
      var slot = list[k];
      if (slot.error) {
        throw new Error('isolation hook ' + slot.name + ' ' + slot.error + '; every request is refused until it is fixed');
      }
      var out = slot.fn.call(undefined, input);
      if (isThenable(out)) return Promise.resolve(out).then(stepAfter(k, id, input, slot.name));
      input = copy(id, out === undefined ? input : out, slot.name);
    }
    return input;
  }

  // stepAfter continues step once slot k's Promise settled with r.
  function stepAfter(k, id, input, name) {
    return function (r) {
      return step(k + 1, id, copy(id, r === undefined ? input : r, name));
    };
  }

  function chain(payload) {
    if (broken) throw new Error('isolation hooks: ' + broken + '; every request is refused');
    if (!finished) throw new Error('isolation hooks did not finish loading; every request is refused');
    var id = payload && payload.id;
    return step(0, id, copy(id, payload, 'input'));
  }

  function setHook(v) {
    if (running) pending = v;
  }

  // The standard built-ins whose global names are pinned and whose objects
  // are frozen, and the platform objects the trusted scripts use.
  var FROZEN = [
    'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Date', 'RegExp',
    'Promise', 'Proxy', 'Reflect', 'JSON', 'Math', 'Intl', 'Atomics', 'Iterator',
    'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
    'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
    'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array',
    'BigInt64Array', 'BigUint64Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry',
    'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'decodeURI', 'decodeURIComponent', 'encodeURI',
    'encodeURIComponent', 'escape', 'unescape', 'eval',
    'TextEncoder', 'TextDecoder', 'Crypto', 'crypto'
  ];
  // Global names pinned to their current value without freezing it.
  var PINNED = ['globalThis', 'self', 'WardenIsolation', 'console', 'setTimeout', 'clearTimeout', 'queueMicrotask'];

  function pin(name) {
    var d = Object.getOwnPropertyDescriptor(win, name);
    if (d && !d.configurable) {
      if (d.writable) throw new Error('global ' + name + ' cannot be pinned');
      return;
    }
    if (!(name in win)) return;
    Object.defineProperty(win, name, { value: win[name], writable: false, enumerable: d ? d.enumerable : false, configurable: false });
  }

  // harden freezes each object reachable from roots through own
  // properties (values, getters and setters) and prototypes.
  function harden(roots) {
    var seen = new WeakSet();
    var stack = roots.slice();
    while (stack.length) {
      var o = stack.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      seen.add(o);
      Object.freeze(o);
      stack.push(Object.getPrototypeOf(o));
      var keys = Reflect.ownKeys(o);
      for (var k = 0; k < keys.length; k++) {
        var d = Object.getOwnPropertyDescriptor(o, keys[k]);
        if (!d) continue;
        if ('value' in d) stack.push(d.value);
        else stack.push(d.get, d.set);
      }
    }
  }

  // intrinsics are built-ins no global name reaches.
  function intrinsics() {
    var out = [];
    var make = [
      function () { return Object.getPrototypeOf(function* () {}); },
      function () { return Object.getPrototypeOf(async function () {}); },
      function () { return Object.getPrototypeOf(async function* () {}); },
      function () { return Object.getPrototypeOf([][Symbol.iterator]()); },
      function () { return Object.getPrototypeOf(''[Symbol.iterator]()); },
      function () { return Object.getPrototypeOf(new Map().entries()); },
      function () { return Object.getPrototypeOf(new Set().values()); },
      function () { return Object.getPrototypeOf(/a/[Symbol.matchAll]('')); }
    ];
    for (var m = 0; m < make.length; m++) {
      try {
        out.push(make[m]());
      } catch (_) {
        // A syntax or built-in this engine lacks freezes nothing.
      }
    }
    return out;
  }

  // lock ends the admin's hooks: the ones that did not load are marked,
  // then the realm is frozen before any user hook can run.
  function lock() {
    if (locked || finished || running) return;
    missing(admins);
    next = admins;
    locked = true;
    try {
      var roots = [];
      for (var f = 0; f < FROZEN.length; f++) {
        if (FROZEN[f] in win) {
          roots.push(win[FROZEN[f]]);
          pin(FROZEN[f]);
        }
      }
      for (var p = 0; p < PINNED.length; p++) pin(PINNED[p]);
      harden(roots.concat(intrinsics()));
    } catch (err) {
      broken = 'could not freeze the frame\'s built-ins: ' + messageOf(err);
    }
  }

  // done ends the user's hooks.
  function done() {
    if (finished || running) return;
    if (!locked) lock();
    missing(slots.length);
    finished = true;
  }

  try {
    var accessor = { get: function () { return chain; }, set: setHook, enumerable: false, configurable: false };
    Object.defineProperty(win, HOOK, accessor);
    if (api && typeof api === 'object') Object.defineProperty(api, 'hook', accessor);
    Object.defineProperty(win, '__WARDEN_HOOK_CHAIN__', {
      value: Object.freeze({ add: add, lock: lock, done: done }),
      writable: false, enumerable: false, configurable: false
    });
  } catch (err) {
    broken = 'could not install the chain: ' + messageOf(err);
  }
})(window, __WARDEN_HOOKS__);
