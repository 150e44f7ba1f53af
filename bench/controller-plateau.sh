#!/usr/bin/env bash
# Issue 18's controller targets, once under the AppHost (embedded mode, Release): a fresh run with
# the controller on at SLO_MS (default 25) and no browser open, the producers' target rate and the
# max sustainable rate sampled every 10 s for MINUTES (default 10). Reports:
#   plateau            the median target rate over minutes 8 to 10
#   to 80 %            seconds from the first sample until the target first reached 80 % of it
#   steadiness         over minutes 5 to 10: the lowest and highest target as a share of their median
#   record at 2 min    the max sustainable rate at minute 2, as a share of the plateau
#
#   bench/controller-plateau.sh               # about 11 minutes
#   SLO_MS=25 MINUTES=10 bench/controller-plateau.sh
#
# Uses the app's fixed ports (5100-5103, 9092-9094, 15100). Writes the samples, every controller
# decision that changed the rate or the state (from /api/run), and the summary to
# bench/results/controller-plateau-<UTC time>.json. Needs jq, curl and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

SLO_MS="${SLO_MS:-25}"
MINUTES="${MINUTES:-10}"
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }
# shellcheck source=bench/lib/apphost.sh
. bench/lib/apphost.sh

start_apphost KafkaDemo__Controller__Enabled=true KafkaDemo__Controller__SloP99Ms="$SLO_MS"
samples="$work/samples.jsonl"
start=$(date +%s)
for i in $(seq 0 $((MINUTES * 6))); do
  sleep_until $((start + i * 10))
  curl -fsS "$overseer/api/summary" \
    | jq -c --argjson t $((i * 10)) '{t: $t, target: .producer.targetRate, record: .controller.maxSustainableRate, state: .controller.state, p99: .consumer.latencyMs.p99}' >> "$samples" \
    || log "no summary at $((i * 10)) s"
done
# Every decision that changed the rate or the state, with its reason: the 10 s samples miss most.
curl -fsS "$overseer/api/run" | jq -c '[.events[] | select(.kind == "controller") | {at, message}]' > "$work/decisions.json" \
  || echo '[]' > "$work/decisions.json"

mkdir -p bench/results
out="bench/results/controller-plateau-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$samples" "$SLO_MS" "$out" "$work/decisions.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
decisions = json.load(open(sys.argv[4]))
def window(a, b): return [r["target"] for r in rows if a * 60 <= r["t"] <= b * 60]
plateau = statistics.median(window(8, 10))
reached = next((r["t"] for r in rows if r["target"] >= 0.8 * plateau), None)
steady = window(5, 10)
mid = statistics.median(steady)
at2 = next((r["record"] for r in rows if r["t"] >= 120), 0)
summary = {
    "sloMs": float(sys.argv[2]),
    "plateau": round(plateau),
    "secondsTo80Percent": reached,
    "steadyLowestShare": round(min(steady) / mid, 3),
    "steadyHighestShare": round(max(steady) / mid, 3),
    "recordAt2MinShare": round(at2 / plateau, 3) if plateau else None,
    "samples": rows,
    "decisions": decisions,
}
json.dump(summary, open(sys.argv[3], "w"), indent=1)
print(json.dumps({k: v for k, v in summary.items() if k not in ("samples", "decisions")}))
PY
log "wrote $out"
