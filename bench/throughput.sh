#!/usr/bin/env bash
# Producer throughput on one embedded broker, in one run: KafkaDemo.Producer (signed), a bare
# Confluent.Kafka loop (no signing: the ceiling of our stack) and kcat -P (the native reference),
# all with acks=all, idempotence, linger.ms=5, batch.size=131072, each into a fresh topic.
#
#   bench/throughput.sh                 # 500,000 messages at 512 B and 4 KiB, 3 rounds
#   COUNT=200000 ROUNDS=1 SIZES=512 bench/throughput.sh
#
# Prints a table with the median of the rounds and the ratios, and writes it as JSON to
# bench/results/throughput-<UTC time>.json. Needs kcat and jq (Debian packages). KEEP=1 keeps the
# scratch directory (broker log, per-run JSON).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

COUNT="${COUNT:-500000}"
ROUNDS="${ROUNDS:-3}"
SIZES="${SIZES:-512 4096}"
SECRET="bench-secret-0123456789abcdef"
work="$(mktemp -d)"
broker_pid=""

cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

command -v kcat >/dev/null || { echo "kcat is needed (Debian package kcat)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed (Debian package jq)" >&2; exit 1; }

echo "Building (Release)..." >&2
for p in KafkaDemo.EmbeddedKafka KafkaDemo.Producer bench/KafkaDemo.BareProducer; do
  dotnet build -c Release --nologo -v q "$p" >&2
done
bin() { echo "$root/$1/bin/Release/net10.0/$(basename "$1").dll"; }

free_port_block() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 20000))
    if ! ss -ltnH "( sport = :$p or sport = :$((p + 1)) or sport = :$((p + 2)) )" | grep -q .; then echo "$p"; return; fi
  done
  return 1
}

topics=""
for size in $SIZES; do
  for round in $(seq "$ROUNDS"); do
    for tool in ours bare kcat; do topics="$topics,bench-$tool-$size-$round"; done
  done
done
port="$(free_port_block)"
dotnet "$(bin KafkaDemo.EmbeddedKafka)" --urls "http://127.0.0.1:0" \
  --EmbeddedKafka:Port="$port" --EmbeddedKafka:Topics="${topics#,}" --EmbeddedKafka:Partitions=6 \
  --EmbeddedKafka:RetentionSeconds=0 --Logging:LogLevel:Default=Warning > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do grep -q '^KAFKA_BOOTSTRAP_SERVERS=' "$work/broker.log" && break; sleep 0.2; done
bootstrap="$(sed -n 's/^KAFKA_BOOTSTRAP_SERVERS=//p' "$work/broker.log")"
[ -n "$bootstrap" ] || { cat "$work/broker.log" >&2; exit 1; }
echo "Embedded Kafka at $bootstrap" >&2

kcat_run() { # size topic -> JSON line
  local size=$1 topic=$2 file="$work/kcat-$1.txt" start end
  [ -f "$file" ] || awk -v n="$COUNT" -v s="$((size - 1))" 'BEGIN { l = sprintf("%*s", s, ""); gsub(/ /, "x", l); for (i = 0; i < n; i++) print l }' > "$file"
  start=$(date +%s.%N)
  kcat -P -b "$bootstrap" -t "$topic" -X acks=all -X enable.idempotence=true -X linger.ms=5 \
    -X batch.size=131072 -l "$file" 2> "$work/kcat.err"
  end=$(date +%s.%N)
  jq -cn --argjson n "$COUNT" --argjson s "$size" --argjson t "$(echo "$end - $start" | bc -l)" \
    '{tool: "kcat", messageSize: $s, acked: $n, seconds: $t, messagesPerSecond: ($n / $t | floor), megabytesPerSecond: ($n * $s / $t / 1000000 * 100 | floor / 100)}'
}

results="$work/results.jsonl"
for size in $SIZES; do
  for round in $(seq "$ROUNDS"); do
    echo "size $size, round $round/$ROUNDS" >&2
    {
      dotnet "$(bin KafkaDemo.Producer)" --count "$COUNT" --size "$size" --topics "bench-ours-$size-$round" \
        --bootstrap-servers "$bootstrap" --secret "$SECRET" --Logging:LogLevel:Default=Warning 2>> "$work/producer.err" \
        | jq -c '{tool: "ours"} + .'
      dotnet "$(bin bench/KafkaDemo.BareProducer)" "$bootstrap" "bench-bare-$size-$round" "$COUNT" "$size" | jq -c '.tool = "bare"'
      kcat_run "$size" "bench-kcat-$size-$round"
    } >> "$results"
  done
done

summary="$(jq -s --argjson count "$COUNT" --argjson rounds "$ROUNDS" --arg commit "$(git rev-parse --short HEAD)" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" --argjson cores "$(nproc)" '
  def median: sort as $s | ($s | length) as $n
    | if $n % 2 == 1 then $s[($n - 1) / 2 | floor] else ($s[$n / 2 - 1] + $s[$n / 2]) / 2 end;
  map(.messageSize |= tonumber) | group_by(.messageSize) | map({
    messageSize: .[0].messageSize,
    ours: (map(select(.tool == "ours") | .messagesPerSecond) | median),
    bare: (map(select(.tool == "bare") | .messagesPerSecond) | median),
    kcat: (map(select(.tool == "kcat") | .messagesPerSecond) | median)
  } | . + {oursOverBare: (.ours / .bare * 100 | round / 100), oursOverKcat: (.ours / .kcat * 100 | round / 100),
           oursMBps: (.ours * .messageSize / 1000000 * 100 | round / 100)})
  | {date: (now | todate), commit: $commit, cpu: $cpu, cores: $cores, messagesPerRun: $count, rounds: $rounds,
     settings: "acks=all, enable.idempotence=true, linger.ms=5, batch.size=131072, 3 brokers, RF 3, 6 partitions",
     producer: .}' "$results")"
mkdir -p bench/results
out="bench/results/throughput-$(date -u +%Y%m%dT%H%M%SZ).json"
jq --slurpfile runs "$results" '. + {runs: $runs}' <<< "$summary" > "$out"

printf '\n%-8s %14s %14s %14s %10s %10s\n' "size" "ours msg/s" "bare msg/s" "kcat msg/s" "ours/bare" "ours/kcat"
jq -r '.producer[] | [.messageSize, .ours, .bare, .kcat, .oursOverBare, .oursOverKcat] | @tsv' <<< "$summary" |
  while IFS=$'\t' read -r s o b k ob ok; do printf '%-8s %14s %14s %14s %10s %10s\n' "$s" "$o" "$b" "$k" "$ob" "$ok"; done
echo "Written to $out"
