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
wcmd="${xvfb}go test -run '^\$' -bench 'HandlerRoundTrip|HandlerThroughput|InvokeRoundTrip|InvokeThroughput|ColdStart' -benchtime ${WEBVIEW_BENCHTIME:-9000x} -count $count ./host/webview/ ./cmd/warden/"
# Twenty plugins on one core (BenchmarkScale): each size once per count.
scount=${SCALE_COUNT:-1}
scmd="${xvfb}go test -run '^\$' -bench 'Scale' -benchtime ${SCALE_BENCHTIME:-2000x} -count $scount ./cmd/warden/"
# Faults under load (BenchmarkChaos): CHAOS=5m by default, CHAOS=0 skips it.
chaos=${CHAOS:-5m}
ccmd="${xvfb}env WARDEN_CHAOS=$chaos go test -run '^\$' -bench 'Chaos' -benchtime 1x -count 1 -timeout 60m ./cmd/warden/"
# The peers, in their own module (bench/peers), in the same run.
pcmd="cd bench/peers && ${xvfb}go test -run '^\$' -bench . -benchtime ${PEERS_BENCHTIME:-3000x} -count $count"
if [ "${1:-}" = "--from" ]; then
  # Summarise the output of an earlier run of the same commands.
  cp "$2" "$raw"
else
  echo "bench: $cmd" >&2
  eval "$cmd" | tee "$raw" >&2
  echo "bench: $wcmd" >&2
  eval "$wcmd" | tee -a "$raw" >&2
  echo "bench: $scmd" >&2
  eval "$scmd" | tee -a "$raw" >&2
  echo "bench: $pcmd" >&2
  (eval "$pcmd") | tee -a "$raw" >&2
  if [ "$chaos" != "0" ]; then
    echo "bench: $ccmd" >&2
    eval "$ccmd" 2>&1 | tee -a "$raw" >&2
  fi
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
# Issue 13: the floor's p99 and throughput, the spare, the scale and the peers.
floorp99=$(median BenchmarkHandlerRoundTrip p99-ns/roundtrip)
floortp=$(median BenchmarkHandlerThroughput invokes/s)
floorui=$(median BenchmarkHandlerThroughput ui-cpu-us/roundtrip)
floorweb=$(median BenchmarkHandlerThroughput web-cpu-us/roundtrip)
tpcore=$(median BenchmarkInvokeThroughput core-cpu-us/invoke)
tppage=$(median BenchmarkInvokeThroughput page-cpu-us/invoke)
coldspare=$(median BenchmarkColdStartSpare median-ns/start)
wmed=$(median BenchmarkWailsRoundTrip median-ns/call)
wp99=$(median BenchmarkWailsRoundTrip p99-ns/call)
wtp=$(median BenchmarkWailsThroughput invokes/s)
wopen=$(median BenchmarkWailsOpen median-ns/open)
wpss=$(median BenchmarkWailsOpen Pss-MB)
gmed=$(median BenchmarkGoPluginRoundTrip median-ns/call)
gp99=$(median BenchmarkGoPluginRoundTrip p99-ns/call)
gtp=$(median BenchmarkGoPluginThroughput invokes/s)
# ratio A B: A/B as "1.2x"
ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2fx", a/b }'; }
num() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else printf "%.0f", v }'; }
scale_rows=""
for n in 1 5 10 20; do
  b="BenchmarkScale/plugins=$n"
  r=$(median "$b" ready-ms)
  [ "$r" = "n/a" ] && continue
  scale_rows="$scale_rows| $n | $(num "$r") ms | $(num "$(median "$b" total-Pss-MB)") MB | $(num "$(median "$b" core-Pss-MB)") MB | $(median "$b" private-MB/plugin) MB (webview $(median "$b" webview-private-MB/plugin), web $(median "$b" web-private-MB/plugin), network $(median "$b" network-private-MB/plugin)) | $(median "$b" Pss-MB/plugin) MB | $(us "$(median "$b" median-ns/invoke)") / $(us "$(median "$b" p99-ns/invoke)") | $(num "$(median "$b" window-cpu-ms/plugin)") ms + $(num "$(median "$b" core-cpu-ms/plugin)") ms |
"
done
s20="BenchmarkScale/plugins=20"
chaos_log=$(grep -m1 'under chaos:' "$raw" | sed 's/^ *bench_chaos_test.go:[0-9]*: //' || true)
ratio=$(awk -v a="$compcold" -v b="$cached" 'BEGIN { if (b > 0) printf "%.0fx", a/b; else print "n/a" }')
ovhfloor=$(awk -v o="$ovh" -v f="$floor" 'BEGIN { if (f > 0) printf "%.1f%%", 100*o/f; else print "n/a" }')

cat > bench/RESULTS.md <<MD
# Benchmark results

Made by \`bash bench/run.sh\` (COUNT=$count, BENCHTIME=$benchtime, WEBVIEW_BENCHTIME=${WEBVIEW_BENCHTIME:-9000x}) on $(date -u +%Y-%m-%d),
$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(go version | cut -d' ' -f3).
The commands it ran:

\`\`\`
$cmd
$wcmd
$scmd
$pcmd
$ccmd
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

## Twenty plugins on one core (issue 13)

\`BenchmarkScale\`: N copies of the hello example installed and opened by one
core, as \`warden run --all\` does. "Private" is a process's private pages
(Private_Clean + Private_Dirty of smaps_rollup): what one more plugin costs;
"Pss" shares what processes share. The round trip is one plugin's while the
others idle.

| plugins | all ready | Pss of every process | core's Pss | private per plugin | Pss per plugin (core excluded) | one plugin's invoke, median / p99 | CPU to open one: its processes + the core |
|---|---|---|---|---|---|---|---|
$scale_rows
## Warden and its peers, same run (issue 13)

The floor is the bare WebKitGTK with-reply message handler (\`host/webview\`);
Wails v2.9.2 calls one bound method from its page; hashicorp/go-plugin v1.8.0
makes one net/rpc call to a plugin process (no webview: it is the floor of
process-per-plugin RPC in Go). See \`bench/peers/README.md\`.

| what | Warden | floor | Wails v2 | go-plugin | Warden / floor | Wails / floor |
|---|---|---|---|---|---|---|
| invoke round trip, median | $(us "$full") | $(us "$floorw") | $(us "$wmed") | $(us "$gmed") | $(ratio2 "$full" "$floorw") | $(ratio2 "$wmed" "$floorw") |
| invoke round trip, p99 | $(us "$fullp99") | $(us "$floorp99") | $(us "$wp99") | $(us "$gp99") | $(ratio2 "$fullp99" "$floorp99") | $(ratio2 "$wp99" "$floorp99") |
| invokes/s, 32 in flight | $(num "$tp32") | $(num "$floortp") | $(num "$wtp") | $(num "$gtp") | $(ratio2 "$tp32" "$floortp") | $(ratio2 "$wtp" "$floortp") |
| CPU per invoke at 32 in flight | core $tpcore us + window's processes $tppage us | UI process $floorui us + web process $floorweb us | | | | |
| open a window to page ready | $(ms "$cold") (with a spare: $(ms "$coldspare")) | | $(ms "$wopen") | | | |
| Pss of one window's processes | $pssmb MB | | $wpss MB | | | |

Issue 13's goals, from this run:

| goal | result |
|---|---|
| one more plugin <= 40 MB private at 20 open | $(median "$s20" private-MB/plugin) MB |
| 20 open plugins <= 1 GB Pss in all | $(num "$(median "$s20" total-Pss-MB)") MB; $(num "$(median "$s20" idle-total-Pss-MB)") MB once their backends were idle for 33 s (the core then $(num "$(median "$s20" idle-core-Pss-MB)") MB) |
| 20 plugins all ready <= 2 s | $(num "$(median "$s20" ready-ms)") ms |
| open to ready <= 100 ms with the spare | $(ms "$coldspare") (without: $(ms "$cold")) |
| p99 <= 1.2x the floor's p99 | $(ratio2 "$fullp99" "$floorp99") |
| 32 in flight >= 28k/s | $(num "$tp32")/s (floor $(num "$floortp")/s) |

Where a goal is not met, \`bench/SCALE.md\` has the measured reason and the
experiment.

## Faults under load (issue 13)

\`BenchmarkChaos\`: five plugins (copies of hello) under continuous invoke
load from their pages while their webview processes are killed with SIGKILL
at random every 1 to 4 s. Lost: an invoke of a live page with no reply within
10 s; duplicated: a second reply message for one request reaching the page.

| what | result |
|---|---|
| replies (right) | $(num "$(median BenchmarkChaos replies)") |
| replies lost | $(num "$(median BenchmarkChaos lost)") |
| replies duplicated | $(num "$(median BenchmarkChaos duplicated)") |
| wrong replies | $(num "$(median BenchmarkChaos wrong)") |
| webview processes killed | $(num "$(median BenchmarkChaos kills)") |
| windows restarted | $(num "$(median BenchmarkChaos restarts)") |
| core RSS at the start / at the end / highest | $(median BenchmarkChaos core-RSS-start-MB) / $(median BenchmarkChaos core-RSS-end-MB) / $(median BenchmarkChaos core-RSS-max-MB) MB |

${chaos_log}

## Raw output

\`\`\`
$(grep -E '^(Benchmark|goos|goarch|pkg|cpu|ok)' "$raw")
\`\`\`
MD
echo "bench: wrote bench/RESULTS.md" >&2
