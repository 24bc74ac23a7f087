#!/usr/bin/env bash
# Compares the webview invoke benchmarks of an earlier commit (A) with the
# working tree (B) on this machine, alternating A and B so that both see
# the same machine load, and prints the medians. The shared VM drifts by
# tens of percent between hours; only such interleaved runs compare two
# builds fairly.
# Usage: bash bench/ab.sh <rev> [rounds]   (default 3 rounds)
# AB_BENCHTIME (default 3000x) sets the invokes per benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
rev=${1:?usage: bench/ab.sh <rev> [rounds]}
rounds=${2:-3}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/a" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q "$tmp/a" "$rev"
(cd "$tmp/a" && go test -c -o "$tmp/a.test" ./cmd/warden/)
go test -c -o "$tmp/b.test" ./cmd/warden/
xvfb=""
[ -n "${DISPLAY:-}" ] || xvfb="xvfb-run -a -s '-screen 0 1280x720x24'"
for i in $(seq "$rounds"); do
  for v in a b; do
    # Each test binary runs in its own tree: it builds the webview
    # program there, so A's windows run A's webview code.
    dir=$([ "$v" = a ] && echo "$tmp/a/cmd/warden" || echo cmd/warden)
    line=$(cd "$dir" && eval "$xvfb" "$tmp/$v.test" -test.run "'^\$'" -test.bench "'InvokeRoundTrip\$|InvokeThroughput'" -test.benchtime "${AB_BENCHTIME:-3000x}" 2>/dev/null |
      awk '{ for (i = 1; i < NF; i++) v[$(i+1)] = $i }
           END { printf "%.0f us median invoke, p99 %.0f us; 32 in flight: %d invokes/s, CPU per invoke %.1f us core + %.1f us window",
                 v["median-ns/invoke"]/1000, v["p99-ns/invoke"]/1000, v["invokes/s"], v["core-cpu-us/invoke"], v["page-cpu-us/invoke"] }')
    name=$([ "$v" = a ] && echo "A $rev" || echo "B working tree")
    echo "round $i  $name: $line"
  done
done
