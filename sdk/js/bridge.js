/*
 * Warden page bridge.
 *
 * Injected by the webview process into the plugin page's own world, top
 * frame only, at document start, before any of the page's scripts. It
 * defines window.warden:
 *
 *   warden.invoke(cmd, args?) -> Promise  resolves with the reply's result;
 *                                         rejects with a WardenError whose
 *                                         .code is the reply's error code
 *   warden.listen(event, fn)  -> unlisten  fn(payload) for each core event
 *
 * The bridge holds no key and reaches no native handler. It creates a
 * hidden, sandboxed iframe served from isolation://<plugin-id>/ and posts
 * {id, cmd, args} to it. The isolation frame runs the isolation hook, seals
 * the request and hands it to the core through a channel only that frame
 * can reach; the reply comes back as {id, reply} (the core's reply JSON) or
 * {id, error} (the hook refused, or the channel failed). The frame posts
 * {ready: true} once its channel is installed; requests made before that
 * are queued.
 *
 * The webview process delivers core events by evaluating
 * window.__wardenEvent({event, payload}) in this world.
 *
 * The builtins the bridge relies on are captured when it loads, before any
 * page script runs, so a page that later replaces globals (JSON, Promise,
 * Map, Array.prototype, MessageEvent getters, ...) cannot corrupt the
 * bridge's own bookkeeping. This is best effort: the page can still remove
 * or re-navigate the isolation iframe (which only breaks its own channel,
 * since the isolation document is served once per page), and it can always
 * post requests to the iframe itself, which is no more than calling
 * warden.invoke: every request still passes the hook and the core's checks.
 *
 * Classic script, no dependencies.
 */
(function (win) {
  'use strict';

  if (win.warden !== undefined) return; // injected twice: keep the first

  // Builtins, captured before page scripts can replace them.
  var O = Object;
  var defineProperty = O.defineProperty;
  var freeze = O.freeze;
  var create = O.create;
  var getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  var ErrorCtor = Error;
  var TypeErrorCtor = TypeError;
  var PromiseCtor = Promise;
  var parseJSON = JSON.parse;
  var StringCtor = String;
  var call = Function.prototype.call;
  var bind = Function.prototype.bind;
  // uncurry(f)(self, ...args) calls f with this = self, immune to later
  // changes of Function.prototype.call.
  var uncurry = bind.bind(call);
  var hasOwn = uncurry(O.prototype.hasOwnProperty);
  var setTimer = win.setTimeout;
  var clone = typeof win.structuredClone === 'function' ? win.structuredClone : null;
  var report = typeof win.reportError === 'function' ? win.reportError : null;
  var doc = win.document;
  var addListener = uncurry(win.addEventListener);

  // Accessors of MessageEvent, so that a page redefining event.source
  // cannot pass its own messages off as the isolation frame's.
  function getter(proto, name) {
    var d = proto && getOwnPropertyDescriptor(proto, name);
    if (d && typeof d.get === 'function') return uncurry(d.get);
    return function (e) { return e[name]; };
  }
  var messageProto = typeof win.MessageEvent === 'function' ? win.MessageEvent.prototype : null;
  var sourceOf = getter(messageProto, 'source');
  var dataOf = getter(messageProto, 'data');

  var pluginId = win.location.host;
  var frameURL = 'isolation://' + pluginId + '/';

  // READY_GRACE_MS is how long after the isolation frame's load event the
  // bridge waits for its ready message before failing queued requests: a
  // frame that loaded without a channel will never answer.
  var READY_GRACE_MS = 2000;

  // All tables are null-prototype objects: lookups and stores on them cannot
  // be intercepted through Object.prototype or Array.prototype.
  var pending = create(null); // id -> {resolve, reject}
  var queue = create(null); // index -> message, in order
  var queueHead = 0;
  var queueTail = 0;
  var nextId = 0;
  var ready = false;
  var down = false; // loaded but never became ready
  var target = null; // the isolation frame's WindowProxy

  // own reads o[k] only when it is o's own property: messages and parsed
  // replies inherit from Object.prototype, which the page may have extended.
  function own(o, k) {
    return o !== null && typeof o === 'object' && hasOwn(o, k) ? o[k] : undefined;
  }

  // dataDesc is a property descriptor without a prototype: a literal would
  // inherit a "get" or "set" the page put on Object.prototype and make
  // defineProperty throw.
  function dataDesc(value, enumerable) {
    var d = create(null);
    d.value = value;
    d.enumerable = enumerable;
    d.configurable = true;
    d.writable = true;
    return d;
  }

  function wardenError(code, message) {
    var e = new ErrorCtor(StringCtor(message));
    defineProperty(e, 'name', dataDesc('WardenError', false));
    defineProperty(e, 'code', dataDesc(StringCtor(code), true));
    return e;
  }

  function settle(id, fn, value) {
    var key = '' + id;
    var p = pending[key];
    if (!p) return;
    delete pending[key];
    p[fn](value);
  }

  // deliver posts one request to the isolation frame, or rejects it when
  // the frame is gone.
  function deliver(msg) {
    var w = target;
    if (!w) {
      settle(msg.id, 'reject', wardenError('isolation', 'isolation frame is not available'));
      return;
    }
    try {
      // The frame has an opaque origin, so "*" is the only usable target.
      w.postMessage(msg, '*');
    } catch (err) {
      settle(msg.id, 'reject', wardenError('isolation', 'cannot reach the isolation frame: ' + messageOf(err)));
    }
  }

  function flush() {
    while (queueHead < queueTail) {
      var msg = queue[queueHead];
      delete queue[queueHead];
      queueHead++;
      if (down) settle(msg.id, 'reject', wardenError('isolation', 'isolation frame did not start'));
      else deliver(msg);
    }
  }

  function messageOf(err) {
    try {
      if (err && typeof err === 'object' && 'message' in err) return StringCtor(err.message);
      return StringCtor(err);
    } catch (_) {
      return 'unknown error';
    }
  }

  // onReply settles a request from the frame's {id, reply} or {id, error}.
  function onReply(data) {
    var id = own(data, 'id');
    if (typeof id !== 'number' || !pending['' + id]) return;
    if (hasOwn(data, 'error')) {
      settle(id, 'reject', wardenError('isolation', messageOf(data.error)));
      return;
    }
    var reply = own(data, 'reply');
    if (typeof reply === 'string') {
      try {
        reply = parseJSON(reply);
      } catch (err) {
        settle(id, 'reject', wardenError('isolation', 'reply is not JSON: ' + messageOf(err)));
        return;
      }
    }
    if (!reply || typeof reply !== 'object') {
      settle(id, 'reject', wardenError('isolation', 'reply is not an object'));
      return;
    }
    if (own(reply, 'ok') === true) {
      var result = own(reply, 'result');
      settle(id, 'resolve', result === undefined ? null : result);
      return;
    }
    var e = own(reply, 'error');
    var code = own(e, 'code');
    var message = own(e, 'message');
    if (typeof code !== 'string' || code === '') code = 'failed';
    if (typeof message !== 'string') message = 'request failed';
    settle(id, 'reject', wardenError(code, message));
  }

  addListener(win, 'message', function (event) {
    if (target === null || sourceOf(event) !== target) return;
    var data = dataOf(event);
    if (!data || typeof data !== 'object') return;
    if (own(data, 'ready') === true) {
      ready = true;
      down = false;
      flush();
      return;
    }
    onReply(data);
  });

  // The isolation frame. Created now so that it loads before any page
  // script can ask for the isolation document itself.
  var frame = doc.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('tabindex', '-1');
  frame.setAttribute('title', 'Warden isolation');
  // CSSOM, not a style attribute: the page's CSP forbids inline styles.
  frame.style.setProperty('display', 'none', 'important');
  frame.src = frameURL;
  uncurry(frame.addEventListener)(frame, 'load', function () {
    if (ready) return;
    setTimer(function () {
      if (ready) return;
      down = true;
      flush();
    }, READY_GRACE_MS);
  });

  function attach() {
    var parent = doc.documentElement || doc.body;
    if (!parent) return false;
    parent.appendChild(frame);
    target = frame.contentWindow;
    return true;
  }
  if (!attach()) {
    addListener(doc, 'DOMContentLoaded', function () { attach(); });
  }

  // invoke sends cmd with args to the core; see the file comment.
  function invoke(cmd, args) {
    return new PromiseCtor(function (resolve, reject) {
      if (typeof cmd !== 'string' || cmd === '') {
        reject(wardenError('bad_args', 'warden.invoke: cmd must be a non-empty string'));
        return;
      }
      var payload = args;
      if (clone !== null && args !== undefined) {
        // Copy now, as postMessage would: a queued request must not see
        // later changes to args, and uncloneable args fail here.
        try {
          payload = clone(args);
        } catch (err) {
          reject(wardenError('bad_args', 'warden.invoke: args cannot be sent: ' + messageOf(err)));
          return;
        }
      }
      if (down) {
        reject(wardenError('isolation', 'isolation frame did not start'));
        return;
      }
      nextId++;
      var id = nextId;
      pending['' + id] = { resolve: resolve, reject: reject };
      // Literals define their members; an assignment could hit a setter
      // the page put on Object.prototype.
      var msg = payload === undefined ? { id: id, cmd: cmd } : { id: id, cmd: cmd, args: payload };
      if (ready) {
        deliver(msg);
      } else {
        queue[queueTail] = msg;
        queueTail++;
      }
    });
  }

  var listeners = create(null); // event name -> (token -> fn)
  var nextToken = 0;

  // listen calls fn(payload) for each core event named event, until the
  // returned function is called.
  function listen(event, fn) {
    if (typeof event !== 'string' || event === '') {
      throw new TypeErrorCtor('warden.listen: event must be a non-empty string');
    }
    if (typeof fn !== 'function') throw new TypeErrorCtor('warden.listen: fn must be a function');
    var set = listeners[event];
    if (!set) {
      set = create(null);
      listeners[event] = set;
    }
    nextToken++;
    var token = 't' + nextToken;
    set[token] = fn;
    return freeze(function unlisten() {
      delete set[token];
    });
  }

  // dispatch delivers one core event; a throwing listener does not stop
  // the others and its error is reported, not swallowed.
  function dispatch(message) {
    var msg = message;
    if (typeof msg === 'string') {
      try {
        msg = parseJSON(msg);
      } catch (_) {
        return;
      }
    }
    var event = own(msg, 'event');
    if (typeof event !== 'string') return;
    var payload = own(msg, 'payload');
    var set = listeners[event];
    if (!set) return;
    // Snapshot: listeners added or removed while dispatching take effect
    // from the next event.
    var fns = create(null);
    var n = 0;
    var token;
    for (token in set) fns[n++] = set[token];
    for (var i = 0; i < n; i++) {
      try {
        fns[i](payload);
      } catch (err) {
        if (report !== null) {
          report(err);
        } else {
          setTimer(function () { throw err; }, 0);
        }
      }
    }
  }

  var api = freeze({ invoke: freeze(invoke), listen: freeze(listen), pluginId: pluginId });

  defineProperty(win, 'warden', { value: api, writable: false, configurable: false, enumerable: true });
  defineProperty(win, '__wardenEvent', { value: freeze(dispatch), writable: false, configurable: false, enumerable: false });
})(window);
