'use strict';

// tryCmd invokes cmd and always resolves: {ok: true, result} when the core
// answered, {ok: false, code, message} when the call was refused (by the
// isolation hook: code "isolation"; by the core: its code).
window.tryCmd = function (cmd, args) {
  return warden.invoke(cmd, args).then(
    function (result) { return { ok: true, result: result === undefined ? null : result }; },
    function (err) {
      return { ok: false, code: String(err && err.code), message: String(err && err.message) };
    }
  );
};

// early is a request made while the page is still loading, before the
// isolation frame can be ready: the bridge must queue it, not drop it.
window.early = window.tryCmd('storage.list', {});
