// Admin isolation hook for the hookreject test plugin. Warden runs it in
// the isolation frame after the isolation app and before the channel; it
// sees every request before it is sealed and may refuse it by throwing.
window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.delete') throw new Error('hook: storage.delete is not allowed');
  return p;
};
