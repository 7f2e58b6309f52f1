#!/usr/bin/env bash
# sandbox-runtime as an OCI runtime (runc's command line), driven directly
# as a shim or conmon would: create/start/state/kill/delete, run, exec, ps,
# list, pause/resume, features, spec; the container is one of sandboxd's
# (its API shows it under the tenant); the caller's stdio is the
# container's; the --pid-file process exits with the container's status;
# a console socket receives the pty's master with process.terminal; a
# config asking more than the tenant's policy is refused, naming the key.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/oci-lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3
need_program /bin/busybox busybox-static

# Deletes wait for the monitors: a short wait.
SB_LEFT_WAIT=3
sb_snapshot "$SB_TMP/before"
SBD_POLICY_EXTRA='limits { containers = 10  memory = 256M  pids = 200  cpus = 2 }'
sbd_setup ocit ocit2 ocit3
# ocit2 may join network namespaces (network mode host).
echo 'network { mode = host }' >>"$SBD/tenants/ocit2.conf"
# ocit3's apps may trace their own processes (ptrace on the host).
echo 'syscalls { profile = compat }' >>"$SBD/tenants/ocit3.conf"
# ocit2 may run Kubernetes' Guaranteed pods (oomScoreAdj -997, -998).
sed -i 's/^limits {/limits { oom-score-adj-min = -998 /' "$SBD/tenants/ocit2.conf"
sbd_start
oci_setup ocit
B=$SB_TMP/bundle
# A runtime of the second tenant's (ocit2).
cat >"$SB_TMP/rt2.conf" <<CONF
tenant = "ocit2"
sandboxd-socket = "$SBD/run/sandboxd.sock"
file-roots = {"$SB_TMP/engine-files"}
shm-roots = {"$SB_TMP/engine-shm"}
CONF
rt2() { "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" "$@"; }
sed 's/"ocit2"/"ocit3"/' "$SB_TMP/rt2.conf" >"$SB_TMP/rt3.conf"
rt3() { "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt3.conf" "$@"; }

# json EXPR: a field of the JSON on stdin.
json() { $PY -c "import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
state_of() { rt state "$1" 2>/dev/null | json 'v["status"]' 2>/dev/null || echo none; }
wait_state() { # ID STATUS
  local i
  for i in $(seq 100); do
    [[ $(state_of "$1") == "$2" ]] && return 0
    sleep 0.05
  done
  return 1
}

# --- features, spec, --version -------------------------------------------------
out=$(rt features)
[[ $(json 'v["ociVersionMax"]' <<<"$out") == 1.* ]] && json '"seccomp" in v["linux"] and "namespaces" in v["linux"]' <<<"$out" | grep -q True &&
  pass "features: runc's JSON" || soft_fail "features: $out"
mkdir -p "$SB_TMP/spec"
(cd "$SB_TMP/spec" && rt spec) && json 'v["process"]["args"], v["root"]["path"]' <"$SB_TMP/spec/config.json" >/dev/null &&
  pass "spec writes a config.json" || soft_fail "spec: $(cat "$SB_TMP/spec/config.json" 2>&1)"
"$SANDBOX_RUNTIME" --version | grep -q '^spec: 1\.' && pass "--version names the spec" || soft_fail "--version"

# --- create, state, start, the pid-file process, stdio -------------------------
oci_bundle "$B" sh -c 'read line; echo "got $line"; echo to-stderr >&2; hostname; exit 3'
echo hello >"$SB_TMP/in"
t0=$(date +%s%N)
rt create --bundle "$B" --pid-file "$SB_TMP/c1.pid" c1 <"$SB_TMP/in" >"$SB_TMP/c1.out" 2>"$SB_TMP/c1.err" ||
  fail "create: $(cat "$SB_TMP/c1.err")"
t1=$(date +%s%N)
pid=$(cat "$SB_TMP/c1.pid")
[[ $(state_of c1) == created ]] && pass "create: state says created" || soft_fail "state after create: $(rt state c1 2>&1)"
# create builds the sandbox, as runc's create leaves its init waiting: the
# Sentry already runs under the monitor, the command not yet.
sentry=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
sentry_exe=$(for c in $sentry; do readlink /proc/"$c"/exe; done 2>/dev/null || true)
sleep 0.3
grep -q '/sandbox-sentry$' <<<"$sentry_exe" && [[ ! -s $SB_TMP/c1.out ]] &&
  pass "create: the sandbox is built (its Sentry runs), the command waits for start" ||
  soft_fail "after create: monitor's children: ${sentry_exe:-none}; output: $(cat "$SB_TMP/c1.out")"
st=$(rt state c1)
[[ $(json 'v["pid"]' <<<"$st") == "$pid" && $(json 'v["bundle"]' <<<"$st") == "$B" && $(json 'v["id"]' <<<"$st") == c1 ]] &&
  pass "state: runc's JSON with the pid of --pid-file and the bundle" || soft_fail "state: $st"
out=$(api local GET '/v1/containers?all=1')
grep -q '"tenant": *"ocit"' <<<"$out" && pass "sandboxd's API shows the container under its tenant" ||
  soft_fail "sandboxd's containers: $out"
t2=$(date +%s%N)
rt start c1 || soft_fail "start c1"
t3=$(date +%s%N)
echo "test-oci: create took $(( (t1 - t0) / 1000000 )) ms, start $(( (t3 - t2) / 1000000 )) ms (printed, not asserted)"
# The pid-file process is our child only in a shim; here it was create's, so
# wait for it by polling and read the status from state.
wait_state c1 stopped && pass "the container ran and stopped" || soft_fail "c1 did not stop: $(rt state c1 2>&1)"
[[ $(cat "$SB_TMP/c1.out") == $'got hello\nocibox' ]] && pass "stdin and stdout were the caller's; hostname from the config" ||
  soft_fail "c1 stdout: $(cat "$SB_TMP/c1.out")"
grep -q to-stderr "$SB_TMP/c1.err" && pass "stderr was the caller's" || soft_fail "c1 stderr: $(cat "$SB_TMP/c1.err")"
rt delete c1 && [[ $(state_of c1) == none ]] && pass "delete forgets a stopped container" || soft_fail "delete c1"

# A signal for a created container ends it (its command never ran), with
# the status of that signal, and its Sentry with it.
oci_bundle "$SB_TMP/bt" sh -c 'echo ran'
rt create --bundle "$SB_TMP/bt" --pid-file "$SB_TMP/ct.pid" ct </dev/null >"$SB_TMP/ct.out" 2>&1 || fail "create ct: $(cat "$SB_TMP/ct.out")"
ct_sentry=$(cat /proc/"$(cat "$SB_TMP/ct.pid")"/task/*/children 2>/dev/null || true)
rt kill ct TERM
wait_state ct stopped && ! grep -q ran "$SB_TMP/ct.out" && [[ -n $ct_sentry ]] && ! kill -0 $ct_sentry 2>/dev/null &&
  pass "kill TERM of a created container: it stops, its Sentry ($ct_sentry) is gone, the command never ran" ||
  soft_fail "kill of created ct: state $(state_of ct), Sentry ${ct_sentry:-none}, output $(cat "$SB_TMP/ct.out")"
rt delete ct && [[ $(state_of ct) == none ]] || soft_fail "delete ct"

# --- the --pid-file process, as a subreaper shim sees it -----------------------
# shim.py BUNDLE ID: becomes a subreaper, runs create and start, waits for
# the pid of --pid-file (its descendant) and prints how it ended.
cat >"$SB_TMP/shim.py" <<'PY'
import ctypes, os, subprocess, sys
rt, bundle, cid, pidfile = sys.argv[1:5]
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
base = [os.environ["SANDBOX_RUNTIME"], "--root", os.environ["OCI_ROOT"], "--config", os.environ["OCI_CONF"]]
subprocess.run(base + ["create", "--bundle", bundle, "--pid-file", pidfile, cid], check=True, stdin=subprocess.DEVNULL)
pid = int(open(pidfile).read())
subprocess.run(base + ["start", cid], check=True)
if len(sys.argv) > 5:
    subprocess.run(base + ["kill", cid, sys.argv[5]], check=True)
while True:
    got, st = os.waitpid(-1, 0)
    if got == pid:
        break
print(os.waitstatus_to_exitcode(st))
PY
oci_bundle "$SB_TMP/b3" sh -c 'exit 3'
out=$($PY "$SB_TMP/shim.py" "$SANDBOX_RUNTIME" "$SB_TMP/b3" c3 "$SB_TMP/c3.pid" 2>&1) || true
[[ $out == 3 ]] && pass "the --pid-file process is the subreaper's descendant and exits with the container's status (3)" ||
  soft_fail "shim wait for exit 3: $out"
rt delete c3 || soft_fail "delete c3"
oci_bundle "$SB_TMP/b4" sleep 60
out=$($PY "$SB_TMP/shim.py" "$SANDBOX_RUNTIME" "$SB_TMP/b4" c4 "$SB_TMP/c4.pid" KILL 2>&1) || true
[[ $out == 137 || $out == -9 ]] && pass "kill KILL: the --pid-file process reports 137 (or SIGKILL)" || soft_fail "shim after kill: $out"
rt delete c4 || soft_fail "delete c4"

# --- run in the foreground: its status; --detach --------------------------------
oci_bundle "$SB_TMP/b5" sh -c 'echo run-out; exit 7'
rc=0; out=$(rt run --bundle "$SB_TMP/b5" c5 </dev/null 2>&1) || rc=$?
[[ $rc == 7 && $out == run-out ]] && pass "run: output and exit status 7" || soft_fail "run: rc $rc, $out"
[[ $(state_of c5) == none ]] && pass "run removes the container it waited for" || soft_fail "c5 after run: $(rt state c5 2>&1)"

# --- a long-running one: list, ps, exec, pause/resume, kill by name ------------
oci_bundle "$SB_TMP/b6" sh -c 'trap "echo got-usr1 >/tmp/usr1" USR1; while :; do sleep 0.1; done'
rt run --detach --bundle "$SB_TMP/b6" --pid-file "$SB_TMP/c6.pid" c6 </dev/null >/dev/null 2>"$SB_TMP/c6.err" ||
  fail "run --detach: $(cat "$SB_TMP/c6.err")"
[[ $(state_of c6) == running ]] && pass "run --detach: running" || soft_fail "c6 state: $(rt state c6 2>&1)"
out=$(rt list)
grep -q '^c6 .*running' <<<"$out" && pass "list shows it running" || soft_fail "list: $out"
out=$(rt list --format json)
[[ $(json '[c["status"] for c in v if c["id"]=="c6"][0]' <<<"$out") == running ]] && pass "list --format json" ||
  soft_fail "list json: $out"
out=$(rt ps --format json c6)
[[ $(json 'len(v) >= 1 and all(isinstance(p, int) for p in v)' <<<"$out") == True ]] && pass "ps --format json: pids ($out)" ||
  soft_fail "ps json: $out"
out=$(rt ps c6)
grep -q 'PID' <<<"$out" && pass "ps: a table" || soft_fail "ps: $out"
out=$(rt exec c6 sh -c 'echo exec-out; hostname; exit 4' </dev/null 2>&1) && rc=0 || rc=$?
[[ $rc == 4 && $out == $'exec-out\nocibox' ]] && pass "exec ARGS: output and exit status 4" || soft_fail "exec: rc $rc, $out"
cat >"$SB_TMP/proc.json" <<'JSON'
{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "cat; echo $FOO; pwd"],
 "env": ["PATH=/bin", "FOO=from-process-json"], "cwd": "/tmp"}
JSON
out=$(echo piped | rt exec --process "$SB_TMP/proc.json" c6 2>&1) || true
[[ $out == $'piped\nfrom-process-json\n/tmp' ]] && pass "exec --process: stdin, env and cwd from the JSON" ||
  soft_fail "exec --process: $out"
rt exec --detach --pid-file "$SB_TMP/e.pid" c6 sh -c 'echo detached >/tmp/det' </dev/null &&
  [[ -s $SB_TMP/e.pid ]] && pass "exec --detach --pid-file" || soft_fail "exec --detach"
for i in $(seq 50); do out=$(rt exec c6 cat /tmp/det </dev/null 2>&1) && [[ $out == detached ]] && break; sleep 0.1; done
[[ $out == detached ]] && pass "the detached exec ran" || soft_fail "detached exec: $out"
# update: new limits within the tenant's policy (256M, 200 pids), on the
# sandbox's cgroup; more is refused naming the config's key.
sbid=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["sbd_id"])' "$OCI_ROOT/c6/state.json")
knob() { # V1-CONTROLLER FILE (v2: the file of sandbox/ID)
  if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then cat "/sys/fs/cgroup/sandbox/$sbid/$2" 2>&1
  else cat "/sys/fs/cgroup/$1/sandbox/$sbid/$2" 2>&1; fi
}
cpu_knob() { if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then knob cpu cpu.max; else echo "$(knob cpu cpu.cfs_quota_us) $(knob cpu cpu.cfs_period_us)"; fi; }
mem_file=memory.limit_in_bytes; [[ -e /sys/fs/cgroup/cgroup.controllers ]] && mem_file=memory.max
rt update --memory 128m --pids-limit 100 --cpu-quota 50000 --cpu-period 100000 --cpu-share 512 c6 2>"$SB_TMP/upd.err" &&
  [[ $(knob memory $mem_file) == 134217728 && $(knob pids app/pids.max) == 100 && $(cpu_knob) == "50000 100000" ]] &&
  pass "update --memory 128m --pids-limit 100 --cpu-quota 50000: the sandbox's cgroup has them" ||
  soft_fail "update flags: $(cat "$SB_TMP/upd.err"); memory $(knob memory $mem_file), pids $(knob pids app/pids.max), cpu $(cpu_knob)"
out=$(rt exec c6 head -n 1 /proc/meminfo </dev/null 2>&1) || true
[[ $out =~ ^MemTotal:\ +131072\ kB$ ]] && pass "after the update, /proc/meminfo inside shows the new 128M" ||
  soft_fail "meminfo after update --memory 128m: $out"
echo '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}' | rt update --resources - c6 2>"$SB_TMP/upd.err" &&
  [[ $(knob memory $mem_file) == 67108864 && $(knob pids app/pids.max) == 50 && $(cpu_knob) == "50000 100000" ]] &&
  pass "update --resources -: lowered to 64M and 50 pids, the CPU quota left as it was" ||
  soft_fail "update --resources: $(cat "$SB_TMP/upd.err"); memory $(knob memory $mem_file), pids $(knob pids app/pids.max)"
rc=0; echo '{"memory": {"limit": 1073741824}}' | rt update --resources - c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.memory.limit' "$SB_TMP/upd.err" && [[ $(knob memory $mem_file) == 67108864 ]] &&
  pass "update to 1G of memory (the tenant's policy: 256M): refused naming linux.resources.memory.limit, unchanged" ||
  soft_fail "update over the policy: rc $rc $(cat "$SB_TMP/upd.err"); memory $(knob memory $mem_file)"
rc=0; rt update --pids-limit 1000 c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.pids.limit' "$SB_TMP/upd.err" && [[ $(knob pids app/pids.max) == 50 ]] &&
  pass "update --pids-limit 1000 (the policy's 200): refused naming linux.resources.pids.limit" ||
  soft_fail "update pids over the policy: rc $rc $(cat "$SB_TMP/upd.err")"
rt update --memory 256m --pids-limit 200 c6 2>"$SB_TMP/upd.err" && [[ $(knob memory $mem_file) == 268435456 ]] &&
  pass "update back up to the policy's own limits" || soft_fail "update back up: $(cat "$SB_TMP/upd.err")"
# The rest of linux.resources: CPU weight (at most 1024 per CPU of the
# policy's cpus = 2), a soft memory limit (at most the memory limit),
# swappiness, cpusets (the whole sandbox and the app's part), and swap,
# which the policy bounds (no swap here: memory+swap stays the memory).
if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
  shares_want=20; shares_file=cpu.weight; low_file=memory.low
else
  shares_want=512; shares_file=cpu.shares; low_file=memory.soft_limit_in_bytes
fi
[[ $(knob cpu $shares_file) == "$shares_want" ]] && pass "update --cpu-share 512: the sandbox's $shares_file is $shares_want" ||
  soft_fail "cpu shares after update: $(knob cpu $shares_file)"
rc=0; rt update --cpu-share 4096 c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.cpu.shares' "$SB_TMP/upd.err" && [[ $(knob cpu $shares_file) == "$shares_want" ]] &&
  pass "update --cpu-share 4096 (the policy's cpus = 2: at most 2048): refused naming linux.resources.cpu.shares" ||
  soft_fail "cpu shares over the policy: rc $rc $(cat "$SB_TMP/upd.err"), $(knob cpu $shares_file)"
# The quota and period as given (runc writes them so), their ratio within
# the policy's cpus = 2, exactly: 200050 per 100000 is refused though it
# rounds to 2.000 CPUs.
rt update --cpu-quota 25000 --cpu-period 500000 c6 2>"$SB_TMP/upd.err" && [[ $(cpu_knob) == "25000 500000" ]] &&
  pass "update --cpu-quota 25000 --cpu-period 500000: the cgroup has them as given" ||
  soft_fail "quota and period as given: $(cat "$SB_TMP/upd.err"); $(cpu_knob)"
rc=0; rt update --cpu-quota 200050 --cpu-period 100000 c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.cpu (quota/period)' "$SB_TMP/upd.err" && [[ $(cpu_knob) == "25000 500000" ]] &&
  pass "update --cpu-quota 200050 --cpu-period 100000 (just over the policy's 2 CPUs): refused, unchanged" ||
  soft_fail "quota just over the policy: rc $rc $(cat "$SB_TMP/upd.err"); $(cpu_knob)"
# A quota alone keeps the period, as runc's update does: 900000 per the
# kept 500000 is 1.8 CPUs, within the policy (per 100000 it would be 9).
rt update --cpu-quota 900000 c6 2>"$SB_TMP/upd.err" && [[ $(cpu_knob) == "900000 500000" ]] &&
  pass "update --cpu-quota 900000 alone: the period stays 500000, and the ratio is checked with it" ||
  soft_fail "quota alone: $(cat "$SB_TMP/upd.err"); $(cpu_knob)"
# An update the cgroup refuses leaves the container's record as it was:
# new cpus without a quota of their own (which drop the quota) with a
# cpuset the host lacks, then a harmless update, whose answer lists the
# record's limits.
out=$(api admin POST "/v1/oci/containers/$sbid/update" '{"limits": {"cpus": 1, "cpuset_cpus": "4000"}}')
out2=$(api admin POST "/v1/oci/containers/$sbid/update" '{"limits": {"pids": 100}}')
[[ $(head -n 1 <<<"$out") == 409 && $(head -n 1 <<<"$out2") == 200 && $(cpu_knob) == "900000 500000" ]] &&
  grep -Eq '"cpu_quota": ?900000' <<<"$out2" && grep -Eq '"cpu_period": ?500000' <<<"$out2" &&
  pass "an update the cgroup refuses (cpuset 4000): the record keeps its quota and period" ||
  soft_fail "refused update: $out; then: $out2; $(cpu_knob)"
rc=0; rt update --memory-reservation 512m c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.memory.reservation' "$SB_TMP/upd.err" &&
  pass "update --memory-reservation 512m (above the 256M limit): refused naming linux.resources.memory.reservation" ||
  soft_fail "reservation over the limit: rc $rc $(cat "$SB_TMP/upd.err")"
rt update --memory 64m c6 2>/dev/null || soft_fail "update --memory 64m"
rc=0; rt update --memory-reservation 128m c6 2>"$SB_TMP/upd.err" || rc=$?
((rc != 0)) && grep -q 'linux.resources.memory.reservation' "$SB_TMP/upd.err" &&
  pass "update --memory-reservation 128m alone, the container's limit 64M (the policy's 256M): refused" ||
  soft_fail "reservation over the container's own limit: rc $rc $(cat "$SB_TMP/upd.err")"
rt update --memory 256m c6 2>/dev/null || soft_fail "update --memory 256m"
host_cpus=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset.cpus.effective)
echo '{"memory": {"reservation": 33554432, "swappiness": 7}, "cpu": {"cpus": "0", "mems": "0"}}' |
  rt update --resources - c6 2>"$SB_TMP/upd.err" &&
  [[ $(knob memory $low_file) == 33554432 && $(knob cpuset cpuset.cpus) == 0 && $(knob cpuset app/cpuset.cpus) == 0 &&
     $(knob cpuset cpuset.mems) == 0 ]] &&
  pass "update: memory.reservation 32M, cpuset cpus 0 and mems 0 on the sandbox's cgroup and its app part" ||
  soft_fail "reservation/cpuset: $(cat "$SB_TMP/upd.err"); low $(knob memory $low_file), cpus $(knob cpuset cpuset.cpus)/$(knob cpuset app/cpuset.cpus)"
if [[ ! -e /sys/fs/cgroup/cgroup.controllers ]]; then
  [[ $(knob memory memory.swappiness) == 7 ]] && pass "update: memory.swappiness 7" ||
    soft_fail "swappiness: $(knob memory memory.swappiness)"
fi
# Block I/O throttles of the host's first disk (blk-throttle takes whole
# disks), on the sandbox's cgroup.
disk_name=$(for d in /sys/block/*; do case ${d##*/} in loop* | ram* | zram* | sr* | nbd* | dm-* | md*) continue ;; esac; echo "${d##*/}"; break; done)
disk=$(cat "/sys/block/$disk_name/dev" 2>/dev/null || true)
[[ $disk =~ ^([0-9]+):([0-9]+)$ ]] || fail "no disk in /sys/block to throttle"
dmaj=${BASH_REMATCH[1]} dmin=${BASH_REMATCH[2]}
if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then io_want="$disk rbps=1048576 wbps=max riops=max wiops=300"; io_now() { knob io io.max; }
else io_want="$disk 1048576 $disk 300"; io_now() { echo "$(knob blkio blkio.throttle.read_bps_device) $(knob blkio blkio.throttle.write_iops_device)"; }; fi
echo "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": $dmaj, \"minor\": $dmin, \"rate\": 1048576}],
  \"throttleWriteIOPSDevice\": [{\"major\": $dmaj, \"minor\": $dmin, \"rate\": 300}]}}" |
  rt update --resources - c6 2>"$SB_TMP/upd.err" && [[ $(io_now) == "$io_want" ]] &&
  pass "update blockIO: read 1 MB/s and 300 write IOPS on disk $disk, in the sandbox's cgroup" ||
  soft_fail "blkio throttles: $(cat "$SB_TMP/upd.err"); $(io_now) (want $io_want)"
# The devices rule (v1's devices cgroup, v2's BPF device program): a
# process of the sandbox (here one the test places in its app part) may open
# /dev/null but not /dev/kmsg, which host root opens, whatever node it
# reaches. The helper processes live in the same cgroup.
head -c 0 /dev/kmsg || fail "host root cannot open /dev/kmsg: no device to probe the rule with"
if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then devcg=/sys/fs/cgroup/sandbox/$sbid rules=attached-program
else devcg=/sys/fs/cgroup/devices/sandbox/$sbid rules=$(head -n 1 "$devcg/devices.list"); fi
out=$(bash -c "echo \$BASHPID >$devcg/app/cgroup.procs && head -c 0 /dev/null && echo null-ok && exec head -c 0 /dev/kmsg" 2>&1) || true
[[ $out == *null-ok*"/dev/kmsg"*"Operation not permitted"* && ($rules == "c 1:3 rwm" || $rules == attached-program) ]] &&
  pass "devices rule: a process in the sandbox's cgroup opens /dev/null, not /dev/kmsg (EPERM)" ||
  soft_fail "devices rule: $out; $rules"
out=$(rt exec c6 sh -c 'grep Cpus_allowed_list /proc/self/status; echo ran' </dev/null 2>&1) || true
[[ $out == *ran* ]] && pass "exec into the narrowed cpuset runs ($out)" || soft_fail "exec after cpuset: $out"
rt update --cpuset-cpus "$host_cpus" c6 2>"$SB_TMP/upd.err" && [[ $(knob cpuset cpuset.cpus) == "$host_cpus" &&
  $(knob cpuset app/cpuset.cpus) == "$host_cpus" ]] &&
  pass "update --cpuset-cpus $host_cpus: widened again, the app's part too" ||
  soft_fail "cpuset widen: $(cat "$SB_TMP/upd.err"); $(knob cpuset cpuset.cpus)/$(knob cpuset app/cpuset.cpus)"
if [[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]]; then
  rt update --memory 128m --memory-swap 512m c6 2>"$SB_TMP/upd.err" &&
    [[ $(knob memory memory.memsw.limit_in_bytes) == 134217728 ]] &&
    pass "update --memory 128m --memory-swap 512m: the policy gives no swap, memory+swap stays 128M" ||
    soft_fail "swap bounded by the policy: $(cat "$SB_TMP/upd.err"); memsw $(knob memory memory.memsw.limit_in_bytes)"
  rt update --memory 256m c6 2>/dev/null || soft_fail "update back to 256m"
fi
# A process waits in the open of a FIFO (a call the Sentry serves on a
# worker, while the caller waits killably): pause must still freeze it, and
# after the resume its open goes on and completes.
rt exec --detach c6 sh -c 'mkfifo /tmp/pf; cat /tmp/pf >/tmp/pf-out' </dev/null || soft_fail "exec the FIFO reader"
sleep 0.5
rt pause c6 || soft_fail "pause: $(rt state c6 2>&1)"
for i in $(seq 30); do [[ $(state_of c6) == paused ]] && break; sleep 0.1; done
[[ $(state_of c6) == paused ]] && pass "pause: paused (within 3 s, a FIFO open waiting in the Sentry)" ||
  soft_fail "pause: still $(state_of c6) after 3 s"
rt resume c6 && [[ $(state_of c6) == running ]] && pass "resume: running" || soft_fail "resume: $(rt state c6 2>&1)"
rt exec c6 sh -c 'echo fifo-ok >/tmp/pf' </dev/null || soft_fail "write the FIFO"
for i in $(seq 50); do out=$(rt exec c6 cat /tmp/pf-out </dev/null 2>/dev/null) && [[ $out == fifo-ok ]] && break; sleep 0.1; done
[[ $out == fifo-ok ]] && pass "after the resume, the FIFO open made again completes and reads" || soft_fail "FIFO after resume: $out"
rt kill c6 USR1 || soft_fail "kill USR1"
for i in $(seq 50); do out=$(rt exec c6 cat /tmp/usr1 </dev/null 2>/dev/null) && break; sleep 0.1; done
[[ $out == got-usr1 ]] && pass "kill ID USR1 reaches the container's process" || soft_fail "usr1: $out"
# An exec whose command ends while its stdin still has data (or has just
# ended): sandboxd closes the stream after the exit, and the runtime's next
# stdin frame meets a closed socket. It must still deliver the output and
# the status, not die of SIGPIPE (141) with the output lost.
bad=0
head -c 1000000 /dev/zero >"$SB_TMP/flood"
for i in $(seq 30); do
  rc=0; out=$(rt exec c6 sh -c 'echo out' <"$SB_TMP/flood" 2>&1) || rc=$?
  [[ $rc == 0 && $out == out ]] || { bad=$((bad + 1)); last="rc $rc, output '$out'"; }
done
((bad == 0)) && pass "exec of a command that ignores a flood on its stdin: 30 of 30 give its output and status" ||
  soft_fail "exec with stdin data left: $bad of 30 failed (last: $last)"

# sandboxd restarts (killed): the container runs on, and is adopted again;
# a created one (built, its command held) is started after the restart.
oci_bundle "$SB_TMP/bh2" sh -c 'echo held-ran'
rt create --bundle "$SB_TMP/bh2" ch2 </dev/null >"$SB_TMP/ch2.out" 2>&1 || soft_fail "create ch2: $(cat "$SB_TMP/ch2.out")"
sbd_kill9
sbd_start
rt start ch2 >/dev/null 2>&1 || soft_fail "start ch2 after a sandboxd restart"
wait_state ch2 stopped && grep -q held-ran "$SB_TMP/ch2.out" &&
  pass "a container created before sandboxd was killed and restarted: start runs it" ||
  soft_fail "ch2 after a sandboxd restart: $(state_of ch2), output $(cat "$SB_TMP/ch2.out")"
rt delete ch2 2>/dev/null || soft_fail "delete ch2"
[[ $(state_of c6) == running ]] && rt exec c6 true </dev/null && pass "after sandboxd was killed and restarted: still running, exec works" ||
  soft_fail "c6 after a sandboxd restart: $(rt state c6 2>&1)"
out=$(api local GET '/v1/containers?all=1')
grep -q '"state": *"running"' <<<"$out" && pass "the restarted sandboxd adopted it" || soft_fail "adoption: $out"
rc=0; rt delete c6 2>"$SB_TMP/del.err" || rc=$?
((rc != 0)) && grep -q 'not stopped' "$SB_TMP/del.err" && pass "delete of a running container is refused" ||
  soft_fail "delete running: rc $rc $(cat "$SB_TMP/del.err")"
rt kill --all c6 9 || soft_fail "kill --all 9"
wait_state c6 stopped && pass "kill --all 9: stopped" || soft_fail "c6 after kill: $(rt state c6 2>&1)"
rt delete --force c6 && [[ $(state_of c6) == none ]] && pass "delete --force" || soft_fail "delete --force c6"
# A paused container's processes take no signal until thawed: delete
# --force must end it (killed, then let go) and leave nothing, as runc's.
oci_bundle "$SB_TMP/bp" sleep 300
rt run --detach --bundle "$SB_TMP/bp" cp </dev/null >/dev/null 2>"$SB_TMP/cp.err" || soft_fail "run cp: $(cat "$SB_TMP/cp.err")"
cp_id=$({ json 'v["sbd_id"]' <"$OCI_ROOT/cp/state.json"; } 2>/dev/null || true)
cp_pid=$(rt state cp 2>/dev/null | json 'v["pid"]' 2>/dev/null || echo 0)
rt pause cp || soft_fail "pause cp"
for i in $(seq 30); do [[ $(state_of cp) == paused ]] && break; sleep 0.1; done
[[ $(state_of cp) == paused ]] || soft_fail "cp did not pause: $(state_of cp)"
rc=0; timeout 30 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$OCI_CONF" delete --force cp 2>"$SB_TMP/cpdel.err" || rc=$?
cp_left=$(ls -d /sys/fs/cgroup/*/sandbox/"$cp_id" /sys/fs/cgroup/sandbox/"$cp_id" 2>/dev/null || true)
[[ $rc == 0 && $(state_of cp) == none && -n $cp_id && -z $cp_left ]] && ! sb_running "$cp_pid" &&
  pass "delete --force of a paused container ends it and leaves no cgroup or process" ||
  soft_fail "delete --force paused: rc $rc $(cat "$SB_TMP/cpdel.err"), state $(state_of cp), left: $cp_left, pid $cp_pid"

# A created container whose monitor was killed, while the engine's shim (a
# subreaper) has not yet reaped it, is stopped: the monitor has ended
# (it used to show as "creating" while a zombie). Here the subreaper is a
# python process that reaps only after asking. Its delete removes the
# sandbox's cgroup, which the killed monitor could not (it was left).
oci_bundle "$SB_TMP/bz" true
zs=$($PY - "$SANDBOX_RUNTIME" "$OCI_ROOT" "$OCI_CONF" "$SB_TMP/bz" "$SB_TMP/cz.pid" <<'PY' 2>&1
import ctypes, json, os, signal, subprocess, sys, time
rt, root, conf, bundle, pidfile = sys.argv[1:6]
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
base = [rt, "--root", root, "--config", conf]
subprocess.run(base + ["create", "--bundle", bundle, "--pid-file", pidfile, "cz"], check=True,
               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=60)
pid = int(open(pidfile).read())
before = json.loads(subprocess.run(base + ["state", "cz"], capture_output=True, text=True).stdout)["status"]
os.kill(pid, signal.SIGKILL)
for _ in range(200):
    if open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0] == "Z":
        break
    time.sleep(0.05)
zombie = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0]
after = json.loads(subprocess.run(base + ["state", "cz"], capture_output=True, text=True).stdout)["status"]
os.waitpid(pid, 0)
print(before, zombie, after)
PY
) || true
cz_id=$({ json 'v["sbd_id"]' <"$OCI_ROOT/cz/state.json"; } 2>/dev/null || echo none)
rc=0; rt delete cz 2>"$SB_TMP/cz.err" || rc=$?
cz_left=$(ls -d /sys/fs/cgroup/*/sandbox/"$cz_id" /sys/fs/cgroup/sandbox/"$cz_id" 2>/dev/null || true)
[[ $zs == "created Z stopped" ]] && pass "a created container whose monitor is killed and not yet reaped is stopped" ||
  soft_fail "killed monitor, not reaped: $zs (want: created Z stopped)"
[[ $rc == 0 && $cz_id != none && -z $cz_left && $(state_of cz) == none ]] &&
  pass "its delete removes the sandbox's cgroup the killed monitor left" ||
  soft_fail "delete after a killed monitor: rc $rc $(cat "$SB_TMP/cz.err"), id $cz_id, left: $cz_left"

# --- process.terminal: the pty's master over --console-socket -------------------
oci_bundle "$SB_TMP/b7" sh -c 'read x; echo "tty-said $x"; stty size; [ -t 0 ] && echo is-a-tty'
oci_config "$SB_TMP/b7" 'c["process"]["terminal"] = True; c["process"]["consoleSize"] = {"height": 33, "width": 99}'
$PY "$SB_LIB_DIR/oci-console.py" "$SB_TMP/console.sock" --send 'typed\n' --timeout 15 >"$SB_TMP/console.out" 2>"$SB_TMP/console.err" &
cpid=$!
SB_BG_PIDS+=("$cpid")
for i in $(seq 50); do [[ -S $SB_TMP/console.sock ]] && break; sleep 0.1; done
rt create --bundle "$SB_TMP/b7" --console-socket "$SB_TMP/console.sock" c7 </dev/null >/dev/null 2>"$SB_TMP/c7.err" ||
  soft_fail "create with a console socket: $(cat "$SB_TMP/c7.err")"
rt start c7 || soft_fail "start c7"
wait "$cpid" || true
out=$(tr -d '\r' <"$SB_TMP/console.out")
grep -q 'tty-said typed' <<<"$out" && grep -q '^33 99$' <<<"$out" && grep -q is-a-tty <<<"$out" &&
  pass "console socket: the terminal carries input and output, consoleSize 33x99" || soft_fail "console: $out"
wait_state c7 stopped || soft_fail "c7 did not stop"
rt delete --force c7 || soft_fail "delete c7"
oci_bundle "$SB_TMP/b8" true
oci_config "$SB_TMP/b8" 'c["process"]["terminal"] = True'
rc=0; rt create --bundle "$SB_TMP/b8" c8 </dev/null 2>"$SB_TMP/c8.err" || rc=$?
((rc != 0)) && grep -q 'console-socket' "$SB_TMP/c8.err" && pass "process.terminal without --console-socket: refused" ||
  soft_fail "terminal without console: rc $rc $(cat "$SB_TMP/c8.err")"

# --- process.capabilities: the inheritable and ambient sets, as runc sets them --
# CAP_KILL (5) and CAP_NET_BIND_SERVICE (10) inheritable, the latter also
# ambient: a user other than root keeps it across its exec (0x400), root's
# command has them too; what a sandbox does not grant is refused.
caps_of() { # USER-JSON: the Cap lines of a command's /proc/self/status
  oci_bundle "$SB_TMP/b10" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Amb)" /proc/self/status | tr -s "\t " " " | tr "\n" " "'
  oci_config "$SB_TMP/b10" "c['process']['user'] = $1
c['process']['capabilities']['inheritable'] = ['CAP_KILL', 'CAP_NET_BIND_SERVICE']
c['process']['capabilities']['ambient'] = ['CAP_NET_BIND_SERVICE']"
  rt run --bundle "$SB_TMP/b10" c10 </dev/null 2>&1 || true
}
out=$(caps_of "{'uid': 1000, 'gid': 1000}")
[[ $out == "CapInh: 0000000000000420 CapPrm: 0000000000000400 CapEff: 0000000000000400 CapAmb: 0000000000000400 " ]] &&
  pass "process.capabilities: user 1000 keeps its ambient CAP_NET_BIND_SERVICE across exec, inheritable KILL and NET_BIND_SERVICE" ||
  soft_fail "capabilities of user 1000: $out"
out=$(caps_of "{'uid': 0, 'gid': 0}")
[[ $out == "CapInh: 0000000000000420 "*"CapAmb: 0000000000000400 " ]] &&
  pass "process.capabilities: root's command has the inheritable and ambient sets" || soft_fail "capabilities of root: $out"

# runc spec's capabilities (AUDIT_WRITE, KILL, NET_BIND_SERVICE: no
# SETUID, no SETGID): runc changes user before it applies them, so its own
# config runs, as root or another user, with exactly those.
spec_caps() { # USER-JSON
  oci_bundle "$SB_TMP/b14" sh -c 'id -u; grep -E "^Cap(Prm|Eff|Bnd)" /proc/self/status | tr -s "\t " " " | tr "\n" " "'
  oci_config "$SB_TMP/b14" "c['process']['user'] = $1
c['process']['capabilities'] = {k: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'] for k in ('bounding', 'effective', 'permitted')}"
  rt run --bundle "$SB_TMP/b14" c14 </dev/null 2>&1 | tr '\n' ' ' || true
}
out=$(spec_caps "{'uid': 0, 'gid': 0}")
[[ $out == "0 CapPrm: 0000000020000420 CapEff: 0000000020000420 CapBnd: 0000000020000420 " ]] &&
  pass "runc spec's capabilities as root: it runs, with exactly those" || soft_fail "runc spec's capabilities, root: $out"
out=$(spec_caps "{'uid': 1000, 'gid': 1000, 'additionalGids': [5]}")
[[ $out == "1000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000020000420 " ]] &&
  pass "runc spec's capabilities as user 1000: it runs, with none" || soft_fail "runc spec's capabilities, user 1000: $out"
# --- a rootfs directory is the container's own: written in place, as runc does --
# Files the container's root writes belong to 0 on disk; symlinks it
# leaves to host files, then used by a second run as its /etc/hostname and
# /etc/hosts mount targets, stay inside the root: the host files unchanged.
mkdir -p "$SB_TMP/outside2" && echo untouched >"$SB_TMP/outside2/target"
oci_bundle "$SB_TMP/b11" sh -c "echo in-place >/made; chown 1000:1000 /made; mkdir /newdir
  rm -f /etc/hostname /etc/hosts; ln -s $SB_TMP/outside2/target /etc/hostname
  ln -s ../../../../../../../..$SB_TMP/outside2/target /etc/hosts"
before2=$(stat -c '%s %Y %u:%g %a' "$SB_TMP/outside2/target"; cat "$SB_TMP/outside2/target")
rc=0; out=$(rt run --bundle "$SB_TMP/b11" c11 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $(cat "$SB_TMP/b11/rootfs/made" 2>&1) == in-place && $(stat -c %u:%g "$SB_TMP/b11/rootfs/made") == 1000:1000 ]] &&
  [[ $(stat -c %u:%g "$SB_TMP/b11/rootfs/newdir") == 0:0 ]] &&
  pass "a rootfs directory: the container's writes are in it, owned as set inside (1000:1000, a new directory 0:0)" ||
  soft_fail "rootfs written in place: rc $rc $out; $(ls -lan "$SB_TMP/b11/rootfs" 2>&1)"
mkdir -p "$SB_TMP/engine-files/c11"
echo from-caller >"$SB_TMP/engine-files/c11/hostname-src"
oci_config "$SB_TMP/b11" "c['process']['args'] = ['sh', '-c', 'cat /etc/hostname /etc/hosts']
c['mounts'] += [{'destination': '/etc/hostname', 'type': 'bind', 'source': '$SB_TMP/engine-files/c11/hostname-src', 'options': ['rbind', 'ro']},
                {'destination': '/etc/hosts', 'type': 'bind', 'source': '$SB_TMP/engine-files/c11/hostname-src', 'options': ['rbind', 'ro']}]"
rc=0; out=$(rt run --bundle "$SB_TMP/b11" c11 </dev/null 2>&1) || rc=$?
after2=$(stat -c '%s %Y %u:%g %a' "$SB_TMP/outside2/target"; cat "$SB_TMP/outside2/target")
[[ $after2 == "$before2" ]] && [[ $rc != 0 || $out == $'from-caller\nfrom-caller' ]] &&
  pass "links to host files at the mount targets of the next run: resolved inside the root, the host file unchanged ($rc)" ||
  soft_fail "mount targets through links: rc $rc $out; before $before2; after $after2"

# --- small files the engine binds: copied from its file-roots only ----------------
# /etc/hosts and the like are copied in when they lie in the runtime's
# file-roots (the engines' directories), judged where their links lead,
# and only from the container's own directory there (its id, its pod's),
# or a live container's of the same tenant (Docker's --network
# container:X binds X's /etc/hosts). A small host file anywhere else is a
# volume, and outside the tenant's volume-roots refused: `-v
# /etc/shadow:/x` is no way to read a host file, however small, nor is a
# name in the file-roots that leads out of them with `..` or a link (an
# app's volume may lie there: the kubelet's pods, podman's storage), nor
# another container's file there (Docker's config.v2.json holds its
# environment).
mkdir -p "$SB_TMP/engine-files/c21" "$SB_TMP/engine-files/other" "$SB_TMP/engine-files/keep1" "$SB_TMP/engine-files/keep2"
echo engine-made >"$SB_TMP/engine-files/c21/real-hosts"
ln -sf real-hosts "$SB_TMP/engine-files/c21/hosts-link"
echo host-secret >"$SB_TMP/secret"
ln -sf "$SB_TMP/secret" "$SB_TMP/engine-files/c21/leads-out"
echo other-env >"$SB_TMP/engine-files/other/config.v2.json"
echo keep1-hosts >"$SB_TMP/engine-files/keep1/hosts"
echo keep2-hosts >"$SB_TMP/engine-files/keep2/hosts"
echo unowned-content >"$SB_TMP/engine-files/loose"
bindf() { # SOURCE: run a container with SOURCE bound at /etc/hosts; its output
  oci_bundle "$SB_TMP/b21" cat /etc/hosts
  oci_config "$SB_TMP/b21" "c['mounts'].append({'destination': '/etc/hosts', 'type': 'bind', 'source': '$1', 'options': ['rbind', 'ro']})"
  rt run --bundle "$SB_TMP/b21" c21 </dev/null 2>&1 || true
  rt delete --force c21 2>/dev/null || true
}
out=$(bindf "$SB_TMP/engine-files/c21/hosts-link")
[[ $out == engine-made ]] && pass "the container's own small file in the file-roots, through a link there: copied in" ||
  soft_fail "file-roots copy: $out"
out=$(bindf "$SB_TMP/secret")
[[ $out == *volume-roots* && $out != *host-secret* ]] &&
  pass "a small host file outside the file-roots is a volume, refused outside volume-roots: $(head -c 160 <<<"$out")" ||
  soft_fail "small host file outside file-roots: $out"
out=$(bindf "$SB_TMP/engine-files/../secret")
[[ $out != *host-secret* ]] && pass "a file-roots name that leads out with .. is not copied: $(head -c 160 <<<"$out")" ||
  soft_fail "file-roots ..: $out"
out=$(bindf "$SB_TMP/engine-files/c21/leads-out")
[[ $out == *volume-roots* && $out != *host-secret* ]] &&
  pass "a link in the container's own directory that leads out of the file-roots: not copied, a volume refused" ||
  soft_fail "file-roots link out: $out"
# Writable, but outside the tenant's volume-roots (Docker's /etc/hosts):
# still a read-only copy; the host file is never written.
oci_bundle "$SB_TMP/bw" sh -c 'echo changed >/etc/hosts && echo wrote; cat /etc/hosts'
oci_config "$SB_TMP/bw" "c['mounts'].append({'destination': '/etc/hosts', 'type': 'bind', 'source': '$SB_TMP/engine-files/c21/real-hosts', 'options': ['rbind', 'rw']})"
out=$(rt run --bundle "$SB_TMP/bw" c21 </dev/null 2>&1) || true
rt delete --force c21 2>/dev/null || true
[[ $out != *wrote* && $out == *engine-made* && $(cat "$SB_TMP/engine-files/c21/real-hosts") == engine-made ]] &&
  pass "a writable small file outside the volume-roots is copied read-only: the host file is unchanged" ||
  soft_fail "writable copy: $out"
out=$(bindf "$SB_TMP/engine-files/other/config.v2.json")
[[ $out == *"not the container's own file"* && $out != *other-env* ]] &&
  pass "another container's file in the file-roots is refused: $(head -c 160 <<<"$out")" || soft_fail "other's file: $out"
out=$(bindf "$SB_TMP/engine-files/loose")
[[ $out == *volume-roots* && $out != *unowned-content* ]] &&
  pass "a file of no container's directory in the file-roots is a volume, refused" || soft_fail "loose file: $out"
oci_bundle "$SB_TMP/keep1" sh -c 'while :; do sleep 0.1; done'
rt run --detach --bundle "$SB_TMP/keep1" keep1 </dev/null >/dev/null 2>&1 || fail "keep1"
rt2 run --detach --bundle "$SB_TMP/keep1" keep2 </dev/null >/dev/null 2>&1 || fail "keep2 (ocit2)"
out=$(bindf "$SB_TMP/engine-files/keep1/hosts")
[[ $out == keep1-hosts ]] && pass "a live container's file of the same tenant (docker --network container:X): copied" ||
  soft_fail "same tenant's container's file: $out"
out=$(bindf "$SB_TMP/engine-files/keep2/hosts")
[[ $out == *"not the container's own file"* && $out != *keep2-hosts* ]] &&
  pass "another tenant's live container's file is refused" || soft_fail "other tenant's container's file: $out"
# A name another tenant's live container bears too (names are each
# tenant's own) is no one's to claim: the engines' ids are random, so
# only a container named after another's would meet it.
rt delete --force keep1 2>/dev/null || true
rtb() { "$SANDBOX_RUNTIME" --root "$SB_TMP/oci-root-b" --config "$OCI_CONF" "$@"; } # the same ids, another engine's
rtb run --detach --bundle "$SB_TMP/keep1" keep2 </dev/null >/dev/null 2>&1 || fail "keep2 (ocit, a second root)"
out=$(bindf "$SB_TMP/engine-files/keep2/hosts")
[[ $out == *"not the container's own file"* && $out != *keep2-hosts* ]] &&
  pass "a live container's name that another tenant's container bears too: its files are refused" ||
  soft_fail "name of two tenants: $out"
rtb delete --force keep2 2>/dev/null || true
rt2 delete --force keep2 2>/dev/null || true
# A pod's uid (Kubernetes: the kubelet's files are under pods/<uid>/) is
# its tenant's while one of its containers lives.
mkdir -p "$SB_TMP/engine-files/pod-u1"
echo pod-hosts >"$SB_TMP/engine-files/pod-u1/etc-hosts"
oci_config "$SB_TMP/keep1" "c['annotations'] = {'io.kubernetes.pod.uid': 'pod-u1'}"
rt run --detach --bundle "$SB_TMP/keep1" keep3 </dev/null >/dev/null 2>&1 || fail "keep3 (pod-u1)"
oci_bundle "$SB_TMP/b23" cat /etc/hosts
oci_config "$SB_TMP/b23" "c['annotations'] = {'io.kubernetes.pod.uid': 'pod-u1'}
c['mounts'].append({'destination': '/etc/hosts', 'type': 'bind', 'source': '$SB_TMP/engine-files/pod-u1/etc-hosts', 'options': ['rbind', 'ro']})"
out=$(rt run --bundle "$SB_TMP/b23" c23 </dev/null 2>&1) || true
[[ $out == pod-hosts ]] && pass "a pod's member copies the kubelet's file of its pod" || soft_fail "pod file: $out"
out=$(rt2 run --bundle "$SB_TMP/b23" c24 </dev/null 2>&1) || true
[[ $out == *"pod \`pod-u1\` is another tenant's"* && $out != *pod-hosts* ]] &&
  pass "another tenant's container claiming the pod is refused: $(head -c 120 <<<"$out")" || soft_fail "pod claimed: $out"
rt delete --force keep3 2>/dev/null || true
rt2 delete --force c24 2>/dev/null || true

# A root outside the bundle and the runtime's rootfs-roots (none here) is
# refused: the sandbox writes its root as the container's 0, so a config
# naming a host directory (`podman --rootfs /usr`) would rewrite it. The
# directory is unchanged, and nothing ran; a link inside the bundle that
# leads out is judged where it leads.
oci_rootfs "$SB_TMP/victim"
echo host-owned >"$SB_TMP/victim/keep"
victim_before=$(find "$SB_TMP/victim" -printf '%p %y %m %u:%g %s\n' | sort)
oci_bundle "$SB_TMP/b22" sh -c 'echo ran; echo pwned >/keep; touch /made'
oci_config "$SB_TMP/b22" "c['root']['path'] = '$SB_TMP/victim'"
rc=0; out=$(rt run --bundle "$SB_TMP/b22" c22 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"root.path"*"rootfs-roots"* && $out != *ran* ]] &&
  pass "a root outside the bundle is refused, naming root.path: $(head -c 160 <<<"$out")" || soft_fail "root outside: rc $rc: $out"
rm -rf "$SB_TMP/b22/rootfs" && ln -s "$SB_TMP/victim" "$SB_TMP/b22/rootfs"
oci_config "$SB_TMP/b22" "c['root']['path'] = 'rootfs'"
rc=0; out=$(rt run --bundle "$SB_TMP/b22" c22 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"root.path"* && $out != *ran* ]] &&
  pass "a bundle's rootfs that is a link out of it is refused" || soft_fail "rootfs link out: rc $rc: $out"
[[ $(find "$SB_TMP/victim" -printf '%p %y %m %u:%g %s\n' | sort) == "$victim_before" ]] &&
  pass "the host directory named as a root is unchanged" || soft_fail "the victim directory changed"

# --- an overlayfs rootfs, as the engines give it: writes land in its upper -----
# The bundle's rootfs is an overlay of a busybox lower layer and an upper
# layer beside its workdir (Docker's diff/work, containerd's fs/work): the
# container's writes, deletions and links are in that upper directory,
# owned by 0 on disk as runc's would be, and nothing outside it changes.
OV=$SB_TMP/ovl
mkdir -p "$OV/lower" "$OV/layer/diff" "$OV/layer/work" "$OV/outside"
oci_rootfs "$OV/lower"
echo keep >"$OV/lower/etc/keep"; echo gone >"$OV/lower/etc/gone"
echo host-secret >"$OV/outside/secret"; echo untouched >"$OV/outside/target"
oci_bundle "$SB_TMP/b9" sh -c "echo written >/made; mkdir -p /d/e; echo deep >/d/e/f; rm /etc/gone
  echo more >>/etc/keep; chown 1000:1000 /d/e/f; ln -s $OV/outside/target /abs; ln -s ../../../../../../../..$OV/outside/secret /rel
  { echo pwned >/abs; } 2>/dev/null; cat /rel 2>/dev/null; echo \$(cat /etc/keep)"
mount -n -t overlay overlay -o "lowerdir=$OV/lower,upperdir=$OV/layer/diff,workdir=$OV/layer/work" "$SB_TMP/b9/rootfs" ||
  fail "mount an overlay rootfs"
outside_before=$(find "$OV/outside" "$OV/lower" -printf '%p %y %m %u:%g %s %T@\n' | sort; cat "$OV/outside/target")
rc=0; out=$(rt run --bundle "$SB_TMP/b9" c9 </dev/null 2>&1) || rc=$?
umount -n "$SB_TMP/b9/rootfs" || soft_fail "umount the overlay rootfs"
up=$OV/layer/diff
[[ $rc == 0 && $out == "keep more" ]] && pass "an overlay rootfs: the container ran, reading its own writes" ||
  soft_fail "overlay rootfs run: rc $rc: $out"
[[ $(cat "$up/made" 2>&1) == written && $(stat -c %u:%g "$up/made" 2>&1) == 0:0 && $(cat "$up/d/e/f" 2>&1) == deep ]] &&
  [[ $(stat -c %u:%g "$up/d/e/f") == 1000:1000 && $(cat "$up/etc/keep") == $'keep\nmore' ]] &&
  pass "its writes are in the bundle's upper layer, owned as the container set them (0:0, 1000:1000)" ||
  soft_fail "upper layer: $(find "$up" -printf '%p %u:%g\n' 2>&1)"
[[ $(stat -c '%F %t:%T' "$up/etc/gone" 2>&1) == 'character special file 0:0' ]] &&
  pass "a deleted lower file is an overlayfs whiteout in the upper layer" || soft_fail "whiteout: $(stat "$up/etc/gone" 2>&1)"
[[ $(readlink "$up/abs") == "$OV/outside/target" && $(find "$OV/outside" "$OV/lower" -printf '%p %y %m %u:%g %s %T@\n' | sort; cat "$OV/outside/target") == "$outside_before" ]] &&
  ! grep -q host-secret <<<"$out" &&
  pass "symlinks to host files written in the container stay links in its layer: the host files and the lower layer unchanged" ||
  soft_fail "links: $out; $(ls -la "$up" "$OV/outside")"
[[ -d $OV/layer/work/sandbox && $(ls -A "$OV/layer/work" | tr '\n' ' ') == "sandbox work " ]] &&
  pass "the sandbox's overlay workdir is its own, inside the engine's workdir" || soft_fail "workdir: $(ls -la "$OV/layer/work")"

# --- the sandbox's own mounts in the config's order, /dev/mqueue -------------
# As runc mounts them (runtime-tools compares mountinfo's order with the
# config's): /proc first when the config lists it first; an mqueue mount
# of the sandbox's own ipc namespace when asked; the masks of /proc and
# /proc/sys read-only still on top.
own_order() { # MOUNTS-PYTHON: the sandbox's own mount points in mountinfo's order
  oci_bundle "$SB_TMP/b12" sh -c 'cut -d" " -f5,9 /proc/self/mountinfo; echo x >/proc/sys/kernel/hostname && echo proc-sys-written; true'
  oci_config "$SB_TMP/b12" "m = {x['destination']: x for x in c['mounts']}
m['/dev/mqueue'] = {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue', 'options': ['nosuid', 'noexec', 'nodev']}
c['mounts'] = [m[d] for d in $1]"
  rt run --bundle "$SB_TMP/b12" c12 </dev/null 2>&1 |
    awk '($1 ~ /^\/(proc|dev|dev\/pts|dev\/shm|dev\/mqueue|sys|proc\/sys)$/ || /written/) && $0 != last { printf "%s ", $0; last = $0 }'
}
out=$(own_order "['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']")
[[ $out == "/proc proc /proc/sys proc /dev tmpfs /dev/pts devpts /dev/shm shm /dev/mqueue mqueue /sys sysfs " ]] &&
  pass "the sandbox's own mounts in the config's order (/proc first), /dev/mqueue an mqueue, /proc/sys read-only on top" ||
  soft_fail "own mounts in the config's order: $out"
out=$(own_order "['/sys', '/dev/mqueue', '/dev/shm', '/proc', '/dev', '/dev/pts']")
[[ $out == "/sys sysfs /dev tmpfs /dev/mqueue mqueue /dev/shm shm /dev/pts devpts /proc proc /proc/sys proc " ]] &&
  pass "another order: /sys, then /dev made for /dev/mqueue and /dev/shm, then /proc" ||
  soft_fail "own mounts in another order: $out"
out=$(own_order "['/proc', '/dev', '/dev/pts', '/dev/shm', '/sys']")
[[ $out != *mqueue* && $out == "/proc proc /proc/sys proc /dev tmpfs "* ]] && pass "no mqueue mount when the config asks none" ||
  soft_fail "without /dev/mqueue: $out"
# Queues of the sandbox's own ipc namespace: a file the app makes there is
# a queue (the compat profile allows mq_open; under the default one the
# directory alone).
oci_bundle "$SB_TMP/b13" sh -c 'echo hi >/dev/mqueue/q1 2>/dev/null; ls /dev/mqueue; cat /dev/mqueue/q1 | head -c 7'
oci_config "$SB_TMP/b13" "c['mounts'].append({'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue'})"
rc=0; out=$(rt run --bundle "$SB_TMP/b13" c13 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == "q1"$'\n'"QSIZE:0" ]] && [[ ! -e /dev/mqueue/q1 ]] &&
  pass "/dev/mqueue: a queue made in the container is the sandbox's own (not the host's)" ||
  soft_fail "mqueue in the container: rc $rc: $out"

# An unlimited rlimit as the engines write it (Go's uint64 -1: `docker run
# --ulimit core=-1:-1`), beyond what a JSON integer of jansson holds: read
# as no limit, so the soft limit rises to the hard one in force; the same
# digits inside a string are left as they are.
oci_bundle "$SB_TMP/b14" sh -c 'echo "$X"; ulimit -c'
oci_config "$SB_TMP/b14" "c['process']['env'].append('X=18446744073709551615')"
sed -i 's/"rlimits": \[/"rlimits": [{"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615}, /' \
  "$SB_TMP/b14/config.json"
hardcore=$(ulimit -H -c)
rc=0; out=$(rt run --bundle "$SB_TMP/b14" c14 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == $'18446744073709551615\n'"$hardcore" ]] &&
  pass "an rlimit of uint64 -1 (unlimited) is read as no limit: RLIMIT_CORE $hardcore, the string untouched" ||
  soft_fail "unlimited rlimit: rc $rc: $out"

# /dev/shm of the size the config gives it (podman's and containerd's
# size= option; Docker binds a tmpfs of --shm-size there, test-engines):
# the sandbox's own tmpfs has it; without one, 64 MiB. A size that is no
# size is refused, naming the mount.
shm_df() { # PYTHON-MOUNT-OPTIONS: df's line of /dev/shm in a container (or the error)
  oci_bundle "$SB_TMP/b20" sh -c 'busybox df -k /dev/shm | busybox tail -n 1'
  oci_config "$SB_TMP/b20" "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/dev/shm']
c['mounts'].append({'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm', 'options': $1})"
  rt run --bundle "$SB_TMP/b20" c20 </dev/null 2>&1
}
out=$(shm_df "['nosuid', 'size=128m']")
[[ $(awk '{print $2}' <<<"$out") == 131072 ]] && pass "/dev/shm with size=128m: 131072 KiB" || soft_fail "/dev/shm size=128m: $out"
out=$(shm_df "['nosuid', 'mode=1777']")
[[ $(awk '{print $2}' <<<"$out") == 65536 ]] && pass "/dev/shm without a size: 64 MiB" || soft_fail "/dev/shm default: $out"
out=$(shm_df "['size=50%']") || true
[[ $out == *"(/dev/shm): size \`50%\`"* ]] && pass "a size that is no number of bytes is refused, naming the mount" ||
  soft_fail "/dev/shm size=50%: $out"

# A pod's /dev/shm: the engine's tmpfs that its containers bind there
# (Docker's --ipc shareable and container:X, podman's and a CRI pod's
# shm mount), when it is the root of a tmpfs mount named shm in the
# runtime's shm-roots, is the sandbox's /dev/shm, so the pod shares its
# POSIX shared memory as under runc. Never another tenant's container's:
# its shared memory is not the joiner's. Anything else bound there (a
# directory of a tmpfs, a tmpfs outside the shm-roots or of another name)
# leaves the sandbox a tmpfs of its own, and the host's directory
# untouched.
PODSHM=$SB_TMP/engine-shm/shm0/shm
shm_tmpfs() { mkdir -p "$1" && mount -t tmpfs -o size=8m,mode=1777 engshm "$1"; }
shm_tmpfs "$PODSHM"
shm_tmpfs "$SB_TMP/engine-shm/data"
shm_tmpfs "$SB_TMP/engine-files/shm"
umount_shms() {
  local m
  for m in "$PODSHM" "$SB_TMP/engine-shm/data" "$SB_TMP/engine-files/shm" "$SB_TMP/engine-shm/cw/shm" \
    "$SB_TMP/engine-shm/shm5/shm" "$SB_TMP/engine-shm/runcx/shm"; do
    umount -l "$m" 2>/dev/null || true
  done
}
SB_CLEANUP_HOOKS+=(umount_shms)
shm_bound() { # DIR SOURCE: the config binds SOURCE at /dev/shm, as the engines do
  oci_config "$1" "c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/dev/shm']
c['mounts'].append({'destination': '/dev/shm', 'type': 'bind', 'source': '$2', 'options': ['rbind', 'nosuid', 'nodev']})"
}
oci_bundle "$SB_TMP/shm0" sh -c 'echo zero >/dev/shm/from0; while :; do sleep 0.1; done'
shm_bound "$SB_TMP/shm0" "$PODSHM"
rt run --detach --bundle "$SB_TMP/shm0" shm0 </dev/null >/dev/null 2>"$SB_TMP/shm0.err" ||
  fail "the pod's first container, with the engine's shm: $(cat "$SB_TMP/shm0.err")"
for i in $(seq 50); do [[ -e $PODSHM/from0 ]] && break; sleep 0.1; done
oci_bundle "$SB_TMP/shm1" sh -c 'cat /dev/shm/from0; echo one >/dev/shm/from1'
shm_bound "$SB_TMP/shm1" "$PODSHM"
rc=0; out=$(rt run --bundle "$SB_TMP/shm1" shm1 </dev/null 2>&1) || rc=$?
out0=$(rt exec shm0 cat /dev/shm/from1 </dev/null 2>&1) || true
[[ $rc == 0 && $out == zero && $out0 == one && $(cat "$PODSHM/from1") == one ]] &&
  pass "a pod's members share the engine's shm tmpfs as their /dev/shm (each sees the other's file)" ||
  soft_fail "shared /dev/shm: rc $rc: $out / shm0 sees: $out0"
rc=0; out=$(rt2 run --bundle "$SB_TMP/shm1" shm2 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"/dev/shm"*"another tenant's container's"* && $out != *zero* ]] &&
  [[ $(cat "$PODSHM/from1") == one ]] &&
  pass "another tenant's container may not bind the pod's /dev/shm: $(head -c 160 <<<"$out")" ||
  soft_fail "shm2 (ocit2): rc $rc: $out"
rt2 delete --force shm2 2>/dev/null || true
mkdir -m 1777 "$PODSHM/sub"
oci_bundle "$SB_TMP/shm3" sh -c 'ls /dev/shm; echo three >/dev/shm/from3'
for src in "$PODSHM/sub" "$SB_TMP/engine-shm/data" "$SB_TMP/engine-files/shm"; do
  shm_bound "$SB_TMP/shm3" "$src"
  rc=0; out=$(rt run --bundle "$SB_TMP/shm3" shm3 </dev/null 2>&1) || rc=$?
  [[ $rc == 0 && -z $out && ! -e $src/from3 ]] &&
    pass "${src#"$SB_TMP"/} bound at /dev/shm (no tmpfs root named shm in the shm-roots): a tmpfs of the sandbox's own" ||
    soft_fail "shm3 from $src: rc $rc: $out $(ls "$src")"
done
# sandboxd asked directly: another tenant's, whatever identity the client
# claims; a directory that is no tmpfs root.
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit2\",\"name\":\"cz\",\"rootfs\":\"$SB_TMP/shm1/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"shm_source\":\"$PODSHM\",\"shm_id\":\"1:1\"}")
[[ $(head -n 1 <<<"$out") == 403* && $out == *"another tenant's"* ]] &&
  pass "sandboxd refuses another tenant's pod shm whatever identity the client claims" || soft_fail "sandboxd, shm_source: $out"
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit\",\"name\":\"cz\",\"rootfs\":\"$SB_TMP/shm1/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"shm_source\":\"$SB_TMP/engine-files\"}")
[[ $(head -n 1 <<<"$out") == 400* && $out == *"not the root of a tmpfs mount"* ]] &&
  pass "sandboxd refuses a /dev/shm source that is no tmpfs root" || soft_fail "sandboxd, shm_source dir: $out"
# The tmpfs is a tenant's from its admission on, before a monitor records
# it: a create of sandboxd's alone (no monitor yet) holds a fresh one
# against another tenant's create.
shm_tmpfs "$SB_TMP/engine-shm/cw/shm"
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit\",\"name\":\"cw\",\"rootfs\":\"$SB_TMP/shm1/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"shm_source\":\"$SB_TMP/engine-shm/cw/shm\",\"shm_owner\":\"cw\"}")
cw=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().split("\n", 1)[1])["id"])' <<<"$out" 2>/dev/null) || true
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit2\",\"name\":\"cv\",\"rootfs\":\"$SB_TMP/shm1/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"shm_source\":\"$SB_TMP/engine-shm/cw/shm\",\"shm_owner\":\"cw\"}")
[[ -n $cw && $(head -n 1 <<<"$out") == 403* && $out == *"another tenant's"* ]] &&
  pass "a fresh shm admitted for one tenant is refused to another before any monitor records it" ||
  soft_fail "shm admitted, then another tenant: cw=$cw: $out"
[[ -n $cw ]] && api local DELETE "/v1/containers/$cw" >/dev/null
rt delete --force shm0 2>/dev/null || true
# Once no live container has it, the pod's tmpfs is no one's to bind:
# its directory names no live container. Nor is a tmpfs of the
# container's own directory that still holds files (the engine has not
# unmounted it yet: whose they were, sandboxd no longer knows), nor the
# shm of an engine's container that is no sandbox of the tenant (runc's),
# even empty.
rc=0; out=$(rt run --bundle "$SB_TMP/shm1" shm4 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"/dev/shm"*"is not the container's own"* && $out != *zero* ]] &&
  pass "a pod's /dev/shm that outlived its containers is refused: $(head -c 160 <<<"$out")" ||
  soft_fail "shm4 (after the pod): rc $rc: $out"
shm_tmpfs "$SB_TMP/engine-shm/shm5/shm"
echo stale >"$SB_TMP/engine-shm/shm5/shm/left"
shm_bound "$SB_TMP/shm1" "$SB_TMP/engine-shm/shm5/shm"
rc=0; out=$(rt run --bundle "$SB_TMP/shm1" shm5 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"/dev/shm"*"holds the files of containers that have ended"* ]] &&
  pass "the container's own shm that still holds files is refused: $(head -c 160 <<<"$out")" ||
  soft_fail "shm5 (stale): rc $rc: $out"
shm_tmpfs "$SB_TMP/engine-shm/runcx/shm"
shm_bound "$SB_TMP/shm1" "$SB_TMP/engine-shm/runcx/shm"
rc=0; out=$(rt run --bundle "$SB_TMP/shm1" shm6 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"/dev/shm"*"is not the container's own"* ]] && [[ -z $(ls "$SB_TMP/engine-shm/runcx/shm") ]] &&
  pass "the shm of another engine container (no sandbox of the tenant's), even empty, is refused" ||
  soft_fail "shm6 (runc's): rc $rc: $out"
umount_shms

# process.oomScoreAdj: the app's, as runc writes it (the Sentry's own stays -1000).
oci_bundle "$SB_TMP/b15" sh -c 'cat /proc/self/oom_score_adj'
oci_config "$SB_TMP/b15" 'c["process"]["oomScoreAdj"] = 500'
rc=0; out=$(rt run --bundle "$SB_TMP/b15" c15 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == 500 ]] && pass "process.oomScoreAdj 500: the app's /proc/self/oom_score_adj" ||
  soft_fail "oomScoreAdj: rc $rc: $out"
# Below 0 as far as the tenant's limits.oom-score-adj-min (ocit2's -998,
# a Guaranteed pod's -997); that is the app's floor too. Below it, and for
# a tenant without one, refused naming the key.
oci_bundle "$SB_TMP/b15" sh -c 'cat /proc/self/oom_score_adj; echo -998 >/proc/self/oom_score_adj || echo floor-held; cat /proc/self/oom_score_adj'
# Setting a value below 0 needs CAP_SYS_RESOURCE, which some hosts (this
# test's VMs among them) withhold even from root: there the create fails,
# naming the key and the cause, and leaves nothing.
oci_config "$SB_TMP/b15" 'c["process"]["oomScoreAdj"] = -997'
rc=0; out=$(rt2 run --bundle "$SB_TMP/b15" c15 </dev/null 2>&1) || rc=$?
if (( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )); then
  [[ $rc == 0 && $(head -n 1 <<<"$out") == -997 && $out == *floor-held* && $(tail -n 1 <<<"$out") == -997 ]] &&
    pass "process.oomScoreAdj -997 within the tenant's floor: the app has it, and cannot go lower" ||
    soft_fail "oomScoreAdj -997: rc $rc: $out"
else
  ((rc != 0)) && [[ $out == *"process.oomScoreAdj -997"*CAP_SYS_RESOURCE* && $(state_of c15) == none ]] &&
    pass "process.oomScoreAdj -997 on a host whose root lacks CAP_SYS_RESOURCE: refused at create, naming the cause" ||
    soft_fail "oomScoreAdj -997 without CAP_SYS_RESOURCE: rc $rc: $out"
fi
rt2 delete --force c15 2>/dev/null || true
oci_config "$SB_TMP/b15" 'c["process"]["oomScoreAdj"] = -999'
rc=0; out=$(rt2 run --bundle "$SB_TMP/b15" c15 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *process.oomScoreAdj*"limits.oom-score-adj-min (-998)"* ]] &&
  pass "process.oomScoreAdj below the tenant's floor is refused: $(head -c 140 <<<"$out")" || soft_fail "oomScoreAdj -999: rc $rc: $out"
rt2 delete --force c15 2>/dev/null || true

# Hooks: each kind run by the runtime in its order, with the state on stdin.
cat >"$SB_TMP/hook.sh" <<HOOK
#!/bin/sh
{ printf '%s ' "\$1"; cat; echo; } >>"$SB_TMP/hooks.log"
HOOK
chmod 755 "$SB_TMP/hook.sh"
# (The command outlives the poststart hook: with the sandbox built at
# create, start lets it go at once, and a state read after it ended says
# stopped, as runc's would.)
oci_bundle "$SB_TMP/b16" sh -c 'sleep 1; echo in-container'
oci_config "$SB_TMP/b16" "c['hooks'] = {k: [{'path': '$SB_TMP/hook.sh', 'args': ['hook', k]}]
              for k in ('prestart', 'createRuntime', 'poststart', 'poststop')}"
rc=0; out=$(rt run --bundle "$SB_TMP/b16" c16 </dev/null 2>&1) || rc=$?
seen=$(/usr/bin/python3 - "$SB_TMP/hooks.log" <<'PY' 2>&1
import json, sys
for line in open(sys.argv[1]):
    kind, state = line.split(" ", 1)
    s = json.loads(state)
    print(kind, s["id"], s["status"], "pid" if s.get("pid", 0) > 0 else "nopid", s["bundle"].endswith("/b16"))
PY
)
want="prestart c16 created pid True
createRuntime c16 created pid True
poststart c16 running pid True
poststop c16 stopped nopid True"
[[ $rc == 0 && $out == in-container && $seen == "$want" ]] &&
  pass "hooks: prestart, createRuntime, poststart and poststop run in order, each given the state on stdin" ||
  soft_fail "hooks: rc $rc, out $out, seen: $seen"

# startContainer hooks: programs of the container, run in the sandbox as
# the command will be, after start and before the command, one after
# another, each given the state (created, pid 1) on stdin, in the
# command's working directory. One that fails, or outlives its timeout,
# fails the start, and the command never runs. A host program named as
# one is not found: the path is the container's, and the host's file
# stays as it was.
oci_bundle "$SB_TMP/b17" sh -c 'cat /tmp/hooklog; echo command-ran'
oci_config "$SB_TMP/b17" "c['process']['cwd'] = '/tmp'
c['hooks'] = {'startContainer': [
  {'path': '/bin/sh', 'args': ['sh', '-c', 'read s; echo \"first \$(id -u) \$(pwd) A=\$A \$s\" >>/tmp/hooklog'], 'env': ['A=1']},
  {'path': '/bin/sh', 'args': ['sh', '-c', 'echo \"second A=\$A \$(cat /proc/1/cmdline)\" >>/tmp/hooklog']}]}"
rc=0; out=$(rt run --bundle "$SB_TMP/b17" c17 </dev/null 2>&1) || rc=$?
first=$(head -n 1 <<<"$out")
state=${first#first 0 /tmp A=1 }
[[ $rc == 0 && $first == "first 0 /tmp A=1 {"* && $(sed -n 2,3p <<<"$out") == $'second A= init\ncommand-ran' &&
   $($PY -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["id"], s["status"], s["pid"])' "$state") == "c17 created 1" ]] &&
  pass "hooks.startContainer: run in the sandbox in order before the command, as root in its cwd, with the state and their own env; pid 1 shows as init to them" ||
  soft_fail "startContainer hooks: rc $rc: $out"
hook_fails() { # LABEL WANT PYTHON-HOOK: the start fails naming WANT; the command never runs
  local rc=0 out
  oci_bundle "$SB_TMP/b18" sh -c 'echo command-ran'
  oci_config "$SB_TMP/b18" "c['hooks'] = {'startContainer': [$3]}"
  out=$(rt run --bundle "$SB_TMP/b18" c18 </dev/null 2>&1) || rc=$?
  ((rc != 0)) && [[ $out == *"$2"* && $out != *command-ran* ]] && pass "$1: $(grep -m1 -F -- "$2" <<<"$out" | head -c 200)" ||
    soft_fail "$1: rc $rc: $out"
  rt delete --force c18 2>/dev/null || true
}
hook_fails "a startContainer hook that exits 3 fails the start" "hooks.startContainer[0] (/bin/sh) failed (status 3)" \
  "{'path': '/bin/sh', 'args': ['sh', '-c', 'exit 3']}"
# The init says why, then exits: its word must reach the caller before
# its end does, every time (it raced with the exit: 2 in 30 said "the
# Sentry exited with 125" instead). 20 more starts.
hooks_said=0
for i in $(seq 20); do
  out=$(rt run --bundle "$SB_TMP/b18" c18 </dev/null 2>&1) || true
  [[ $out == *"hooks.startContainer[0] (/bin/sh) failed (status 3)"* ]] && hooks_said=$((hooks_said + 1))
  rt delete --force c18 2>/dev/null || true
done
((hooks_said == 20)) && pass "the failed hook is named in 20 of 20 more starts" ||
  soft_fail "the failed hook was named in $hooks_said of 20 starts: $out"
t0=$(date +%s)
hook_fails "one that outlives its timeout is killed and fails the start" "timed out after 1s" \
  "{'path': '/bin/sh', 'args': ['sh', '-c', 'sleep 30'], 'timeout': 1}"
(($(date +%s) - t0 < 15)) || soft_fail "the timed-out hook held the start $(($(date +%s) - t0)) s"
# A hook may take longer than a sandbox may take to be built
# (SANDBOX_START_TIMEOUT, 2 s here): without a timeout of its own it is
# waited for, as runc waits.
oci_bundle "$SB_TMP/b18" sh -c 'echo command-ran'
oci_config "$SB_TMP/b18" "c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'sleep 4']}]}"
rc=0; out=$(SANDBOX_START_TIMEOUT=2 rt run --bundle "$SB_TMP/b18" c18 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == command-ran ]] && pass "a 4 s startContainer hook without a timeout outlasts SANDBOX_START_TIMEOUT=2" ||
  soft_fail "slow hook: rc $rc: $out"
rt delete --force c18 2>/dev/null || true
printf '#!/bin/sh\necho ran-on-host >%s\n' "$SB_TMP/host-hook-ran" >"$SB_TMP/host-hook.sh"
chmod 755 "$SB_TMP/host-hook.sh"
hook_fails "a host program named as a startContainer hook is not found in the container" "not found in the container" \
  "{'path': '$SB_TMP/host-hook.sh'}"
[[ ! -e $SB_TMP/host-hook-ran ]] && pass "the host program did not run" || soft_fail "the host hook ran on the host"
refused_hook() { # LABEL WANT PYTHON
  local rc=0 out
  oci_bundle "$SB_TMP/b19" true
  oci_config "$SB_TMP/b19" "$3"
  out=$(rt create --bundle "$SB_TMP/b19" c19 </dev/null 2>&1) || rc=$?
  ((rc != 0)) && [[ $out == *"$2"* && $(state_of c19) == none ]] && pass "$1" || soft_fail "$1: rc $rc: $out"
  rt delete --force c19 2>/dev/null || true
}
# createContainer hooks: host programs (their path is the runtime's, as the
# spec says), run at create after createRuntime, as the caller, in the
# container's network, ipc and uts namespaces (the monitor's) and in its
# cgroup (the app's part, as runc runs them in the container's), with the
# state on stdin; on the host's files, never in the sandbox's mount
# namespace. One that fails fails the create and leaves nothing.
cat >"$SB_TMP/cc-hook.sh" <<HOOK
#!/bin/sh
{ read -r s; echo "\$(hostname) \$(readlink /proc/self/ns/net) \$(readlink /proc/self/ns/ipc) \$s"; } >"$SB_TMP/cc-hook.out"
awk -F: '\$2 == "pids" || \$2 == "memory" || (\$1 == "0" && \$3 != "/") {print \$3}' /proc/self/cgroup >"$SB_TMP/cc-hook.cg"
HOOK
chmod 755 "$SB_TMP/cc-hook.sh"
rm -f "$SB_TMP/cc-hook.out"
oci_bundle "$SB_TMP/b20" sh -c 'echo command-ran'
oci_config "$SB_TMP/b20" "c['hostname'] = 'cchost'
c['hooks'] = {'createRuntime': [{'path': '/bin/sh', 'args': ['sh', '-c', 'echo runtime >$SB_TMP/cc-order']}],
  'createContainer': [{'path': '$SB_TMP/cc-hook.sh', 'timeout': 10}]}"
rc=0; rt create --bundle "$SB_TMP/b20" --pid-file "$SB_TMP/c20.pid" c20 </dev/null >"$SB_TMP/c20.out" 2>&1 || rc=$?
out=$(cat "$SB_TMP/c20.out")
c20=$(cat "$SB_TMP/c20.pid" 2>/dev/null || echo none)
c20_id=$({ json 'v["sbd_id"]' <"$OCI_ROOT/c20/state.json"; } 2>/dev/null || echo none)
read -r cc_host cc_net cc_ipc cc_state <"$SB_TMP/cc-hook.out" 2>/dev/null || true
cc_cg=$(sort -u "$SB_TMP/cc-hook.cg" 2>/dev/null | tr '\n' ' ')
[[ $rc == 0 && -s $SB_TMP/cc-order && $cc_host == cchost && $cc_net == "$(readlink /proc/"$c20"/ns/net)" &&
   $cc_net != "$(readlink /proc/self/ns/net)" && $cc_ipc == "$(readlink /proc/"$c20"/ns/ipc)" &&
   $cc_ipc != "$(readlink /proc/self/ns/ipc)" &&
   $($PY -c 'import json,sys; s=json.loads(sys.argv[1]); print(s["id"], s["pid"])' "$cc_state" 2>&1) == "c20 $c20" &&
   $cc_cg == "/sandbox/$c20_id/app " ]] &&
  pass "hooks.createContainer: run at create on the host, in the container's network, ipc and uts namespaces and its cgroup ($cc_cg), with the state" ||
  soft_fail "createContainer hook: rc $rc: $out: $(cat "$SB_TMP/cc-hook.out" 2>&1), cgroup $cc_cg (want /sandbox/$c20_id/app)"
rt delete --force c20 2>/dev/null || true
oci_config "$SB_TMP/b20" "c['hooks'] = {'createContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'exit 4']}]}"
rc=0; out=$(rt create --bundle "$SB_TMP/b20" c21 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"hooks.createContainer[0] (/bin/sh) failed (status 4)"* && $(state_of c21) == none ]] &&
  pass "a createContainer hook that fails fails the create, naming it, and leaves no container" ||
  soft_fail "failing createContainer hook: rc $rc: $out"
rt delete --force c21 2>/dev/null || true
# What a createContainer hook leaves running is the container's: it ends
# with it, and leaves no process on the host.
oci_config "$SB_TMP/b20" "c['hooks'] = {'createContainer': [{'path': '/bin/sh', 'args': ['sh', '-c',
  'sleep 300 </dev/null >/dev/null 2>&1 & echo \$! >$SB_TMP/cc-left.pid']}]}"
rm -f "$SB_TMP/cc-left.pid"
rc=0; out=$(rt run --bundle "$SB_TMP/b20" c23 </dev/null 2>&1) || rc=$?
rt delete --force c23 2>/dev/null || true
cc_left=$(cat "$SB_TMP/cc-left.pid" 2>/dev/null || echo none)
for i in $(seq 30); do sb_running "$cc_left" || break; sleep 0.1; done
[[ $rc == 0 && $out == command-ran && $cc_left =~ ^[0-9]+$ ]] && ! sb_running "$cc_left" &&
  pass "a process a createContainer hook leaves running ends with the container" ||
  { soft_fail "createContainer hook's leftover: rc $rc, out $out, pid $cc_left: $(sb_cmdline "$cc_left")"; kill "$cc_left" 2>/dev/null || true; }
# The runtime's `hooks = false` refuses every kind, this one too.
{ cat "$OCI_CONF"; echo 'hooks = false'; } >"$SB_TMP/nohooks.conf"
oci_config "$SB_TMP/b20" "c['hooks'] = {'createContainer': [{'path': '/bin/true'}]}"
rc=0; out=$("$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/nohooks.conf" create --bundle "$SB_TMP/b20" c22 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"hooks.createContainer: the runtime's configuration refuses hooks"* && $(state_of c22) == none ]] &&
  pass "hooks = false refuses a createContainer hook at create" || soft_fail "hooks = false: rc $rc: $out"
rt delete --force c22 2>/dev/null || true
refused_hook "a hook with a relative path is refused at create" "hooks.startContainer[0].path" \
  "c['hooks'] = {'startContainer': [{'path': 'bin/true'}]}"

# --- a config asking more than the tenant's policy -----------------------------
refused() { # LABEL KEY PYTHON: create refused, the message naming KEY
  local rc=0
  oci_bundle "$SB_TMP/bx" true
  oci_config "$SB_TMP/bx" "$3"
  rt create --bundle "$SB_TMP/bx" cx </dev/null 2>"$SB_TMP/cx.err" || rc=$?
  if ((rc != 0)) && grep -qF -- "$2" "$SB_TMP/cx.err"; then
    pass "$1: refused, naming $2"
  else
    soft_fail "$1: rc $rc: $(cat "$SB_TMP/cx.err")"
    rt delete --force cx 2>/dev/null || true
  fi
  [[ $(state_of cx) == none ]] || soft_fail "$1: the refused container has a record"
}
refused "memory over the tenant's 256M" linux.resources.memory.limit \
  'c["linux"]["resources"] = {"memory": {"limit": 1 << 30}}'
refused "CAP_SYS_ADMIN" process.capabilities 'c["process"]["capabilities"]["bounding"].append("CAP_SYS_ADMIN")'
refused "an ambient CAP_SYS_ADMIN" process.capabilities.ambient 'c["process"]["capabilities"]["ambient"] = ["CAP_SYS_ADMIN"]'
refused "a host device" 'linux.devices[0]' 'c["linux"]["devices"] = [{"path": "/dev/sda", "type": "b", "major": 8, "minor": 0}]'
refused "the host's pid namespace" 'linux.namespaces' \
  'c["linux"]["namespaces"].append({"type": "pid", "path": "/proc/1/ns/pid"}); c["linux"]["namespaces"].pop(0)'
refused "a sysctl outside the namespaced list" linux.sysctl 'c["linux"]["sysctl"] = {"kernel.panic": "1"}'
refused "a negative oomScoreAdj (shielded from the host's OOM killer), for a tenant without a floor" \
  "process.oomScoreAdj: -500 is below tenant ocit's limits.oom-score-adj-min (0)" 'c["process"]["oomScoreAdj"] = -500'
# --- the tenant's disk limit on a writable layer on the host's disk --------------
# The bundle's rootfs directory is written in place: a project quota of the
# tenant's disk size bounds it where its filesystem enforces one (ext4 with
# prjquota, xfs with pquota, in a kernel with CONFIG_QUOTA); elsewhere
# disk-quota = if-supported (the default) runs it unbounded and says so in
# --log, required refuses it, off says nothing.
oci_bundle "$SB_TMP/bq" sh -c 'echo wrote >/written; cat /written'
quota_fs=no
if grep -qE 'prjquota|pquota|prjjquota' <(findmnt -n -o OPTIONS -T "$SB_TMP/bq/rootfs"); then quota_fs=yes; fi
quota_run() { # MODE: runs bundle bq with disk-quota = MODE; prints rc, output, the log, the record's quota
  local conf=$SB_TMP/q-$1.conf rc=0 out
  { cat "$OCI_CONF"; [[ $1 == default ]] || echo "disk-quota = \"$1\""; } >"$conf"
  rm -f "$SB_TMP/q.log"
  # A file, not a pipe: a created container's monitor holds create's stdio.
  "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$conf" --log "$SB_TMP/q.log" create --bundle "$SB_TMP/bq" cq \
    </dev/null >"$SB_TMP/q.out" 2>&1 || rc=$?
  out=$(cat "$SB_TMP/q.out")
  Q_RC=$rc Q_OUT=$out Q_LOG=$(cat "$SB_TMP/q.log" 2>/dev/null || true)
  Q_REC=$({ json 'v.get("quota", "")' <"$OCI_ROOT/cq/state.json"; } 2>/dev/null || true)
  if ((rc == 0)); then
    "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$conf" start cq >/dev/null 2>&1 || true
    wait_state cq stopped || true
    "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$conf" delete --force cq 2>/dev/null || true
  fi
}
quota_run default
if [[ $quota_fs == no ]]; then
  ((Q_RC == 0)) && [[ -z $Q_REC && $Q_LOG == *warning*"does not bound the container's writable layer"*if-supported* ]] &&
    pass "disk-quota = if-supported, a filesystem without project quotas: the container runs, --log says it is unbounded" ||
    soft_fail "if-supported without quotas: rc $Q_RC, record quota '$Q_REC', log: $Q_LOG, out: $Q_OUT"
else
  ((Q_RC == 0)) && [[ -n $Q_REC && $Q_LOG != *"does not bound"* ]] &&
    pass "disk-quota = if-supported on a filesystem with project quotas: bounded ($Q_REC)" ||
    soft_fail "if-supported with quotas: rc $Q_RC, record quota '$Q_REC', log: $Q_LOG"
fi
cg_before=$(ls -d /sys/fs/cgroup/*/sandbox/*/ 2>/dev/null | sort || true)
quota_run required
if [[ $quota_fs == no ]]; then
  ((Q_RC != 0)) && [[ $Q_OUT == *"cannot bound the container's writable layer"* && $Q_OUT == *disk-quota* &&
    $Q_LOG == *"cannot bound"* && ! -e $OCI_ROOT/cq ]] &&
    [[ $(ls -d /sys/fs/cgroup/*/sandbox/*/ 2>/dev/null | sort || true) == "$cg_before" ]] &&
    pass "disk-quota = required, a filesystem without project quotas: create refused, naming the cause and the setting; nothing left: $Q_OUT" ||
    soft_fail "required without quotas: rc $Q_RC, out: $Q_OUT, log: $Q_LOG, root: $(ls "$OCI_ROOT")"
else
  ((Q_RC == 0)) && [[ -n $Q_REC ]] && pass "disk-quota = required on a filesystem with project quotas: bounded ($Q_REC)" ||
    soft_fail "required with quotas: rc $Q_RC, out: $Q_OUT"
fi
quota_run off
((Q_RC == 0)) && [[ -z $Q_REC && $Q_LOG != *"does not bound"* ]] &&
  pass "disk-quota = off: unbounded, as under runc, and no warning" || soft_fail "off: rc $Q_RC, record quota '$Q_REC', log: $Q_LOG"
quota_run sometimes
((Q_RC != 0)) && [[ $Q_OUT == *"disk-quota"*"required, if-supported, off"* && ! -e $OCI_ROOT/cq ]] &&
  pass "disk-quota = \"sometimes\": refused, naming the setting and its values" || soft_fail "bad disk-quota: rc $Q_RC: $Q_OUT"
api local GET '/v1/containers?all=1' | sed -n 2p | grep -q '"cq"' && soft_fail "sandboxd still holds cq" || true

# Resources a sandbox does not apply are accepted, and named in --log; those
# it applies are in the sandbox's cgroup from the start (the app sees its
# cpuset); swap beyond the policy's is bounded by it, and said so.
oci_bundle "$SB_TMP/bw" sh -c 'grep Cpus_allowed_list /proc/self/status'
oci_config "$SB_TMP/bw" 'c["linux"]["resources"] = {"cpu": {"cpus": "0", "shares": 0}, "memory": {"limit": 67108864, "swap": 134217728, "reservation": 33554432}, "blockIO": {"weight": 0}, "hugepageLimits": [{"pageSize": "2MB", "limit": 1}]}'
rm -f "$SB_TMP/bw.log"
rc=0; rt --log "$SB_TMP/bw.log" run --bundle "$SB_TMP/bw" cw </dev/null >"$SB_TMP/bw.out" 2>&1 || rc=$?
log=$(cat "$SB_TMP/bw.log" 2>/dev/null || true)
((rc == 0)) && [[ $log == *"linux.resources.hugepageLimits: not applied"* && $log != *"cpu.cpus"* &&
  $log != *reservation* && $log != *shares* && $log != *blockIO* &&
  $log == *"linux.resources.memory.swap: 67108864 bytes of swap asked for, 0 given"* &&
  $(cat "$SB_TMP/bw.out") == *"Cpus_allowed_list:"*0 ]] &&
  pass "linux.resources: hugepageLimits (not applied) named in --log, zeros not; cpu.cpus 0 applied from the start; swap bounded by the policy, said in --log" ||
  soft_fail "resources at create: rc $rc, log: $log, out: $(cat "$SB_TMP/bw.out")"

# A cpuset the host does not have: the kernel refuses it when the sandbox is
# built, after the monitor joined the sandbox's cgroup. The error names it
# (the monitor, in that cgroup, used to be killed by its own cleanup and
# the caller heard nothing), and nothing is left (checked at the end).
oci_bundle "$SB_TMP/bn" true
oci_config "$SB_TMP/bn" 'c["linux"]["resources"] = {"cpu": {"cpus": "4000"}}'
rc=0; rt run --bundle "$SB_TMP/bn" cn </dev/null >"$SB_TMP/bn.out" 2>&1 || rc=$?
((rc != 0)) && grep -q 'cpuset.cpus `4000`' "$SB_TMP/bn.out" && [[ $(state_of cn) == none ]] &&
  pass "cpu.cpus 4000 (not a CPU of this host): refused when built, naming cpuset.cpus, no record left" ||
  soft_fail "a cpuset the host lacks: rc $rc, $(cat "$SB_TMP/bn.out"), state $(state_of cn)"
rt delete --force cn 2>/dev/null || true

# --- linux.cgroupsPath, followed under the configuration's cgroup-parents -------
# Without cgroup-parents (every case above) the sandbox's cgroup is
# sandbox/ID; with them, the config's path under one of them (cgroupfs or
# systemd form), its parents made and left, the leaf removed at delete;
# elsewhere, or over an existing cgroup, create is refused and nothing of
# the host's cgroups is touched.
CGP=sbtest$$   # no dash: a systemd slice name splits at dashes
v2=no; [[ -e /sys/fs/cgroup/cgroup.controllers ]] && v2=yes
cg_dir() { # PATH CONTROLLER: the directory of a cgroup path in one hierarchy
  if [[ $v2 == yes ]]; then echo "/sys/fs/cgroup$1"; else echo "/sys/fs/cgroup/$2$1"; fi
}
cg_cleanup() {
  local d
  for d in /sys/fs/cgroup/$CGP* /sys/fs/cgroup/*/$CGP*; do
    [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  true
}
SB_CLEANUP_HOOKS+=(cg_cleanup)
CG_CONF=$SB_TMP/cg.conf
{ cat "$OCI_CONF"; echo "cgroup-parents = {\"/$CGP\", \"/$CGP.slice\"}"; } >"$CG_CONF"
rtc() { "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$CG_CONF" "$@"; }
oci_bundle "$SB_TMP/bg" sleep 30
oci_config "$SB_TMP/bg" 'c["linux"]["cgroupsPath"] = "/'"$CGP"'/pod1/cg1"; c["linux"]["resources"] = {"memory": {"limit": 100663296}}'
rtc create --bundle "$SB_TMP/bg" cg1 </dev/null >"$SB_TMP/cg1.out" 2>&1 || soft_fail "create cg1: $(cat "$SB_TMP/cg1.out")"
rtc start cg1 >/dev/null 2>&1 || soft_fail "start cg1"
leaf=$(cg_dir "/$CGP/pod1/cg1" memory)
sbid=$({ json 'v["sbd_id"]' <"$OCI_ROOT/cg1/state.json"; } 2>/dev/null || true)
cg_procs() { cat "$1"/app/cgroup.procs "$1"/cgroup.procs "$1"/supervisor/cgroup.procs 2>/dev/null | wc -l || true; }
procs=$(cg_procs "$leaf")
limit=$(cat "$leaf/$mem_file" 2>/dev/null || true)
[[ $procs -ge 3 && $limit == 100663296 && ! -e $(cg_dir "/sandbox/$sbid" memory) && $(state_of cg1) == running ]] &&
  pass "cgroupsPath under cgroup-parents: the sandbox's cgroup is $leaf ($procs processes, memory limit $limit), not sandbox/ID" ||
  soft_fail "cgroupsPath followed: $leaf: $procs processes, limit '$limit', state $(state_of cg1)"
out=$(rtc exec cg1 head -n 1 /proc/meminfo </dev/null 2>&1)
[[ $out == *" 98304 kB" ]] && pass "the Sentry finds the memory limit at cgroupsPath (/proc/meminfo: $out)" ||
  soft_fail "meminfo at cgroupsPath: $out"
# (v1's freezer is FREEZING for a moment after the write: "running".)
rtc pause cg1 && for i in $(seq 30); do [[ $(state_of cg1) == paused ]] && break; sleep 0.1; done
[[ $(state_of cg1) == paused ]] && rtc resume cg1 && [[ $(state_of cg1) == running ]] &&
  pass "pause and resume find the sandbox at its cgroupsPath" || soft_fail "pause at cgroupsPath: $(state_of cg1)"
out=$(api local GET "/v1/containers/$sbid/stats" | sed -n 2p)
[[ $(json 'v["memory_bytes"] > 0' <<<"$out" 2>/dev/null) == True ]] &&
  pass "sandboxd's stats read the cgroup at cgroupsPath" || soft_fail "stats at cgroupsPath: $out"
# Another container asking for the same path: refused, the first untouched.
oci_bundle "$SB_TMP/bg2" true
oci_config "$SB_TMP/bg2" 'c["linux"]["cgroupsPath"] = "/'"$CGP"'/pod1/cg1"'
rc=0; rtc create --bundle "$SB_TMP/bg2" cg2 </dev/null >"$SB_TMP/cg2.out" 2>&1 || rc=$?
procs2=$(cg_procs "$leaf")
((rc != 0)) && [[ $(cat "$SB_TMP/cg2.out") == *cg1* && $procs2 == "$procs" && $(state_of cg1) == running && ! -e $OCI_ROOT/cg2 ]] &&
  pass "a second container at an existing cgroupsPath: refused, the first's cgroup and processes untouched" ||
  soft_fail "existing cgroupsPath: rc $rc, $(cat "$SB_TMP/cg2.out"); first: $procs2 processes, $(state_of cg1)"
rtc delete --force cg1
for i in $(seq 30); do [[ -e $leaf ]] || break; sleep 0.1; done
[[ ! -e $leaf && -d $(dirname "$leaf") ]] && pass "delete removes the leaf at cgroupsPath, the engine's parent stays" ||
  soft_fail "after delete: leaf $(ls -d "$leaf" 2>&1), parent $(ls -d "$(dirname "$leaf")" 2>&1)"
# Outside the parents, or not clean: refused naming the key.
for bad in "/$CGP-other/cg3" "/$CGP/../cg3" "/sandbox/cg3" "relative-$CGP/cg3"; do
  oci_config "$SB_TMP/bg2" 'c["linux"]["cgroupsPath"] = "'"$bad"'"'
  rc=0; rtc create --bundle "$SB_TMP/bg2" cg3 </dev/null >"$SB_TMP/cg3.out" 2>&1 || rc=$?
  ((rc != 0)) && grep -q "linux.cgroupsPath" "$SB_TMP/cg3.out" && [[ ! -e $OCI_ROOT/cg3 ]] &&
    pass "cgroupsPath $bad: refused naming linux.cgroupsPath" || soft_fail "cgroupsPath $bad: rc $rc: $(cat "$SB_TMP/cg3.out")"
  rtc delete --force cg3 2>/dev/null || true
done
# The systemd form, as containerd gives it with SystemdCgroup.
oci_bundle "$SB_TMP/bg4" sleep 30
oci_config "$SB_TMP/bg4" 'c["linux"]["cgroupsPath"] = "'"$CGP-pod4"'.slice:cri:cg4"'
rtc create --bundle "$SB_TMP/bg4" cg4 </dev/null >"$SB_TMP/cg4.out" 2>&1 || soft_fail "create cg4: $(cat "$SB_TMP/cg4.out")"
leaf4=$(cg_dir "/$CGP.slice/$CGP-pod4.slice/cri-cg4.scope" memory)
[[ -d $leaf4 ]] && pass "a systemd cgroupsPath (slice:prefix:name) is the path runc's systemd driver gives it: $leaf4" ||
  soft_fail "systemd cgroupsPath: no $leaf4: $(find "$(cg_dir "/$CGP.slice" memory)" -type d 2>&1 | head -5)"
rtc delete --force cg4 2>/dev/null || true
# "/": anywhere but sandboxd's own tree; a parent that is not a clean path
# is refused with the configuration's name.
{ cat "$OCI_CONF"; echo 'cgroup-parents = {"/"}'; } >"$CG_CONF"
oci_config "$SB_TMP/bg4" 'c["linux"]["cgroupsPath"] = "/'"$CGP"'-any/cg5"'
rtc create --bundle "$SB_TMP/bg4" cg5 </dev/null >"$SB_TMP/cg5.out" 2>&1 || true
[[ -d $(cg_dir "/$CGP-any/cg5" memory) ]] && pass "cgroup-parents \"/\": a path anywhere is followed" ||
  soft_fail "cgroup-parents /: $(cat "$SB_TMP/cg5.out")"
rtc delete --force cg5 2>/dev/null || true
rmdir "$(cg_dir "/$CGP-any" memory)" 2>/dev/null || true
oci_config "$SB_TMP/bg4" 'c["linux"]["cgroupsPath"] = "/sandbox/cg6"'
rc=0; rtc create --bundle "$SB_TMP/bg4" cg6 </dev/null >"$SB_TMP/cg6.out" 2>&1 || rc=$?
((rc != 0)) && grep -q linux.cgroupsPath "$SB_TMP/cg6.out" && pass "cgroup-parents \"/\" still refuses sandboxd's /sandbox" ||
  soft_fail "cgroupsPath /sandbox/cg6 with parents /: rc $rc: $(cat "$SB_TMP/cg6.out")"
rtc delete --force cg6 2>/dev/null || true
{ cat "$OCI_CONF"; echo 'cgroup-parents = {"/a/../b"}'; } >"$CG_CONF"
rc=0; rtc create --bundle "$SB_TMP/bg4" cg7 </dev/null >"$SB_TMP/cg7.out" 2>&1 || rc=$?
((rc != 0)) && grep -q "cgroup-parents" "$SB_TMP/cg7.out" && pass "cgroup-parents \"/a/../b\": refused, naming the setting" ||
  soft_fail "bad cgroup-parents: rc $rc: $(cat "$SB_TMP/cg7.out")"
cg_cleanup

# --- a pod's ipc and uts namespaces, joined by path ------------------------------
# Kubernetes (containerd's CRI) and `docker --ipc container:X` give a
# container the namespaces of the pod's first one as /proc/<pid>/ns/ipc and
# uts, of the pid its engine knows (the monitor's). The joiner shares its
# queues (/dev/mqueue) and has its hostname; the namespaces are neither
# the host's nor the test's. A container of another tenant, the host's
# namespaces, a file that is no namespace and a second hostname are
# refused, naming the key, and leave nothing.
MQ="{'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue'}"
oci_bundle "$SB_TMP/pod0" sh -c 'while :; do sleep 0.1; done'
oci_config "$SB_TMP/pod0" "c['hostname'] = 'podhost'; c['mounts'].append($MQ)"
rt run --detach --bundle "$SB_TMP/pod0" --pid-file "$SB_TMP/pod0.pid" pod0 </dev/null >/dev/null 2>"$SB_TMP/pod0.err" ||
  fail "the pod's first container: $(cat "$SB_TMP/pod0.err")"
ppid=$(cat "$SB_TMP/pod0.pid")
[[ $(readlink /proc/"$ppid"/ns/ipc) != "$(readlink /proc/self/ns/ipc)" && $(readlink /proc/"$ppid"/ns/ipc) != "$(readlink /proc/1/ns/ipc)" &&
   $(readlink /proc/"$ppid"/ns/uts) != "$(readlink /proc/1/ns/uts)" ]] &&
  pass "the pid the engine knows is in the container's own ipc and uts namespaces" ||
  soft_fail "pod0's monitor namespaces: $(readlink /proc/"$ppid"/ns/ipc /proc/"$ppid"/ns/uts /proc/1/ns/ipc)"
pod_config() { # DIR HOSTNAME PATH-OF-PID: a member of the pod
  oci_config "$1" "c['hostname'] = '$2'; c['mounts'].append($MQ)
c['linux']['namespaces'] = [{'type': t} for t in ('pid', 'network', 'mount')] + [
  {'type': 'ipc', 'path': '/proc/$3/ns/ipc'}, {'type': 'uts', 'path': '/proc/$3/ns/uts'}]"
}
oci_bundle "$SB_TMP/pod1" sh -c 'hostname; echo hi >/dev/mqueue/podq 2>/dev/null; ls /dev/mqueue'
pod_config "$SB_TMP/pod1" '' "$ppid"
rc=0; out=$(rt run --bundle "$SB_TMP/pod1" pod1 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == $'podhost\npodq' ]] && pass "a member of the pod has its hostname and makes a queue" ||
  soft_fail "pod member: rc $rc: $out"
out=$(rt exec pod0 ls /dev/mqueue </dev/null 2>&1) || true
[[ $out == podq && ! -e /dev/mqueue/podq ]] && pass "the pod's first container sees the member's queue (not the host)" ||
  soft_fail "pod0's queues: $out"
oci_bundle "$SB_TMP/pod2" sh -c 'echo ran'
pod_config "$SB_TMP/pod2" other "$ppid"
rc=0; out=$(rt run --bundle "$SB_TMP/pod2" pod2 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *hostname*other*podhost* && $out != *ran* ]] &&
  pass "a member's own hostname is refused, naming both: $(head -c 200 <<<"$out")" || soft_fail "pod2: rc $rc: $out"
pod_config "$SB_TMP/pod2" '' "$ppid"
rc=0; out=$("$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/pod2" pod3 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *linux.namespaces*"not one of tenant ocit2"* && $out != *ran* ]] &&
  pass "another tenant's container may not join the pod: $(head -c 200 <<<"$out")" || soft_fail "pod3 (ocit2): rc $rc: $out"
# --- a pod's pid namespace, joined by path --------------------------------------
# Kubernetes' shareProcessNamespace, `docker --pid container:X` and podman
# pods give /proc/<pid>/ns/pid of the pod's first container (its monitor).
# A member's processes are in the first one's app pid namespace: each sees
# the other's, and the member's init is not pid 1 there. Nothing of a
# member outlives it (a process its command left behind goes to the pod's
# first init, and ends with the member), and the first container's end
# ends the members. Neither init may be traced, not even under a profile
# that lets the app trace its own processes, nor may the other
# container's processes. Another tenant, a pid that is no container's and
# a path that names no container's pid are refused, naming the key.
pidpod() { # DIR PATH: a member of the pod whose pid namespace PATH names
  oci_config "$1" "c['linux']['namespaces'] = [{'type': t} for t in ('network', 'ipc', 'uts', 'mount')] + [
  {'type': 'pid', 'path': '$2'}]"
}
oci_bundle "$SB_TMP/pp0" sh -c 'while :; do sleep 0.1; done'
rt3 run --detach --bundle "$SB_TMP/pp0" --pid-file "$SB_TMP/pp0.pid" pp0 </dev/null >/dev/null 2>"$SB_TMP/pp0.err" ||
  fail "the pid pod's first container: $(cat "$SB_TMP/pp0.err")"
pp0=$(cat "$SB_TMP/pp0.pid")
oci_bundle "$SB_TMP/pp1" sh -c 'echo "self $$ parent $PPID"; for p in /proc/[0-9]*; do echo "${p#/proc/} $(tr "\0" " " <$p/cmdline)"; done'
pidpod "$SB_TMP/pp1" "/proc/$pp0/ns/pid"
rc=0; out=$(rt3 run --bundle "$SB_TMP/pp1" pp1 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out == *$'\n1 init \n'* && $out == *$'\n2 sh -c while :; do sleep 0.1; done \n'* &&
   $out =~ self\ ([0-9]+)\ parent\ ([0-9]+) && ${BASH_REMATCH[1]} != 1 && ${BASH_REMATCH[2]} != 1 &&
   $out == *$'\n'"${BASH_REMATCH[2]} init "* ]] &&
  pass "a member of the pod's pid namespace sees the first container's processes; its own init is pid ${BASH_REMATCH[2]}" ||
  soft_fail "pid pod member: rc $rc: $out"
oci_bundle "$SB_TMP/pp2" sleep 301
pidpod "$SB_TMP/pp2" "/proc/$pp0/ns/pid"
rt3 run --detach --bundle "$SB_TMP/pp2" --pid-file "$SB_TMP/pp2.pid" pp2 </dev/null >/dev/null 2>"$SB_TMP/pp2.err" ||
  soft_fail "pp2: $(cat "$SB_TMP/pp2.err")"
out=$(rt3 exec pp0 ps 2>&1) || true
[[ $out == *"sleep 301"* ]] && pass "the pod's first container sees the member's command" || soft_fail "pp0's ps: $out"
# Its /proc/loadavg counts its own processes (init, sh, a sleep 0.1, cat),
# not the member's nor the member's Sentry and Gofer, which are in the
# first Sentry's pid namespace.
out=$(rt3 exec pp0 cat /proc/loadavg 2>&1) || true
[[ $out =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+/([0-9]+)\  && ${BASH_REMATCH[1]} -le 4 ]] &&
  pass "the first container's task count is its own ($out)" || soft_fail "pp0's loadavg: $out"
# The pod's clocks are the first container's: a member's uptime is the
# pod's, and the start times of the pod's processes (ticks since its boot,
# field 22 of /proc/<pid>/stat) are within it, its own as well as the
# first init's.
oci_bundle "$SB_TMP/pp9" sh -c 'read -r l </proc/1/stat; set -- $l; a=${22}; read -r l </proc/self/stat; set -- $l; read -r up idle </proc/uptime; echo "$a ${22} $up"'
pidpod "$SB_TMP/pp9" "/proc/$pp0/ns/pid"
sleep 1.5 # the pod up for a while: a member's own clocks would read less
rc=0; out=$(rt3 run --bundle "$SB_TMP/pp9" pp9 </dev/null 2>&1) || rc=$?
podup=$(rt3 exec pp0 cat /proc/uptime 2>&1) || true
pod=${podup%%.*}
if [[ $rc == 0 && $pod =~ ^[0-9]+$ && $out =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)\.[0-9]+$ ]]; then
  first=${BASH_REMATCH[1]} own=${BASH_REMATCH[2]} up=${BASH_REMATCH[3]}
  ((first <= up * 100 + 100 && own <= up * 100 + 100 && up <= pod && pod - up <= 2 && up >= 1)) &&
    pass "a member's clocks are the pod's: uptime ${up}s (the first container's ${pod}s), start times within it ($out)" ||
    soft_fail "pod clocks: member $out, first container $podup"
else
  soft_fail "pod clocks: rc $rc: $out / $podup"
fi

# The attack: trace one's own init (which holds the Sentry's channel for
# exec), the other inits, and the other container's command.
oci_bundle "$SB_TMP/pp3" sh -c 'set -- $(ps -o pid,args | grep "[s]leep 301"); exec /bin/probe_ptrace --parent $(pidof init) $1'
cp "$PROBE_DIR/probe_ptrace" "$SB_TMP/pp3/rootfs/bin/"
pidpod "$SB_TMP/pp3" "/proc/$pp0/ns/pid"
rc=0; out=$(rt3 run --bundle "$SB_TMP/pp3" pp3 </dev/null 2>&1) || rc=$?
[[ $rc == 0 && $out != *ESCAPE* && $(grep -c '^refused: ptrace(PTRACE_ATTACH)' <<<"$out") == 4 ]] &&
  pass "a member may trace neither its init nor the pod's other inits and processes ($(grep -c '^refused' <<<"$out") refused)" ||
  soft_fail "ptrace in the pod: rc $rc: $out"
oci_bundle "$SB_TMP/pp4" sh -c 'sleep 302 & until [ "$(cat /proc/$!/comm)" = sleep ]; do :; done; echo left'
pidpod "$SB_TMP/pp4" "/proc/$pp0/ns/pid"
rc=0; rt3 run --detach --bundle "$SB_TMP/pp4" pp4 </dev/null >"$SB_TMP/pp4.out" 2>&1 || rc=$?
# (Its monitor, which would otherwise kill it once it has given up
# waiting for the member's output, 3 s later, is still there.)
left=
wait_state pp4 stopped && for i in $(seq 10); do left=$(pgrep -f "^sleep 302" || true); [[ -z $left ]] && break; sleep 0.1; done
[[ $rc == 0 && $(state_of pp4) == stopped && -z $left ]] &&
  pass "what a member's command leaves behind ends with the member, before its delete" ||
  soft_fail "pp4: rc $rc: $(state_of pp4): $(cat "$SB_TMP/pp4.out"): left $left"
rt3 delete pp4 || soft_fail "delete pp4"
rt3 kill pp0 KILL
wait_state pp0 stopped && wait_state pp2 stopped && ! pgrep -f "^sleep 301" >/dev/null &&
  pass "the end of the pod's first container ends its members (pp2 $(state_of pp2))" ||
  soft_fail "after pp0's end: pp2 $(state_of pp2), $(pgrep -af "^sleep 301")"
rt3 delete --force pp2 || soft_fail "delete pp2"
rt3 run --detach --bundle "$SB_TMP/pp0" --pid-file "$SB_TMP/pp5.pid" pp5 </dev/null >/dev/null 2>"$SB_TMP/pp0.err" ||
  fail "the pid pod's first container again: $(cat "$SB_TMP/pp0.err")"
pidpod "$SB_TMP/pp2" "/proc/$(cat "$SB_TMP/pp5.pid")/ns/pid"
rc=0; out=$(rt2 run --bundle "$SB_TMP/pp2" pp6 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *linux.namespaces*"pid namespace"*"not one of tenant ocit2"* ]] &&
  pass "another tenant's container may not join the pod's pid namespace: $(head -c 160 <<<"$out")" || soft_fail "pp6: rc $rc: $out"
pidpod "$SB_TMP/pp2" "/proc/$$/ns/pid"
rc=0; out=$(rt3 run --bundle "$SB_TMP/pp2" pp7 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *linux.namespaces*"pid namespace \`/proc/$$/ns/pid\`"* ]] &&
  pass "a pid that is no container's monitor is refused" || soft_fail "pp7: rc $rc: $out"
pidpod "$SB_TMP/pp2" "/proc/self/ns/pid"
rc=0; out=$(rt3 run --bundle "$SB_TMP/pp2" pp8 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"pid path \`/proc/self/ns/pid\`"*"/proc/PID/ns/pid"* ]] &&
  pass "a pid path that names no container's pid is refused: $(head -c 160 <<<"$out")" || soft_fail "pp8: rc $rc: $out"
for c in pp0 pp5 pp6 pp7 pp8; do rt3 delete --force $c 2>/dev/null || true; rt2 delete --force $c 2>/dev/null || true; done
[[ $(rt3 list 2>&1 | grep -c '^pp') == 0 ]] || soft_fail "pid pod containers left: $(rt3 list 2>&1)"

# A network namespace joined by path (CNI's, docker --network container:X):
# one of the engine's (here a process's of the test's) is joined; one of
# another tenant's sandboxes never is, its loopback services not the
# joiner's to reach.
unshare --net sleep 600 &
netholder=$!
SB_BG_PIDS+=("$netholder")
for i in $(seq 50); do [[ $(readlink /proc/$netholder/ns/net) != "$(readlink /proc/self/ns/net)" ]] && break; sleep 0.1; done
oci_bundle "$SB_TMP/net1" sh -c 'while :; do sleep 0.1; done'
oci_config "$SB_TMP/net1" "c['linux']['namespaces'] = [{'type': t} for t in ('pid', 'ipc', 'uts', 'mount')] + [
  {'type': 'network', 'path': '/proc/$netholder/ns/net'}]"
rc=0; rt2 run --detach --bundle "$SB_TMP/net1" --pid-file "$SB_TMP/net1.pid" net1 </dev/null >"$SB_TMP/net1.out" 2>&1 || rc=$?
[[ $rc == 0 && $(readlink /proc/"$(cat "$SB_TMP/net1.pid" 2>/dev/null)"/ns/net 2>&1) == "$(readlink /proc/$netholder/ns/net)" ]] &&
  pass "a network namespace of the engine's, joined by path (the container's is it)" ||
  soft_fail "netns join: rc $rc: $(cat "$SB_TMP/net1.out")"
rt2 delete --force net1 2>/dev/null || true
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$ppid/ns/net'"
rc=0; out=$(rt2 run --bundle "$SB_TMP/net1" net2 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"network namespace"*"another tenant's container's"* ]] &&
  pass "another tenant's sandbox's network namespace is refused: $(head -c 160 <<<"$out")" || soft_fail "net2: rc $rc: $out"
rt2 delete --force net2 2>/dev/null || true
# A namespace is its container's from the moment it is made, not only once
# the monitor has recorded it (namespaces.json, a few calls later; for
# sandboxd's own containers, once the Sentry runs). With the record gone,
# as in that window, the monitor (an OCI container's) and the Sentry (one
# of sandboxd's own) are still seen in it.
pod0id=$(json 'v["sbd_id"]' <"$OCI_ROOT/pod0/state.json")
mv "$SBD/state/containers/$pod0id/namespaces.json" "$SB_TMP/pod0-ns.json"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/net1" net3 </dev/null 2>&1) || rc=$?
mv "$SB_TMP/pod0-ns.json" "$SBD/state/containers/$pod0id/namespaces.json"
((rc != 0)) && [[ $out == *"network namespace"*"another tenant's container's"* && $out != *ran* ]] &&
  pass "an OCI container's network namespace not yet recorded is refused to another tenant" || soft_fail "net3: rc $rc: $out"
rt2 delete --force net3 2>/dev/null || true
out=$(api ocit POST /v1/containers '{"name":"own-net","cmd":["/bin/busybox","sh","-c","while :; do sleep 1; done"]}')
ownid=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read().split("\n", 1)[1])["id"])' <<<"$out" 2>/dev/null) || true
api ocit POST /v1/containers/own-net/start >/dev/null
sentry=
for p in /proc/[0-9]*; do
  if [[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *sandbox-sentry*"$ownid"* ]]; then sentry=${p#/proc/}; break; fi
done
mv "$SBD/state/containers/$ownid/namespaces.json" "$SB_TMP/own-ns.json" 2>/dev/null || true
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$sentry/ns/net'"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/net1" net4 </dev/null 2>&1) || rc=$?
mv "$SB_TMP/own-ns.json" "$SBD/state/containers/$ownid/namespaces.json" 2>/dev/null || true
[[ -n $ownid && -n $sentry && $(readlink /proc/$sentry/ns/net) != "$(readlink /proc/self/ns/net)" ]] && ((rc != 0)) &&
  [[ $out == *"network namespace"*"another tenant's container's"* && $out != *ran* ]] &&
  pass "a sandboxd container's network namespace not yet recorded is refused to another tenant" ||
  soft_fail "net4: id $ownid, Sentry $sentry: rc $rc: $out"
rt2 delete --force net4 2>/dev/null || true
# Nor the network namespace of its Gofer (a process of the sandbox too,
# in an empty one of its own, recorded nowhere).
gofer=
for c in $(cat /proc/"$ppid"/task/"$ppid"/children 2>/dev/null); do
  for g in $(cat /proc/"$c"/task/"$c"/children 2>/dev/null); do
    [[ $(tr '\0' ' ' <"/proc/$g/cmdline" 2>/dev/null) == *sandbox-gofer* ]] && gofer=$g
  done
done
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$gofer/ns/net'"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/net1" net7 </dev/null 2>&1) || rc=$?
[[ -n $gofer && $(readlink /proc/"$gofer"/ns/net) != "$(readlink /proc/"$ppid"/ns/net)" ]] && ((rc != 0)) &&
  [[ $out == *"network namespace"*"another tenant's container's"* ]] &&
  pass "another tenant's sandbox's Gofer's network namespace is refused" || soft_fail "net7: Gofer $gofer: rc $rc: $out"
rt2 delete --force net7 2>/dev/null || true
# Nor a sandbox of no tenant's (`sandbox-runtime do`, in sandboxd's
# cgroup tree but no container of its own): its loopback services are
# its user's.
sb_do -- sleep 60 </dev/null >/dev/null 2>&1 &
dopid=$!
SB_BG_PIDS+=("$dopid")
dosentry=
for i in $(seq 100); do
  for p in /proc/[0-9]*; do
    [[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *sandbox-sentry*"do-$dopid-"* ]] && dosentry=${p#/proc/} && break
  done
  [[ -n $dosentry ]] && break
  sleep 0.05
done
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$dosentry/ns/net'"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/net1" net8 </dev/null 2>&1) || rc=$?
[[ -n $dosentry && $(readlink /proc/"$dosentry"/ns/net) != "$(readlink /proc/self/ns/net)" ]] && ((rc != 0)) &&
  [[ $out == *"network namespace"*"is a sandbox's that is no container of tenant ocit2's"* ]] &&
  pass "a network namespace of a sandbox of no tenant's (sandbox-runtime do) is refused" || soft_fail "net8: do Sentry $dosentry: rc $rc: $out"
rt2 delete --force net8 2>/dev/null || true
kill "$dopid" 2>/dev/null || true
wait "$dopid" 2>/dev/null || true
# The host's own (the caller's) named by path is network mode host, as
# Docker's --network host, which ocit2's policy allows.
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$$/ns/net'"
rc=0; rt2 run --detach --bundle "$SB_TMP/net1" --pid-file "$SB_TMP/net9.pid" net9 </dev/null >"$SB_TMP/net9.out" 2>&1 || rc=$?
[[ $rc == 0 && $(readlink /proc/"$(cat "$SB_TMP/net9.pid" 2>/dev/null)"/ns/net 2>&1) == "$(readlink /proc/$$/ns/net)" ]] &&
  pass "the host's network namespace named by path is network mode host" || soft_fail "net9 (the host's): rc $rc: $(cat "$SB_TMP/net9.out")"
rt2 delete --force net9 2>/dev/null || true
# A pid is only a name: a monitor's, once it has ended, may be another's.
# A container of ocit2 whose recorded monitor pid now names pod0's monitor
# (the start time differs) does not make pod0's namespace ocit2's.
oci_bundle "$SB_TMP/net5" sh -c 'while :; do sleep 0.1; done'
rt2 run --detach --bundle "$SB_TMP/net5" net5 </dev/null >/dev/null 2>&1 || true
net5id=$(json 'v["sbd_id"]' <"$OCI_ROOT/net5/state.json" 2>/dev/null) || true
cp "$SBD/state/containers/$net5id/monitor.pid" "$SB_TMP/net5.monitor.pid" 2>/dev/null || true
echo "$ppid 1" >"$SBD/state/containers/$net5id/monitor.pid"
oci_config "$SB_TMP/net1" "c['linux']['namespaces'][-1]['path'] = '/proc/$ppid/ns/net'"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$SB_TMP/rt2.conf" run --bundle "$SB_TMP/net1" net6 </dev/null 2>&1) || rc=$?
cp "$SB_TMP/net5.monitor.pid" "$SBD/state/containers/$net5id/monitor.pid" 2>/dev/null || true
[[ -n $net5id ]] && ((rc != 0)) && [[ $out == *"network namespace"*"another tenant's container's"* ]] &&
  pass "a monitor pid that names another process (another start time) claims nothing" || soft_fail "net6: $net5id: rc $rc: $out"
rt2 delete --force net6 2>/dev/null || true
rt2 delete --force net5 2>/dev/null || true
api ocit POST /v1/containers/own-net/kill >/dev/null || true
api ocit DELETE "/v1/containers/own-net?force=1" >/dev/null || true
kill "$netholder" 2>/dev/null || true
pod_config "$SB_TMP/pod2" '' $$
rc=0; out=$(rt run --bundle "$SB_TMP/pod2" pod4 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *linux.namespaces*"not one of tenant ocit"* && $out != *ran* ]] &&
  pass "the host's ipc and uts namespaces (the caller's) are refused" || soft_fail "pod4 (the host's): rc $rc: $out"
oci_config "$SB_TMP/pod2" "c['linux']['namespaces'][3]['path'] = '/etc/passwd'"
rc=0; out=$(rt run --bundle "$SB_TMP/pod2" pod5 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"is no ipc namespace: not a namespace file"* && $out != *ran* ]] &&
  pass "a file that is no namespace is refused" || soft_fail "pod5 (/etc/passwd): rc $rc: $out"
oci_config "$SB_TMP/pod2" "c['linux']['namespaces'][3]['path'] = '/proc/$ppid/ns/uts'"
rc=0; out=$(rt run --bundle "$SB_TMP/pod2" pod5 </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"is no ipc namespace: a namespace of another kind"* && $out != *ran* ]] &&
  pass "the pod's uts namespace given as its ipc one is refused" || soft_fail "pod5 (uts as ipc): rc $rc: $out"
mkfifo "$SB_TMP/nsfifo"
oci_config "$SB_TMP/pod2" "c['linux']['namespaces'][3]['path'] = '$SB_TMP/nsfifo'"
rc=0; out=$(timeout 20 "$SANDBOX_RUNTIME" --root "$OCI_ROOT" --config "$OCI_CONF" run --bundle "$SB_TMP/pod2" pod6 </dev/null 2>&1) || rc=$?
((rc != 0 && rc != 124)) && [[ $out == *"is no ipc namespace: not a namespace file"* && $(api local GET /v1/info | head -n 1) == 200* ]] &&
  pass "a FIFO named as a namespace is refused at once (sandboxd does not open it)" || soft_fail "pod6 (a FIFO): rc $rc: $out"
# sandboxd asked directly, with an identity of the client's own: ignored.
hostipc=$(stat -L -c '%d:%i' /proc/self/ns/ipc)
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit\",\"name\":\"cy\",\"rootfs\":\"$SB_TMP/pod2/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"ipcns\":\"/proc/$$/ns/ipc\",\"ipcns_id\":\"$hostipc\"}")
[[ $(head -n 1 <<<"$out") == 403* ]] && grep -q linux.namespaces <<<"$out" &&
  pass "sandboxd refuses the host's ipc namespace whatever identity the client claims" || soft_fail "sandboxd, ipcns: $out"
out=$(rt list)
[[ $out != *pod[1-6]* ]] && pass "nothing of the refused members is listed" || soft_fail "list after the pod: $out"
rt delete --force pod0 2>/dev/null || true

# The same asked of sandboxd directly (a caller that is not sandbox-runtime).
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit\",\"name\":\"cx\",\"rootfs\":\"$SB_TMP/bx/rootfs\",\"cmd\":[\"true\"],\"oom_score_adj\":-500}")
[[ $(head -n 1 <<<"$out") == 403* ]] && grep -q "oomScoreAdj.*oom-score-adj-min" <<<"$out" &&
  pass "sandboxd itself refuses oom_score_adj -500 (403, naming process.oomScoreAdj and the policy's floor)" ||
  soft_fail "sandboxd, oom_score_adj -500: $out"
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocit2\",\"name\":\"cx\",\"rootfs\":\"$SB_TMP/bx/rootfs\",\"cmd\":[\"true\"],\"oom_score_adj\":-1001}")
[[ $(head -n 1 <<<"$out") == 400* ]] && grep -q oomScoreAdj <<<"$out" &&
  pass "sandboxd refuses oom_score_adj -1001 (400)" || soft_fail "sandboxd, oom_score_adj -1001: $out"
out=$(api local GET '/v1/containers?all=1' | sed -n 2p)
[[ $(json 'len(v)' <<<"$out") == 0 ]] && pass "sandboxd holds no container after the deletes" || soft_fail "left in sandboxd: $out"

sbd_stop
check_nothing_left "$SB_TMP/before" "after every OCI container"
finish
