#!/usr/bin/env bash
# TLS handshake rate and TLS throughput: mqwarden's mqtts listener against
# Mosquitto's TLS listener, in the same run, with bench/tls_bench.py as the
# client (mqload speaks no TLS). Makes a throw-away CA and server certificate
# (EC P-256) in a temporary directory.
#
#   bench/tls-vs.sh MQWARDEN_BINARY [REPS]
#
# Prints one JSON line per measurement; docs/performance.md ("TLS") has the figures.
set -euo pipefail

binary="$(realpath "$1")"
reps="${2:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
# (Not `kill 0`: without a broker running that would signal this whole process group.)
trap 'if [ -n "${broker_pid:-}" ]; then kill "$broker_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
cd "$work"

ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" 2>/dev/null
openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
echo "subjectAltName = IP:127.0.0.1" > san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
  -extfile san.ext 2>/dev/null

# Mosquitto drops root for its own user: it must be able to read the files.
chmod 755 "$work"
chmod 644 ./*.pem ./*.key
port=18885
cat > mosquitto.conf <<CONF
listener $port 127.0.0.1
allow_anonymous true
cafile $work/ca.pem
certfile $work/server.pem
keyfile $work/server.key
max_queued_messages 1000
max_connections -1
CONF
cat > mqwarden.toml <<CONF
[[listeners]]
port = $port
protocol = "mqtts"
cert_file = "$work/server.pem"
key_file = "$work/server.key"
[limits]
max_connections = 1000000
[auth]
allow_anonymous = true
[log]
level = "warning"
CONF

start() {  # name
  case "$1" in
    mosquitto) mosquitto -c mosquitto.conf >broker.log 2>&1 & ;;
    mqwarden) "$binary" -c mqwarden.toml >broker.log 2>&1 & ;;
  esac
  broker_pid=$!
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not start" >&2; cat broker.log >&2; exit 1
}

for rep in $(seq "$reps"); do
  for name in mosquitto mqwarden; do
    start "$name"
    for tls in 1.2 1.3; do
      python3 "$here/tls_bench.py" --port $port --ca ca.pem --tls $tls --label "$name/$rep" handshakes \
        --threads 4 --duration 5
    done
    python3 "$here/tls_bench.py" --port $port --ca ca.pem --label "$name/$rep" throughput --pubs 4 --size 256 \
      --duration 8
    python3 "$here/tls_bench.py" --port $port --ca ca.pem --label "$name/$rep" idle --connections 1000 \
      --broker-pid "$broker_pid"
    kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
    broker_pid=
  done
done
