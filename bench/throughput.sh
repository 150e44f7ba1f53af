#!/usr/bin/env bash
# End-to-end throughput on the embedded Kafka (librdkafka's mock cluster, 3 brokers), in one run:
#
#   producer  KafkaDemo.Producer (signed) vs a bare Confluent.Kafka loop (no signing: the ceiling
#             of our stack) vs kcat -P (the native reference), unthrottled, acks=all, idempotent,
#             linger.ms=5, batch.size=131072, each into a fresh topic, at every size in SIZES;
#   consumer  KafkaDemo.Consumer verifying a topic our producer just filled, from the start,
#             vs kcat -C reading the same topic (the broker's fetch ceiling);
#   follow    the consumer following the producer at full speed for FOLLOW_SECONDS: lag (sent
#             minus received) sampled every second, and whether it grows;
#   scale     two producer processes at once vs one (and the same for the bare loop, to show
#             whether the machine or the broker is the limit).
#
#   bench/throughput.sh                                  # everything, about 10 minutes
#   COUNT=200000 ROUNDS=1 SIZES=512 PHASES="producer consumer" bench/throughput.sh
#
# Prints a table with the median of the rounds and the ratios, and writes everything as JSON to
# bench/results/throughput-<UTC time>.json. Needs kcat and jq (Debian packages).
# KEEP=1 keeps the scratch directory (broker and service logs, per-run JSON lines).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

COUNT="${COUNT:-1000000}"
ROUNDS="${ROUNDS:-3}"
SIZES="${SIZES:-512 4096}"
PHASES="${PHASES:-producer consumer follow scale}"
FOLLOW_SECONDS="${FOLLOW_SECONDS:-60}"
FOLLOW_SIZE="${FOLLOW_SIZE:-512}"
# The mock broker keeps at most 5 MiB per partition: on 6 partitions that is about 0.2 s of the
# unthrottled producer, so any lag beyond it becomes truncation and offset resets, not lag.
FOLLOW_PARTITIONS="${FOLLOW_PARTITIONS:-48}"
SCALE_COUNT="${SCALE_COUNT:-1000000}"
SCALE_SIZE="${SCALE_SIZE:-512}"
# The HMAC secret goes in the environment: on the command line, ps would show it.
export Messaging__HmacSecret="bench-secret-0123456789abcdef"
PRODUCER_SETTINGS=(-X acks=all -X enable.idempotence=true -X linger.ms=5 -X batch.size=131072)
work="$(mktemp -d)"
service_pids=()

cleanup() {
  for p in "${service_pids[@]}"; do stop_pid "$p"; done
  if [ -n "$broker_pid" ]; then stop_pid "$broker_pid"; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
log() { echo "$*" >&2; }
# shellcheck source=lib/broker.sh
source "$root/bench/lib/broker.sh"

command -v kcat >/dev/null || { log "kcat is needed (Debian package kcat)"; exit 1; }
command -v jq >/dev/null || { log "jq is needed (Debian package jq)"; exit 1; }

log "Building (Release)..."
for p in KafkaDemo.EmbeddedKafka KafkaDemo.Producer KafkaDemo.Consumer bench/KafkaDemo.BareProducer; do
  dotnet build -c Release --nologo -v q "$p" >&2
done

cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
idle_percent() { # "total idle" before, "total idle" after
  local t0 i0 t1 i1
  read -r t0 i0 <<< "$1"; read -r t1 i1 <<< "$2"
  echo $(( (i1 - i0) * 100 / (t1 - t0) ))
}

timed_result() { # tool size count count-field start end -> JSON line, for tools that print no figures
  jq -cn --arg tool "$1" --argjson s "$2" --argjson n "$3" --arg field "$4" --argjson t "$(echo "$6 - $5" | bc -l)" \
    '{tool: $tool, messageSize: $s, ($field): $n, seconds: $t, messagesPerSecond: ($n / $t | floor), megabytesPerSecond: ($n * $s / $t / 1000000 * 100 | floor / 100)}'
}
ours_produce() { # size topic count [instance] -> JSON line
  dotnet "$(bin KafkaDemo.Producer)" --count "$3" --size "$1" --topics "$2" --instance "${4:-producer}" \
    --bootstrap-servers "$bootstrap" --Logging:LogLevel:Default=Warning 2>> "$work/producer.err" \
    | jq -c '{tool: "ours", messageSize: (.messageSize | tonumber)} + (. | del(.messageSize))'
}
bare_produce() { # size topic count -> JSON line
  dotnet "$(bin bench/KafkaDemo.BareProducer)" "$bootstrap" "$2" "$3" "$1" | jq -c '.tool = "bare"'
}
kcat_produce() { # size topic count -> JSON line; messages are streamed in, so nothing lands on disk
  local size=$1 topic=$2 count=$3 line start end
  line="$(head -c "$((size - 1))" /dev/zero | tr '\0' 'x')"
  start=$(date +%s.%N)
  { yes "$line" || true; } | head -n "$count" | kcat -P -b "$bootstrap" -t "$topic" "${PRODUCER_SETTINGS[@]}" 2> "$work/kcat.err"
  end=$(date +%s.%N)
  timed_result kcat "$size" "$count" acked "$start" "$end"
}
ours_consume() { # size topic count -> JSON line
  dotnet "$(bin KafkaDemo.Consumer)" --count "$3" --topics "$2" --idle-exit 5 \
    --bootstrap-servers "$bootstrap" --Logging:LogLevel:Default=Warning \
    --Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs=1 2>> "$work/consumer.err" \
    | jq -c --argjson s "$1" '{tool: "ours-consumer", messageSize: $s, verified, received, integrityFailures: .integrityFailures.total, gaps, duplicates, truncated, seconds, messagesPerSecond: .verifiedPerSecond}'
}
kcat_consume() { # size topic count -> JSON line (includes kcat's start-up, so slightly pessimistic)
  local start end
  start=$(date +%s.%N)
  kcat -C -b "$bootstrap" -t "$2" -o beginning -c "$3" -q -f '\n' -X fetch.wait.max.ms=1 > /dev/null 2> "$work/kcat.err"
  end=$(date +%s.%N)
  timed_result kcat-consumer "$1" "$3" received "$start" "$end"
}

results="$work/results.jsonl"
touch "$results"

# --- producer: per size and round, every tool into its own fresh topic -------------------------
if has_phase producer; then
  topics=""
  for size in $SIZES; do for round in $(seq "$ROUNDS"); do
    for tool in ours bare kcat; do topics="$topics,bench-$tool-$size-$round"; done
  done; done
  start_broker "${topics#,}" 5 6
  for size in $SIZES; do
    for round in $(seq "$ROUNDS"); do
      log "producers, size $size, round $round/$ROUNDS"
      {
        ours_produce "$size" "bench-ours-$size-$round" "$COUNT"
        bare_produce "$size" "bench-bare-$size-$round" "$COUNT"
        kcat_produce "$size" "bench-kcat-$size-$round" "$COUNT"
      } | jq -c --argjson r "$round" '. + {phase: "producer", round: $r}' >> "$results"
    done
  done
  stop_broker
fi

# --- consumer: our producer fills a topic, then our consumer and kcat -C each read it all --------
# The mock broker keeps at most 5 MiB per partition and drops older records, so each size gets a
# broker whose drain topics have enough partitions (at most 256) to hold COUNT messages at 90 %.
if has_phase consumer; then
  for size in $SIZES; do
    partitions=$(( (COUNT * (size + 70) + 4718591) / 4718592 ))
    partitions=$((partitions < 6 ? 6 : partitions > 256 ? 256 : partitions))
    fits=$((partitions * 4718592 / (size + 70)))
    n=$((COUNT < fits ? COUNT : fits))
    topics=""
    for round in $(seq "$ROUNDS"); do topics="$topics,drain-$size-$round"; done
    start_broker "${topics#,}" 0 "$partitions"
    for round in $(seq "$ROUNDS"); do
      log "consumers, size $size ($n messages), round $round/$ROUNDS"
      ours_produce "$size" "drain-$size-$round" "$n" > /dev/null
      {
        ours_consume "$size" "drain-$size-$round" "$n" || true
        kcat_consume "$size" "drain-$size-$round" "$n"
      } | jq -c --argjson r "$round" --argjson p "$partitions" '. + {phase: "consumer", round: $r, partitions: $p}' >> "$results"
    done
    stop_broker
  done
fi

# --- scale: one producer process, then two at once, for ours and for the bare loop ------------
if has_phase scale; then
  topics=""
  for round in $(seq "$ROUNDS"); do for tool in ours bare; do for n in 1 2; do topics="$topics,scale-$tool-$n-$round"; done; done; done
  start_broker "${topics#,}" 5 6
  for round in $(seq "$ROUNDS"); do
    log "scale, round $round/$ROUNDS"
    for tool in ours bare; do
      for n in 1 2; do
        before="$(cpu_ticks)"
        pids=()
        for i in $(seq "$n"); do
          if [ "$tool" = ours ]; then
            ours_produce "$SCALE_SIZE" "scale-$tool-$n-$round" "$SCALE_COUNT" "producer-$i" > "$work/scale-$i.json" &
          else
            bare_produce "$SCALE_SIZE" "scale-$tool-$n-$round" "$SCALE_COUNT" > "$work/scale-$i.json" &
          fi
          pids+=("$!")
        done
        for p in "${pids[@]}"; do wait "$p"; done
        idle="$(idle_percent "$before" "$(cpu_ticks)")"
        # Aggregate: all acknowledged messages over the longest instance's first-send-to-last-ack
        # window. The processes start within a few hundred ms of each other, so this slightly
        # flatters two producers; the per-instance figures are kept alongside.
        cat "$work"/scale-*.json | jq -cs --arg tool "$tool" --argjson n "$n" --argjson r "$round" --argjson idle "$idle" \
          '{phase: "scale", tool: $tool, producers: $n, round: $r, cpuIdlePercent: $idle,
            perInstance: map(.messagesPerSecond),
            messagesPerSecond: ((map(.acked) | add) / (map(.seconds) | max) | floor)}' >> "$results"
        rm -f "$work"/scale-*.json
      done
    done
  done
  stop_broker
fi

# --- follow: the consumer service follows the producer service at full speed ------------------
if has_phase follow; then
  start_broker "bench-follow" 5 "$FOLLOW_PARTITIONS"
  cport="$(free_port_block)"
  dotnet "$(bin KafkaDemo.Consumer)" --urls "http://127.0.0.1:$cport" --ConnectionStrings:kafka="$bootstrap" \
    --Consumer:Topics=bench-follow --Consumer:GroupId=bench-follow \
    --Aspire:Confluent:Kafka:Consumer:Config:FetchWaitMaxMs=1 --Logging:LogLevel:Default=Warning > "$work/follow-consumer.log" 2>&1 &
  service_pids+=("$!")
  for _ in $(seq 150); do
    [ "$(curl -fsS "http://127.0.0.1:$cport/api/stats" 2>/dev/null | jq -r '.assignedPartitions // 0')" -gt 0 ] 2>/dev/null && break
    sleep 0.2
  done
  pport="$((cport + 1))"
  dotnet "$(bin KafkaDemo.Producer)" --urls "http://127.0.0.1:$pport" --ConnectionStrings:kafka="$bootstrap" \
    --Producer:Topics=bench-follow --Producer:Rate=0 --Producer:MessageSize="$FOLLOW_SIZE" \
    --Logging:LogLevel:Default=Warning > "$work/follow-producer.log" 2>&1 &
  service_pids+=("$!")
  for _ in $(seq 150); do curl -fsS "http://127.0.0.1:$pport/api/stats" > /dev/null 2>&1 && break; sleep 0.2; done
  log "follow: the consumer follows the unthrottled producer for ${FOLLOW_SECONDS}s"
  samples="$work/follow.jsonl"
  t0=$(date +%s.%N)
  for s in $(seq "$FOLLOW_SECONDS"); do
    sleep "$(echo "$t0 + $s - $(date +%s.%N)" | bc -l | awk '{ print ($1 > 0 ? $1 : 0) }')"
    p="$(curl -fsS "http://127.0.0.1:$pport/api/stats")"
    c="$(curl -fsS "http://127.0.0.1:$cport/api/stats")"
    jq -cn --argjson t "$s" --argjson p "$p" --argjson c "$c" '{t: $t, acked: $p.acked, sent: $p.sent,
      ackRate: $p.ackRate.last1s, received: $c.received, verified: $c.verified, receiveRate: $c.receiveRate.last1s,
      lag: ($p.sent - $c.received), p99Ms: $c.latencyMs.last1s.p99, gaps: $c.gaps, duplicates: $c.duplicates,
      truncated: $c.truncated, integrityFailures: $c.integrityFailures.total}' >> "$samples"
  done
  for p in "${service_pids[@]}"; do stop_pid "$p"; done
  service_pids=()
  stop_broker
  # Lag is judged after a 10 s warm-up: a least-squares slope of lag against time, in messages per
  # second. It "grows" when the consumer falls behind by more than 1 % of the producer's rate.
  jq -cs --argjson size "$FOLLOW_SIZE" '
    (map(select(.t > 10))) as $w | ($w | length) as $n
    | ($w | map(.t) | add / $n) as $mt | ($w | map(.lag) | add / $n) as $ml
    | (($w | map((.t - $mt) * (.lag - $ml)) | add) / ($w | map((.t - $mt) * (.t - $mt)) | add)) as $slope
    | ($w | map(.ackRate) | add / $n) as $rate
    | {phase: "follow", messageSize: $size, seconds: (last.t), producerMessagesPerSecond: ($rate | floor),
       consumerMessagesPerSecond: ($w | map(.receiveRate) | add / $n | floor),
       lagMessages: {mean: ($ml | floor), max: ($w | map(.lag) | max), last: (last.lag)},
       lagSlopeMessagesPerSecond: ($slope * 10 | round / 10), lagGrows: ($slope > 0.01 * $rate),
       p99MsLast1sMax: ($w | map(.p99Ms) | max), verified: (last.verified), gaps: (last.gaps),
       duplicates: (last.duplicates), truncated: (last.truncated), integrityFailures: (last.integrityFailures),
       samples: .}' "$samples" >> "$results"
fi

summary="$(jq -L bench/lib -s --argjson count "$COUNT" --argjson rounds "$ROUNDS" --arg commit "$(git rev-parse --short HEAD)" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" --argjson cores "$(nproc)" '
  include "stats";
  def ratio($a; $b): if $a == null or $b == null then null else ($a / $b * 100 | round / 100) end;
  (map(select(.phase == "producer" or .phase == "consumer")) | group_by(.messageSize) | map({
    messageSize: .[0].messageSize,
    ours: (map(select(.tool == "ours") | .messagesPerSecond) | median),
    bare: (map(select(.tool == "bare") | .messagesPerSecond) | median),
    kcat: (map(select(.tool == "kcat") | .messagesPerSecond) | median),
    consumerVerify: (map(select(.tool == "ours-consumer") | .messagesPerSecond) | median),
    kcatConsume: (map(select(.tool == "kcat-consumer") | .messagesPerSecond) | median),
    consumerFailures: (map(select(.tool == "ours-consumer") | .integrityFailures + .gaps + .duplicates + .truncated) | add)
  } | . + {oursOverBare: ratio(.ours; .bare), oursOverKcat: ratio(.ours; .kcat),
           consumerOverProducer: ratio(.consumerVerify; .ours), consumerOverKcat: ratio(.consumerVerify; .kcatConsume),
           oursMBps: (if .ours == null then null else (.ours * .messageSize / 1000000 * 100 | round / 100) end)})) as $sizes
  | (map(select(.phase == "scale")) | group_by(.tool) | map({
      tool: .[0].tool,
      one: (map(select(.producers == 1) | .messagesPerSecond) | median),
      two: (map(select(.producers == 2) | .messagesPerSecond) | median),
      cpuIdlePercentWithTwo: (map(select(.producers == 2) | .cpuIdlePercent) | median)
    } | . + {twoOverOne: ratio(.two; .one)})) as $scale
  | {date: (now | todate), commit: $commit, cpu: $cpu, cores: $cores, messagesPerRun: $count, rounds: $rounds,
     settings: "acks=all, enable.idempotence=true, linger.ms=5, batch.size=131072, 3 brokers, RF 3, 6 partitions",
     sizes: $sizes, scale: $scale, follow: (map(select(.phase == "follow")) | first | if . then del(.samples) else null end)}' "$results")"
mkdir -p bench/results
out="bench/results/throughput-$(date -u +%Y%m%dT%H%M%SZ).json"
jq --slurpfile runs "$results" '. + {runs: $runs}' <<< "$summary" > "$out"

printf '\n%-6s %11s %11s %11s %9s %9s %13s %12s %9s\n' "size" "ours msg/s" "bare msg/s" "kcat msg/s" "ours/bare" "ours/kcat" "verify msg/s" "kcat -C/s" "verify/ours"
jq -r '.sizes[] | [.messageSize, .ours, .bare, .kcat, .oursOverBare, .oursOverKcat, .consumerVerify, .kcatConsume, .consumerOverProducer] | map(. // "-") | @tsv' <<< "$summary" |
  while IFS=$'\t' read -r s o b k ob ok cv kc co; do printf '%-6s %11s %11s %11s %9s %9s %13s %12s %9s\n' "$s" "$o" "$b" "$k" "$ob" "$ok" "$cv" "$kc" "$co"; done
jq -r '.scale[] | "scale \(.tool): one \(.one) msg/s, two \(.two) msg/s, two/one \(.twoOverOne), CPU idle with two \(.cpuIdlePercentWithTwo) %"' <<< "$summary"
jq -r '.follow // empty | "follow \(.seconds) s: producer \(.producerMessagesPerSecond) msg/s, consumer \(.consumerMessagesPerSecond) msg/s, lag mean \(.lagMessages.mean) max \(.lagMessages.max) last \(.lagMessages.last) msgs, slope \(.lagSlopeMessagesPerSecond) msg/s, grows \(.lagGrows), worst 1 s p99 \(.p99MsLast1sMax) ms, gaps \(.gaps), duplicates \(.duplicates), truncated \(.truncated)"' <<< "$summary"
echo "Written to $out"
