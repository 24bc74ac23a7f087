// Test harness: seals requests with app/isolation.js under Node.
// stdin: {"key": base64, "plugin": "...", "launch": "...", "requests": [{seq,id,cmd,args?}, ...]}
// stdout: one envelope per line, in request order.
'use strict';
const path = require('path');
const WardenIsolation = require(path.join(__dirname, '..', 'app', 'isolation.js'));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    const job = JSON.parse(input);
    const key = new Uint8Array(Buffer.from(job.key, 'base64'));
    for (const req of job.requests) {
      const env = await WardenIsolation.seal(key, job.plugin, job.launch, req);
      process.stdout.write(env + '\n');
    }
  } catch (err) {
    process.stderr.write(String(err && err.stack || err) + '\n');
    process.exit(1);
  }
});
