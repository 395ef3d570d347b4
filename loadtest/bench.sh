#!/usr/bin/env bash
# The standard benchmark set (docs/PERFORMANCE.md): a fresh gateway on this machine with its durable
# journal, a generated data set, then health and pharmacy-sale in a closed loop, back to back, and the
# ratios between them. Everything it writes goes to OUT (default /tmp/gongji-bench).
#   loadtest/bench.sh [OUT]        env: PEOPLE (10000), CONCURRENCY (64), DURATION (20), WARMUP (10), PORT (19390)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/gongji-bench}"
people="${PEOPLE:-10000}"
concurrency="${CONCURRENCY:-64}"
seconds="${DURATION:-20}"
warmup="${WARMUP:-10}"
port="${PORT:-19390}"
target="127.0.0.1:$port"
mkdir -p "$out"
rm -rf "$out/data"

"$root/gongji" loadtest help > /dev/null   # builds what is missing
java -Xms1g -Xmx1g -jar "$root/server/target/gongji-server-0.1.0-SNAPSHOT-all.jar" serve --port "$port" \
  --metrics-port -1 --data-dir "$out/data" --auth-required false --admin-port -1 > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; wait "$server" 2> /dev/null || true' EXIT
for _ in $(seq 1 300); do
  grep -q "listening on" "$out/server.log" && break
  kill -0 "$server" || { cat "$out/server.log"; exit 1; }
  sleep 0.2
done

run() {
  "$root/gongji" loadtest run --target "$target" --seed 42 --data-tag bench --people "$people" "$@"
}

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The data set, created once (the smoke run is audited, the measured runs below are too).
run --scenario identify --concurrency 8 --warmup 0 --duration 1 > "$out/setup.txt"
tail -n 3 "$out/setup.txt"
for scenario in health pharmacy-sale; do
  echo "== $scenario, closed loop, $concurrency in flight, $seconds s after $warmup s of warm-up"
  run --no-setup --scenario "$scenario" --concurrency "$concurrency" --warmup "$warmup" --duration "$seconds" \
    --server-pid "$server" --report-json "$out/$scenario.json" --report-html "$out/$scenario.html" \
    | grep -v '^\[' | tee "$out/$scenario.txt"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
jq -rn --slurpfile h "$out/health.json" --slurpfile s "$out/pharmacy-sale.json" '
  "health:        \($h[0].throughput_rps | floor) RPC/s, server \($h[0].server.cpu_us_per_rpc * 10 | floor / 10) us CPU per RPC, p99 \($h[0].latency_us.p99) us",
  "pharmacy-sale: \($s[0].throughput_rps | floor) RPC/s (\($s[0].scenarios_per_s | floor) sales/s), server \($s[0].server.cpu_us_per_rpc * 10 | floor / 10) us CPU per RPC, p99 \($s[0].latency_us.p99) us",
  "sale RPC rate / health RPC rate: \(($s[0].throughput_rps / $h[0].throughput_rps * 100) | floor)%",
  "server CPU per sale RPC / per health RPC: \(($s[0].server.cpu_us_per_rpc / $h[0].server.cpu_us_per_rpc * 100 | floor) / 100)x"'
