'use strict';

// As the page loads it tries each command in turn, then reports every
// outcome in one log line (level warn, so that warden run prints it):
//
//   hookprobe storage.set: isolation: <message> | storage.get: ok | ...
//
// "ok" when the core answered; "<code>: <message>" when the call was
// refused (code "isolation" when the isolation frame refused it, which is
// what an isolation hook does). A test reads the line from warden run's
// output, since under warden run it cannot evaluate script in the page.
(function () {
  var cmds = [
    ['storage.set', { key: 'probe', value: 'v' }],
    ['storage.get', { key: 'probe' }],
    ['storage.list', {}]
  ];
  function attempt(cmd, args) {
    return warden.invoke(cmd, args).then(
      function () { return cmd + ': ok'; },
      function (err) { return cmd + ': ' + String(err && err.code) + ': ' + String(err && err.message); }
    );
  }
  var outcomes = [];
  var chain = Promise.resolve();
  cmds.forEach(function (c) {
    chain = chain.then(function () {
      return attempt(c[0], c[1]).then(function (line) { outcomes.push(line); });
    });
  });
  chain.then(function () {
    return warden.invoke('log', { level: 'warn', message: 'hookprobe ' + outcomes.join(' | ') });
  });
})();
