// Test harness: runs app/isolation.js's cipher and sealing on a list of
// operations, for comparison with RFC 8439 and with Go.
// stdin:  {"ops": [op, ...]}, bytes as hex:
//   {"op": "block", "key", "counter": n, "nonce"}      -> hex of 64 bytes
//   {"op": "poly", "key", "msg"}                        -> hex of the tag
//   {"op": "seal", "key", "nonce", "ad", "pt"}          -> hex of ciphertext||tag
//   {"op": "open", "key", "nonce", "ad", "sealed"}      -> hex of plaintext, or null
//   {"op": "sealEnvelope", "key", "plugin", "launch", "request"} -> envelope
//   {"op": "openEnvelope", "key", "plugin", "launch", "envelope"} -> plaintext, or null
// stdout: JSON array of results, one per op.
'use strict';
const path = require('path');
const W = require(path.join(__dirname, '..', 'app', 'isolation.js'));

const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b) => Buffer.from(b).toString('hex');
const b64url = (b) => Buffer.from(b).toString('base64url');

// openEnvelope opens a version 2 envelope for (plugin, launch): the test
// counterpart of Go's Opener, without replay state.
function openEnvelope(key, plugin, launch, env) {
  const f = env.split('.');
  if (f.length !== 5 || f[0] !== 'w2') return null;
  if (f[1] !== b64url(Buffer.from(plugin)) || f[2] !== b64url(Buffer.from(launch))) return null;
  const nonce = new Uint8Array(Buffer.from(f[3], 'base64url'));
  const ad = Buffer.from('warden.envelope.v2\0' + plugin + '\0' + launch);
  const pt = W.aead.open(key, nonce, ad, new Uint8Array(Buffer.from(f[4], 'base64url')));
  return pt === null ? null : Buffer.from(pt).toString('utf8');
}

function run(op) {
  switch (op.op) {
    case 'block': return hex(W.aead.chacha20Block(unhex(op.key), op.counter, unhex(op.nonce)));
    case 'poly': return hex(W.aead.poly1305(unhex(op.key), unhex(op.msg)));
    case 'seal': return hex(W.aead.seal(unhex(op.key), unhex(op.nonce), unhex(op.ad), unhex(op.pt)));
    case 'open': {
      const pt = W.aead.open(unhex(op.key), unhex(op.nonce), unhex(op.ad), unhex(op.sealed));
      return pt === null ? null : hex(pt);
    }
    case 'sealEnvelope': return W.sealSync(unhex(op.key), op.plugin, op.launch, op.request);
    case 'openEnvelope': return openEnvelope(unhex(op.key), op.plugin, op.launch, op.envelope);
    default: throw new Error('unknown op ' + op.op);
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  try {
    process.stdout.write(JSON.stringify(JSON.parse(input).ops.map(run)));
  } catch (err) {
    process.stderr.write(String(err && err.stack || err) + '\n');
    process.exit(1);
  }
});
