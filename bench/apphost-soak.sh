#!/usr/bin/env bash
# The whole app under the AppHost (embedded mode, Release, controller off), in two phases:
#
#   latency  RATE_LOW msg/s (default 20,000) for LOW_SECONDS after a warm-up: the end-to-end p99
#            over consecutive 10 s windows, merged over every consumer by the Overseer;
#   memory   RATE_HIGH msg/s (default 50,000) for HIGH_SECONDS (default 300): the resident memory
#            of every service process every 10 s, and its trend over the last four minutes.
#
#   bench/apphost-soak.sh                       # about 9 minutes
#   LOW_SECONDS=60 HIGH_SECONDS=120 bench/apphost-soak.sh
#
# Uses the app's fixed ports (5100-5103, 9092-9094, 15100), so nothing else may hold them.
# Writes bench/results/apphost-soak-<UTC time>.json and prints a summary. Needs jq and curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

RATE_LOW="${RATE_LOW:-20000}"
RATE_HIGH="${RATE_HIGH:-50000}"
WARMUP_SECONDS="${WARMUP_SECONDS:-30}"
LOW_SECONDS="${LOW_SECONDS:-120}"
HIGH_SECONDS="${HIGH_SECONDS:-300}"
log() { echo "$*" >&2; }
# shellcheck source=bench/lib/apphost.sh
. bench/lib/apphost.sh

# Controller off and a low start rate from configuration, so the first seconds are not a ramp.
start_apphost KafkaDemo__Controller__Enabled=false KafkaDemo__Rate=1000
json PUT "$overseer/api/controller" '{"enabled": false}'

sample() { # phase seconds -> one JSON line
  local s
  s="$(curl -fsS "$overseer/api/summary")"
  jq -cn --arg phase "$1" --argjson t "$2" --argjson s "$s" \
    --argjson producer "$(rss_mb KafkaDemo.Producer)" --argjson consumer "$(rss_mb KafkaDemo.Consumer)" \
    --argjson overseer "$(rss_mb KafkaDemo.Overseer)" --argjson kafka "$(rss_mb KafkaDemo.EmbeddedKafka)" \
    --argjson apphost "$(rss_mb KafkaDemo.AppHost)" \
    '{phase: $phase, t: $t, targetRate: $s.producer.targetRate, actualRate: $s.producer.actualRate,
      consumerRate: $s.consumer.rate, p50Ms: $s.consumer.latencyMs.p50, p99Ms: $s.consumer.latencyMs.p99,
      p999Ms: $s.consumer.latencyMs.p999, maxMs: $s.consumer.latencyMs.max, verified: $s.consumer.verified,
      integrityFailures: $s.consumer.integrityFailures, gaps: $s.consumer.gaps, duplicates: $s.consumer.duplicates,
      rssMb: {producer: $producer, consumer: $consumer, overseer: $overseer, embeddedKafka: $kafka, appHost: $apphost}}'
}

run_phase() { # name rate seconds -> samples every 10 s after the warm-up
  local t0 s
  log "$1: $2 msg/s, ${WARMUP_SECONDS}s warm-up, then ${3}s"
  json PUT "$overseer/api/rate" "{\"rate\": $2}"
  sleep "$WARMUP_SECONDS"
  t0=$(date +%s)
  for s in $(seq 10 10 "$3"); do
    sleep $((t0 + s - $(date +%s)))
    sample "$1" "$s" | tee -a "$work/samples.jsonl" | jq -r '"  \(.t)s: \(.actualRate | floor) msg/s, p99 \(.p99Ms) ms, RSS MB \(.rssMb | tojson)"' >&2
  done
}

run_phase latency "$RATE_LOW" "$LOW_SECONDS"
run_phase memory "$RATE_HIGH" "$HIGH_SECONDS"

mkdir -p bench/results
out="bench/results/apphost-soak-$(date -u +%Y%m%dT%H%M%SZ).json"
# Memory trend: least-squares slope of RSS (MB per minute) over the samples after the first minute.
jq -L bench/lib -s --arg commit "$(git rev-parse --short HEAD)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  --argjson cores "$(nproc)" --argjson low "$RATE_LOW" --argjson high "$RATE_HIGH" '
  include "stats";
  def slope(f): if length < 2 then null else (map(.t) | add / length) as $mt | (map(f) | add / length) as $my
    | (map((.t - $mt) * (f - $my)) | add) / (map((.t - $mt) * (.t - $mt)) | add) * 60 end;
  def tenth: if . == null then null else . * 10 | round / 10 end;
  (map(select(.phase == "latency"))) as $l | (map(select(.phase == "memory"))) as $m
  | ($m | map(select(.t > 60))) as $trend
  | {date: (now | todate), commit: $commit, cpu: $cpu, cores: $cores,
     latency: {rate: $low, actualRate: ($l | map(.actualRate) | median | floor),
               p99Ms10sWindows: {median: ($l | map(.p99Ms) | median), max: ($l | map(.p99Ms) | max)},
               p50MsMedian: ($l | map(.p50Ms) | median)},
     memory: {rate: $high, actualRate: ($m | map(.actualRate) | median | floor), seconds: ($m | last | .t),
              p99MsMedian: ($m | map(.p99Ms) | median),
              rssMb: ($m | last | .rssMb), maxRssMb: ($m | map(.rssMb) | {producer: (map(.producer) | max), consumer: (map(.consumer) | max), overseer: (map(.overseer) | max), embeddedKafka: (map(.embeddedKafka) | max), appHost: (map(.appHost) | max)}),
              rssSlopeMbPerMinute: ($trend | {producer: (slope(.rssMb.producer) | tenth), consumer: (slope(.rssMb.consumer) | tenth), overseer: (slope(.rssMb.overseer) | tenth), embeddedKafka: (slope(.rssMb.embeddedKafka) | tenth)})},
     integrity: ($m | last | {verified, integrityFailures, gaps, duplicates}),
     samples: .}' "$work/samples.jsonl" > "$out"
jq -r '"latency: \(.latency.rate) msg/s target, \(.latency.actualRate) actual: p99 over 10 s windows median \(.latency.p99Ms10sWindows.median) ms, max \(.latency.p99Ms10sWindows.max) ms (p50 \(.latency.p50MsMedian) ms)",
       "memory: \(.memory.rate) msg/s target, \(.memory.actualRate) actual, \(.memory.seconds) s: RSS MB at end \(.memory.rssMb | tojson), max \(.memory.maxRssMb | tojson), slope MB/min \(.memory.rssSlopeMbPerMinute | tojson)",
       "integrity: \(.integrity | tojson)"' "$out"
echo "Written to $out"
