#!/usr/bin/env bash
# Runs the core's benchmarks in one `go test -bench` run and writes
# bench/RESULTS.md: a summary against the targets, then the raw output.
# COUNT (default 5) repeats each benchmark; the summary takes the median.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

count=${COUNT:-5}
benchtime=${BENCHTIME:-2s}
cmd="go test -run '^\$' -bench 'RawExtismCall|ModuleCall\$|Compile|Invoke|MediatorOverhead|Open\$|Decide' -benchmem -benchtime $benchtime -count $count ./host/ ./host/backend/ ./isolation/ ./permissions/"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# The webview benchmarks open real WebKitGTK windows: under Xvfb when
# there is no display.
xvfb=""
[ -n "${DISPLAY:-}" ] || xvfb="xvfb-run -a -s '-screen 0 1280x720x24' "
wcmd="${xvfb}go test -run '^\$' -bench 'HandlerRoundTrip|InvokeRoundTrip|InvokeThroughput|ColdStart' -benchtime ${WEBVIEW_BENCHTIME:-3000x} -count $count ./host/webview/ ./cmd/warden/"
if [ "${1:-}" = "--from" ]; then
  # Summarise the output of an earlier run of the same commands.
  cp "$2" "$raw"
else
  echo "bench: $cmd" >&2
  eval "$cmd" | tee "$raw" >&2
  echo "bench: $wcmd" >&2
  eval "$wcmd" | tee -a "$raw" >&2
fi

# A benchmark's result line can be split when a child process writes to
# the terminal between its name and its numbers: join them again.
awk '/^Benchmark/ && !/ns\/op/ { held = $0; next }
     held != "" && /ns\/op/ { print held $0; held = ""; next }
     { print }' "$raw" > "$raw.joined" && mv "$raw.joined" "$raw"

# median NAME FIELD: the median of the value before unit FIELD over all
# lines of benchmark NAME.
median() {
  awk -v name="$1" -v unit="$2" '
    $1 ~ "^"name"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == unit) print $i }' "$raw" |
    sort -g | awk '{ v[n++] = $1 } END { if (n == 0) print "n/a"; else print v[int((n-1)/2)] }'
}
us() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else printf "%.1f us", v/1000 }'; }
ms() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else printf "%.0f ms", v/1e6 }'; }

floor=$(median BenchmarkRawExtismCall ns/op)
modcall=$(median BenchmarkModuleCall ns/op)
get=$(median BenchmarkInvokeStorageGet ns/op)
greet=$(median BenchmarkInvokeGreet ns/op)
ovh=$(median BenchmarkMediatorOverhead overhead-ns)
ovhpct=$(median BenchmarkMediatorOverhead overhead-%)
invmed=$(median BenchmarkMediatorOverhead invoke-median-ns)
callmed=$(median BenchmarkMediatorOverhead call-median-ns)
tp2=$(median 'BenchmarkInvokeGreetParallel/callers=2' invokes/s)
tp8=$(median 'BenchmarkInvokeGreetParallel/callers=8' invokes/s)
compcold=$(median BenchmarkCompileCold ns/op)
cached=$(median BenchmarkCompileCached ns/op)
open=$(median BenchmarkOpen ns/op)
floorw=$(median BenchmarkHandlerRoundTrip median-ns/roundtrip)
full=$(median BenchmarkInvokeRoundTrip median-ns/invoke)
relayed=$(median BenchmarkInvokeRoundTripRelayed median-ns/invoke)
fullp99=$(median BenchmarkInvokeRoundTrip p99-ns/invoke)
tp32=$(median BenchmarkInvokeThroughput invokes/s)
cold=$(median BenchmarkColdStart median-ns/start)
pssmb=$(median BenchmarkColdStart Pss-MB)
fullx=$(awk -v a="$full" -v b="$floorw" 'BEGIN { if (b > 0) printf "%.1fx", a/b; else print "n/a" }')
ratio=$(awk -v a="$compcold" -v b="$cached" 'BEGIN { if (b > 0) printf "%.0fx", a/b; else print "n/a" }')
ovhfloor=$(awk -v o="$ovh" -v f="$floor" 'BEGIN { if (f > 0) printf "%.1f%%", 100*o/f; else print "n/a" }')

cat > bench/RESULTS.md <<MD
# Benchmark results

Made by \`bash bench/run.sh\` (COUNT=$count, BENCHTIME=$benchtime, WEBVIEW_BENCHTIME=${WEBVIEW_BENCHTIME:-3000x}) on $(date -u +%Y-%m-%d),
$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(go version | cut -d' ' -f3).
The commands it ran:

\`\`\`
$cmd
$wcmd
\`\`\`

Each figure below is the median over the $count runs. The machine is a shared VM:
single runs vary by up to 50%, so compare medians, and rerun before drawing conclusions.

## Invoke path (issue 2, acceptance 5)

| what | result | target |
|---|---|---|
| raw Extism SDK call of hello's \`greet\` (the floor) | $(us "$floor") | |
| pooled \`Module.Call\` of \`greet\` (no mediator) | $(us "$modcall") | |
| sealed invoke through the mediator to \`storage.get\` | $(us "$get") | |
| sealed invoke through the mediator to \`backend.greet\` | $(us "$greet") | |
| mediator's own cost, median (invoke median $(us "$invmed") minus pooled call median $(us "$callmed")) | $(us "$ovh") | <= 3 us |
| mediator's own cost over the pooled call | ${ovhpct}% | <= 15% |
| mediator's own cost over the raw Extism call | $ovhfloor | <= 15% |
| throughput, 2 callers | $tp2 invokes/s | >= 25,000 |
| throughput, 8 callers | $tp8 invokes/s | >= 25,000 |
| \`isolation.Opener.Open\` alone | $(us "$open") | |

The mediator's own cost is measured by interleaving, in one loop, a sealed
\`backend.greet\` invoke (open, decide, dispatch, audit, reply encoding) with a
direct pooled call of the same export, and taking the difference of the medians.

## Compilation cache (issue 2, acceptance 6)

| what | result |
|---|---|
| cold compile of the hello backend (empty cache) | $(ms "$compcold") |
| load from the on-disk cache (new engine, warm cache) | $(ms "$cached") |
| cached vs cold | $ratio faster (target >= 10x) |

## Webview path (issue 3, acceptance 6)

Real WebKitGTK windows under Xvfb, timed on the Go side with the monotonic clock.

| what | result | target |
|---|---|---|
| bare WebKitGTK with-reply message handler round trip (the floor), median | $(us "$floorw") | |
| full \`warden.invoke("backend.greet")\` from the page (bridge, isolation iframe, hook, seal, web extension's channel, core, WASM, back), median | $(us "$full") (p99 $(us "$fullp99")) | <= 500 us |
| the same with the webview process relaying envelopes (no web extension), median | $(us "$relayed") | |
| full invoke over the floor | $fullx | <= 2x |
| throughput with 32 invokes in flight, one plugin | $tp32 invokes/s | >= 5,000 |
| cold start, spawn to page loaded, median | $(ms "$cold") | <= 600 ms |
| proportional memory of one plugin's processes (webview process + WebKit's), median | $pssmb MB | <= 200 MB |

The full invoke is the gap between two consecutive audit entries (stamped by
the core) while the page awaits one invoke after the other.

## Raw output

\`\`\`
$(grep -E '^(Benchmark|goos|goarch|pkg|cpu|ok)' "$raw")
\`\`\`
MD
echo "bench: wrote bench/RESULTS.md" >&2
