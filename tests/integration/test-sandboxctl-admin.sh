#!/usr/bin/env bash
# sandboxctl's admin verbs end to end: `admin init` (CA, server and admin
# certificates, sandboxd.conf, base policy; keys 0600; no overwrite
# without --force), sandboxd started on what it wrote, `tenant add` from a
# policy example (validated first), the tenant's bundle used over TLS,
# contexts, `tenant list/show`, `tenant rm` refused while containers run,
# `tenant revoke` (the bundle is refused from then on), re-onboarding,
# `tenant rm --force`; and nothing left behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
CTL=$TESTS_BUILDDIR/client/sandboxctl
need_program "$PY" python3
need_program "$BB" busybox-static
need_program /usr/bin/openssl openssl
need_program "$SANDBOXD" "(the build: make)"
need_program "$CTL" "(the build: make)"

sb_snapshot "$SB_TMP/before"
export HOME=$SB_TMP/home
export SANDBOXCTL_EXAMPLES_DIR=$TESTS_SRCDIR/policy/examples
mkdir -p "$HOME"
cd "$SB_TMP"

ctl() {
  RC=0
  timeout --kill-after=5 60 "$CTL" "$@" </dev/null >"$SB_TMP/ctl.out" 2>"$SB_TMP/ctl.err" || RC=$?
  OUT=$(cat "$SB_TMP/ctl.out")
  ERR=$(cat "$SB_TMP/ctl.err")
}
check() {
  local what=$1
  shift
  if "$@"; then
    pass "$what"
  else
    soft_fail "$what: exit $RC, stdout [$(head -c 800 <<<"$OUT")], stderr [$(head -c 800 <<<"$ERR")]"
  fi
}
has() { grep -q -- "$1" <<<"$2"; }
mode() { stat -c %a "$1"; }

# --- admin init ---------------------------------------------------------------------
SBD_PORT=$(free_port)
init_args=(--dir "$SBD" --hostname localhost --hostname 127.0.0.1 --listen "127.0.0.1:$SBD_PORT"
  --state-dir "$SBD/state" --run-dir "$SBD/run" --audit-log "$SBD/audit.log")
ctl admin init "${init_args[@]}"
check "admin init: done, and says what it made and how to start sandboxd" \
  eval '[[ $RC == 0 ]] && has "sandboxd --config $SBD/sandboxd.conf" "$OUT"'
for f in sandboxd.conf defaults.conf ca.pem server.pem server.key crl.pem ca/ca.key admin/config admin/cert.pem \
  admin/key.pem admin/ca.pem; do
  [[ -s $SBD/$f ]] || soft_fail "admin init did not write $f"
done
[[ $(mode "$SBD/ca/ca.key") == 600 && $(mode "$SBD/server.key") == 600 && $(mode "$SBD/admin/key.pem") == 600 &&
  $(mode "$SBD/ca") == 700 ]] && pass "the keys are 0600, the CA's directory 0700" ||
  soft_fail "modes: ca.key $(mode "$SBD/ca/ca.key"), server.key $(mode "$SBD/server.key"), ca/ $(mode "$SBD/ca")"
OUT=$(openssl verify -CAfile "$SBD/ca.pem" "$SBD/server.pem" "$SBD/admin/cert.pem" 2>&1) && RC=0 || RC=$?
check "the CA signed the server's and the admin's certificates" test "$RC" = 0
OUT=$(openssl x509 -in "$SBD/server.pem" -noout -ext subjectAltName,extendedKeyUsage 2>&1)
check "the server certificate names the host's names and addresses, for serverAuth" \
  eval 'has "DNS:localhost" "$OUT" && has "IP Address:127.0.0.1" "$OUT" && has "TLS Web Server Authentication" "$OUT"'
OUT=$(openssl crl -in "$SBD/crl.pem" -noout -text 2>&1)
check "an empty CRL signed by the CA" eval 'has "No Revoked Certificates" "$OUT"'
ctl admin init "${init_args[@]}"
check "admin init again: refused without --force" eval '[[ $RC == 1 ]] && has "already set up" "$ERR" && has -- "--force" "$ERR"'
ca_before=$(md5sum <"$SBD/ca.pem")
ctl admin init "${init_args[@]}" --force
check "admin init --force: a new CA" eval '[[ $RC == 0 && $(md5sum <"$SBD/ca.pem") != "$ca_before" ]]'
ctl admin init --dir relative/path
check "admin init with a relative directory: usage" test "$RC" = 2

sbd_start
pass "sandboxd starts on what admin init wrote"

# --- tenant add ------------------------------------------------------------------------
ctl tenant add acme --dir "$SBD" --from free-tier --set 'images = {"host"}'
check "tenant add from the free-tier example: the policy, the certificate, the bundle, one line on how to use it" \
  eval '[[ $RC == 0 ]] && has "sandboxctl --config ./acme/config ps" "$OUT"'
B=$SB_TMP/acme
[[ -s $B/config && -s $B/cert.pem && -s $B/ca.pem && $(mode "$B/key.pem") == 600 && $(mode "$B") == 700 ]] &&
  pass "the bundle: config, cert.pem, ca.pem, key.pem (0600) in a 0700 directory" ||
  soft_fail "bundle: $(ls -la "$B" 2>&1)"
! grep -rq "PRIVATE KEY" "$B/ca.pem" "$B/config" "$B/cert.pem" && ! cmp -s "$B/key.pem" "$SBD/ca/ca.key" &&
  pass "the CA's key is not in the bundle" || soft_fail "the bundle holds a CA key"
OUT=$(cat "$SBD/tenants/acme.conf")
check "the installed policy: the tenant, its subject, the example's limits, the --set key" \
  eval 'has "^tenant = \"acme\"" "$OUT" && has "certificate-subject = \"CN=acme,O=sandbox tenants\"" "$OUT" && has "memory = 256M" "$OUT" && has "^images = {\"host\"}" "$OUT" && ! has "free-example" "$OUT"'
ctl policy check --base "$SBD/defaults.conf" "$SBD/tenants/acme.conf"
check "the base policy and the tenant's pass policy check" eval '[[ $RC == 0 ]] && has "ok (tenant acme)" "$OUT"'
OUT=$(openssl x509 -in "$B/cert.pem" -noout -subject -ext extendedKeyUsage 2>&1)
check "the certificate has the subject the policy names, for clientAuth" \
  eval 'has "CN *= *acme" "$OUT" && has "TLS Web Client Authentication" "$OUT"'

# --- the bundle, over TLS -----------------------------------------------------------------
ctl --config "$B/config" info
check "as acme with the bundle: the tenant, over TLS" eval 'has "Tenant: *acme" "$OUT" && has "https://localhost:$SBD_PORT" "$OUT"'
ctl --config "$B/config" run --rm host $BB sh -c 'hostname; head -n 1 /proc/meminfo'
check "acme's container runs under the example's policy (hostname, 256M)" \
  eval '[[ $RC == 0 ]] && has "^free-app$" "$OUT" && has "262144 kB" "$OUT"'
ctl --config "$B/config" run --rm -m 1G host $BB true
check "a request over acme's policy: refused with the rule" eval '[[ $RC == 125 ]] && has "limits.memory" "$ERR"'

# --- contexts -------------------------------------------------------------------------------
ctl context import "$B/config"
check "context import: the bundle's context, current" eval '[[ $RC == 0 && -s $HOME/.config/sandboxctl/config ]]'
ctl ps -a
check "... then sandboxctl needs no --config" test "$RC" = 0
ctl context import "$SBD/admin/config"
check "a second context (the admin's bundle)" test "$RC" = 0
ctl context ls
check "context ls: both, the current one marked" eval 'has "^admin \*" "$OUT" && has "^acme " "$OUT"'
ctl info
check "as the admin over TLS (current context)" has "as admin" "$OUT"
ctl --context acme info
check "--context acme" has "Tenant: *acme" "$OUT"
RC=0
OUT=$(SANDBOXCTL_CONTEXT=acme "$CTL" info 2>&1) || RC=$?
check "SANDBOXCTL_CONTEXT=acme" has "Tenant: *acme" "$OUT"
ctl context use acme
ctl context show
check "context use acme; context show says where the settings come from" \
  eval 'has "context: *acme" "$OUT" && has "from: *context acme of $HOME/.config/sandboxctl/config" "$OUT"'
ctl --context nosuch ps
check "an unknown context: named" eval '[[ $RC == 1 ]] && has "no context nosuch" "$ERR"'
printf 'current-context = "x"\ncontext x {\n    server = "https://h:1"\n    colour = "blue"\n}\n' >"$SB_TMP/bad.conf"
ctl --config "$SB_TMP/bad.conf" ps
check "a bad configuration: FILE:LINE and what is wrong" eval '[[ $RC == 1 ]] && has "$SB_TMP/bad.conf:4:" "$ERR" && has "colour" "$ERR"'
printf 'context x {\n    server = "ftp://h:1"\n}\n' >"$SB_TMP/bad2.conf"
ctl --config "$SB_TMP/bad2.conf" ps
check "a server that is not https:// or unix://: FILE:LINE" eval '[[ $RC == 1 ]] && has "bad2.conf:2:" "$ERR"'
rm -rf "$HOME/.config"
RC=0
OUT=$(env -u SANDBOXCTL_SERVER "$CTL" context show 2>&1) || RC=$?
check "root without any configuration: the local socket" \
  eval 'has "server: *unix:///run/sandboxd/sandboxd.sock" "$OUT" && has "root.s default" "$OUT"'
RC=0
OUT=$(SANDBOXCTL_SERVER=unix://$SBD/run/sandboxd.sock "$CTL" info 2>&1) || RC=$?
check "root on sandboxd's local socket is the admin" has "uid:0 as admin" "$OUT"
RC=0
OUT=$(SANDBOXCTL_ADMIN_DIR=$SBD "$CTL" tenant list 2>&1) || RC=$?
check "SANDBOXCTL_ADMIN_DIR names the administration directory" has "^acme " "$OUT"

# --- tenant add: errors ---------------------------------------------------------------------
ctl tenant add acme --dir "$SBD" --out "$SB_TMP/acme-again"
check "tenant add of an existing tenant: refused" eval '[[ $RC == 1 ]] && has "exists" "$ERR" && [[ ! -e $SB_TMP/acme-again/key.pem ]]'
ctl tenant add Bad_Name --dir "$SBD"
check "a name that is not a tenant's: usage" test "$RC" = 2
ctl tenant add beta --dir "$SBD" --from free-tier --set 'limits { memory = 12Q }' --out "$SB_TMP/beta"
check "an invalid policy: refused before it is installed, with FILE:LINE" \
  eval '[[ $RC == 1 ]] && has "beta.conf:[0-9]*: .*12Q" "$ERR" && [[ ! -e $SBD/tenants/beta.conf && ! -e $SB_TMP/beta/key.pem ]]'
ls -A "$SBD/tenants" | grep -q '^\.' && soft_fail "a temporary policy was left: $(ls -A "$SBD/tenants")" ||
  pass "no temporary file left in the tenants directory"
ctl tenant add beta --dir "$SBD" --from no-such-example
check "--from an example that does not exist" eval '[[ $RC == 1 ]] && has "no-such-example" "$ERR"'
ctl tenant add beta --dir "$SB_TMP/nowhere"
check "tenant add where admin init did not run: what to do" eval '[[ $RC == 1 ]] && has "admin init" "$ERR"'
ctl tenant add beta --dir "$SBD" --from "$TESTS_SRCDIR/policy/examples/paid-tier.conf" --subject "CN=beta,O=Beta Inc" \
  --out "$SB_TMP/beta"
check "tenant add from a file, with its own subject" eval '[[ $RC == 0 ]] && has "CN=beta,O=Beta Inc" "$OUT"'
ctl --config "$SB_TMP/beta/config" info
check "beta's bundle works too" has "Tenant: *beta" "$OUT"

# --- list, show, rm refused, revoke -----------------------------------------------------------
ctl --config "$B/config" run -d --name web host $BB sleep 1000
ctl tenant list --dir "$SBD"
check "tenant list: tenants, containers, certificates" eval 'has "^acme .*loaded .*1/1 .*1 valid, 0 revoked" "$OUT" && has "^beta " "$OUT"'
ctl tenant show acme --dir "$SBD"
check "tenant show: policy summary, containers, usage" \
  eval 'has "memory 256MiB" "$OUT" && has "web" "$OUT" && has "Usage: .* in 1 running" "$OUT"'
ctl --config "$SBD/admin/config" tenant list --dir "$SBD"
check "tenant list with the admin's certificate over TLS" has "^acme " "$OUT"
ctl --config "$B/config" tenant list --dir "$SBD"
check "tenant list with a tenant's certificate: refused" eval '[[ $RC == 1 ]] && has "for administrators" "$ERR"'
ctl tenant rm acme --dir "$SBD"
check "tenant rm while a container runs: refused, saying how" \
  eval '[[ $RC == 1 ]] && has "1 running container" "$ERR" && has -- "--force" "$ERR" && [[ -e $SBD/tenants/acme.conf ]]'
ctl tenant revoke acme --dir "$SBD"
check "tenant revoke: the CRL updated, sandboxd told" eval '[[ $RC == 0 ]] && has "revoked 1 certificate" "$OUT"'
OUT=$(openssl crl -in "$SBD/crl.pem" -noout -text 2>&1)
serial=$(openssl x509 -in "$B/cert.pem" -noout -serial | cut -d= -f2)
check "the CRL lists acme's certificate" has "$serial" "$OUT"
ctl --config "$B/config" ps
check "acme's bundle is refused from then on, and says why" \
  eval '[[ $RC == 1 ]] && has "refused the certificate" "$ERR" && has "revoked" "$ERR"'
ctl --config "$SB_TMP/beta/config" ps
check "... beta's is not" test "$RC" = 0
ctl tenant add acme --dir "$SBD" --force --from free-tier --set 'images = {"host"}' --out "$SB_TMP/acme2"
check "re-onboarding acme (--force): a new certificate" test "$RC" = 0
ctl --config "$SB_TMP/acme2/config" ps
check "... which works, and sees acme's container" eval '[[ $RC == 0 ]] && has " web$" "$OUT"'
ctl --config "$B/config" ps
check "... while the revoked one stays refused" test "$RC" = 1
ctl tenant rm acme --dir "$SBD" --force
check "tenant rm --force: its containers stopped and removed, its policy gone" \
  eval '[[ $RC == 0 && ! -e $SBD/tenants/acme.conf ]]'
RC=0
OUT=$(api local GET '/v1/containers?all=1' | sed -n 2p)
check "... no container of acme's is left" eval '! has "\"acme\"" "$OUT"'
ctl --config "$SB_TMP/acme2/config" ps
check "... and its certificate is refused" test "$RC" = 1
ctl tenant rm beta --dir "$SBD"
check "tenant rm of a tenant without containers" test "$RC" = 0
ctl tenant rm nosuch --dir "$SBD"
check "tenant rm of an unknown tenant" eval '[[ $RC == 1 ]] && has "no tenant nosuch" "$ERR"'

sbd_clean_all
sbd_stop
check_nothing_left "$SB_TMP/before" "sandboxd and the tenants' containers"
finish
