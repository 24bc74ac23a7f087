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

/** Warden's abort handler; asconfig.json names it with "use": ["abort=..."]. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  const text = (message ? message : "abort") + " at " + (file ? file : "?") + ":" + line.toString() + ":" + column.toString();
  error_set(Memory.allocateString(text).offset);
  unreachable();
}
