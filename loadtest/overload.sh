#!/usr/bin/env bash
# The overload benchmark (docs/PERFORMANCE.md): a fresh gateway with its durable journal and its audit
# log, a generated data set, the pharmacy sale in a closed loop to find the saturation rate, then an open
# loop at twice that rate. The gateway must shed (RESOURCE_EXHAUSTED, reason OVERLOADED, nothing applied:
# the load generator's audit of every account passes) instead of queueing; the admitted calls' p99 is
# reported. The load generator's few connections stand for thousands of terminals, each with a
# connection and a stream limit of its own: the gateway's per-connection limit is raised
# (CALLS_PER_CONNECTION) so that the calls reach the gateway's global bound (MAX_IN_FLIGHT) instead of
# waiting in the client for a stream, where no server can shed them. For the same reason the stream resets a
# connection may send a minute are raised (RST_PER_MINUTE): each call a client gives up on at its deadline is
# a reset, and the gateway's default (600 a minute, against rapid-reset floods) is sized for one terminal's
# connection; over it the connection is closed, and every call on it fails UNAVAILABLE with its outcome unknown.
# Next to the client's figures it prints the server's own of the calls it admitted (from a call taking
# its place in flight to its reply: gongji_admission_held_seconds, read from the gateway's /metrics at
# the start and the end of the measured window), which the load generator's lag on the same cores does
# not reach.
# Everything it writes goes to OUT (default /tmp/gongji-overload).
#   loadtest/overload.sh [OUT]
#   env: PEOPLE (10000), CONCURRENCY (64), DURATION (20), WARMUP (5), FACTOR (2), PORT (19391),
#        METRICS_PORT (the gateway's /metrics, on 127.0.0.1; default PORT + 1),
#        QUEUE (the gateway's max.queued.commands; default: its own default), RPC_TIMEOUT_MS (5000),
#        MAX_IN_FLIGHT (admission.max.in.flight.calls; default: its own default),
#        CALLS_PER_CONNECTION (max.concurrent.calls.per.connection, 20000: the load generator's --max-in-flight),
#        RST_PER_MINUTE (max.rst.frames.per.minute, 1000000), TARGET_HELD_MS (admission.target.held.ms; default:
#        its own default),
#        SERVER_CPUS, LOAD_CPUS (taskset CPU lists, e.g. 1 and 0: the gateway and the load generator each kept
#        to cores of their own, so that the admitted calls' time is the gateway's, not a wait for a core
#        the load generator holds; default: both run anywhere)
# Bounded: each run is killed after its warm-up and duration plus 120 s.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/gongji-overload}"
people="${PEOPLE:-10000}"
concurrency="${CONCURRENCY:-64}"
seconds="${DURATION:-20}"
warmup="${WARMUP:-5}"
factor="${FACTOR:-2}"
port="${PORT:-19391}"
metrics_port="${METRICS_PORT:-$((port + 1))}"
timeout_ms="${RPC_TIMEOUT_MS:-5000}"
limits=(--max-concurrent-calls-per-connection "${CALLS_PER_CONNECTION:-20000}" --max-rst-frames-per-minute "${RST_PER_MINUTE:-1000000}")
if [[ -n "${MAX_IN_FLIGHT:-}" ]]; then
  limits+=(--admission-max-in-flight-calls "$MAX_IN_FLIGHT")
fi
if [[ -n "${TARGET_HELD_MS:-}" ]]; then
  limits+=(--admission-target-held-ms "$TARGET_HELD_MS")
fi
target="127.0.0.1:$port"
pin_server=()
pin_load=()
[[ -z "${SERVER_CPUS:-}" ]] || pin_server=(taskset -c "$SERVER_CPUS")
[[ -z "${LOAD_CPUS:-}" ]] || pin_load=(taskset -c "$LOAD_CPUS")
mkdir -p "$out"
rm -rf "$out/data"

"$root/gongji" loadtest help > /dev/null   # builds what is missing
# Copies, so that a rebuild while it runs changes nothing under it.
cp "$root/server/target/gongji-server-0.1.0-SNAPSHOT-all.jar" "$root/loadtest/target/gongji-loadtest-0.1.0-SNAPSHOT-all.jar" "$out/"
# The gateway's and the generator's own flags (server/jvm.options, loadtest/jvm.options), as ./gongji gives them.
mapfile -t serve_opts < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$root/server/jvm.options")
mapfile -t loadtest_opts < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$root/loadtest/jvm.options")
start() {
  "${pin_server[@]}" java "${serve_opts[@]}" -Xms1g -Xmx1g -jar "$out/gongji-server-0.1.0-SNAPSHOT-all.jar" serve \
    --port "$port" --metrics-port "$metrics_port" --data-dir "$out/data" --auth-required false --admin-port -1 "${limits[@]}" "$@" \
    >> "$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    [[ "$(grep -c "listening on" "$out/server.log" || true)" -ge "$starts" ]] && return
    kill -0 "$server" || { cat "$out/server.log"; exit 1; }
    sleep 0.2
  done
}
rm -f "$out/server.log"
server=
trap '[[ -z "$server" ]] || { kill "$server" 2> /dev/null; wait "$server" 2> /dev/null || true; }' EXIT
starts=1
start

run() {
  local bound="$1"
  shift
  timeout --kill-after=5 "$bound" "${pin_load[@]}" java "${loadtest_opts[@]}" -jar "$out/gongji-loadtest-0.1.0-SNAPSHOT-all.jar" run --target "$target" --seed 42 --data-tag overload \
    --people "$people" --server-metrics "http://127.0.0.1:$metrics_port/metrics" "$@"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The set-up is not measured: a loaded machine gets 60 s a call.
run 600 --scenario identify --concurrency 8 --warmup 0 --duration 1 --rpc-timeout-ms 60000 > "$out/setup.txt"
if [[ -n "${QUEUE:-}" ]]; then
  # The set-up's bulk credits would be shed by a short queue: made on the default one, then a restart.
  kill "$server"
  wait "$server" || true
  starts=2
  start --max-queued-commands "$QUEUE"
fi
echo "== saturation: pharmacy-sale, closed loop, $concurrency in flight, $seconds s (load average $(loadavg))"
run $((warmup + seconds + 120)) --no-setup --scenario pharmacy-sale --concurrency "$concurrency" --warmup "$warmup" \
  --duration "$seconds" --rpc-timeout-ms "$timeout_ms" --server-pid "$server" --report-json "$out/saturation.json" > "$out/saturation.txt" || true
sales=$(jq -r '.scenarios_per_s | floor' "$out/saturation.json")
rate=$((sales * factor))
echo "== overload: pharmacy-sale, open loop at $rate sales/s ($factor x $sales), $seconds s (load average $(loadavg))"
status=0
run $((warmup + seconds + 120)) --no-setup --scenario pharmacy-sale --rate "$rate" --warmup "$warmup" \
  --duration "$seconds" --rpc-timeout-ms "$timeout_ms" --server-pid "$server" --report-json "$out/overload.json" > "$out/overload.txt" || status=$?
echo "== load average after: $(loadavg); load generator exit status $status (0: audit passed, objectives met)"
kill -0 "$server" && echo "server: alive"
jq -rn --slurpfile s "$out/saturation.json" --slurpfile o "$out/overload.json" '
  def server: if .server_admitted then "server side, admitted calls: p50/p99/max \(.server_admitted.p50_ms * 1000 | round / 1000)/\(.server_admitted.p99_ms * 1000 | round / 1000)/<=\(.server_admitted.max_ms_at_most * 1000 | round / 1000) ms (\(.server_admitted.count) calls)" else "server side: no figures (its /metrics did not answer)" end;
  "saturation: \($s[0].scenarios_per_s | floor) sales/s, \($s[0].throughput_rps | floor) RPC/s, p99 \($s[0].latency_us.p99 / 1000) ms",
  "            \($s[0] | server)",
  "overload:   offered \($o[0].rate_target) sales/s; answered \($o[0].throughput_rps | floor) RPC/s, OK \($o[0].latency_ok_us.count / $o[0].duration_s | floor) RPC/s (\($o[0].latency_ok_us.count) in \($o[0].duration_s | floor) s)",
  "            errors by code \($o[0].errors.by_code), by reason \($o[0].errors.by_reason)",
  "            p50/p99/p99.9 of OK RPCs \($o[0].latency_ok_us.p50 / 1000)/\($o[0].latency_ok_us.p99 / 1000)/\($o[0].latency_ok_us.p999 / 1000) ms; of all \($o[0].latency_us.p99 / 1000) ms (p99)",
  "            \($o[0] | server)",
  "            audit_ok \($o[0].audit_ok) (sales \($o[0].audit.sales), looked up \($o[0].audit.resolved_by_request_id)), server RSS \($o[0].server.rss_mb) MB"'
grep -E "shed|dropped|SEVERE" "$out/server.log" | head -5 || true
