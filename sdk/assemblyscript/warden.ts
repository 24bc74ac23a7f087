// Warden's backend API for AssemblyScript, over @extism/as-pdk.
//
// A command is an exported function taking no arguments and returning an i32
// status (0 ok, 1 failed). Its input is the JSON the page passed to
// warden.invoke("backend.<command>", args); its output is JSON too:
//
//   import { input, output } from "./warden";
//   export function greet(): i32 {
//     output('{"hello":' + input() + '}');
//     return 0;
//   }
//
// Capabilities (storage, files, http, log, events) go through one host
// function, warden_call, that Warden checks against the plugin's permissions
// exactly like a call from its page. docs/backend-abi.md describes it for
// any Extism language.

import { Host, Memory } from "@extism/as-pdk";
import { error_set, free, length } from "@extism/as-pdk/lib/env";

@external("extism:host/user", "warden_call")
declare function warden_call(cmd: u64, args: u64): u64;

/** The command's input: the JSON text of the page's arguments ("" for none). */
export function input(): string {
  return Host.inputString();
}

/** Sets the command's output to json, a JSON text. */
export function output(json: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(json)));
}

/**
 * Fails the command with message, which reaches the page as the invoke's
 * error. Returns 1, the status to return: `return fail("no such note");`
 */
export function fail(message: string): i32 {
  error_set(Memory.allocateString(message).offset);
  return 1;
}

/**
 * Sends cmd (e.g. "storage.get") with args (a JSON text, e.g.
 * '{"key":"greetings"}') to Warden and returns its reply, a JSON text:
 * {"ok":true,"result":...} or {"ok":false,"error":{"code":"denied","message":"..."}}.
 */
export function call(cmd: string, args: string): string {
  const c = Memory.allocateString(cmd);
  const a = Memory.allocateString(args);
  const r = warden_call(c.offset, a.offset);
  c.free();
  a.free();
  if (r == 0) return "";
  const reply = new Memory(r, length(r)).toString();
  free(r);
  return reply;
}

/** Returns s as a JSON string literal, quotes and escapes included. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/**
 * Returns the value of the JSON string literal json (quotes included), or
 * null when json is not one.
 */
export function unquote(json: string): string | null {
  if (json.length < 2 || json.charCodeAt(0) != 0x22 || json.charCodeAt(json.length - 1) != 0x22) return null;
  let out = "";
  for (let i = 1; i < json.length - 1; i++) {
    const c = json.charCodeAt(i);
    if (c == 0x22) return null;
    if (c != 0x5c) {
      out += String.fromCharCode(c);
      continue;
    }
    i++;
    if (i >= json.length - 1) return null;
    const e = json.charCodeAt(i);
    if (e == 0x22) out += '"';
    else if (e == 0x5c) out += "\\";
    else if (e == 0x2f) out += "/";
    else if (e == 0x62) out += "\b";
    else if (e == 0x66) out += "\f";
    else if (e == 0x6e) out += "\n";
    else if (e == 0x72) out += "\r";
    else if (e == 0x74) out += "\t";
    else if (e == 0x75 && i + 4 < json.length - 1) {
      const code = I32.parseInt(json.substring(i + 1, i + 5), 16);
      if (isNaN<f64>(<f64>code)) return null;
      out += String.fromCharCode(code);
      i += 4;
    } else return null;
  }
  return out;
}

/**
 * Reads key from the plugin's storage ("storage" permission): its value, or
 * null when there is none. A refusal aborts the command with its reason.
 */
export function storageGet(key: string): string | null {
  const reply = call("storage.get", '{"key":' + quote(key) + "}");
  const found = reply.indexOf('"found":true') >= 0;
  if (!reply.startsWith('{"ok":true')) {
    abort("storage.get: " + reply, "warden.ts", 0, 0);
  }
  if (!found) return null;
  // The reply is {"ok":true,"result":{"value":"...","found":true}}.
  const at = reply.indexOf('"value":');
  if (at < 0) return null;
  let end = at + 9;
  while (end < reply.length && reply.charCodeAt(end) != 0x22) {
    end += reply.charCodeAt(end) == 0x5c ? 2 : 1;
  }
  return unquote(reply.substring(at + 8, end + 1));
}

/** Stores value under key ("storage" permission); a refusal aborts the command. */
export function storageSet(key: string, value: string): void {
  const reply = call("storage.set", '{"key":' + quote(key) + ',"value":' + quote(value) + "}");
  if (!reply.startsWith('{"ok":true')) {
    abort("storage.set: " + reply, "warden.ts", 0, 0);
  }
}

/** Warden's abort handler; asconfig.json names it with "use": ["abort=..."]. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  const text = (message ? message : "abort") + " at " + (file ? file : "?") + ":" + line.toString() + ":" + column.toString();
  error_set(Memory.allocateString(text).offset);
  unreachable();
}
