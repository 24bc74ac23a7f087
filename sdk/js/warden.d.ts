// Type declarations for the Warden page API, window.warden.
//
// Warden injects the bridge into every plugin page before the page's own
// scripts run, so plugin code can use `warden` as a global without
// importing anything. Reference this file from a tsconfig.json ("files" or
// "include") or with /// <reference path="warden.d.ts" />.

/**
 * Error codes a rejected {@link WardenAPI.invoke} can carry.
 *
 * Denials (the core refused the request before any capability ran):
 * "empty", "too_large", "unsealed", "malformed", "wrong_plugin",
 * "wrong_launch", "tampered", "replay", "seq_order", "rate_limited",
 * "too_many_in_flight", "unknown_command", "not_declared", "above_ceiling",
 * "not_granted", "out_of_scope", "bad_path", "bad_args", "backend_only",
 * "not_from_backend", "stopped", "unknown_permission", "redirect_denied".
 *
 * Failures (the request was allowed and then failed): "failed", "timeout",
 * "quota_exceeded", "backend_error", "no_such_export", "canceled",
 * "memory_limit", "backend_trap", "reply_too_large" (the result does not fit
 * in one reply).
 *
 * Raised in the page itself: "isolation" (the isolation hook refused the
 * request, or the isolation frame or its channel to the core failed; the
 * request did not reach the core) and "bad_args" (cmd is not a non-empty
 * string, or args cannot be copied with the structured clone algorithm).
 */
type WardenErrorCode =
  | 'empty'
  | 'too_large'
  | 'unsealed'
  | 'malformed'
  | 'wrong_plugin'
  | 'wrong_launch'
  | 'tampered'
  | 'replay'
  | 'seq_order'
  | 'rate_limited'
  | 'too_many_in_flight'
  | 'unknown_command'
  | 'not_declared'
  | 'above_ceiling'
  | 'not_granted'
  | 'out_of_scope'
  | 'bad_path'
  | 'bad_args'
  | 'backend_only'
  | 'not_from_backend'
  | 'stopped'
  | 'unknown_permission'
  | 'redirect_denied'
  | 'failed'
  | 'timeout'
  | 'quota_exceeded'
  | 'backend_error'
  | 'no_such_export'
  | 'canceled'
  | 'memory_limit'
  | 'backend_trap'
  | 'reply_too_large'
  | 'isolation'
  // Codes added by later hosts stay assignable.
  | (string & {});

/** The error a rejected {@link WardenAPI.invoke} rejects with. */
interface WardenError extends Error {
  /** Always "WardenError". */
  name: 'WardenError';
  /** Stable machine code; branch on it, not on message. */
  code: WardenErrorCode;
  /** A sentence for people. */
  message: string;
}

/** Unsubscribes a listener registered with {@link WardenAPI.listen}. */
type WardenUnlisten = () => void;

/** The page API, frozen and read-only on window. */
interface WardenAPI {
  /**
   * Sends a command to the Warden core and resolves with its result.
   *
   * cmd is a host capability ("storage.get", "fs.read", ...) or one of the
   * plugin's backend exports as "backend.<name>". args must survive the
   * structured clone algorithm and is sent as JSON. Every call passes the
   * isolation hook and the core's permission check; a refusal or failure
   * rejects with a {@link WardenError}. Requests made while the page is
   * still loading are queued until the isolation frame is ready.
   *
   * The result type is the caller's assertion; nothing checks it at run time.
   */
  invoke<T = unknown>(cmd: string, args?: unknown): Promise<T>;

  /**
   * Calls fn with the payload of each event named event that the core
   * sends to this page, until the returned function is called. Listeners
   * run in registration order; one that throws does not stop the others.
   * Throws a TypeError when event is not a non-empty string or fn is not a
   * function.
   */
  listen<P = unknown>(event: string, fn: (payload: P) => void): WardenUnlisten;

  /** This plugin's id, from the page's origin plugin://<id>/. */
  readonly pluginId: string;
}

declare const warden: WardenAPI;

interface Window {
  readonly warden: WardenAPI;
}
