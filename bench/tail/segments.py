#!/usr/bin/env python3
"""Splits each invoke round trip of a traced run into its segments.

Input: the output of a BenchmarkInvokeRoundTrip run with bench/tail/trace.patch
applied and WARDEN_TRACE=1 (lines "T <event> <frame id> <CLOCK_MONOTONIC us>").
Events: E1 the web process extension sends an envelope; C1 the core has read
it; C2 the core is about to write the reply; C3 it has written it; E2 the
extension has read the reply; E3 the isolation frame's callback returned.

Segments of one round trip (from one E1 to the next):
  tx   E1 -> C1  socket, and the core's reader waking up
  core C1 -> C2  open, decide, WASM call, audit entry, reply encoding
  send C2 -> C3  the core's write
  rx   C3 -> E2  socket, and the web process's main loop waking up
  cb   E2 -> E3  the extension's callback: channel.js posts the reply to the page
  js   E3 -> E1' the page gets the reply, awaits, invokes again, the isolation
                 frame gets the request, runs the hook, seals and sends it

Usage: segments.py TRACE
"""
import collections
import sys


def load(path):
    ev = collections.defaultdict(dict)
    for line in open(path, errors="replace"):
        if not line.startswith("T "):
            continue
        p = line.split()
        if len(p) != 4 or p[1] in ("C0", "A0", "A1"):
            continue
        ev[int(p[2])][p[1]] = int(p[3])
    return ev


def rows(ev):
    ids = sorted(i for i in ev if all(k in ev[i] for k in ("E1", "C1", "C2", "C3", "E2", "E3")))
    for a, b in zip(ids, ids[1:]):
        if b != a + 1 or "E1" not in ev[b]:
            continue
        e, n = ev[a], ev[b]
        yield {"tx": e["C1"] - e["E1"], "core": e["C2"] - e["C1"], "send": e["C3"] - e["C2"],
               "rx": e["E2"] - e["C3"], "cb": e["E3"] - e["E2"], "js": n["E1"] - e["E3"],
               "total": n["E1"] - e["E1"]}


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * q))]


def main():
    rs = list(rows(load(sys.argv[1])))
    print("round trips", len(rs), "(us)")
    for k in ("tx", "core", "send", "rx", "cb", "js", "total"):
        v = [r[k] for r in rs]
        print(f"{k:6} median {pct(v, .5):6} p90 {pct(v, .9):6} p99 {pct(v, .99):6} max {max(v):6}")


if __name__ == "__main__":
    main()
