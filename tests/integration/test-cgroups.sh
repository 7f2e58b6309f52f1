#!/bin/bash
# The sandbox's cgroup on v1 (this host's controllers) and on v2 (a cgroup2
# mount made by this test; on a hybrid host it has no controllers, so v2 is
# tested for placement, the app/supervisor split, cleanup, and a clear error
# when a limit needs a controller v2 does not offer here).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_program /usr/bin/unshare util-linux

# --- v1 (or whatever /sys/fs/cgroup is): the app is in <id>/app, the Sentry is not
: > "$SB_TMP/base.conf"
p=$SB_TMP/pids.conf
printf 'tenant = "t-cg"\nlimits { pids = 100 }\n' > "$p"
sb_run --policy "$p" --policy-base "$SB_TMP/base.conf" -- /bin/sh -c 'cat /proc/self/cgroup; sleep 0.2'
if [[ $SB_RC == 0 ]] && grep -Eq '(pids|^0::)' <<<"$SB_OUT"; then
  # Inside its cgroup namespace the app sees itself at the root of its part.
  if grep -E 'pids' <<<"$SB_OUT" | grep -q ':/$'; then pass "cgroup: the app's cgroup namespace is rooted at its own cgroup"
  else soft_fail "cgroup: the app sees $(grep pids <<<"$SB_OUT")"; fi
else
  soft_fail "cgroup: exit $SB_RC, $SB_ERR"
fi

"$SANDBOX_RUNTIME" do --policy "$p" --policy-base "$SB_TMP/base.conf" --audit-log "$SB_TMP/audit" -- sleep 5 &
rt=$!
SB_BG_PIDS+=("$rt")
app=
for _ in $(seq 50); do
  app=$(pgrep -f '^sleep 5$' | head -1 || true)
  [[ -n $app ]] && break
  sleep 0.1
done
if [[ -n $app ]]; then
  appcg=$(grep -E ':pids:' /proc/"$app"/cgroup | cut -d: -f3)
  [[ $appcg == /sandbox/do-*/app ]] && pass "cgroup v1: the app is in $appcg" || soft_fail "cgroup v1: app cgroup $appcg"
  sentry=$(pgrep -P "$rt" | head -1)
  scg=$(grep -E ':pids:' /proc/"$sentry"/cgroup | cut -d: -f3)
  [[ $scg == /sandbox/do-* && $scg != */app ]] && pass "cgroup v1: the Sentry is outside the app's part ($scg)" \
    || soft_fail "cgroup v1: Sentry cgroup $scg"
  # Each hierarchy: the Sentry's first process and the init move themselves
  # (through v1's `tasks`, one hierarchy at a time), so a move that missed
  # one would show here. The Gofer is the Sentry's child.
  gofer=$(pgrep -P "$sentry" -x sandbox-gofer | head -1 || true)
  for c in memory pids cpu cpuacct freezer cpuset blkio devices; do
    grep -Eq "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:" /proc/"$app"/cgroup || continue
    a=$(grep -E "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:" /proc/"$app"/cgroup | cut -d: -f3)
    s=$(grep -E "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:" /proc/"$sentry"/cgroup | cut -d: -f3)
    g=$(grep -E "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:" /proc/"${gofer:-0}"/cgroup 2>/dev/null | cut -d: -f3 || true)
    if [[ $a == /sandbox/do-*/app && $s == "${a%/app}" && $g == "$s" ]]; then
      pass "cgroup v1 $c: the app in $a, the Sentry and the Gofer in $s"
    else
      soft_fail "cgroup v1 $c: app '$a', Sentry '$s', Gofer '$g'"
    fi
  done
  limit=$(cat "/sys/fs/cgroup/pids$appcg/pids.max")
  [[ $limit == 100 ]] && pass "cgroup v1: pids.max = 100 on the app's part" || soft_fail "cgroup v1: pids.max = $limit"
else
  soft_fail "cgroup v1: the app did not start"
fi
kill "$rt" 2>/dev/null || true
wait "$rt" 2>/dev/null || true
left=$(find /sys/fs/cgroup -maxdepth 3 -path '*/sandbox/do-*' 2>/dev/null || true)
[[ -z $left ]] && pass "cgroup v1: removed after the sandbox" || soft_fail "cgroup v1: left: $left"

# --- v2: a cgroup2 mount of our own, in a private mount namespace
cat > "$SB_TMP/v2.sh" <<EOF
set -eu
mkdir -p "$SB_TMP/cg2"
mount -n -t cgroup2 none "$SB_TMP/cg2"
export SANDBOX_CGROUP_ROOT="$SB_TMP/cg2"
"$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit" -- /bin/sh -c 'cat /proc/self/cgroup' > "$SB_TMP/v2.out" 2>&1 &
rt=\$!
wait \$rt; echo "rc=\$?" >> "$SB_TMP/v2.out"
# The BPF device program: a process placed in a running sandbox's app part
# opens /dev/null, not /dev/kmsg (which host root opens).
"$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit" -- sleep 10 > "$SB_TMP/v2dev.out" 2>&1 &
rt=\$!
for _ in \$(seq 100); do
  d=\$(ls -d "$SB_TMP"/cg2/sandbox/do-*/app 2>/dev/null | head -1) || true
  [ -n "\$d" ] && break
  sleep 0.1
done
# Who is where: the Sentry in the supervisor part, the init and the app's
# sleep in the app part (the clone of each put it there).
sleep 0.5
sentry=\$(pgrep -P \$rt | head -1)
{
  echo "sentry=\$sentry"
  echo "sup=\$(tr '\\n' ' ' < "\${d%/app}/supervisor/cgroup.procs")"
  echo "app=\$(for q in \$(cat "\$d/cgroup.procs"); do cat /proc/\$q/comm; done | tr '\\n' ' ')"
} > "$SB_TMP/v2place.out"
bash -c "head -c 0 /dev/kmsg && echo host-kmsg-ok; echo \\\$BASHPID > \$d/cgroup.procs && head -c 0 /dev/null && echo null-ok && exec head -c 0 /dev/kmsg" >> "$SB_TMP/v2dev.out" 2>&1 || true
kill \$rt; wait \$rt || true
ls "$SB_TMP/cg2/sandbox" 2>/dev/null | grep do- > "$SB_TMP/v2.left" || true
printf 'tenant = "t-v2"\nlimits { memory = 64M }\n' > "$SB_TMP/mem.conf"
rc=0
"$SANDBOX_RUNTIME" do --policy "$SB_TMP/mem.conf" --policy-base "$SB_TMP/base.conf" --audit-log "$SB_TMP/audit" -- /bin/true 2> "$SB_TMP/v2mem.err" || rc=\$?
echo "rc=\$rc" >> "$SB_TMP/v2mem.err"
ls "$SB_TMP/cg2/sandbox" 2>/dev/null | grep do- >> "$SB_TMP/v2.left" || true
umount -n "$SB_TMP/cg2"
EOF
unshare -m --propagation private bash "$SB_TMP/v2.sh" || soft_fail "cgroup v2: the test script failed"
if grep -q '^rc=0$' "$SB_TMP/v2.out" && grep -q '^0::/$' "$SB_TMP/v2.out"; then
  pass "cgroup v2: the sandbox runs placed in a v2 cgroup, namespace-rooted"
else
  soft_fail "cgroup v2: $(cat "$SB_TMP/v2.out")"
fi
v2place=$(cat "$SB_TMP/v2place.out" 2>/dev/null || true)
sentry=$(sed -n 's/^sentry=//p' <<<"$v2place")
if [[ -n $sentry ]] && grep -Eq "^sup=(.* )?$sentry " <<<"$v2place" && grep -Eq '^app=.*sleep' <<<"$v2place" \
  && ! grep -Eq "^app=.*sandbox-sentry" <<<"$v2place"; then
  pass "cgroup v2: the Sentry in the supervisor part, the init and the app in the app part"
else
  soft_fail "cgroup v2 placement: $v2place"
fi
v2dev=$(cat "$SB_TMP/v2dev.out")
[[ $v2dev == *host-kmsg-ok*null-ok*"/dev/kmsg"*"Operation not permitted"* ]] &&
  pass "cgroup v2: the BPF device program lets a process of the sandbox open /dev/null, not /dev/kmsg" ||
  soft_fail "cgroup v2 devices: $v2dev"
[[ ! -s $SB_TMP/v2.left ]] && pass "cgroup v2: removed after the sandbox" || soft_fail "cgroup v2: left $(cat "$SB_TMP/v2.left")"
if grep -q 'rc=125' "$SB_TMP/v2mem.err" && grep -q 'memory cgroup controller' "$SB_TMP/v2mem.err"; then
  pass "cgroup v2: a memory limit without the controller is a clear error"
elif grep -q 'rc=0' "$SB_TMP/v2mem.err"; then
  pass "cgroup v2: the memory controller is available here and the limit applied"
else
  soft_fail "cgroup v2 memory: $(cat "$SB_TMP/v2mem.err")"
fi

finish
