#!/usr/bin/env bash
# Issue 18's transient target, once under the AppHost (embedded mode, Release): a fresh run with the
# controller on at SLO_MS (default 25), no browser open. After WARMUP_S seconds (default 360, minute
# 6) another process keeps both cores busy for BURN_S seconds (default 5): one busy loop per core,
# at the same priority as the app. The producers' target rate and the max sustainable rate are
# sampled every 2 s from 60 s before the burn until AFTER_S seconds (default 90) after it. Reports:
#   hold        the median target over the 60 s before the burn
#   cuts        how many times the target went down (by more than 1 %) from the burn to 60 s after
#   lowest      the lowest target in that minute, as a share of the hold
#   back after  seconds from the burn's start until the target was again within 10 % of the hold
#   record      the max sustainable rate just before the burn and at the end
# Targets: at most one cut, back within 10 % within 60 s, the record not lowered.
# Each sample also keeps the fleet p50 and, per instance (from its own /api/stats, last second), where
# the latency goes: a consumer's p99 from the intended and from the actual send, a producer's publish
# delay (behind its schedule), publish latency (to the acknowledgement) and messages in flight.
#
#   bench/controller-transient.sh             # about 9 minutes
#   WARMUP_S=360 BURN_S=5 bench/controller-transient.sh
#
# Uses the app's fixed ports (5100-5103, 9092-9094, 15100). Writes the samples and the summary to
# bench/results/controller-transient-<UTC time>.json. Needs jq, curl and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SLO_MS="${SLO_MS:-25}"
WARMUP_S="${WARMUP_S:-360}"
BURN_S="${BURN_S:-5}"
AFTER_S="${AFTER_S:-90}"
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }
# shellcheck source=bench/lib/apphost.sh
. bench/lib/apphost.sh

start_apphost KafkaDemo__Controller__Enabled=true KafkaDemo__Controller__SloP99Ms="$SLO_MS"
samples="$work/samples.jsonl"
start=$(date +%s)
burn_at=$((start + WARMUP_S))
first=$((WARMUP_S - 60))
sleep $((first > 0 ? first : 0))
burned=""
burners=()
for i in $(seq 0 $(((60 + AFTER_S) / 2))); do
  at=$((burn_at - 60 + i * 2))
  now=$(date +%s)
  [ "$at" -gt "$now" ] && sleep $((at - now))
  if [ -z "$burned" ] && [ "$(date +%s)" -ge "$burn_at" ]; then
    log "burning $(nproc) cores for ${BURN_S} s"
    for _ in $(seq "$(nproc)"); do timeout "$BURN_S" sh -c 'while :; do :; done' & burners+=("$!"); done
    burned=1
  fi
  summary=$(curl -fsS "$overseer/api/summary") || { log "no summary at $((at - burn_at)) s"; continue; }
  # Where the latency goes, from each instance's own stats (last second): a consumer's latency from
  # the intended send time and from the actual send, a producer's publish delay (behind its schedule),
  # publish latency (to the acknowledgement) and messages in flight. Tells a producer behind its
  # schedule from a slow path to the brokers and from a slow consumer.
  detail=$({
    instance_stats KafkaDemo.Consumer '{n: .instance, rate: .receiveRate.last1s, e2e99: .latencyMs.last1s.p99, actual99: .latencyFromActualSendMs.last1s.p99, e2e50: .latencyMs.last1s.p50}'
    instance_stats KafkaDemo.Producer '{n: .instance, rate: .actualRate.last1s, ack: .ackRate.last1s, inFlight: .inFlight, failed: .failed, delay99: .publishDelayMs.last1s.p99, publish99: .publishLatencyMs.last1s.p99}'
  } 2>/dev/null | jq -s -c '.' || echo '[]')
  echo "$summary" \
    | jq -c --argjson t $((at - burn_at)) --argjson detail "${detail:-[]}" '{t: $t, target: .producer.targetRate, record: .controller.maxSustainableRate, state: .controller.state, reason: .controller.lastReason, p99: .consumer.latencyMs.p99, p50: .consumer.latencyMs.p50, detail: $detail}' >> "$samples"
done
# the burners only (the AppHost runs in the background too); timeout ends each with status 124, which is
# their normal end and must not stop the script (set -e)
wait "${burners[@]}" || true

mkdir -p bench/results
out="bench/results/controller-transient-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$samples" "$SLO_MS" "$BURN_S" "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
before = [r for r in rows if r["t"] < 0]
after = [r for r in rows if 0 <= r["t"] <= 60]
hold = statistics.median(r["target"] for r in before)
cuts = sum(1 for a, b in zip([before[-1]] + after, after) if b["target"] < a["target"] * 0.99)
lowest = min(r["target"] for r in after)
left = next((r["t"] for r in after if abs(r["target"] - hold) > 0.1 * hold), None)
back = None if left is None else next((r["t"] for r in rows if r["t"] > left and abs(r["target"] - hold) <= 0.1 * hold), None)
slo = float(sys.argv[2])
summary = {
    "sloMs": slo,
    "burnSeconds": float(sys.argv[3]),
    "hold": round(hold),
    # whether the minute before was a steady hold at all: the share of its samples within the SLO
    "beforeWithinSloShare": round(sum(1 for r in before if r["p99"] <= slo) / len(before), 3),
    "cuts": cuts,
    "lowestShare": round(lowest / hold, 3),
    "secondsBackWithin10Percent": 0 if left is None else back,
    "recordBefore": round(before[-1]["record"]),
    "recordAfter": round(rows[-1]["record"]),
    "samples": rows,
}
json.dump(summary, open(sys.argv[4], "w"), indent=1)
print(json.dumps({k: v for k, v in summary.items() if k != "samples"}))
PY
log "wrote $out"
