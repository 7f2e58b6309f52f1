#!/usr/bin/env bash
# sandboxd on a full disk: its state directory on a small tmpfs that a
# container's output fills. What the daemon must then do: refuse what needs
# the disk with an error that names the cause (ENOSPC and the file), leave
# no half-written state (no *.tmp files, no record that cannot be loaded),
# keep serving and keep the running container running; and once space is
# freed, work as before, after a restart too. Nothing may be left behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
need_program "$PY" python3
need_program "$BB" busybox-static

sb_snapshot "$SB_TMP/before"
SBD_POLICY_EXTRA="limits { containers = 20 }"
sbd_setup acme
mount -n -t tmpfs -o size=384k,mode=700 sbtest-full "$SBD/state"
unmount_state() { umount -n "$SBD/state" 2>/dev/null || umount -n -l "$SBD/state" 2>/dev/null || true; }
SB_CLEANUP_HOOKS+=(unmount_state)
sbd_start

json() { sed -n 2p | $PY -c "import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null || true; }
avail() { df --output=avail -k "$SBD/state" | tail -n 1 | tr -d ' '; }

# A container whose output fills the disk (its log is under the state directory).
out=$(api acme POST /v1/containers \
  '{"name":"filler","cmd":["/bin/busybox","sh","-c","while :; do echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; done"]}')
[[ $(head -n 1 <<<"$out") == 201 ]] || fail "create filler: $out"
out=$(api acme POST /v1/containers/filler/start)
[[ $(head -n 1 <<<"$out") == 204 ]] || fail "start filler: $out"
for _ in $(seq 200); do
  [[ $(avail) == 0 ]] && break
  sleep 0.1
done
[[ $(avail) == 0 ]] && pass "the container's output filled the state filesystem" || fail "the disk never filled ($(avail) KiB left)"

# What needs the disk is refused, naming the cause.
said=
for i in 1 2 3; do
  out=$(api acme POST /v1/containers '{"cmd":["/bin/true"]}')
  if [[ $(head -n 1 <<<"$out") != 201 ]]; then
    said=$out
    break
  fi
  id=$(json 'v["id"]' <<<"$out")
  out=$(api acme POST "/v1/containers/$id/start")
  if [[ $(head -n 1 <<<"$out") != 204 ]]; then
    said=$out
    break
  fi
done
grep -q "No space left on device" <<<"$said" && pass "create or start on a full disk: refused, naming the cause ($(head -n 1 <<<"$said"))" ||
  soft_fail "create/start on a full disk: '$said'"
[[ -z $(find "$SBD/state" -name '*.tmp') ]] && pass "no half-written state file (*.tmp) is left" ||
  soft_fail "temporary files left: $(find "$SBD/state" -name '*.tmp')"
out=$(api acme GET /v1/info)
[[ $(head -n 1 <<<"$out") == 200 ]] && pass "sandboxd keeps answering" || soft_fail "info on a full disk: $out"
[[ $(api acme GET /v1/containers/filler | json 'v["state"]') == running ]] &&
  pass "the running container runs on (its output beyond the disk is dropped, not blocking it)" ||
  soft_fail "filler: $(api acme GET /v1/containers/filler)"

# Space again: remove what filled it; then all works as before, across a restart.
# The 204 of a delete with force comes once the record and its log are
# gone, not at the kill (a restart of sandboxd in between kept an exited
# filler whose log still filled the disk): with the filler's monitor
# stopped, the delete waits; resumed, it is answered, and nothing is left.
mon=$(pgrep -f "^sandbox-monitor $SBD/state/containers/" | head -n 1)
[[ -n $mon ]] || fail "the filler's monitor is not found"
kill -STOP "$mon"
api acme DELETE "/v1/containers/filler?force=1" >"$SB_TMP/del.out" 2>&1 &
del=$!
SB_BG_PIDS+=("$del")
sleep 1
early=$(head -n 1 "$SB_TMP/del.out" 2>/dev/null || true)
kill -CONT "$mon"
wait "$del" || true
out=$(cat "$SB_TMP/del.out")
[[ -z $early && $(head -n 1 <<<"$out") == 204 ]] && pass "the filler removed (its log with it): the 204 waited for its end" ||
  soft_fail "delete filler: answered '${early:-nothing}' while its monitor was stopped, then: $out"
out=$(api acme GET /v1/containers/filler)
[[ $(head -n 1 <<<"$out") == 404 ]] && ! grep -rqs '"name": *"filler"' "$SBD/state/containers" &&
  pass "after the 204 of delete with force: no record, no directory" ||
  soft_fail "right after the delete: $(head -n 1 <<<"$out"), directories: $(ls "$SBD/state/containers")"
sbd_stop
sbd_start
out=$(api acme GET '/v1/containers?all=1')
[[ $(head -n 1 <<<"$out") == 200 ]] && pass "a restarted sandboxd loads every record the full disk left" ||
  soft_fail "list after restart: $out (daemon log: $(tail -n 3 "$SBD/daemon.log"))"
out=$(api acme POST /v1/containers '{"name":"after","cmd":["/bin/busybox","sh","-c","echo fine"]}')
start=$(api acme POST /v1/containers/after/start)
code=$(api acme POST /v1/containers/after/wait | json 'v["exit_code"]')
logs=$(api acme GET /v1/containers/after/logs | tr -d '\0')
[[ $code == 0 ]] && grep -q fine <<<"$logs" && pass "with space again: create, start, wait and logs work" ||
  soft_fail "after the disk was freed: create '$out', start '$start', exit '$code', logs '$logs'"

sbd_clean_all
sbd_stop
unmount_state
check_nothing_left "$SB_TMP/before" "sandboxd on a full disk and its containers"
finish
