// Minimal fake browser pieces for running bridge.js, isolation.js and
// channel.js under Node's vm module: windows as vm contexts, an iframe
// element, message events with accessor properties like the real
// MessageEvent, and manual timers.
'use strict';
const vm = require('vm');

// messageEventSrc defines MessageEvent in a window's own realm, keeping
// data and source behind prototype getters as browsers do, so a test can
// redefine them the way a hostile page could without touching other windows.
const messageEventSrc = `
class MessageEvent {
  constructor(data, source) { this._data = data; this._source = source; }
  get data() { return this._data; }
  get source() { return this._source; }
}
this.MessageEvent = MessageEvent;`;

// Listeners holds event listeners per target; addEventListener honours
// `this` so that a bridge calling it unbound fails the test.
class Listeners {
  constructor() { this.map = new Map(); }
  add(target, type, fn) {
    if (target === undefined || target === null) throw new TypeError('addEventListener called without a target');
    let byType = this.map.get(target);
    if (!byType) this.map.set(target, (byType = new Map()));
    if (!byType.has(type)) byType.set(type, []);
    byType.get(type).push(fn);
  }
  fire(target, type, event) {
    const byType = this.map.get(target);
    const fns = (byType && byType.get(type)) || [];
    for (const fn of fns.slice()) fn(event);
    return fns.length;
  }
}

// Timers queues callbacks until the test runs them.
class Timers {
  constructor() { this.queue = []; }
  setTimeout(fn, ms) { this.queue.push({ fn, ms }); return this.queue.length; }
  runAll() {
    const q = this.queue;
    this.queue = [];
    for (const t of q) t.fn();
    return q.length;
  }
}

// tick waits for queued microtasks and immediates.
function tick(n = 3) {
  let p = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => new Promise((r) => setImmediate(r)));
  return p;
}

// newWindow makes a vm context standing in for a window: `window` and
// `self` are the context's global. extra becomes globals.
function newWindow(listeners, extra) {
  const sandbox = Object.assign({ console }, extra);
  const ctx = vm.createContext(sandbox);
  const g = vm.runInContext('this', ctx);
  vm.runInContext('var window = this; var self = this;' + messageEventSrc, ctx);
  g.addEventListener = function (type, fn) { listeners.add(this, type, fn); };
  return { ctx, g, run: (src, filename) => vm.runInContext(src, ctx, { filename }) };
}

// newIframe is the element document.createElement('iframe') returns.
// attach() is called when it is inserted; contentWindow is set by it.
function newIframe(listeners, onAttach) {
  const el = {
    tagName: 'IFRAME',
    attributes: {},
    styles: {},
    src: '',
    contentWindow: null,
    parentNode: null,
    setAttribute(name, value) { this.attributes[name] = String(value); },
    getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; },
    addEventListener(type, fn) { listeners.add(this, type, fn); },
    style: {
      setProperty(name, value, priority) { el.styles[name] = priority ? value + ' !' + priority : value; },
    },
  };
  el._attach = (parent) => {
    el.parentNode = parent;
    el.contentWindow = onAttach(el);
  };
  return el;
}

// newDocument is a document whose documentElement accepts children.
// created collects every iframe made.
function newDocument(listeners, makeIframe, opts = {}) {
  const created = [];
  const root = {
    tagName: 'HTML',
    children: [],
    appendChild(child) {
      this.children.push(child);
      if (child._attach) child._attach(this);
      return child;
    },
  };
  const doc = {
    documentElement: opts.noRoot ? null : root,
    body: null,
    created,
    createElement(tag) {
      if (String(tag).toLowerCase() !== 'iframe') throw new Error('fake document makes iframes only');
      const f = makeIframe();
      created.push(f);
      return f;
    },
    addEventListener(type, fn) { listeners.add(this, type, fn); },
  };
  doc._root = root;
  return doc;
}

// decodeEntities undoes html/template's attribute escaping.
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}

// htmlElement is the documentElement of a rendered isolation document:
// its attributes, with dataset as a browser derives it.
function htmlElement(html) {
  const attrs = new Map();
  const m = /<html\b([^>]*)>/i.exec(html || '');
  if (m) {
    const re = /\s([a-z-]+)="([^"]*)"/g;
    let a;
    while ((a = re.exec(m[1]))) attrs.set(a[1], decodeEntities(a[2]));
  }
  const camel = (name) => name.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const dataset = {};
  for (const [k, v] of attrs) if (k.startsWith('data-')) dataset[camel(k)] = v;
  return {
    dataset,
    attrs,
    hasAttribute(name) { return attrs.has(name); },
    getAttribute(name) { return attrs.has(name) ? attrs.get(name) : null; },
    removeAttribute(name) {
      attrs.delete(name);
      if (name.startsWith('data-')) delete dataset[camel(name)];
    },
  };
}

module.exports = { Listeners, Timers, tick, newWindow, newIframe, newDocument, htmlElement };
