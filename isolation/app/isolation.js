/*
 * Warden isolation app.
 *
 * Runs in a sandboxed, opaque-origin iframe served from the isolation:
 * scheme. It is the only document holding the launch key. Every request the
 * plugin page posts here passes the isolation hook, gets the next sequence
 * number, is sealed with ChaCha20-Poly1305 (RFC 8439) and is handed to the
 * channel the webview host installs as WardenIsolation.send.
 *
 * Sealing is synchronous plain JavaScript: WebCrypto is asynchronous and has
 * no ChaCha20, and each of its calls costs two thread hops. A request whose
 * hook answers synchronously is sealed and sent in the task that received it.
 * The cipher is add-rotate-xor and Poly1305 runs on 22-bit limbs whose
 * products stay exact in doubles; nothing branches on or indexes by secret
 * data.
 *
 * Envelope (must match the Go package isolation):
 *   "w2." b64url(pluginId) "." b64url(launchId) "." b64url(nonce12) "." b64url(ciphertext||tag)
 *   associated data: "warden.envelope.v2" 0x00 pluginId 0x00 launchId
 *   plaintext: JSON {"seq", "id", "cmd", "args"?}
 *
 * Classic script, no dependencies; loads in browsers and in Node >= 20.
 */
(function (root) {
  'use strict';

  var LABEL = 'warden.envelope.v2';
  var PREFIX = 'w2.';
  var KEY_SIZE = 32;
  var NONCE_SIZE = 12;
  var TAG_SIZE = 16;
  // Plaintext buffers up to this size are kept for the next request.
  var KEEP_BUFFER = 1 << 16;
  // Nonces drawn per getRandomValues call, which costs far more than 12
  // bytes' worth in some engines (Node: about a microsecond).
  var NONCE_BATCH = 32;
  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  var encoder = new TextEncoder();

  var CODES = new Uint8Array(64);
  for (var ci = 0; ci < 64; ci++) CODES[ci] = ALPHABET.charCodeAt(ci);
  // chars receives character codes that become a string in one call per
  // chunk, far cheaper than building it a character at a time; TextDecoder
  // is cheaper still where the realm has it.
  var chars = new Uint8Array(8192);
  var asciiDecoder = typeof root.TextDecoder === 'function' ? new root.TextDecoder() : null;

  // asciiString returns chars[0..n) as a string.
  function asciiString(n) {
    var view = chars.subarray(0, n);
    return asciiDecoder ? asciiDecoder.decode(view) : String.fromCharCode.apply(null, view);
  }

  // b64url encodes n bytes of bytes from off as unpadded base64url.
  function b64url(bytes, off, n) {
    var out = '';
    var end = off + n;
    var i = off;
    var j = 0;
    for (; i + 2 < end; i += 3) {
      var v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      chars[j] = CODES[v >> 18];
      chars[j + 1] = CODES[(v >> 12) & 63];
      chars[j + 2] = CODES[(v >> 6) & 63];
      chars[j + 3] = CODES[v & 63];
      j += 4;
      if (j === chars.length) {
        out += asciiString(j);
        j = 0;
      }
    }
    if (i + 1 === end) {
      var a = bytes[i] << 16;
      chars[j++] = CODES[a >> 18];
      chars[j++] = CODES[(a >> 12) & 63];
    } else if (i + 2 === end) {
      var b = (bytes[i] << 16) | (bytes[i + 1] << 8);
      chars[j++] = CODES[b >> 18];
      chars[j++] = CODES[(b >> 12) & 63];
      chars[j++] = CODES[(b >> 6) & 63];
    }
    return out + asciiString(j);
  }

  // inRange is -1 when lo <= ch <= hi and 0 otherwise, without branching.
  function inRange(ch, lo, hi) {
    return ((lo - 1 - ch) & (ch - hi - 1)) >> 31;
  }

  // unb64 decodes the key from base64 or base64url, padded or not. It runs
  // in constant time for a given length: no lookups or branches depend on
  // the characters.
  function unb64(s) {
    s = String(s);
    var n = s.length;
    while (n > 0 && s.charCodeAt(n - 1) === 61) n--; // trailing '=' padding
    var out = new Uint8Array(Math.floor(n * 3 / 4));
    var acc = 0;
    var bits = 0;
    var j = 0;
    var bad = 0;
    for (var i = 0; i < n; i++) {
      var ch = s.charCodeAt(i);
      var upper = inRange(ch, 65, 90), lower = inRange(ch, 97, 122), digit = inRange(ch, 48, 57);
      var v62 = inRange(ch, 43, 43) | inRange(ch, 45, 45), v63 = inRange(ch, 47, 47) | inRange(ch, 95, 95);
      var v = (upper & (ch - 65)) | (lower & (ch - 71)) | (digit & (ch + 4)) | (v62 & 62) | (v63 & 63);
      bad |= ~(upper | lower | digit | v62 | v63);
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[j++] = (acc >> bits) & 255;
      }
    }
    if (bad) throw new Error('bad base64 in key');
    return out;
  }

  function checkId(what, id) {
    if (typeof id !== 'string' || id === '' || id.indexOf('\u0000') >= 0) {
      throw new Error(what + ' id must be a non-empty string without NUL');
    }
  }

  // checkBytes requires an array-like of n bytes, or of any length if n < 0.
  function checkBytes(what, b, n) {
    if (!b || typeof b.length !== 'number' || (n >= 0 && b.length !== n)) {
      throw new Error(what + (n >= 0 ? ' must be ' + n + ' bytes' : ' must be bytes'));
    }
  }

  // word reads the little-endian 32-bit word at b[o] as a signed int.
  function word(b, o) {
    return b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24;
  }

  // keyWords reads 32 key bytes (any array-like, any realm) as words.
  function keyWords(keyBytes) {
    checkBytes('key', keyBytes, KEY_SIZE);
    var k = new Uint32Array(8);
    for (var i = 0; i < 8; i++) k[i] = word(keyBytes, 4 * i);
    return k;
  }

  // ---- ChaCha20 (RFC 8439 section 2.3) ----

  // newCipher allocates the working memory of one ChaCha20-Poly1305 user;
  // sealing reuses it, so a request allocates only its output.
  function newCipher() {
    return {
      st: new Int32Array(16), // input block: constants, key, counter, nonce
      ks: new Uint8Array(64), // one keystream block
      h: new Int32Array(6), // Poly1305 accumulator, 22-bit limbs
      g: new Int32Array(6), // h - p in the final reduction
      rr: new Int32Array(12), // r and 20*r: see polyInit
      pad: new Float64Array(4), // s as unsigned 32-bit words
      last: new Uint8Array(16) // a padded final block, then the lengths
    };
  }

  // setKey puts the constant and the key words into the input block.
  function setKey(c, key) {
    var st = c.st;
    st[0] = 0x61707865;
    st[1] = 0x3320646e;
    st[2] = 0x79622d32;
    st[3] = 0x6b206574;
    for (var i = 0; i < 8; i++) st[4 + i] = key[i];
  }

  // setNonce puts the 12 nonce bytes n[o..o+12) into the input block.
  function setNonce(c, n, o) {
    c.st[13] = word(n, o);
    c.st[14] = word(n, o + 4);
    c.st[15] = word(n, o + 8);
  }

  // block computes the keystream block for the input block's counter into
  // c.ks, little endian. The state lives in locals: quarter rounds on an
  // array would cost a load and a store per word and step.
  function block(c) {
    var st = c.st, ks = c.ks;
    var x0 = st[0], x1 = st[1], x2 = st[2], x3 = st[3], x4 = st[4], x5 = st[5], x6 = st[6], x7 = st[7];
    var x8 = st[8], x9 = st[9], x10 = st[10], x11 = st[11], x12 = st[12], x13 = st[13], x14 = st[14], x15 = st[15];
    for (var i = 0; i < 10; i++) {
      // Column round.
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
      x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
      x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
      x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
      x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
      x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
      x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
      x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
      x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
      // Diagonal round.
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
      x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
      x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
      x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
      x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
      x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
      x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
      x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
      x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
    }
    put32(ks, 0, x0 + st[0]); put32(ks, 4, x1 + st[1]); put32(ks, 8, x2 + st[2]); put32(ks, 12, x3 + st[3]);
    put32(ks, 16, x4 + st[4]); put32(ks, 20, x5 + st[5]); put32(ks, 24, x6 + st[6]); put32(ks, 28, x7 + st[7]);
    put32(ks, 32, x8 + st[8]); put32(ks, 36, x9 + st[9]); put32(ks, 40, x10 + st[10]); put32(ks, 44, x11 + st[11]);
    put32(ks, 48, x12 + st[12]); put32(ks, 52, x13 + st[13]); put32(ks, 56, x14 + st[14]); put32(ks, 60, x15 + st[15]);
  }

  // put32 writes v mod 2^32 little endian; byte stores drop the upper bits.
  function put32(b, o, v) {
    b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24;
  }

  // xorStream XORs n bytes of buf from off with the keystream from counter 1.
  function xorStream(c, buf, off, n) {
    var ks = c.ks;
    for (var p = 0, ctr = 1; p < n; p += 64, ctr++) {
      c.st[12] = ctr;
      block(c);
      var m = n - p < 64 ? n - p : 64;
      for (var j = 0; j < m; j++) buf[off + p + j] ^= ks[j];
    }
  }

  // ---- Poly1305 (RFC 8439 section 2.5) ----
  //
  // Numbers are six 22-bit limbs, limb i weighing 2^(22i); 2^132 = 4 * 2^130
  // = 20 mod 2^130-5, so a product's limbs past the sixth fold back times
  // 20. Before a multiplication limbs are below 2^23 + 2^13 and 20*r below
  // 2^26.4, so a limb of the product, six terms and a carry below 2^30,
  // stays below 2^52: exact in a double. Wider limbs mean fewer
  // operations, which is what matters before the JIT has warmed up.

  var LIMB = 4194304; // 2^22

  // polyInit loads the one-time key k[off..off+32): r clamped, s as pad.
  function polyInit(c, k, off) {
    var rr = c.rr, i;
    // Clamp: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff.
    var w0 = word(k, off) & 0x0fffffff, w1 = word(k, off + 4) & 0x0ffffffc;
    var w2 = word(k, off + 8) & 0x0ffffffc, w3 = word(k, off + 12) & 0x0ffffffc;
    // rr[6+j] = r[j] and rr[j] = 20*r[j]: see polyBlock.
    rr[6] = w0 & 0x3fffff;
    rr[7] = ((w0 >>> 22) | (w1 << 10)) & 0x3fffff;
    rr[8] = ((w1 >>> 12) | (w2 << 20)) & 0x3fffff;
    rr[9] = (w2 >>> 2) & 0x3fffff;
    rr[10] = ((w2 >>> 24) | (w3 << 8)) & 0x3fffff;
    rr[11] = w3 >>> 14;
    for (i = 0; i < 6; i++) {
      rr[i] = 20 * rr[6 + i];
      c.h[i] = 0;
    }
    for (i = 0; i < 4; i++) c.pad[i] = word(k, off + 16 + 4 * i) >>> 0;
  }

  // polyBlock absorbs the 16 bytes of m at o; hibit is 1 << 18 for a full
  // block (the 2^128 bit, in limb 5) and 0 for a final block padded with 1.
  function polyBlock(c, m, o, hibit) {
    var h = c.h, rr = c.rr;
    var w0 = word(m, o), w1 = word(m, o + 4), w2 = word(m, o + 8), w3 = word(m, o + 12);
    var h0 = h[0] + (w0 & 0x3fffff);
    var h1 = h[1] + (((w0 >>> 22) | (w1 << 10)) & 0x3fffff);
    var h2 = h[2] + (((w1 >>> 12) | (w2 << 20)) & 0x3fffff);
    var h3 = h[3] + ((w2 >>> 2) & 0x3fffff);
    var h4 = h[4] + (((w2 >>> 24) | (w3 << 8)) & 0x3fffff);
    var h5 = h[5] + ((w3 >>> 14) | hibit);
    // h = h * r: limb k collects h[i] * r[k-i], or 20 * r[k-i+6] where the
    // product wrapped past 2^132; rr[k-i+6] is whichever applies.
    var carry = 0;
    for (var k = 0; k < 6; k++) {
      var d = h0 * rr[k + 6] + h1 * rr[k + 5] + h2 * rr[k + 4] + h3 * rr[k + 3] + h4 * rr[k + 2] + h5 * rr[k + 1] + carry;
      carry = (d / LIMB) | 0; // d < 2^52, so the quotient fits in 30 bits
      h[k] = d - carry * LIMB;
    }
    var d0 = h[0] + carry * 20;
    carry = (d0 / LIMB) | 0;
    h[0] = d0 - carry * LIMB;
    h[1] += carry;
  }

  // polyPadded absorbs n bytes of m from off, zero-padded to whole blocks
  // as the AEAD construction does.
  function polyPadded(c, m, off, n) {
    var full = n - (n % 16);
    for (var p = 0; p < full; p += 16) polyBlock(c, m, off + p, 1 << 18);
    if (full < n) {
      var last = c.last;
      for (var i = 0; i < 16; i++) last[i] = full + i < n ? m[off + full + i] : 0;
      polyBlock(c, last, 0, 1 << 18);
    }
  }

  // polyFinish reduces h fully, adds s and writes the 16-byte tag at out[o].
  function polyFinish(c, out, o) {
    var h = c.h, g = c.g, i, v;
    // Two passes of folding the bits from 2^130 up and carrying leave every
    // limb below 2^22 and h below 2^130.
    for (var pass = 0; pass < 2; pass++) {
      h[0] += 5 * (h[5] >>> 20);
      h[5] &= 0xfffff;
      for (i = 0; i < 5; i++) {
        h[i + 1] += h[i] >>> 22;
        h[i] &= 0x3fffff;
      }
    }
    // g = h + 5 - 2^130; keep it when h >= 2^130 - 5, chosen by a mask.
    v = 5;
    for (i = 0; i < 5; i++) {
      v += h[i];
      g[i] = v & 0x3fffff;
      v >>>= 22;
    }
    v += h[5];
    g[5] = v & 0xfffff;
    var mask = -(v >>> 20); // the 2^130 bit of h + 5: 0 or 1
    for (i = 0; i < 6; i++) h[i] = (h[i] & ~mask) | (g[i] & mask);
    // Back to 32-bit words, plus s, mod 2^128.
    v = ((h[0] | (h[1] << 22)) >>> 0) + c.pad[0];
    put32(out, o, v);
    v = (((h[1] >>> 10) | (h[2] << 12)) >>> 0) + c.pad[1] + ((v / 4294967296) | 0);
    put32(out, o + 4, v);
    v = (((h[2] >>> 20) | (h[3] << 2) | (h[4] << 24)) >>> 0) + c.pad[2] + ((v / 4294967296) | 0);
    put32(out, o + 8, v);
    v = (((h[4] >>> 8) | (h[5] << 14)) >>> 0) + c.pad[3] + ((v / 4294967296) | 0);
    put32(out, o + 12, v);
  }

  // ---- AEAD (RFC 8439 section 2.8) ----

  // tag computes the tag of (ad, ciphertext buf[off..off+n)) for the nonce
  // already in c.st into out[o..o+16).
  function tag(c, ad, adLen, buf, off, n, out, o) {
    c.st[12] = 0;
    block(c);
    polyInit(c, c.ks, 0);
    polyPadded(c, ad, 0, adLen);
    polyPadded(c, buf, off, n);
    var last = c.last;
    // The lengths as 64-bit little endian.
    put32(last, 0, adLen);
    put32(last, 4, Math.floor(adLen / 4294967296));
    put32(last, 8, n);
    put32(last, 12, Math.floor(n / 4294967296));
    polyBlock(c, last, 0, 1 << 18);
    polyFinish(c, out, o);
  }

  // sealBuffer encrypts buf[0..n) in place under the nonce at nonce[no]
  // and appends the tag at buf[n].
  function sealBuffer(c, nonce, no, ad, adLen, buf, n) {
    setNonce(c, nonce, no);
    xorStream(c, buf, 0, n);
    tag(c, ad, adLen, buf, 0, n, buf, n);
  }

  // toBytes copies an array-like of bytes from any realm.
  function toBytes(what, b) {
    checkBytes(what, b, -1);
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b[i];
    return out;
  }

  // aeadSeal returns ChaCha20-Poly1305(key, nonce, ad, plaintext):
  // ciphertext || tag.
  function aeadSeal(key, nonce, ad, plaintext) {
    checkBytes('nonce', nonce, NONCE_SIZE);
    var c = newCipher();
    setKey(c, keyWords(key));
    var a = toBytes('ad', ad);
    var p = toBytes('plaintext', plaintext);
    var buf = new Uint8Array(p.length + TAG_SIZE);
    buf.set(p);
    sealBuffer(c, nonce, 0, a, a.length, buf, p.length);
    return buf;
  }

  // aeadOpen returns the plaintext of sealed (ciphertext || tag), or null
  // when the tag does not verify. The tags are compared in constant time.
  function aeadOpen(key, nonce, ad, sealed) {
    checkBytes('nonce', nonce, NONCE_SIZE);
    var buf = toBytes('sealed', sealed);
    if (buf.length < TAG_SIZE) return null;
    var c = newCipher();
    setKey(c, keyWords(key));
    var a = toBytes('ad', ad);
    var n = buf.length - TAG_SIZE;
    var want = new Uint8Array(TAG_SIZE);
    setNonce(c, nonce, 0);
    tag(c, a, a.length, buf, 0, n, want, 0);
    var diff = 0;
    for (var i = 0; i < TAG_SIZE; i++) diff |= want[i] ^ buf[n + i];
    if (diff !== 0) return null;
    xorStream(c, buf, 0, n);
    return buf.subarray(0, n);
  }

  // chacha20Block returns the 64-byte keystream block for (key, counter,
  // nonce).
  function chacha20Block(key, counter, nonce) {
    checkBytes('nonce', nonce, NONCE_SIZE);
    var c = newCipher();
    setKey(c, keyWords(key));
    setNonce(c, nonce, 0);
    c.st[12] = counter;
    block(c);
    return c.ks.slice();
  }

  // poly1305 returns the 16-byte Poly1305 tag of msg under the one-time key.
  function poly1305(key, msg) {
    checkBytes('key', key, KEY_SIZE);
    var c = newCipher();
    var m = toBytes('message', msg);
    polyInit(c, toBytes('key', key), 0);
    var full = m.length - (m.length % 16);
    for (var p = 0; p < full; p += 16) polyBlock(c, m, p, 1 << 18);
    if (full < m.length) {
      var last = c.last;
      for (var i = 0; i < 16; i++) last[i] = 0;
      last.set(m.subarray(full));
      last[m.length - full] = 1;
      polyBlock(c, last, 0, 0);
    }
    var out = new Uint8Array(16);
    polyFinish(c, out, 0);
    return out;
  }

  // ---- Envelopes ----

  function isCount(v) {
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  }

  // newSealer binds a sealer to one launch: the key words, the associated
  // data, the envelope's head and the working memory are made once. The
  // returned function seals the plaintext JSON text and returns the
  // envelope.
  function newSealer(keyBytes, pluginId, launchId) {
    checkId('plugin', pluginId);
    checkId('launch', launchId);
    if (!root.crypto || typeof root.crypto.getRandomValues !== 'function') {
      throw new Error('crypto.getRandomValues is unavailable');
    }
    // Bound now, while only trusted scripts have run: scripts loaded later
    // in this world (an admin's or a user's isolation hook) may replace
    // window.crypto, and the nonces must never come from them.
    var random = root.crypto.getRandomValues.bind(root.crypto);
    var c = newCipher();
    var key = keyWords(keyBytes);
    setKey(c, key);
    key.fill(0); // from here on the key is only in c.st
    var plugin = encoder.encode(pluginId);
    var launch = encoder.encode(launchId);
    var label = encoder.encode(LABEL);
    // "label" 0x00 plugin 0x00 launch; the zero bytes come from the fresh array.
    var ad = new Uint8Array(label.length + 1 + plugin.length + 1 + launch.length);
    ad.set(label, 0);
    ad.set(plugin, label.length + 1);
    ad.set(launch, label.length + 2 + plugin.length);
    var head = PREFIX + b64url(plugin, 0, plugin.length) + '.' + b64url(launch, 0, launch.length) + '.';
    var nonces = new Uint8Array(NONCE_SIZE * NONCE_BATCH);
    var next = nonces.length; // offset of the next unused nonce
    var kept = new Uint8Array(256);
    return function (text) {
      // UTF-16 to UTF-8 at most triples the size.
      var need = 3 * text.length + TAG_SIZE;
      var buf = kept;
      if (need > buf.length) {
        buf = new Uint8Array(need);
        if (need <= KEEP_BUFFER) kept = buf;
      }
      var n = encoder.encodeInto(text, buf).written;
      if (next === nonces.length) {
        random(nonces);
        next = 0;
      }
      var no = next;
      next += NONCE_SIZE;
      sealBuffer(c, nonces, no, ad, ad.length, buf, n);
      return head + b64url(nonces, no, NONCE_SIZE) + '.' + b64url(buf, 0, n + TAG_SIZE);
    };
  }

  // plaintextOf builds the plaintext JSON; only these members are sealed,
  // whatever else the payload carries. cmdJSON and argsJSON come from
  // JSON.stringify (argsJSON undefined: no args member).
  function plaintextOf(seq, id, cmdJSON, argsJSON) {
    return '{"seq":' + seq + ',"id":' + id + ',"cmd":' + cmdJSON +
      (argsJSON === undefined ? '' : ',"args":' + argsJSON) + '}';
  }

  // sealSync seals request {seq, id, cmd, args} for (pluginId, launchId)
  // under the 32 raw key bytes, with a fresh random nonce, and returns the
  // envelope. It throws on a bad request.
  function sealSync(keyBytes, pluginId, launchId, request) {
    var sealer = newSealer(keyBytes, pluginId, launchId);
    if (!request || typeof request !== 'object') throw new Error('request must be an object');
    if (!isCount(request.seq) || request.seq < 1) throw new Error('seq must be a positive integer');
    if (!isCount(request.id)) throw new Error('id must be a non-negative integer');
    if (typeof request.cmd !== 'string' || request.cmd === '') throw new Error('cmd must be a non-empty string');
    return sealer(plaintextOf(request.seq, request.id, JSON.stringify(request.cmd), JSON.stringify(request.args)));
  }

  // seal is sealSync returning a Promise of the envelope, rejected on a bad
  // request.
  function seal(keyBytes, pluginId, launchId, request) {
    return new Promise(function (resolve) {
      resolve(sealSync(keyBytes, pluginId, launchId, request));
    });
  }

  function messageOf(err) {
    if (err && typeof err === 'object' && 'message' in err) return String(err.message);
    return String(err);
  }

  var api = {
    seal: seal,
    sealSync: sealSync,
    // The cipher itself, for checks against RFC 8439 and other
    // implementations. It keeps no key: callers pass their own.
    aead: { seal: aeadSeal, open: aeadOpen, chacha20Block: chacha20Block, poly1305: poly1305 },
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
    var sealer = null;
    var setupError = null;
    try {
      var keyBytes = unb64(data.wardenKey);
      sealer = newSealer(keyBytes, data.wardenPlugin, data.wardenLaunch);
      keyBytes.fill(0);
    } catch (err) {
      setupError = err;
    }
    // The key lives on only inside the sealer's closure.
    delete data.wardenKey;
    if (typeof el.removeAttribute === 'function') el.removeAttribute('data-warden-key');

    var seq = 0;

    function fail(id, err) {
      win.parent.postMessage({ id: id, error: messageOf(err) }, '*');
    }

    function currentHook() {
      if (typeof win.__WARDEN_ISOLATION_HOOK__ === 'function') return win.__WARDEN_ISOLATION_HOOK__;
      if (typeof api.hook === 'function') return api.hook;
      return null;
    }

    // deliver seals the hook's verdict and sends it, all synchronously. The
    // seq is taken only once the plaintext is ready, immediately before
    // send, so envelopes leave in seq order whatever order hooks finish in.
    function deliver(id, payload, result) {
      try {
        // A hook that returns nothing keeps (possibly mutated) payload.
        var out = result === undefined ? payload : result;
        if (!out || typeof out !== 'object' || typeof out.cmd !== 'string' || out.cmd === '') {
          throw new Error('isolation hook returned an invalid payload');
        }
        var send = api.send;
        if (typeof send !== 'function') throw new Error('isolation channel unavailable');
        if (setupError) throw setupError;
        var cmdJSON = JSON.stringify(out.cmd);
        var argsJSON = JSON.stringify(out.args);
        seq += 1;
        // The id routes the reply to the caller: the hook cannot change it.
        var envelope = sealer(plaintextOf(seq, id, cmdJSON, argsJSON));
        var sent = send.call(api, envelope, id);
        // A rejected delivery is the caller's error; nothing waits for it.
        if (sent && typeof sent.then === 'function') {
          sent.then(null, function (err) { fail(id, err); });
        }
      } catch (err) {
        fail(id, err);
      }
    }

    win.addEventListener('message', function (event) {
      if (event.source !== win.parent) return;
      var msg = event.data;
      if (!msg || typeof msg !== 'object' || typeof msg.cmd !== 'string') return;
      var id = msg.id;
      if (!isCount(id)) return;
      var payload = { id: id, cmd: msg.cmd, args: msg.args };
      var result;
      try {
        var hook = currentHook();
        result = hook ? hook(payload) : payload;
        var thenable = result !== null && (typeof result === 'object' || typeof result === 'function') &&
          typeof result.then === 'function';
        if (thenable) {
          // Promise.resolve settles a thenable once, however it behaves.
          Promise.resolve(result).then(function (r) { deliver(id, payload, r); }, function (err) { fail(id, err); });
          return;
        }
      } catch (err) {
        fail(id, err);
        return;
      }
      deliver(id, payload, result);
    });
  }

  root.WardenIsolation = api;
  if (typeof module === 'object' && module && module.exports) module.exports = api;
  if (typeof window !== 'undefined' && window && window.parent && window.parent !== window) {
    install(window);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
