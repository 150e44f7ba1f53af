# Sourced by the bench scripts that run the services standalone against the embedded Kafka (Release
# build): locating a project's build output, stopping a process, a free block of three ports, and
# starting and stopping the embedded Kafka. The caller defines log() and $work (a scratch directory).
broker_pid=""
bootstrap=""

bin() { echo "$root/$1/bin/Release/net10.0/$(basename "$1").dll"; }

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

free_port_block() { # three consecutive ports no socket uses, below Linux's ephemeral range
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    if ! ss -tanH "( sport = :$p or sport = :$((p + 1)) or sport = :$((p + 2)) )" | grep -q .; then echo "$p"; return; fi
  done
  return 1
}

start_broker() { # topics retention-seconds partitions -> sets bootstrap, broker_pid
  local port broker_log
  port="$(free_port_block)"
  broker_log="$work/broker-$port.log"
  # BROKER_ENV="NAME=value ...": environment for the broker's process only (a lever tried on it alone)
  # shellcheck disable=SC2086 # the list is split into words on purpose
  env ${BROKER_ENV:-} dotnet "$(bin KafkaDemo.EmbeddedKafka)" --urls "http://127.0.0.1:0" \
    --EmbeddedKafka:Port="$port" --EmbeddedKafka:Topics="$1" --EmbeddedKafka:Partitions="$3" \
    --EmbeddedKafka:RetentionSeconds="$2" --Logging:LogLevel:Default=Warning > "$broker_log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 100); do grep -qs '^KAFKA_BOOTSTRAP_SERVERS=' "$broker_log" && break; sleep 0.2; done
  bootstrap="$(sed -n 's/^KAFKA_BOOTSTRAP_SERVERS=//p' "$broker_log")"
  [ -n "$bootstrap" ] || { log "The embedded Kafka did not start:"; cat "$broker_log" >&2; exit 1; }
  log "Embedded Kafka at $bootstrap ($3 partitions per topic, retention ${2}s)"
}
stop_broker() { stop_pid "$broker_pid"; broker_pid=""; }
