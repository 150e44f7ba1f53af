#!/usr/bin/env bash
# Issue 18's memory target under the AppHost (embedded mode, Release, controller off): every
# service's resident memory, sampled every 10 s for MINUTES at RATE msg/s. Prints, per service,
# the RSS at minute 2, at the end, its maximum and its slope after minute 2 (least squares, MB/min),
# with the rate the producers actually reached (the machine may not reach RATE).
#
#   bench/memory.sh                  # 5 minutes at 50,000 msg/s, about 7 minutes in all
#   bench/memory.sh 3 20000          # MINUTES RATE
#   GCDUMP=1 bench/memory.sh         # also a gcdump of every service after the last sample
#   GCDUMP=2 bench/memory.sh         # and one at minute 2 (a gcdump forces a full collection, so the
#                                    # samples after it are lower and the slope is off: evidence only)
#                                    # (needs dotnet-gcdump on PATH or in $MEMTOOLS)
#   STANDALONE=1 bench/memory.sh     # no AppHost: the embedded Kafka, a producer and a consumer as
#                                    # standalone processes on free ports (lighter; see docs/performance.md)
#
# Each sample also records RssAnon (the process's own memory: managed heap, native allocations
# such as librdkafka's buffers, JIT code) and RssFile (mapped files: the runtime and framework,
# shared with every other .NET process). With COUNTERS=1 (dotnet-counters on PATH or in $MEMTOOLS)
# it also records each service's GC committed memory and heap size at minute 2 and at the end:
# RssAnon less the committed memory is native (librdkafka, the runtime's own). Evidence only: the
# EventPipe session adds to the process's RSS (the producer's rose by 15 MB after it, and stayed). Extra settings for every service go in the environment,
# e.g. DOTNET_GCgen0size=0x400000 bench/memory.sh (Aspire passes the AppHost's environment on).
# Uses the app's fixed ports (5100-5103, 9092-9094, 15100) unless STANDALONE=1. Writes
# bench/results/memory-<UTC time>.json. Needs jq, curl and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

MINUTES="${1:-${MINUTES:-5}}"
RATE="${2:-${RATE:-50000}}"
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }
# shellcheck source=bench/lib/apphost.sh
. bench/lib/apphost.sh
# shellcheck source=bench/lib/broker.sh
. bench/lib/broker.sh
export PATH="$PATH:${MEMTOOLS:-/tmp/memtools}:$HOME/.dotnet/tools"

services=(KafkaDemo.Producer KafkaDemo.Consumer KafkaDemo.Overseer KafkaDemo.EmbeddedKafka)
standalone_pids=()
if [ -n "${STANDALONE:-}" ]; then
  services=(KafkaDemo.Producer KafkaDemo.Consumer KafkaDemo.EmbeddedKafka)
  stop_standalone() { local p; for p in "${standalone_pids[@]}"; do stop_pid "$p"; done; stop_broker; cleanup; }
  trap stop_standalone EXIT
  log "Building (Release)..."
  for p in KafkaDemo.EmbeddedKafka KafkaDemo.Producer KafkaDemo.Consumer; do dotnet build -c Release --nologo -v q "$p" >&2; done
  start_broker orders,clicks 5 6
  export Messaging__HmacSecret="memory-bench-secret-0123456789"
  total=$((RATE * (MINUTES * 60 + 120)))
  dotnet "$(bin KafkaDemo.Consumer)" --bootstrap-servers "$bootstrap" --topics orders,clicks --count "$total" \
    --Logging:LogLevel:Default=Warning > "$work/consumer.log" 2>&1 &
  standalone_pids+=($!)
  dotnet "$(bin KafkaDemo.Producer)" --bootstrap-servers "$bootstrap" --topics orders,clicks --size 512 \
    --rate "$RATE" --count "$total" --Logging:LogLevel:Default=Warning > "$work/producer.log" 2>&1 &
  standalone_pids+=($!)
  actual_rate() { echo null; }
  summary_p99() { echo null; }
else
  start_apphost KafkaDemo__Controller__Enabled=false KafkaDemo__Rate=1000
  json PUT "$overseer/api/controller" '{"enabled": false}'
  json PUT "$overseer/api/rate" "{\"rate\": $RATE}"
  actual_rate() { curl -fsS "$overseer/api/summary" 2>/dev/null | jq '.producer.actualRate // null' || echo null; }
  summary_p99() { curl -fsS "$overseer/api/summary" 2>/dev/null | jq '.consumer.latencyMs.p99 // null' || echo null; }
fi
log "$RATE msg/s for $MINUTES min; load: $(uptime | sed 's/.*load average: //')"

gcdump() { # label: a gcdump of every service, its heap size in the samples' directory
  local s pid
  command -v dotnet-gcdump > /dev/null || { log "dotnet-gcdump not found; no gcdump"; return; }
  for s in "${services[@]}"; do
    for pid in $(service_pids "$s"); do
      dotnet-gcdump collect -p "$pid" -o "$work/$s-$1.gcdump" > /dev/null 2>&1 || log "gcdump of $s failed"
      dotnet-gcdump report "$work/$s-$1.gcdump" 2>/dev/null | head -25 > "$work/$s-$1.txt" || true
    done
  done
}

gc_committed() { # label: each service's GC committed memory and heap size (MB), from dotnet-counters
  local s pid csv line
  command -v dotnet-counters > /dev/null || return 0
  line="{\"label\": \"$1\""
  for s in "${services[@]}"; do
    for pid in $(service_pids "$s"); do
      csv="$work/counters-$s-$1.csv"
      timeout 30 dotnet-counters collect -p "$pid" --counters System.Runtime --duration 00:00:04 --format csv -o "$csv" > /dev/null 2>&1 || true
      line+=", \"$s\": {\"committed\": $(awk -F, '/committed_size/ { v = $NF } END { printf "%.1f", v / 1048576 }' "$csv" 2>/dev/null || echo null)"
      line+=", \"heap\": $(awk -F, '/last_collection.heap.size/ { v[$3] = $NF } END { t = 0; for (k in v) t += v[k]; printf "%.1f", t / 1048576 }' "$csv" 2>/dev/null || echo null)}"
    done
  done
  echo "$line}" >> "$work/gc.jsonl"
}

samples="$work/samples.jsonl"
start=$(date +%s)
for i in $(seq 0 $((MINUTES * 6))); do
  sleep_until $((start + i * 10))
  line="{\"t\": $((i * 10)), \"rate\": $(actual_rate), \"p99Ms\": $(summary_p99), \"load1\": $(cut -d' ' -f1 /proc/loadavg)"
  for s in "${services[@]}"; do
    line+=", \"$s\": {\"rss\": $(status_mb "$s" VmRSS), \"anon\": $(status_mb "$s" RssAnon), \"file\": $(status_mb "$s" RssFile), \"cpu\": $(cpu_s "$s")}"
  done
  echo "$line}" | tee -a "$samples" | jq -rc '"\(.t)s \(.rate // "-") msg/s: " + ([to_entries[] | select(.value | type == "object") | "\(.key | ltrimstr("KafkaDemo.")) \(.value.rss)"] | join(", "))' >&2
  if [ -n "${COUNTERS:-}" ] && [ $((i * 10)) -eq 120 ]; then gc_committed 2min; fi
  if [ "${GCDUMP:-}" = 2 ] && [ $((i * 10)) -eq 120 ]; then gcdump 2min; fi
done
if [ -n "${COUNTERS:-}" ]; then gc_committed end; fi
if [ -n "${GCDUMP:-}" ]; then gcdump end; fi

mkdir -p bench/results
out="bench/results/memory-$(date -u +%Y%m%dT%H%M%SZ).json"
touch "$work/gc.jsonl"
python3 - "$samples" "$out" "$RATE" "$MINUTES" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')" "${STANDALONE:+standalone}" "$work/gc.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
gc = {g.pop("label"): g for g in (json.loads(l) for l in open(sys.argv[7]))}
services = [k for k, v in rows[0].items() if isinstance(v, dict)]
def slope(pts):  # least squares, MB per minute
    if len(pts) < 2: return None
    mt = statistics.fmean(t for t, _ in pts); my = statistics.fmean(y for _, y in pts)
    den = sum((t - mt) ** 2 for t, _ in pts)
    return round(sum((t - mt) * (y - my) for t, y in pts) / den * 60, 2) if den else None
at2 = next((r for r in rows if r["t"] >= 120), rows[-1])
after2 = [r for r in rows if r["t"] >= 120]
rates = [r["rate"] for r in rows if r["rate"] is not None and r["t"] >= 30]
p99s = [r["p99Ms"] for r in rows if r.get("p99Ms") is not None and r["t"] >= 30]
summary = {
    "rate": int(sys.argv[3]), "minutes": int(sys.argv[4]), "commit": sys.argv[5], "mode": sys.argv[6] or "apphost",
    "achievedRateMedian": round(statistics.median(rates)) if rates else None,
    "p99Ms10sWindows": {"median": statistics.median(p99s), "max": max(p99s)} if p99s else None,
    "load1": {"min": min(r["load1"] for r in rows), "max": max(r["load1"] for r in rows)},
    "services": {s.removeprefix("KafkaDemo."): {
        "rssAt2Min": at2[s]["rss"], "rssEnd": rows[-1][s]["rss"], "rssMax": max(r[s]["rss"] for r in rows),
        "anonEnd": rows[-1][s]["anon"], "fileEnd": rows[-1][s]["file"],
        "cpuSecondsPerMinuteAfter2Min": round((rows[-1][s]["cpu"] - at2[s]["cpu"]) / ((rows[-1]["t"] - at2["t"]) / 60), 2) if rows[-1]["t"] > at2["t"] else None,
        "slopeAfter2MinMbPerMin": slope([(r["t"], r[s]["rss"]) for r in after2]),
        "anonSlopeAfter2MinMbPerMin": slope([(r["t"], r[s]["anon"]) for r in after2]),
        "gcCommittedMb": {k: v.get(s, {}).get("committed") for k, v in gc.items()},
        "gcHeapMb": {k: v.get(s, {}).get("heap") for k, v in gc.items()}} for s in services},
    "samples": rows,
}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print(f"{summary['mode']}, {summary['rate']} msg/s target, achieved median {summary['achievedRateMedian']}, "
      f"{summary['minutes']} min, load {summary['load1']['min']}-{summary['load1']['max']}, {summary['commit']}, "
      f"end-to-end p99 over 10 s windows from 30 s: {summary['p99Ms10sWindows']}")
print(f"{'service':<14}{'RSS@2min':>9}{'end':>6}{'max':>6}{'MB/min>2':>9}{'anon':>6}{'file':>6}{'anon MB/min':>12}{'CPU s/min>2':>12}{'GC committed 2min/end':>23}")
for s, v in summary["services"].items():
    c = v["gcCommittedMb"]
    print(f"{s:<14}{v['rssAt2Min']:>9}{v['rssEnd']:>6}{v['rssMax']:>6}{v['slopeAfter2MinMbPerMin']!s:>9}{v['anonEnd']:>6}{v['fileEnd']:>6}{v['anonSlopeAfter2MinMbPerMin']!s:>12}{v['cpuSecondsPerMinuteAfter2Min']!s:>12}{str(c.get('2min')) + ' / ' + str(c.get('end')):>23}")
PY
if [ -n "${GCDUMP:-}" ]; then mkdir -p "${out%.json}-gcdump"; cp "$work"/*.txt "${out%.json}-gcdump/" 2>/dev/null || true; fi
log "wrote $out"
