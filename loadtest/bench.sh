#!/usr/bin/env bash
# The standard benchmark set (docs/PERFORMANCE.md): a fresh gateway on this machine with its durable
# journal, a generated data set, both paths warmed up, then health and pharmacy-sale in a closed loop,
# back to back, and the ratios between them. Everything it writes goes to OUT (default /tmp/gongji-bench).
#   loadtest/bench.sh [OUT]
#   env: PEOPLE (10000), CONCURRENCY (64), DURATION (20), WARMUP (10), PREWARM (5), PORT (19390),
#        PROFILE (0; 1: a JFR recording of the server over each measured window, and its top frames;
#                 perf: a Linux perf recording of it, kernel and JIT frames included: OUT/SCENARIO.perf.data
#                 with the JIT's symbols in /tmp/perf-PID.map, read with perf report -i),
#        SERVER_OPTS (extra JVM flags for the gateway)
# Bounded: each run is killed after its warm-up and duration plus 60 s.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/gongji-bench}"
people="${PEOPLE:-10000}"
concurrency="${CONCURRENCY:-64}"
seconds="${DURATION:-20}"
warmup="${WARMUP:-10}"
prewarm="${PREWARM:-5}"
port="${PORT:-19390}"
profile="${PROFILE:-0}"
target="127.0.0.1:$port"
loadtest_jar="$root/loadtest/target/gongji-loadtest-0.1.0-SNAPSHOT-all.jar"
mkdir -p "$out"
rm -rf "$out/data" "$out"/*.jfr "$out"/*.perf.data

"$root/gongji" loadtest help > /dev/null   # builds what is missing
# A gateway that has served a while has touched its heap: without this, the first touch of each page
# of the young generation is a page fault on whichever thread allocates it (the event loops, mostly),
# and the path that allocates more pays more of them for as long as the run is young.
# The gateway's own flags first (server/jvm.options, as ./gongji serve gives them), then ours, then SERVER_OPTS.
server_opts="$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$root/server/jvm.options" | tr '\n' ' ')-XX:+AlwaysPreTouch ${SERVER_OPTS:-}"
if [[ "$profile" == 1 ]]; then
  # Without it, samples land on the wrong inlined method.
  server_opts="$server_opts -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
elif [[ "$profile" == perf ]]; then
  # perf walks Java stacks by frame pointers; the JIT's symbols are written at the end (jcmd Compiler.perfmap).
  server_opts="$server_opts -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
fi
# shellcheck disable=SC2086
java -Xms1g -Xmx1g $server_opts -jar "$root/server/target/gongji-server-0.1.0-SNAPSHOT-all.jar" serve \
  --port "$port" --metrics-port -1 --data-dir "$out/data" --auth-required false --admin-port -1 \
  > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; wait "$server" 2> /dev/null || true' EXIT
for _ in $(seq 1 300); do
  grep -q "listening on" "$out/server.log" && break
  kill -0 "$server" || { cat "$out/server.log"; exit 1; }
  sleep 0.2
done

run() {
  local bound="$1"
  shift
  timeout --kill-after=5 "$bound" "$root/gongji" loadtest run --target "$target" --seed 42 --data-tag bench \
    --people "$people" "$@"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== load average before: $(loadavg)"
# The data set, created once (the smoke run is audited, the measured runs below are too).
run 600 --scenario identify --concurrency 8 --warmup 0 --duration 1 > "$out/setup.txt"
tail -n 3 "$out/setup.txt"
# Both paths compiled before either is measured, so that the first measured run has no head start.
for scenario in pharmacy-sale health; do
  run $((prewarm + 60)) --no-setup --scenario "$scenario" --concurrency "$concurrency" --warmup 0 \
    --duration "$prewarm" > "$out/prewarm-$scenario.txt"
done
for scenario in health pharmacy-sale; do
  echo "== $scenario, closed loop, $concurrency in flight, $seconds s after $warmup s of warm-up (load average $(loadavg))"
  recorder=
  if [[ "$profile" == 1 ]]; then
    # The recording covers the measured window only; jcmd's own JVM starts during the warm-up.
    (sleep "$warmup" && jcmd "$server" JFR.start name="$scenario" settings=profile duration="${seconds}s" \
      filename="$out/$scenario.jfr" > /dev/null) &
    recorder=$!
  elif [[ "$profile" == perf ]]; then
    (sleep "$warmup" && perf record -e cpu-clock -F 997 -g -p "$server" -o "$out/$scenario.perf.data" -- sleep "$seconds" \
      > /dev/null 2>&1 && jcmd "$server" Compiler.perfmap > /dev/null) &
    recorder=$!
  fi
  run $((warmup + seconds + 60)) --no-setup --scenario "$scenario" --concurrency "$concurrency" --warmup "$warmup" \
    --duration "$seconds" --server-pid "$server" --report-json "$out/$scenario.json" \
    --report-html "$out/$scenario.html" | grep -v '^\[' | tee "$out/$scenario.txt"
  if [[ -n "$recorder" ]]; then
    wait "$recorder" || true
    if [[ "$profile" == 1 ]]; then
      sleep 2   # JFR writes the file when its duration is over
    fi
  fi
done
echo "== load average after: $(loadavg)"
jq -rn --slurpfile h "$out/health.json" --slurpfile s "$out/pharmacy-sale.json" '
  "health:        \($h[0].throughput_rps | floor) RPC/s, server \($h[0].server.cpu_us_per_rpc * 10 | floor / 10) us CPU per RPC, p99 \($h[0].latency_us.p99) us",
  "pharmacy-sale: \($s[0].throughput_rps | floor) RPC/s (\($s[0].scenarios_per_s | floor) sales/s), server \($s[0].server.cpu_us_per_rpc * 10 | floor / 10) us CPU per RPC, p99 \($s[0].latency_us.p99) us",
  "sale RPC rate / health RPC rate: \(($s[0].throughput_rps / $h[0].throughput_rps * 100) | floor)%",
  "server CPU per sale RPC / per health RPC: \(($s[0].server.cpu_us_per_rpc / $h[0].server.cpu_us_per_rpc * 100 | floor) / 100)x"'
if [[ "$profile" == perf ]]; then
  echo "== perf recordings: $out/health.perf.data, $out/pharmacy-sale.perf.data (perf report -i FILE --sort comm,sym)"
fi
if [[ "$profile" == 1 ]]; then
  for scenario in health pharmacy-sale; do
    [[ -f "$out/$scenario.jfr" ]] || { echo "== no recording for $scenario"; continue; }
    echo "== profile of the server, $scenario ($out/$scenario.jfr)"
    java -jar "$loadtest_jar" jfr-top "$out/$scenario.jfr" --top "${PROFILE_TOP:-25}" | tee "$out/$scenario-profile.txt"
  done
fi
