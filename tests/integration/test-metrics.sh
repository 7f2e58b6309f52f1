#!/usr/bin/env bash
# sandboxd's /metrics read by a real Prometheus server: containers of two
# tenants, sandboxd with a plain loopback metrics listener (metrics-listen),
# Prometheus scraping it (and the TLS port with the admin's and a tenant's
# certificates), then its HTTP API asked for the running and exited
# containers (which must be what sandboxd's API lists) and for the API
# requests by verb and code. /metrics on the TLS port: the admin may read
# it, a tenant may not. Nothing may be left behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
PROM=/usr/bin/prometheus
need_program "$PY" python3
need_program "$BB" busybox-static
need_program /usr/bin/curl curl
need_program "$PROM" prometheus

sb_snapshot "$SB_TMP/before"
METRICS_PORT=$(free_port)
# shellcheck disable=SC2034 # read by sbd_setup
SBD_CONF_EXTRA="metrics-listen = \"127.0.0.1:$METRICS_PORT\""
sbd_setup alpha beta
sbd_start

status() { head -n 1; }

# --- /metrics on the TLS port: admins only; the plain listener ---------------------
out=$(api alpha GET /metrics)
[[ $(status <<<"$out") == 403 ]] && pass "a tenant's certificate may not read /metrics on the TLS port (403)" ||
  soft_fail "/metrics as alpha: $(head -c 300 <<<"$out")"
out=$(api admin GET /metrics)
[[ $(status <<<"$out") == 200 ]] && grep -q '^sandboxd_containers{' <<<"$out" &&
  pass "the admin's certificate reads /metrics on the TLS port" || soft_fail "/metrics as admin: $(head -c 300 <<<"$out")"
out=$(curl -s --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics")
grep -q '^# TYPE sandboxd_containers gauge' <<<"$out" &&
  pass "metrics-listen serves the same text without TLS on the loopback" || soft_fail "metrics-listen: $(head -c 300 <<<"$out")"
rc=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$METRICS_PORT/v1/containers")
[[ $rc == 404 ]] && pass "... and nothing but /metrics (the API answers 404 there)" || soft_fail "metrics-listen /v1/containers: $rc"

# --- containers of two tenants: running, created, exited --------------------------------
creates=0
run() { # TENANT NAME: a running container
  local out
  out=$(api "$1" POST /v1/containers "{\"name\":\"$2\",\"cmd\":[\"$BB\",\"sleep\",\"60\"]}")
  [[ $(status <<<"$out") == 201 ]] || fail "create $1/$2: $out"
  creates=$((creates + 1))
  out=$(api "$1" POST "/v1/containers/$2/start")
  [[ $(status <<<"$out") == 204 ]] || fail "start $1/$2: $out"
}
run alpha a1
run alpha a2
run alpha a3
run beta b1
run beta b2
[[ $(api beta POST /v1/containers '{"name":"b-created","cmd":["/bin/true"]}' | status) == 201 ]] ||
  fail "create beta/b-created"
creates=$((creates + 1))
[[ $(api alpha POST /v1/containers '{"name":"a-exited","cmd":["/bin/true"]}' | status) == 201 ]] ||
  fail "create alpha/a-exited"
creates=$((creates + 1))
api alpha POST /v1/containers/a-exited/start >/dev/null
[[ $(api alpha POST /v1/containers/a-exited/wait | status) == 200 ]] || fail "wait alpha/a-exited"
pass "5 running containers of two tenants, one created, one exited"

listed() { # STATE [TENANT]: how many containers the API lists in that state
  api admin GET "/v1/containers?state=$1" | sed -n 2p |
    $PY -c 'import json,sys; t=sys.argv[1]; print(len([c for c in json.load(sys.stdin) if not t or c["tenant"] == t]))' "${2:-}"
}
api_running=$(listed running)
api_exited=$(listed exited)
api_alpha_running=$(listed running alpha)
[[ $api_running == 5 && $api_exited == 1 && $api_alpha_running == 3 ]] &&
  pass "the API lists 5 running (3 of alpha) and 1 exited" ||
  soft_fail "the API lists $api_running running ($api_alpha_running of alpha), $api_exited exited"

# --- Prometheus ------------------------------------------------------------------------
PROM_DIR=$SB_TMP/prometheus
PROM_PORT=$(free_port)
mkdir -p "$PROM_DIR/data"
cat >"$PROM_DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sandboxd
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
  - job_name: sandboxd-tls-admin
    scheme: https
    tls_config: {ca_file: '$SBD/ca.pem', cert_file: '$SBD/admin.pem', key_file: '$SBD/admin.key'}
    static_configs:
      - targets: ['127.0.0.1:$SBD_PORT']
  - job_name: sandboxd-tls-tenant
    scheme: https
    tls_config: {ca_file: '$SBD/ca.pem', cert_file: '$SBD/alpha.pem', key_file: '$SBD/alpha.key'}
    static_configs:
      - targets: ['127.0.0.1:$SBD_PORT']
YML
"$PROM" --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$PROM_DIR/prometheus.log" 2>&1 &
PROM_PID=$!
SB_BG_PIDS+=("$PROM_PID")

# query PROMQL: the value of the first series of an instant query (empty if none).
query() {
  curl -s --max-time 5 -G --data-urlencode "query=$1" "http://127.0.0.1:$PROM_PORT/api/v1/query" |
    $PY -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")'
}

# Ready, and a scrape of each job done (up is written at every scrape).
scraped=0
for _ in $(seq 300); do
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited: $(tail -n 5 "$PROM_DIR/prometheus.log")"
  if [[ $(query 'count(up)') == 3 ]]; then
    scraped=1
    break
  fi
  sleep 0.1
done
((scraped)) || fail "prometheus did not scrape its three targets within 30 s: $(tail -n 5 "$PROM_DIR/prometheus.log")"
pass "prometheus started and scraped its targets"

[[ $(query 'up{job="sandboxd"}') == 1 ]] && pass "the metrics-listen target is up" ||
  soft_fail "up{job=\"sandboxd\"} = $(query 'up{job="sandboxd"}')"
[[ $(query 'up{job="sandboxd-tls-admin"}') == 1 ]] && pass "the TLS target scraped with the admin's certificate is up" ||
  soft_fail "up{job=\"sandboxd-tls-admin\"} = $(query 'up{job="sandboxd-tls-admin"}')"
[[ $(query 'up{job="sandboxd-tls-tenant"}') == 0 ]] && pass "the TLS target scraped with a tenant's certificate is down (403)" ||
  soft_fail "up{job=\"sandboxd-tls-tenant\"} = $(query 'up{job="sandboxd-tls-tenant"}')"

v=$(query 'sum(sandboxd_containers{job="sandboxd",state="running"})')
[[ $v == "$api_running" ]] && pass "prometheus: running containers = $v, what the API lists" ||
  soft_fail "prometheus: running containers '$v', the API lists $api_running"
v=$(query 'sandboxd_containers{job="sandboxd",tenant="alpha",state="running"}')
[[ $v == "$api_alpha_running" ]] && pass "prometheus: alpha's running containers = $v, what the API lists" ||
  soft_fail "prometheus: alpha's running containers '$v', the API lists $api_alpha_running"
v=$(query 'sum(sandboxd_containers{job="sandboxd",state="exited"})')
[[ $v == "$api_exited" ]] && pass "prometheus: exited containers = $v, what the API lists" ||
  soft_fail "prometheus: exited containers '$v', the API lists $api_exited"
v=$(query 'sandboxd_containers{job="sandboxd",tenant="beta",state="created"}')
[[ $v == 1 ]] && pass "prometheus: beta has 1 created container" || soft_fail "prometheus: beta's created containers '$v'"
v=$(query 'sum(sandboxd_containers{job="sandboxd-tls-admin",state="running"})')
[[ $v == "$api_running" ]] && pass "... the same over TLS with the admin's certificate" ||
  soft_fail "prometheus over TLS: running containers '$v'"

v=$(query 'sandboxd_api_requests_total{job="sandboxd",verb="container.create",code="201"}')
[[ $v == "$creates" ]] && pass "prometheus: API requests container.create with code 201 = $creates" ||
  soft_fail "prometheus: container.create 201 '$v', expected $creates"
v=$(query 'sandboxd_api_requests_total{job="sandboxd",verb="metrics",code="403"}')
[[ -n $v ]] && ((v >= 1)) && pass "prometheus: the refused /metrics requests are counted with code 403 ($v)" ||
  soft_fail "prometheus: metrics 403 '$v'"
v=$(query 'sandboxd_container_start_seconds_count{job="sandboxd"}')
[[ $v == 6 ]] && pass "prometheus: the start-latency histogram counted the 6 starts" || soft_fail "start_seconds_count '$v'"

kill -TERM "$PROM_PID" 2>/dev/null || true
wait "$PROM_PID" 2>/dev/null || true

sbd_clean_all
sbd_stop
check_nothing_left "$SB_TMP/before" "sandboxd, prometheus and the containers"
finish
