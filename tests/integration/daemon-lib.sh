# shellcheck shell=bash
# daemon-lib.sh - a real sandboxd for a test, over real mutual TLS.
# Sourced after lib.sh. Gives:
#   sbd_setup TENANT...    a CA (openssl ca, so certificates can expire and
#                          be revoked), the server's and an admin's
#                          certificates, one policy and certificate per
#                          tenant (tenant T: ids from sbd_ids T, subject
#                          CN=T,O=Test), sandboxd.conf; all under $SBD
#   sbd_start / sbd_stop / sbd_kill9   the daemon (its pid in SBD_PID)
#   api WHO METHOD PATH [JSON]         a request as WHO (admin, a tenant, or
#                          "local" for the Unix socket); prints the status
#                          on the first line, the body on the second
#   api_exec WHO CONTAINER CMD...      an exec; its output, exit code
#   sbd_cert NAME SUBJECT [DAYS|expired]  one more certificate from the CA
SBD=$SB_TMP/sbd
SBD_PID=
SBD_PORT=
SBD_API_PY=$SB_LIB_DIR/sbapi.py
: "${SANDBOXD:=$TESTS_BUILDDIR/daemon/sandboxd}"

sbd_ids() { # a distinct id range per tenant name, outside the pool
  local sum
  sum=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
  echo $((200000000 + (sum % 4000) * 65536))
}

sbd_cert() {
  local name=$1 subj=$2 days=${3:-30} dates=()
  if [[ $days == expired ]]; then
    dates=(-startdate 20200101000000Z -enddate 20200102000000Z)
  else
    dates=(-days "$days")
  fi
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$SBD/$name.key" \
    -out "$SBD/$name.csr" -subj "$subj" 2>/dev/null
  openssl ca -batch -config "$SBD/ca.cnf" -in "$SBD/$name.csr" -out "$SBD/$name.pem" \
    -extensions "${4:-client_ext}" "${dates[@]}" >/dev/null 2>&1 ||
    fail "openssl ca could not sign $name"
}

sbd_setup() {
  local t
  need_program /usr/bin/openssl openssl
  need_program "$SANDBOXD" "(the build: make)"
  mkdir -p "$SBD/ca/newcerts" "$SBD/tenants" "$SBD/state" "$SBD/run"
  : >"$SBD/ca/index.txt"
  echo 1000 >"$SBD/ca/serial"
  echo 1000 >"$SBD/ca/crlnumber"
  cat >"$SBD/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $SBD/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $SBD/ca.pem
private_key = $SBD/ca.key
default_md = sha256
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
organizationName = optional
[ client_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
[ server_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
CNF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$SBD/ca.key" \
    -out "$SBD/ca.pem" -days 30 -subj "/O=Test/CN=Test CA" 2>/dev/null || fail "openssl: no CA"
  sbd_cert server "/O=Test/CN=localhost" 30 server_ext
  sbd_cert admin "/O=Test/CN=admin"
  openssl ca -batch -config "$SBD/ca.cnf" -gencrl -out "$SBD/crl.pem" 2>/dev/null || fail "openssl: no CRL"
  for t in "$@"; do
    sbd_cert "$t" "/O=Test/CN=$t"
    cat >"$SBD/tenants/$t.conf" <<POL
tenant = "$t"
certificate-subject = "CN=$t,O=Test"
id-range = "$(sbd_ids "$t")-$(($(sbd_ids "$t") + 65535))"
${SBD_POLICY_EXTRA:-}
POL
  done
  : >"$SBD/defaults.conf"
  SBD_PORT=$(free_port)
  cat >"$SBD/sandboxd.conf" <<CONF
listen = {"127.0.0.1:$SBD_PORT"}
unix-socket = "$SBD/run/sandboxd.sock"
tls {
    ca = "$SBD/ca.pem"
    cert = "$SBD/server.pem"
    key = "$SBD/server.key"
    crl = "$SBD/crl.pem"
}
admin-subjects = {"CN=admin,O=Test"}
state-dir = "$SBD/state"
run-dir = "$SBD/run"
tenants-dir = "$SBD/tenants"
policy-base = "$SBD/defaults.conf"
audit-log = "$SBD/audit.log"
${SBD_CONF_EXTRA:-}
CONF
}

sbd_start() {
  local i
  "$SANDBOXD" --config "$SBD/sandboxd.conf" --foreground >>"$SBD/daemon.log" 2>&1 &
  SBD_PID=$!
  SB_BG_PIDS+=("$SBD_PID")
  for i in $(seq 100); do
    [[ -S $SBD/run/sandboxd.sock ]] && api local GET /v1/health >/dev/null 2>&1 && return 0
    kill -0 "$SBD_PID" 2>/dev/null || break
    sleep 0.05
  done
  fail "sandboxd did not start: $(tail -n 5 "$SBD/daemon.log")"
}

sbd_stop() {
  [[ -n $SBD_PID ]] || return 0
  kill -TERM "$SBD_PID" 2>/dev/null || true
  wait "$SBD_PID" 2>/dev/null || true
  SBD_PID=
}

sbd_kill9() {
  kill -KILL "$SBD_PID" 2>/dev/null || true
  wait "$SBD_PID" 2>/dev/null || true
  SBD_PID=
}

# At exit, whatever this test's daemon left running (an interrupted or
# failed test): its monitors are stopped, then killed, and the cgroups of
# its containers removed.  Only processes under this test's own directory.
sbd_exit_hook() {
  local pids i id c
  [[ -d $SBD/state/containers ]] || return 0
  pids=$(pgrep -f "^sandbox-monitor (--oci )?$SBD/" || true)
  [[ -n $pids ]] || return 0
  kill -TERM $pids 2>/dev/null || true
  for i in $(seq 30); do
    pids=$(pgrep -f "^sandbox-monitor (--oci )?$SBD/" || true)
    [[ -z $pids ]] && break
    sleep 0.1
  done
  [[ -n $pids ]] && kill -KILL $pids 2>/dev/null
  for id in $(ls "$SBD/state/containers"); do
    for c in /sys/fs/cgroup/*/sandbox/"$id" /sys/fs/cgroup/sandbox/"$id"; do
      [[ -d $c ]] || continue
      rmdir "$c/app" "$c" 2>/dev/null || true
    done
  done
}
SB_CLEANUP_HOOKS+=(sbd_exit_hook)

sbd_client_args() {
  if [[ $1 == local ]]; then
    echo "--unix $SBD/run/sandboxd.sock"
  else
    echo "--url https://127.0.0.1:$SBD_PORT --ca $SBD/ca.pem --cert $SBD/$1.pem --key $SBD/$1.key"
  fi
}

api() {
  local who=$1
  shift
  # shellcheck disable=SC2046
  /usr/bin/python3 "$SBD_API_PY" $(sbd_client_args "$who") "$@"
}

api_exec() {
  local who=$1
  shift
  # shellcheck disable=SC2046
  /usr/bin/python3 "$SBD_API_PY" $(sbd_client_args "$who") exec "$@"
}

# Every container of every tenant stopped and deleted (for the end of a test).
sbd_clean_all() {
  api local GET '/v1/containers?all=1' | sed -n 2p |
    /usr/bin/python3 -c 'import json,sys; [print(c["id"]) for c in json.load(sys.stdin)]' |
    while read -r id; do api local DELETE "/v1/containers/$id?force=1" >/dev/null; done
}
