// Type declarations for the Warden page API, window.warden.
//
// Warden injects the bridge into every plugin page before the page's own
// scripts run, so plugin code can use `warden` as a global without
// importing anything. Reference this file from a tsconfig.json ("files" or
// "include") or with /// <reference path="warden.d.ts" />.
//
// warden.invoke is typed per command: the core's capabilities by
// WardenCommands, so that a misspelt command or arguments of the wrong
// shape do not type-check and each result has its type; the plugin's own
// backend commands ("backend.<name>") and an embedding application's
// ("app.<name>") by the caller. A .d.ts generated from the plugin's
// manifest (Warden's js.BackendTypes) narrows "backend.<name>" to the
// commands the manifest lists.

/** An HTTP method http.fetch sends (in either case). */
type WardenHTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * The core's capabilities a page may invoke: each command's arguments and
 * the result its promise resolves with. Bytes travel as base64 strings.
 * ("event.emit" is for backends only, so a page cannot invoke it.)
 */
interface WardenCommands {
  /** Reads key from the plugin's storage. Needs "storage". */
  'storage.get': {
    args: { key: string };
    /** value is null when found is false. */
    result: { value: string | null; found: boolean };
  };
  /** Stores value under key. Needs "storage". */
  'storage.set': {
    args: { key: string; value: string };
    result: null;
  };
  /** Removes key; removing a missing key is not an error. Needs "storage". */
  'storage.delete': {
    args: { key: string };
    result: null;
  };
  /** Lists the keys that start with prefix (every key without one). Needs "storage". */
  'storage.list': {
    args: { prefix?: string } | undefined;
    result: { keys: string[] };
  };
  /** Reads a file inside the manifest's fs.read scopes. */
  'fs.read': {
    args: { path: string };
    /** The file's bytes, base64. */
    result: { data: string };
  };
  /** Writes a file inside the manifest's fs.write scopes; data is base64. */
  'fs.write': {
    args: { path: string; data?: string };
    result: null;
  };
  /** Fetches a URL the manifest's http patterns allow; bodies are base64. */
  'http.fetch': {
    args: {
      method?: WardenHTTPMethod | Lowercase<WardenHTTPMethod>;
      url: string;
      headers?: Record<string, string>;
      body?: string;
    };
    /** url is the final URL, after redirects. */
    result: { status: number; url: string; headers: Record<string, string>; body: string };
  };
  /** Writes message to the host's log (level "info" when none is given). */
  log: {
    args: { level?: 'debug' | 'info' | 'warn' | 'error'; message: string };
    result: null;
  };
  /** Shows a desktop notification from the plugin (plain text). Needs "notifications". */
  'notifications.show': {
    args: { title: string; body?: string };
    /** The desktop's id for the notification. */
    result: { id: number };
  };
  /** Opens an http(s) URL in the user's browser. Needs "open_url". */
  open_url: {
    args: { url: string };
    result: null;
  };
  /** Puts text on the clipboard. Needs "clipboard.write". */
  'clipboard.write': {
    args: { text: string };
    result: null;
  };
  /**
   * Reads the clipboard's text. Needs "clipboard.read", and only works
   * right after the user pressed a key or clicked in the plugin's window
   * (within about a second, the window focused); otherwise it rejects with
   * "no_user_gesture". Call it from a click or key handler.
   */
  'clipboard.read': {
    args: Record<string, never> | undefined;
    result: { text: string };
  };
  /**
   * Lets the user pick one file in a file dialog and returns its name and
   * bytes (base64), or null when they cancel. Needs "dialog" and a user
   * gesture, like clipboard.read. The dialog starts in the user's
   * Documents folder; the plugin gets the file's bytes for this request
   * only, never its path.
   */
  'dialog.open': {
    args: { title?: string; filters?: { name: string; patterns: string[] }[] } | undefined;
    result: { name: string; size: number; data: string } | null;
  };
  /**
   * Lets the user choose where to save data (base64) and writes it there;
   * resolves with the chosen file's name, or null when they cancel. Needs
   * "dialog" and a user gesture. suggested_name is a plain file name.
   */
  'dialog.save': {
    args: { title?: string; suggested_name?: string; data: string };
    result: { name: string } | null;
  };
  /**
   * Asks the user for permissions the manifest lists under
   * "optional_permissions", in a dialog Warden draws, and resolves to
   * whether they are all granted now. Every plugin may call it, from a
   * click or key handler only (like clipboard.read). Granted ones and a
   * remembered "Don't allow" are answered without a dialog; closing the
   * dialog grants nothing. A permission not listed there rejects with
   * "not_declared".
   */
  'permissions.request': {
    args: { permissions: string[] };
    result: { granted: boolean };
  };
  /** Whether the named optional permissions are all granted. Asks nobody. */
  'permissions.contains': {
    args: { permissions: string[] };
    result: { granted: boolean };
  };
  /**
   * Calls a command another plugin lists in its manifest's "exports".
   * Needs "messaging:<that plugin's id>". The result is that command's.
   */
  'messaging.call': {
    args: { plugin: string; command: string; args?: unknown };
    result: unknown;
  };
}

/** A core capability's arguments, as invoke's rest parameter: optional when the command takes none. */
type WardenArgs<K extends keyof WardenCommands> = undefined extends WardenCommands[K]['args']
  ? [args?: WardenCommands[K]['args']]
  : [args: WardenCommands[K]['args']];

/**
 * The plugin's own backend commands, as "backend.<name>" keys. Empty here;
 * a .d.ts generated from the plugin's manifest adds them (and sets
 * WardenGenerated's backendCommands), and invoke then accepts only those.
 */
interface WardenBackendCommands {}

/** What generated declarations add; see {@link WardenBackendCommands}. */
interface WardenGenerated {}

/** The backend commands invoke accepts: the generated list, or any "backend.<name>" without one. */
type WardenBackendCommand = WardenGenerated extends { backendCommands: true }
  ? Extract<keyof WardenBackendCommands, string>
  : `backend.${string}`;

/**
 * Error codes a rejected {@link WardenAPI.invoke} can carry.
 *
 * Denials (the core refused the request before any capability ran):
 * "empty", "too_large", "unsealed", "malformed", "wrong_plugin",
 * "wrong_launch", "tampered", "replay", "seq_order", "rate_limited",
 * "too_many_in_flight", "unknown_command", "not_declared", "above_ceiling",
 * "not_granted", "out_of_scope", "bad_path", "bad_args", "backend_only",
 * "not_from_backend", "stopped", "unknown_permission", "redirect_denied",
 * "not_exported" (messaging.call named a command the other plugin does not
 * export), "no_user_gesture" (clipboard.read, a file dialog or
 * permissions.request without the user's own click or key press in the
 * window just before).
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
  | 'not_exported'
  | 'no_user_gesture'
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
   * Sends one of the core's capabilities to the Warden core and resolves
   * with its result, typed by {@link WardenCommands}.
   *
   * args must survive the structured clone algorithm and is sent as JSON.
   * Every call passes the isolation hook and the core's permission check;
   * a refusal or failure rejects with a {@link WardenError}. Requests made
   * while the page is still loading are queued until the isolation frame
   * is ready.
   */
  invoke<K extends keyof WardenCommands>(cmd: K, ...args: WardenArgs<K>): Promise<WardenCommands[K]['result']>;

  /**
   * Calls one of the plugin's backend exports ("backend.<name>"), or a
   * command of the application embedding Warden ("app.<name>"), as the
   * invoke above. Their arguments are the backend's to check, and the
   * result type T is the caller's assertion; nothing checks it at run
   * time. Calling without args sends none (a Go handler gets its
   * argument's zero value).
   */
  invoke<T = unknown>(cmd: WardenBackendCommand | `app.${string}`, args?: unknown): Promise<T>;

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
