#!/usr/bin/env bash
# CPU per message of the signed producer against the bare Confluent.Kafka loop, and whole-run wall
# time against kcat -P, on the embedded Kafka (librdkafka's mock cluster, 3 brokers, 6 partitions),
# 512 B, acks=all, idempotent, linger.ms=5, batch.size=131072 for all three tools:
#
#   bench/producer-cpu.sh                      # 5 rounds, about 5 minutes on an idle 2-core machine
#   ROUNDS=7 SIGN=0 bench/producer-cpu.sh      # more rounds, without the sign micro-benchmark
#   VARIANTS="before=/tmp/tree-a mac=/tmp/tree-b" bench/producer-cpu.sh
#                                              # also other source trees of the producer (say, one
#                                              # per commit, from git archive), built and run like ours
#
# Each round runs every tool twice, SMALL (10,000) and BIG (1,000,000) messages, interleaved (the
# order of the tools alternates between rounds), each into a fresh topic, under /usr/bin/time:
#   marginal CPU per message = (user+sys of the BIG run - user+sys of the SMALL run) / (BIG - SMALL)
#   start-up CPU             = user+sys of the SMALL run
#   wall ratio vs kcat       = kcat's whole-run wall time / the tool's, BIG run, start-up included
# CPU is the client process's only (the broker runs in its own process). Before every run the
# 1-minute load average is recorded, and during it the machine's idle share (/proc/stat): figures
# taken while other work used the machine are marked by them. Prints the medians with their
# spread (min-max over rounds) and, with SIGN=1 (default), the sign micro-benchmark at 512 B.
# Writes every run as a JSON line to bench/results/producer-cpu-<UTC time>.jsonl.
# Needs kcat, jq and GNU time (Debian packages kcat, jq, time).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

ROUNDS="${ROUNDS:-5}"
SMALL="${SMALL:-10000}"
BIG="${BIG:-1000000}"
SIZE="${SIZE:-512}"
SIGN="${SIGN:-1}"
TOOLS="${TOOLS:-ours bare kcat}"
VARIANTS="${VARIANTS:-}"
# The HMAC secret goes in the environment: on the command line, ps would show it.
export Messaging__HmacSecret="bench-secret-0123456789abcdef"
work="$(mktemp -d)"
log() { echo "$*" >&2; }
# shellcheck source=lib/broker.sh
source "$root/bench/lib/broker.sh"
cleanup() {
  if [ -n "$broker_pid" ]; then stop_pid "$broker_pid"; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

for tool in kcat jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { log "$tool is needed (Debian packages kcat, jq, time)"; exit 1; }
done

log "Building (Release)..."
for p in KafkaDemo.EmbeddedKafka KafkaDemo.Producer bench/KafkaDemo.BareProducer; do
  dotnet build -c Release --nologo -v q "$p" >&2
done
declare -A producer_dll=([ours]="$(bin KafkaDemo.Producer)")
for v in $VARIANTS; do
  dotnet build -c Release --nologo -v q "${v#*=}/KafkaDemo.Producer" >&2
  producer_dll[${v%%=*}]="${v#*=}/KafkaDemo.Producer/bin/Release/net10.0/KafkaDemo.Producer.dll"
  TOOLS="$TOOLS ${v%%=*}"
done

idle_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }

# run TOOL COUNT TOPIC: one run under /usr/bin/time -> JSON line with wall, user, sys, load, idle
run() {
  local tool=$1 count=$2 topic=$3 load t0 i0 t1 i1 line
  load="$(cut -d' ' -f1 /proc/loadavg)"
  read -r t0 i0 <<< "$(idle_ticks)"
  case "$tool" in
    bare)
      /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet "$(bin bench/KafkaDemo.BareProducer)" "$bootstrap" "$topic" "$count" "$SIZE" \
        > "$work/out" 2>> "$work/bare.err" ;;
    kcat)
      line="$(head -c "$((SIZE - 1))" /dev/zero | tr '\0' 'x')"
      { yes "$line" || true; } | head -n "$count" | /usr/bin/time -f '%e %U %S' -o "$work/time" \
        kcat -P -b "$bootstrap" -t "$topic" -X acks=all -X enable.idempotence=true -X linger.ms=5 -X batch.size=131072 \
        2>> "$work/kcat.err" ;;
    *) # ours, or a variant of it
      /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet "${producer_dll[$tool]}" --count "$count" --size "$SIZE" \
        --topics "$topic" --bootstrap-servers "$bootstrap" --Logging:LogLevel:Default=Warning \
        > "$work/out" 2>> "$work/$tool.err" ;;
  esac
  read -r t1 i1 <<< "$(idle_ticks)"
  read -r wall user sys < "$work/time"
  # ours and bare print how many were acknowledged; kcat -P exits non-zero on failure (set -e)
  acked="$count"
  if [ "$tool" != kcat ]; then acked="$(jq -r '.acked' "$work/out")"; fi
  [ "$acked" = "$count" ] || log "WARNING: $tool acknowledged $acked of $count messages"
  jq -cn --arg tool "$tool" --argjson count "$count" --argjson acked "$acked" --argjson wall "$wall" --argjson user "$user" --argjson sys "$sys" \
    --argjson load "$load" --argjson idle "$(( (i1 - i0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))" \
    '{tool: $tool, count: $count, acked: $acked, wall: $wall, cpu: ($user + $sys), user: $user, sys: $sys, load1: $load, idlePercent: $idle}'
}

topics=""
for round in $(seq "$ROUNDS"); do for tool in $TOOLS; do for n in "$SMALL" "$BIG"; do
  topics="$topics,cpu-$tool-$n-$round"
done; done; done
start_broker "${topics#,}" 5 6

mkdir -p bench/results
results="bench/results/producer-cpu-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
log "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . 2>/dev/null || echo " (with uncommitted changes)"); writing $results"
for round in $(seq "$ROUNDS"); do
  order="$TOOLS"
  if (( round % 2 == 0 )); then order="$(echo "$TOOLS" | tr ' ' '\n' | tac | tr '\n' ' ')"; fi
  for tool in $order; do
    for n in "$SMALL" "$BIG"; do
      r="$(run "$tool" "$n" "cpu-$tool-$n-$round" | jq -c --argjson r "$round" '. + {round: $r}')"
      log "round $round/$ROUNDS $r"
      echo "$r" >> "$results"
    done
  done
done
stop_broker

# Per round: marginal CPU per message, start-up CPU and wall ratio vs kcat; then median and spread.
jq -s -r -L "$root/bench/lib" --argjson small "$SMALL" --argjson big "$BIG" --arg size "$SIZE" '
  include "stats";
  def spread(f): [.[] | f] | "\(median * 100 | round / 100) (\(min * 100 | round / 100)-\(max * 100 | round / 100))";
  group_by(.round) | map(
    . as $runs
    | ([$runs[] | select(.tool == "kcat" and .count == $big) | .wall] | first) as $kcat
    | [$runs[] | .tool] | unique | map(. as $t
        | ($runs | map(select(.tool == $t and .count == $small)) | first) as $s
        | ($runs | map(select(.tool == $t and .count == $big)) | first) as $b
        | {tool: $t, micros: (($b.cpu - $s.cpu) / ($big - $small) * 1e6), startup: $s.cpu, wall: $b.wall,
           ratio: (if $kcat then $kcat / $b.wall else null end), load: ([$s.load1, $b.load1] | max), idle: $b.idlePercent}))
  | flatten | group_by(.tool) | map(
    "\(.[0].tool | . + "      " | .[0:6])  CPU \(spread(.micros)) us/msg   start-up CPU \(spread(.startup)) s   wall \(spread(.wall)) s   vs kcat \(if .[0].ratio then spread(.ratio) else "-" end)x   load1 \(spread(.load))   idle \(spread(.idle)) %")
  | "\($size) B, \(length) tools, median (min-max) over rounds; CPU us/msg = (cpu(\($big)) - cpu(\($small))) / \($big - $small):", .[]
' "$results"

if [ "$SIGN" = 1 ]; then
  log "sign micro-benchmark (BenchmarkDotNet, 512 B)..."
  dotnet run -c Release --project bench/KafkaDemo.Benchmarks -- --filter '*EnvelopeBenchmarks.Sign*' --join 2>&1 \
    | grep -E '^\| *(Method|sign)' || log "the sign benchmark printed no table"
fi
