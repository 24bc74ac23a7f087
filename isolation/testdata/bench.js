// Micro-benchmark: the isolation frame's cost per request, from the
// message event to WardenIsolation.send, for a request of about 100 bytes
// of plaintext, and the cost of a one-off WardenIsolation.sealSync (which
// also sets up the key).
// usage: node bench.js [n]   (default 20000 timed requests)
// stdout: {"n", "plaintextBytes", "usPerRequest", "cpuUsPerRequest",
//          "usPerSealSync"}: wall-clock and CPU microseconds; CPU time is
//          the steadier figure on a busy machine.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const n = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 20000;
const src = fs.readFileSync(path.join(__dirname, '..', 'app', 'isolation.js'), 'utf8');
const key = Buffer.alloc(32, 7);
const args = { key: 'settings.theme', default: 'dark', scope: 'local' };

// A frame like the one the host serves: the launch document's attributes,
// a parent and a send that only counts.
const listeners = [];
const parent = { postMessage(msg) { throw new Error('refused: ' + JSON.stringify(msg)); } };
const win = {
  parent,
  document: { documentElement: { dataset: { wardenKey: key.toString('base64url'), wardenPlugin: 'com.example.notes', wardenLaunch: '0123456789abcdef0123456789abcdef' } } },
  crypto: globalThis.crypto,
  TextEncoder,
  TextDecoder,
  addEventListener(type, fn) { if (type === 'message') listeners.push(fn); },
};
win.window = win;
vm.createContext(win);
vm.runInContext(src, win, { filename: 'isolation.js' });
let sent = 0;
let last = '';
win.WardenIsolation.send = (env) => { sent++; last = env; };

function requests(count) {
  for (let i = 0; i < count; i++) {
    listeners[0]({ source: parent, data: { id: i, cmd: 'storage.get', args } });
  }
}

requests(5000); // warm up the JIT
let t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
requests(n);
const perRequest = Number(process.hrtime.bigint() - t0) / 1000 / n;
const cpu = process.cpuUsage(c0);
const cpuPerRequest = (cpu.user + cpu.system) / n;
if (sent !== n + 5000) throw new Error('sent ' + sent + ' of ' + (n + 5000));

const W = win.WardenIsolation;
const req = { seq: 1, id: 1, cmd: 'storage.get', args };
for (let i = 0; i < 2000; i++) W.sealSync(key, 'com.example.notes', 'launch-1', req);
const m = Math.max(1, n >> 2);
t0 = process.hrtime.bigint();
for (let i = 0; i < m; i++) W.sealSync(key, 'com.example.notes', 'launch-1', req);
const perSealSync = Number(process.hrtime.bigint() - t0) / 1000 / m;

// The ciphertext is as long as the plaintext; take it from the envelope.
const plaintextBytes = Buffer.from(last.split('.')[4], 'base64url').length - 16;
process.stdout.write(JSON.stringify({
  n,
  plaintextBytes,
  usPerRequest: Math.round(perRequest * 100) / 100,
  cpuUsPerRequest: Math.round(cpuPerRequest * 100) / 100,
  usPerSealSync: Math.round(perSealSync * 100) / 100,
}) + '\n');
