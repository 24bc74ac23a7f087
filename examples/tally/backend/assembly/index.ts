// The backend of Tally: the count lives in the plugin's storage, so it
// survives restarts and backend swaps.

import { fail, input, output, storageGet, storageSet } from "./warden";

const KEY = "count";

function current(): i64 {
  const v = storageGet(KEY);
  return v == null ? 0 : I64.parseInt(v);
}

// count takes no arguments and returns the count.
export function count(): i32 {
  output(current().toString());
  return 0;
}

// add takes a whole number from -1000 to 1000 and returns the new count.
export function add(): i32 {
  const arg = input().trim();
  const delta = I64.parseInt(arg.length ? arg : "1");
  if (delta.toString() != (arg.length ? arg : "1") || delta < -1000 || delta > 1000) {
    return fail("add takes a whole number from -1000 to 1000, got " + arg);
  }
  const next = current() + delta;
  storageSet(KEY, next.toString());
  output(next.toString());
  return 0;
}
