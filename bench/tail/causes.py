#!/usr/bin/env python3
"""Lists the slow round trips of a traced run with what ran meanwhile.

Input: the trace of segments.py and `perf sched timehist -w` of a
`perf sched record -k CLOCK_MONOTONIC` taken during the same run (both clocks
are CLOCK_MONOTONIC). For each round trip of at least MIN_US it prints the
total, its slowest segment, whether an audit flush (trace events A0..A1)
overlapped it, the longest wait of a woken thread for a CPU (perf's
"sch delay", in ms) and every other run of 150 us or more in between.

Usage: causes.py TRACE TIMEHIST MIN_US
"""
import collections
import sys

import segments


def main():
    trace, timehist, min_us = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ev = collections.defaultdict(dict)
    flushes, a0 = [], None
    for line in open(trace, errors="replace"):
        if not line.startswith("T "):
            continue
        p = line.split()
        if len(p) != 4 or p[1] == "C0":
            continue
        if p[1] == "A0":
            a0 = int(p[3])
        elif p[1] == "A1" and a0 is not None:
            flushes.append((a0, int(p[3])))
        else:
            ev[int(p[2])][p[1]] = int(p[3])
    runs = []  # (start, end, task, cpu, sched delay ms)
    for line in open(timehist, errors="replace"):
        p = line.split()
        if len(p) < 6:
            continue
        try:
            t, run, delay = float(p[0]), float(p[-1]), float(p[-2])
        except ValueError:
            continue
        end = int(t * 1e6)
        runs.append((end - int(run * 1000), end, p[2], p[1], delay))
    runs.sort()
    lo, hi = runs[0][0], runs[-1][1]
    ids = sorted(i for i in ev if all(k in ev[i] for k in ("E1", "C1", "C2", "C3", "E2", "E3")))
    causes = collections.Counter()
    for a, b in zip(ids, ids[1:]):
        if b != a + 1 or "E1" not in ev[b]:
            continue
        e, n = ev[a], ev[b]
        s, t = e["E1"], n["E1"]
        if s < lo or t > hi or t - s < min_us:
            continue
        seg = next(segments.rows({a: e, b: n}))
        del seg["total"]
        slow = max(seg, key=seg.get)
        causes[slow] += 1
        audit = any(x < t and y > s for x, y in flushes)
        others = [(r[2], r[1] - r[0]) for r in runs if r[0] < t and r[1] > s and r[1] - r[0] >= 150 and not r[2].startswith("<idle")]
        delay = max([r[4] for r in runs if s < r[1] < t + 100] or [0])
        print(t - s, slow, seg[slow], "audit" if audit else "-", "sch-delay %.3f" % delay, others)
    print("slowest segment:", dict(causes))


if __name__ == "__main__":
    main()
