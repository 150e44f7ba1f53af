#!/usr/bin/env bash
# The rate controller against the embedded Kafka under the AppHost (Release), in four phases:
#
#   baseline   no fault, BASELINE_SECONDS (default 240)
#   latency    +FAULT_MS (default 10) ms on every broker, FAULT_SECONDS (default 180)
#   cleared    faults cleared, CLEARED_SECONDS (default 180)
#   above-slo  +ABOVE_MS (default 2 x SLO) ms on every broker, ABOVE_SECONDS (default 150)
#
# then reads GET /api/run and reports, per phase: the settled target rate (median over the
# phase's last 60 s), the end-to-end p99 then (median of the 10 s intervals), and the time to
# settle (from the phase start until every later interval's target stays within 15 % of the
# settled rate). Also the controller's final state and the max sustainable rate.
#
#   bench/controller-scenario.sh                  # SLO 50 ms, about 13 minutes
#   SLO_MS=30 bench/controller-scenario.sh
#
# Uses the app's fixed ports (5100-5103, 9092-9094, 15100). Writes the run export and the
# summary to bench/results/controller-<UTC time>.json. Needs jq and curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SLO_MS="${SLO_MS:-50}"
FAULT_MS="${FAULT_MS:-10}"
ABOVE_MS="${ABOVE_MS:-$((SLO_MS * 2))}"
BASELINE_SECONDS="${BASELINE_SECONDS:-240}"
FAULT_SECONDS="${FAULT_SECONDS:-180}"
CLEARED_SECONDS="${CLEARED_SECONDS:-180}"
ABOVE_SECONDS="${ABOVE_SECONDS:-150}"
kafka="http://localhost:5103"
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }
# shellcheck source=bench/lib/apphost.sh
. bench/lib/apphost.sh

start_apphost KafkaDemo__Controller__Enabled=true KafkaDemo__Controller__SloP99Ms="$SLO_MS"
json PUT "$overseer/api/controller" "{\"enabled\": true, \"sloP99Ms\": $SLO_MS}"

phases="$work/phases.jsonl"
phase() { # name seconds
  log "$1 for $2 s"
  jq -cn --arg name "$1" --arg start "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson seconds "$2" '{name: $name, start: $start, seconds: $seconds}' >> "$phases"
  local end=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    sleep 10
    curl -fsS "$overseer/api/summary" | jq -r '"  target \(.producer.targetRate | floor), actual \(.producer.actualRate | floor), p99 \(.consumer.latencyMs.p99) ms, \(.controller.state), max sustainable \(.controller.maxSustainableRate | floor)"' >&2 || true
  done
}

phase baseline "$BASELINE_SECONDS"
json PUT "$kafka/api/faults/latency" "{\"ms\": $FAULT_MS}"
phase "latency+${FAULT_MS}ms" "$FAULT_SECONDS"
json DELETE "$kafka/api/faults"
phase cleared "$CLEARED_SECONDS"
json PUT "$kafka/api/faults/latency" "{\"ms\": $ABOVE_MS}"
phase "latency+${ABOVE_MS}ms" "$ABOVE_SECONDS"
final_summary="$(curl -fsS "$overseer/api/summary")"
json DELETE "$kafka/api/faults"
curl -fsS "$overseer/api/run" > "$work/run.json"

mkdir -p bench/results
out="bench/results/controller-$(date -u +%Y%m%dT%H%M%SZ).json"
jq -L bench/lib -n --slurpfile phases "$phases" --slurpfile run "$work/run.json" --argjson final "$final_summary" \
  --arg commit "$(git rev-parse --short HEAD)" --argjson slo "$SLO_MS" '
  include "stats";
  def fl: if . == null then null else floor end;
  def secs: sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601;
  $run[0] as $r
  | [range(0; $r.intervalStartTimes | length) | {t: ($r.intervalStartTimes[.] | secs), target: $r.targetRate[.],
      publish: $r.publishRate[.], consume: $r.consumeRate[.], p99: $r.endToEndLatency99pct[.]}] as $iv
  | {commit: $commit, sloP99Ms: $slo, maxSustainableRate: $r.maxSustainableRate,
     finalState: $final.controller.state, finalReason: $final.controller.lastReason,
     integrity: {verified: $final.consumer.verified, integrityFailures: $final.consumer.integrityFailures, gaps: $final.consumer.gaps, duplicates: $final.consumer.duplicates},
     phases: [$phases[] | (.start | secs) as $s | ($s + .seconds) as $e
       | [$iv[] | select(.t >= $s and .t + 10 <= $e)] as $in
       | [$in[] | select(.t + 10 > $e - 60)] as $last
       | ($last | map(.target) | median) as $settled
       | {name, seconds, settledTargetRate: ($settled | fl), publishRate: ($last | map(.publish) | median | fl),
          consumeRate: ($last | map(.consume) | median | fl), p99Ms: ($last | map(.p99) | median),
          p99MsWorstInterval: ($last | map(.p99) | max),
          settleSeconds: (if $settled == null then null else
            ([$in | to_entries[] | select(([$in[.key:][] | ((.target - $settled) | fabs) <= 0.15 * $settled] | all))] | first | if . then .value.t + 10 - $s else null end) end),
          intervals: ($in | map({t: (.t - $s), target: (.target | floor), p99}))}],
     events: [$r.events[] | select(.kind != "manual") | {at, kind, message}]}' > "$out"
jq -r '.phases[] | "\(.name): settled at \(.settledTargetRate) msg/s (published \(.publishRate)), p99 \(.p99Ms) ms (worst 10 s interval \(.p99MsWorstInterval) ms), settled after \(.settleSeconds) s"' "$out"
jq -r '"final state: \(.finalState) (\(.finalReason)); max sustainable rate \(.maxSustainableRate); integrity \(.integrity | tojson)"' "$out"
cp "$work/run.json" "${out%.json}-run.json"
echo "Written to $out"
