# Sourced by the bench scripts that run the whole app under the AppHost (embedded mode, Release):
# a scratch directory (kept with KEEP=1), start_apphost, and a clean stop of the AppHost and the
# resources it started when the script exits. The caller defines log().
overseer="http://localhost:5100"
work="$(mktemp -d)"
apphost_pid=""
# The control token the changes below need (Authorization: Bearer), given to the AppHost as its
# control-token parameter for this run; in the environment, not on a command line.
control_token="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

cleanup() {
  if [ -n "$apphost_pid" ]; then
    # The AppHost stops its resources when it gets SIGTERM; give it time to do so.
    kill -TERM "$apphost_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$apphost_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$apphost_pid" 2>/dev/null || true
  fi
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# start_apphost [NAME=value ...]: builds (unless BUILD=0: runs the build output as it is), starts the
# AppHost in embedded mode with these settings (environment variables), and returns once the
# consumers have verified a message.
start_apphost() {
  if [ "${BUILD:-1}" != 0 ]; then
    log "Building (Release)..."
    dotnet build -c Release --nologo -v q KafkaDemo.AppHost >&2
  fi
  env KafkaDemo__Mode=embedded "Parameters__control-token=$control_token" "$@" \
    dotnet run -c Release --no-build --project KafkaDemo.AppHost --launch-profile http > "$work/apphost.log" 2>&1 &
  apphost_pid=$!
  for _ in $(seq 240); do
    [ "$(curl -fsS "$overseer/api/summary" 2>/dev/null | jq -r '.consumer.verified // 0')" -gt 0 ] 2>/dev/null && return
    kill -0 "$apphost_pid" 2>/dev/null || { cat "$work/apphost.log" >&2; exit 1; }
    sleep 0.5
  done
  log "No message was verified within 2 minutes"
  tail -50 "$work/apphost.log" >&2
  exit 1
}

# json METHOD URL [BODY]: a change, with the control token
json() { curl -fsS -X "$1" "$2" -H 'Content-Type: application/json' -H "Authorization: Bearer $control_token" ${3:+-d "$3"} > /dev/null; }

# service_pids NAME: the pids of the service process itself (KafkaDemo.Producer, ...) run from this
# tree's build output, not of a `dotnet run` or shell whose command line mentions it, nor of another
# checkout's copy (tests elsewhere on the machine start the same services).
service_pids() {
  local pid
  for pid in $(pgrep -f "$1" || true); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -Eq "(^| )$root/.*/$1(\.dll)?( |$)"; then
      echo "$pid"
    fi
  done
}

# instance_stats NAME FILTER: each running instance of the service NAME (KafkaDemo.Producer, ...) asked for
# its own GET /api/stats, found by the port its process listens on (Aspire picks the ports of all but the
# first), put through the jq FILTER: one compact line per instance. One that listens nowhere yet, or does
# not answer within a second, is left out.
instance_stats() {
  local pid port
  for pid in $(service_pids "$1"); do
    port=$(ss -ltnpH | grep "pid=$pid," | head -1 | awk '{print $4}' | sed 's/.*://') || true
    [ -n "$port" ] || continue
    curl -fsS -m 1 "http://127.0.0.1:$port/api/stats" | jq -c "$2" || true
  done
}

# status_mb NAME [FIELD]: a /proc/<pid>/status field (default VmRSS; also RssAnon, RssFile) in MB,
# summed over the service's processes (0 if none)
status_mb() {
  local total=0 pid
  for pid in $(service_pids "$1"); do
    total=$((total + $(awk -v f="${2:-VmRSS}:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo $((total / 1024))
}

# cpu_s NAME: CPU seconds (user + system) the service's processes used so far
cpu_s() {
  local total=0 pid ticks
  for pid in $(service_pids "$1"); do
    # fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)
    total=$((total + ${ticks:-0}))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# rss_mb NAME: resident MB of the service
rss_mb() { status_mb "$1" VmRSS; }

# sleep_until EPOCH_SECONDS: waits for that second (at once if it has passed), for samples on a fixed grid
sleep_until() {
  local now
  now=$(date +%s)
  if [ "$1" -gt "$now" ]; then sleep $(($1 - now)); fi
}
