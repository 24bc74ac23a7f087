// Test harness: runs app/isolation.js's browser wiring under Node with a
// fake window whose parent captures postMessage.
// stdin: {"document": rendered index.html, "hookVia": "global"|"api"|"none",
//         "withSend": bool, "messages": [{id, cmd, args?, fromOther?}, ...]}
// stdout: {"sent": [envelopes in send order], "sentIds": [their ids],
//          "posted": [messages to parent],
//          "syncSent": [ids whose envelope was sent while its message event
//                       was being dispatched], "syncPosted": [same for errors],
//          "keyLeft": whether the key is still in the DOM,
//          "apiBytes": names of WardenIsolation members holding byte arrays}
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const src = fs.readFileSync(path.join(__dirname, '..', 'app', 'isolation.js'), 'utf8');

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}

// The data attributes a browser would expose as documentElement.dataset.
function datasetOf(html) {
  const m = /<html\b([^>]*)>/.exec(html);
  if (!m) throw new Error('no <html> tag');
  const dataset = {};
  const re = /\sdata-warden-([a-z]+)="([^"]*)"/g;
  let a;
  while ((a = re.exec(m[1]))) {
    dataset['warden' + a[1][0].toUpperCase() + a[1].slice(1)] = decodeEntities(a[2]);
  }
  return dataset;
}

// hook behaves according to the command, covering each way a hook can act.
function hook(payload) {
  switch (payload.cmd) {
    case 'deny': throw new Error('denied by hook');
    case 'deny.async': return Promise.reject(new Error('denied later'));
    case 'deny.string': throw 'plain string'; // eslint-disable-line no-throw-literal
    case 'rewrite':
      return Promise.resolve({ id: 999, cmd: 'rewritten', args: { by: 'hook', was: payload.args }, extra: 'dropped' });
    case 'mutate': payload.args = { mutated: true }; return undefined;
    case 'slow': return new Promise((resolve) => setTimeout(() => resolve(payload), 20));
    default: return payload;
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const posted = [];
  const sent = [];
  const sentIds = [];
  const syncSent = [];
  const syncPosted = [];
  const parent = { postMessage(msg) { posted.push(JSON.parse(JSON.stringify(msg))); } };
  const other = { postMessage() {} };
  const listeners = [];
  const dataset = datasetOf(job.document);
  const attrs = new Set(Object.keys(dataset));
  const win = {
    parent,
    document: {
      documentElement: {
        dataset,
        removeAttribute(name) { attrs.delete('warden' + name.slice('data-warden-'.length).replace(/^./, (c) => c.toUpperCase())); },
      },
    },
    crypto: globalThis.crypto,
    TextEncoder,
    setTimeout,
    console,
    addEventListener(type, fn) { if (type === 'message') listeners.push(fn); },
  };
  win.window = win;
  if (job.hookVia === 'global') win.__WARDEN_ISOLATION_HOOK__ = hook;
  vm.createContext(win);
  vm.runInContext(src, win, { filename: 'isolation.js' });
  const api = win.WardenIsolation;
  if (job.hookVia === 'api') api.hook = hook;
  if (job.withSend) api.send = (env, id) => { sent.push(env); sentIds.push(id); };

  let expected = 0;
  for (const m of job.messages) {
    const data = { id: m.id, cmd: m.cmd };
    if ('args' in m) data.args = m.args;
    if (!m.fromOther) expected++;
    const s0 = sent.length;
    const p0 = posted.length;
    for (const fn of listeners) fn({ data, source: m.fromOther ? other : parent });
    if (sent.length > s0) syncSent.push(m.id);
    if (posted.length > p0) syncPosted.push(m.id);
  }
  // The key must not be reachable from the API, not even one level down.
  const apiBytes = [];
  for (const [k, v] of Object.entries(api)) {
    if (ArrayBuffer.isView(v) || (v && typeof v === 'object' && Object.values(v).some((x) => ArrayBuffer.isView(x)))) apiBytes.push(k);
  }
  const deadline = Date.now() + 5000;
  (function wait() {
    if (sent.length + posted.length < expected && Date.now() < deadline) {
      setTimeout(wait, 5);
      return;
    }
    // Linger briefly so that anything sent or posted late is caught too.
    setTimeout(() => {
      process.stdout.write(JSON.stringify({
        sent, sentIds, posted, syncSent, syncPosted, apiBytes,
        keyLeft: 'wardenKey' in dataset || attrs.has('wardenKey'),
      }));
    }, 50);
  })();
});
