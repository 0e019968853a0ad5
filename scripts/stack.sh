#!/usr/bin/env bash
# Installs and runs the real backends natively (no Docker here), each on loopback with its data in a
# throwaway directory. See README "Real backends without Docker".
#
#   scripts/stack.sh install [svc...]   install or build what is missing (cached; a second run is fast)
#   scripts/stack.sh up      [svc...]   start the servers (idempotent) and wait until each answers
#   scripts/stack.sh down    [svc...]   stop them and delete their data
#   scripts/stack.sh stop|start SVC     kill -9 one server / start it again, keeping its data (fault tests)
#   scripts/stack.sh status             each server up or down, with its version
#   scripts/stack.sh env                the URLs to export: eval "$(scripts/stack.sh env)"
#
# svc is any of: postgres redis clickhouse kafka weaviate (default: all). Tools: grpcurl, ghz, protoc
# with protoc-gen-go and protoc-gen-go-grpc.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${NELITI_STACK_CACHE:-/var/cache/neliti-stack}
DATA=${NELITI_STACK_DATA:-/tmp/neliti-stack}
BIN=$CACHE/bin

PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
CH_HTTP_PORT=${CH_HTTP_PORT:-58123}
CH_TCP_PORT=${CH_TCP_PORT:-59000}
KAFKA_PORT=${KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-59093}
WEAVIATE_PORT=${WEAVIATE_PORT:-58080}
WEAVIATE_GRPC_PORT=${WEAVIATE_GRPC_PORT:-58051}

KAFKA_VERSION=3.9.1
WEAVIATE_VERSION=v1.29.0
GRPCURL_VERSION=v1.9.3
GHZ_VERSION=v0.121.0
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
PG_BIN=/usr/lib/postgresql/15/bin

ALL=(postgres redis clickhouse kafka weaviate)

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

wait_for() { # name, seconds, command...
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$name did not answer within ${secs}s (logs: $DATA/$name)"
    sleep 0.5
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  # The Debian services must not start on their default ports: we run our own instances.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
  rm -f /usr/sbin/policy-rc.d
}

go_install() { # binary-name module@version
  [ -x "$BIN/$1" ] && return 0
  log "go install $2 (cached in $BIN)"
  mkdir -p "$BIN"
  GOBIN=$BIN GOFLAGS=-mod=mod go install "$2"
}

# ---------------------------------------------------------------- install
install_postgres()   { apt_install postgresql-15 postgresql-client-15; }
install_redis()      { apt_install redis-server redis-tools; }
install_clickhouse() { apt_install clickhouse-server clickhouse-client; }
install_kafka() {
  apt_install maven
  local libs=$CACHE/kafka-$KAFKA_VERSION/libs
  [ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  log "fetching Kafka $KAFKA_VERSION from Maven Central"
  mkdir -p "$libs"
  mvn -q -B -f "$HERE/stack/kafka-pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs"
}
install_weaviate() { go_install weaviate-server "github.com/weaviate/weaviate/cmd/weaviate-server@$WEAVIATE_VERSION"; }
install_tools() {
  # protoc with the well-known types (libprotobuf-dev) and the Go plugins: clients/go-engine's stubs.
  apt_install openssl curl nghttp2-client protobuf-compiler libprotobuf-dev
  go_install protoc-gen-go "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
  go_install protoc-gen-go-grpc "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
  go_install grpcurl "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
  go_install ghz "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
  install_python
}
# A Python user's toolchain for the Python client test: grpcio-tools and numpy, from PyPI, in a venv.
install_python() {
  local venv=$CACHE/python req=$HERE/../test/python/requirements.txt
  if [ -x "$venv/bin/python" ] && cmp -s "$req" "$venv/requirements.txt"; then return 0; fi
  log "python venv with $(grep -v '^#' "$req" | tr '\n' ' ')"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
}

# ---------------------------------------------------------------- up
up_postgres() {
  local dir=$DATA/postgres
  # Up means accepting connections: pg_ctl status would count a killed postmaster left as a zombie
  # (nothing reaps orphans in some containers) as running.
  if "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$dir" && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  # fsync off: test data need not survive a crash of the machine. synchronous_commit stays on: a
  # commit must survive kill -9 of the server, which the fault tests do.
  runuser -u postgres -- "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null
  wait_for postgres 30 "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT"
  # The service's own role: may create databases, so each test suite can work in a database of its own.
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'neliti') THEN
    CREATE ROLE neliti LOGIN CREATEDB PASSWORD 'neliti';
  END IF;
END $$;
SQL
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='neliti'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "CREATE DATABASE neliti OWNER neliti"
}

up_redis() { # append-only file: a write Redis acknowledged survives kill -9 of the server (the fault drill checks)
  local dir=$DATA/redis
  pid_alive "$dir/redis.pid" && return 0
  mkdir -p "$dir"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/server.log" --save "" --appendonly yes --appendfsync everysec
  wait_for redis 20 redis-cli -p "$REDIS_PORT" ping
}

up_clickhouse() {
  local dir=$DATA/clickhouse
  pid_alive "$dir/clickhouse.pid" && return 0
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  sed -e "s#@DATA@#$DATA#g" -e "s#@HTTP_PORT@#$CH_HTTP_PORT#g" -e "s#@TCP_PORT@#$CH_TCP_PORT#g" \
    "$HERE/stack/clickhouse-config.xml" >"$dir/config.xml"
  cp "$HERE/stack/clickhouse-users.xml" "$dir/users.xml"
  nohup clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/clickhouse.pid"
  wait_for clickhouse 60 curl -sf "http://127.0.0.1:$CH_HTTP_PORT/ping"
}

up_kafka() {
  local dir=$DATA/kafka libs=$CACHE/kafka-$KAFKA_VERSION/libs
  pid_alive "$dir/kafka.pid" && return 0
  [ -d "$libs" ] || die "Kafka is not installed: run scripts/stack.sh install kafka"
  mkdir -p "$dir/logs"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  local java=(java -Xms256m -Xmx768m -Dlog4j.configuration="file:$HERE/stack/kafka-log4j.properties" -cp "$libs/*")
  if [ ! -f "$dir/logs/meta.properties" ]; then
    "${java[@]}" kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d - | head -c 22)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "kafka storage format failed"; }
  fi
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
  # The port opens before the broker serves requests; its own "started" line is the signal.
  wait_for kafka 90 grep -q "Kafka Server started" "$dir/server.log"
}

up_weaviate() {
  local dir=$DATA/weaviate
  pid_alive "$dir/weaviate.pid" && return 0
  [ -x "$BIN/weaviate-server" ] || die "Weaviate is not installed: run scripts/stack.sh install weaviate"
  mkdir -p "$dir/data"
  (
    cd "$dir"
    export AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true PERSISTENCE_DATA_PATH=$dir/data \
      DEFAULT_VECTORIZER_MODULE=none ENABLE_MODULES= DISABLE_TELEMETRY=true QUERY_DEFAULTS_LIMIT=25 \
      GRPC_PORT=$WEAVIATE_GRPC_PORT CLUSTER_HOSTNAME=node1 CLUSTER_GOSSIP_BIND_PORT=57946 \
      CLUSTER_DATA_BIND_PORT=57947 RAFT_PORT=58300 RAFT_INTERNAL_RPC_PORT=58301 RAFT_BOOTSTRAP_EXPECT=1 \
      RAFT_JOIN=node1 CLUSTER_IN_LOCALHOST=true CLUSTER_ADVERTISE_ADDR=127.0.0.1 LOG_LEVEL=warning GOMAXPROCS=2
    nohup "$BIN/weaviate-server" --host 127.0.0.1 --port "$WEAVIATE_PORT" --scheme http >"$dir/server.log" 2>&1 &
    echo $! >"$dir/weaviate.pid"
  )
  wait_for weaviate 90 curl -sf "http://127.0.0.1:$WEAVIATE_PORT/v1/.well-known/ready"
}

# ---------------------------------------------------------------- stop / down
stop_postgres() { # a crash of the whole server: the postmaster and every backend it forked
  local pidfile=$DATA/postgres/data/postmaster.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(head -1 "$pidfile")
  pkill -9 -P "$pid" 2>/dev/null || true
  kill -9 "$pid" 2>/dev/null || true
  pkill -9 -f "postgres -D $DATA/postgres/data" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while pgrep -u postgres -f "^postgres" >/dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  # A zombie keeps the dead postmaster's pid "alive" (nothing reaps orphans in some containers),
  # which would make the next start refuse the lock files naming it.
  rm -f "$pidfile" "$DATA/postgres/.s.PGSQL.$PG_PORT.lock"
}
stop_pidfile() { # pidfile command-line-pattern: kill -9 by pid file, and by pattern for strays
  if [ -f "$1" ]; then kill -9 "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; fi
  pkill -9 -f "$2" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while pgrep -f "$2" >/dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}
stop_redis()      { stop_pidfile "$DATA/redis/redis.pid" "redis-server 127.0.0.1:$REDIS_PORT"; }
stop_clickhouse() { stop_pidfile "$DATA/clickhouse/clickhouse.pid" "clickhouse-server --config-file=$DATA/clickhouse/config.xml"; }
stop_kafka()      { stop_pidfile "$DATA/kafka/kafka.pid" "kafka.Kafka $DATA/kafka/server.properties"; }
stop_weaviate()   { stop_pidfile "$DATA/weaviate/weaviate.pid" "weaviate-server --host 127.0.0.1 --port $WEAVIATE_PORT"; }

down_postgres() {
  if [ -d "$DATA/postgres/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$DATA/postgres/data" -m fast -w >/dev/null 2>&1 || stop_postgres
  fi
}
down_redis() { # a pid file may outlive its server (a killed one, a rebooted machine): down must still pass
  if [ -f "$DATA/redis/redis.pid" ]; then redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  stop_redis
}
down_clickhouse() { stop_clickhouse; }
down_kafka()      { stop_kafka; }
down_weaviate()   { stop_weaviate; }

# ---------------------------------------------------------------- status / env
status_one() {
  local v=""
  case $1 in
    postgres)   v=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc 'SHOW server_version' 2>/dev/null) || true ;;
    redis)      v=$(redis-cli -p "$REDIS_PORT" info server 2>/dev/null | sed -n 's/^redis_version:\(.*\)\r$/\1/p') || true ;;
    clickhouse) v=$(curl -sf "http://127.0.0.1:$CH_HTTP_PORT/?query=SELECT%20version()" 2>/dev/null) || true ;;
    kafka)      if (exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null; then v=$KAFKA_VERSION; fi ;;
    weaviate)   v=$(curl -sf "http://127.0.0.1:$WEAVIATE_PORT/v1/meta" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p') || true ;;
  esac
  if [ -n "$v" ]; then printf '%-11s up    %s\n' "$1" "$v"; else printf '%-11s down\n' "$1"; fi
}

print_env() {
  cat <<EOF
export POSTGRES_URL=postgres://neliti:neliti@127.0.0.1:$PG_PORT/neliti
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export CLICKHOUSE_URL=http://127.0.0.1:$CH_HTTP_PORT
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export WEAVIATE_URL=http://127.0.0.1:$WEAVIATE_PORT
export WEAVIATE_GRPC_PORT=$WEAVIATE_GRPC_PORT
export PATH="$BIN:\$PATH"
export NELITI_PYTHON=$CACHE/python/bin/python
EOF
  echo "# ArangoDB: no registry here serves it; set ARANGO_URL to a real server to run its suites." >&2
}

each() { # verb svc...
  local verb=$1; shift
  local svcs=("$@"); [ ${#svcs[@]} -gt 0 ] || svcs=("${ALL[@]}")
  for s in "${svcs[@]}"; do
    case " ${ALL[*]} tools " in *" $s "*) ;; *) die "unknown service '$s' (one of: ${ALL[*]} tools)";; esac
    "${verb}_$s"
  done
}

cmd=${1:-}; shift || true
case $cmd in
  install)
    [ "$(id -u)" = 0 ] || die "install runs as root (apt-get)"
    mkdir -p "$CACHE"
    if [ $# -eq 0 ]; then each install "${ALL[@]}" tools; else each install "$@"; fi
    log "ArangoDB: not installable here (no registry serves it); its suites run only when ARANGO_URL is set." ;;
  up)     mkdir -p "$DATA"; each up "$@"; log "up: ${*:-${ALL[*]}}" ;;
  start)  [ $# -gt 0 ] || die "start needs a service"; each up "$@" ;;
  stop)   [ $# -gt 0 ] || die "stop needs a service"; each stop "$@" ;;
  down)
    each down "$@"
    if [ $# -eq 0 ]; then rm -rf "$DATA"; else for s in "$@"; do rm -rf "${DATA:?}/$s"; done; fi ;;
  status) for s in "${ALL[@]}"; do status_one "$s"; done
          echo "arangodb    n/a   (set ARANGO_URL to a real server)" ;;
  env)    print_env ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
