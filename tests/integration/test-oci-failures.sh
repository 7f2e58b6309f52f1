#!/usr/bin/env bash
# sandbox-runtime create and run when the sandbox cannot be built: the
# cause is named on stderr (and in --log, as runc writes it), the status
# is not 0, and nothing is left behind (the monitor, sandboxd's record,
# the --root directory, mounts, cgroups).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/oci-lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3
need_program /bin/busybox busybox-static

SB_LEFT_WAIT=3
sb_snapshot "$SB_TMP/before"
mkdir -p "$SB_TMP/vol/dir"
SBD_POLICY_EXTRA="filesystem { volume-roots = {\"$SB_TMP/vol\"} }"
sbd_setup ocif
# ocif may join network namespaces (a pod's CNI one, below).
echo 'network { mode = host }' >>"$SBD/tenants/ocif.conf"
sbd_start
# The engine's directories (the runtime's file-roots) lie in the tenant's
# volume-roots here, as the kubelet's pods may for a provider.
OCI_FILE_ROOTS="\"$SB_TMP/vol/engine\""
oci_setup ocif

# broken LABEL WORD PYTHON: create (which builds the sandbox) and run of
# a bundle changed by PYTHON fail, naming WORD on stderr and in --log;
# nothing of them stays.
broken() {
  local label=$1 word=$2 code=$3 verb rc out
  oci_bundle "$SB_TMP/bf" sh -c 'echo ran'
  oci_config "$SB_TMP/bf" "$code"
  for verb in run create; do
    rm -f "$SB_TMP/bf.log"
    rc=0
    if [[ $verb == run ]]; then
      out=$(rt --log "$SB_TMP/bf.log" run --bundle "$SB_TMP/bf" cf </dev/null 2>&1) || rc=$?
    else
      out=$(rt --log "$SB_TMP/bf.log" create --bundle "$SB_TMP/bf" cf </dev/null 2>&1) || rc=$?
    fi
    if ((rc != 0)) && grep -qF -- "$word" <<<"$out" && grep -qF -- "$word" "$SB_TMP/bf.log" 2>/dev/null && [[ $out != *ran* ]]; then
      pass "$label ($verb): exit $rc, the cause on stderr and in --log: $(head -c 300 <<<"$out")"
    else
      soft_fail "$label ($verb): rc $rc, stderr: $out; log: $(cat "$SB_TMP/bf.log" 2>&1)"
    fi
    # A failed create leaves nothing to delete, as runc's does.
    [[ ! -e $OCI_ROOT/cf ]] && pass "$label ($verb): no record under --root" ||
      { soft_fail "$label ($verb): $OCI_ROOT/cf left"; rt delete --force cf 2>/dev/null || true; }
  done
}

broken "a rootfs that does not exist" "root.path" 'c["root"]["path"] = "no-such-rootfs"'
broken "a bind mount whose source does not exist" "/no/such/source" \
  'c["mounts"].append({"destination": "/data", "type": "bind", "source": "/no/such/source", "options": ["rbind"]})'
broken "a mount the policy refuses (outside volume-roots)" "mounts" \
  'c["mounts"].append({"destination": "/data", "type": "bind", "source": "/etc", "options": ["rbind"]})'
# The Sentry finds these while it builds the sandbox: create (and run)
# fail with its word.
# rlimits the kernel cannot take: refused at create, as runc refuses them.
broken "an rlimit the kernel has no limit of" "process.rlimits[1].type: \`RLIMIT_TEST\`" \
  'c["process"]["rlimits"].append({"type": "RLIMIT_TEST", "soft": 1, "hard": 2})'
broken "an rlimit named twice" "RLIMIT_NOFILE is given twice" \
  'c["process"]["rlimits"].append({"type": "RLIMIT_NOFILE", "soft": 100, "hard": 100})'
broken "an rlimit whose soft limit is above its hard one" "soft at most hard" \
  'c["process"]["rlimits"] = [{"type": "RLIMIT_CORE", "soft": 2048, "hard": 1024}]'
broken "a tmpfs mount over a file" "/etc/passwd" \
  'c["mounts"].append({"destination": "/etc/passwd", "type": "tmpfs", "source": "tmpfs"})'
broken "a bind mount over a file with a directory" "/etc/group" \
  'c["mounts"].append({"destination": "/etc/group", "type": "bind", "source": "'"$SB_TMP/vol/dir"'", "options": ["rbind"]})'

# The command's own failures are the command's, as a shell's would be:
# its status (127, 126) and the cause on the caller's stderr.
oci_bundle "$SB_TMP/bc" true
oci_config "$SB_TMP/bc" 'c["process"]["args"] = ["/no-such-command"]'
rc=0; out=$(rt run --bundle "$SB_TMP/bc" cc </dev/null 2>&1) || rc=$?
[[ $rc == 127 && $out == *no-such-command* ]] && pass "a command that does not exist: 127, named on stderr" ||
  soft_fail "missing command: rc $rc: $out"
oci_config "$SB_TMP/bc" 'c["process"]["args"] = ["true"]; c["process"]["cwd"] = "/no/such/dir"'
rc=0; out=$(rt run --bundle "$SB_TMP/bc" cc </dev/null 2>&1) || rc=$?
[[ $rc != 0 && $out == */no/such/dir* ]] && pass "a cwd that does not exist: $rc, named on stderr" ||
  soft_fail "missing cwd: rc $rc: $out"

# A prestart hook that fails: create fails naming it, and the container's
# monitor, which had made the sandbox's cgroup, leaves nothing behind.
oci_bundle "$SB_TMP/bk" sh -c 'echo ran'
oci_config "$SB_TMP/bk" 'c["hooks"] = {"prestart": [{"path": "/bin/false", "args": ["false"]}]}'
cg_before=$(ls -d /sys/fs/cgroup/*/sandbox/*/ 2>/dev/null | sort || true)
rc=0; out=$(rt create --bundle "$SB_TMP/bk" ck </dev/null 2>&1) || rc=$?
((rc != 0)) && [[ $out == *"hooks.prestart[0]"* ]] &&
  pass "a prestart hook that fails: create fails (exit $rc), naming it: $out" || soft_fail "failing prestart: rc $rc: $out"
for i in $(seq 30); do
  cg_new=$(comm -13 <(printf '%s\n' "$cg_before") <(ls -d /sys/fs/cgroup/*/sandbox/*/ 2>/dev/null | sort) | sed '/^$/d')
  [[ -z $cg_new ]] && break
  sleep 0.1
done
[[ -z $cg_new && ! -e $OCI_ROOT/ck ]] && pass "... no record, no cgroup left of it" ||
  soft_fail "failing prestart left: ${cg_new:-} $(ls "$OCI_ROOT")"
rt delete --force ck 2>/dev/null || true

# A small file of the tenant's volume-roots (not the runtime's file-roots)
# is a volume: bound, and the container reads it.
echo tenant-data >"$SB_TMP/vol/small.txt"
oci_bundle "$SB_TMP/bs" cat /data.txt
oci_config "$SB_TMP/bs" "c['mounts'].append({'destination': '/data.txt', 'type': 'bind', 'source': '$SB_TMP/vol/small.txt', 'options': ['rbind', 'ro']})"
out=$(rt run --bundle "$SB_TMP/bs" cs </dev/null 2>&1) || true
[[ $out == tenant-data ]] && pass "a small file of the volume-roots is a volume the container reads" || soft_fail "small volume file: $out"
rt delete --force cs 2>/dev/null || true

# A volume in the engine's directories is taken only from the container's
# own directory there (its id, its pod's uid, a live container's of the
# same tenant): another pod's (the kubelet's pods/<uid>/volumes hold its
# secrets) and the engine's whole directory are refused, naming the
# mount, even inside the tenant's volume-roots.
mkdir -p "$SB_TMP/vol/engine/cv1/data" "$SB_TMP/vol/engine/other/data"
echo mine >"$SB_TMP/vol/engine/cv1/data/f"
echo other-secret >"$SB_TMP/vol/engine/other/data/f"
engvol() { # SOURCE ID: run ID with SOURCE bound at /data; its output
  oci_bundle "$SB_TMP/bv" sh -c 'cat /data/f'
  oci_config "$SB_TMP/bv" "c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$1', 'options': ['rbind', 'ro']})"
  rt run --bundle "$SB_TMP/bv" "$2" </dev/null 2>&1 || true
  rt delete --force "$2" 2>/dev/null || true
}
out=$(engvol "$SB_TMP/vol/engine/cv1/data" cv1)
[[ $out == mine ]] && pass "a volume of the container's own directory in the file-roots is bound" || soft_fail "own engine volume: $out"
out=$(engvol "$SB_TMP/vol/engine/other/data" cv2)
[[ $out == *"not the container's own directory"* && $out != *other-secret* ]] &&
  pass "another container's directory in the file-roots is refused as a volume: $(head -c 160 <<<"$out")" ||
  soft_fail "other's engine volume: $out"
out=$(engvol "$SB_TMP/vol/engine" cv3)
[[ $out == *"not the container's own directory"* ]] &&
  pass "the engine's whole directory is refused as a volume" || soft_fail "whole engine dir: $out"

# A small file the engine binds writable from the container's own
# directory, which the tenant's volume-roots hold (the kubelet's
# pods/<uid>/containers/<name>/<id>, the container's
# /dev/termination-log): bound read-write, so what the container writes
# there is the engine's to read once it has ended. Bound "ro", or
# another container's, it is not written.
mkdir -p "$SB_TMP/vol/engine/ct1/containers" "$SB_TMP/vol/engine/other"
: >"$SB_TMP/vol/engine/ct1/containers/term"
chmod 666 "$SB_TMP/vol/engine/ct1/containers/term" # as the kubelet makes it
echo keep >"$SB_TMP/vol/engine/ct1/containers/term-ro"
echo keep >"$SB_TMP/vol/engine/other/term"
termlog() { # SOURCE ID OPTIONS: ID writes its termination message to SOURCE
  oci_bundle "$SB_TMP/bt" sh -c 'echo ran; echo "exit: disk full" >/dev/termination-log && echo wrote'
  oci_config "$SB_TMP/bt" "c['mounts'].append({'destination': '/dev/termination-log', 'type': 'bind', 'source': '$1', 'options': $3})"
  rt run --bundle "$SB_TMP/bt" "$2" </dev/null 2>&1 || true
  rt delete --force "$2" 2>/dev/null || true
}
out=$(termlog "$SB_TMP/vol/engine/ct1/containers/term" ct1 "['rbind', 'rw']")
[[ $out == $'ran\nwrote' && $(cat "$SB_TMP/vol/engine/ct1/containers/term") == "exit: disk full" ]] &&
  pass "a writable small file of the container's own engine directory in the volume-roots: its write reaches the host file" ||
  soft_fail "termination log: $out: $(cat "$SB_TMP/vol/engine/ct1/containers/term")"
out=$(termlog "$SB_TMP/vol/engine/ct1/containers/term-ro" ct1 "['rbind', 'ro']")
[[ $out == ran*"Read-only file system"* && $out != *wrote* && $(cat "$SB_TMP/vol/engine/ct1/containers/term-ro") == keep ]] &&
  pass "bound ro, it is copied read-only: the write fails, the host file is unchanged" ||
  soft_fail "ro termination log: $out: $(cat "$SB_TMP/vol/engine/ct1/containers/term-ro")"
out=$(termlog "$SB_TMP/vol/engine/other/term" ct1 "['rbind', 'rw']")
[[ $out == *"not the container's own file"* && $(cat "$SB_TMP/vol/engine/other/term") == keep ]] &&
  pass "another container's writable file is refused: $(head -c 120 <<<"$out")" || soft_fail "other's writable file: $out"

# A volume below /dev (the sandbox's own) is bound over it, as under
# runc; a bind at /dev itself is taken as the sandbox's own /dev (the
# host's directory is not bound there).
echo dev-data >"$SB_TMP/vol/dir/f"
oci_bundle "$SB_TMP/bd" sh -c 'cat /dev/data/f; ls /dev/null'
oci_config "$SB_TMP/bd" "c['mounts'].append({'destination': '/dev/data', 'type': 'bind', 'source': '$SB_TMP/vol/dir', 'options': ['rbind', 'ro']})"
out=$(rt run --bundle "$SB_TMP/bd" cd1 </dev/null 2>&1) || true
rt delete --force cd1 2>/dev/null || true
[[ $out == $'dev-data\n/dev/null' ]] && pass "a volume below /dev is bound there, beside the sandbox's own nodes" || soft_fail "/dev volume: $out"
oci_config "$SB_TMP/bd" "c['mounts'][-1]['destination'] = '/dev'"
out=$(rt run --bundle "$SB_TMP/bd" cd1 </dev/null 2>&1) || true
rt delete --force cd1 2>/dev/null || true
[[ $out == *"/dev/data/f"*"No such file"*/dev/null && $out != *dev-data* ]] &&
  pass "a bind at /dev itself is the sandbox's own /dev" || soft_fail "bind over /dev: $out"

# A Kubernetes pod as containerd's CRI configures one, with the engines'
# directories in the tenant's volume-roots: the pod's sandbox (pause)
# container in a CNI network namespace, then a container of the pod that
# joins its network, ipc and uts namespaces, and binds the kubelet's files
# of the pod (/etc/hosts and /dev/termination-log writable, a
# service-account token read-only), containerd's of the sandbox
# (/etc/hostname, /etc/resolv.conf), with a Burstable oomScoreAdj and
# the hugepage limits the kubelet always sends. Every container of a
# pod once failed at start on its /dev/termination-log. (containerd gives
# the pause container -998, which needs CAP_SYS_RESOURCE that this host's
# root lacks: test-oci's oomScoreAdj cases; here both take 937.)
unshare --net sleep 600 &
cni=$!
SB_BG_PIDS+=("$cni")
for i in $(seq 50); do [[ $(readlink /proc/$cni/ns/net) != "$(readlink /proc/self/ns/net)" ]] && break; sleep 0.1; done
POD=0d5c1e7a-5c3b-4a55-9d1e-pod000000001
SBX=5a1dbox000000000000000000000000000000000000000000000000000000001
K=$SB_TMP/vol/engine/$POD
C=$SB_TMP/vol/engine/$SBX
mkdir -p "$K/containers/app" "$K/volumes/kubernetes.io~projected/token" "$C"
printf '127.0.0.1\tlocalhost\n10.0.0.7\tpod-host\n' >"$K/etc-hosts"
: >"$K/containers/app/4f2a"
chmod 666 "$K/etc-hosts" "$K/containers/app/4f2a"
echo sa-token >"$K/volumes/kubernetes.io~projected/token/token"
echo pod-host >"$C/hostname"
echo 'nameserver 10.0.0.10' >"$C/resolv.conf"
pod_ns() { # DIR NAMESPACES-PYTHON ANNOTATIONS-PYTHON
  oci_config "$1" "c['hostname'] = 'pod-host' if $4 else ''
c['linux']['namespaces'] = $2
c['annotations'] = $3
c['process']['oomScoreAdj'] = 937
c['linux']['resources'] = {'hugepageLimits': [{'pageSize': '2MB', 'limit': 0}, {'pageSize': '1GB', 'limit': 0}],
                           'memory': {'limit': 134217728}, 'cpu': {'shares': 102, 'quota': 50000, 'period': 100000}}
c['linux']['maskedPaths'] += ['/proc/acpi', '/proc/scsi', '/sys/firmware']"
}
oci_bundle "$SB_TMP/pause" sh -c 'while :; do sleep 0.1; done'
pod_ns "$SB_TMP/pause" "[{'type': t} for t in ('pid', 'ipc', 'uts', 'mount')] + [{'type': 'network', 'path': '/proc/$cni/ns/net'}]" \
  "{'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': '$SBX', 'io.kubernetes.cri.sandbox-uid': '$POD'}" True
# As containerd makes the pause container: uid 65535, no capabilities, a
# read-only root, and the sysctls of its unprivileged ports and pings.
oci_config "$SB_TMP/pause" "c['process']['user'] = {'uid': 65535, 'gid': 65535}
c['process']['capabilities'] = {}
c['root']['readonly'] = True
c['linux']['sysctl'] = {'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647'}"
rc=0; rt run --detach --bundle "$SB_TMP/pause" --pid-file "$SB_TMP/pause.pid" "$SBX" </dev/null >"$SB_TMP/pause.out" 2>&1 || rc=$?
pause=$(cat "$SB_TMP/pause.pid" 2>/dev/null || echo 0)
oci_bundle "$SB_TMP/podapp" sh -c 'hostname; cat /etc/hostname /etc/resolv.conf /var/run/secrets/kubernetes.io/serviceaccount/token;
  grep -c pod-host /etc/hosts; echo "10.0.0.8 added" >>/etc/hosts; echo "app failed: no db" >/dev/termination-log; exit 3'
pod_ns "$SB_TMP/podapp" "[{'type': t} for t in ('pid', 'mount')] + [{'type': 'network', 'path': '/proc/$cni/ns/net'},
  {'type': 'ipc', 'path': '/proc/$pause/ns/ipc'}, {'type': 'uts', 'path': '/proc/$pause/ns/uts'}]" \
  "{'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': '$SBX', 'io.kubernetes.cri.sandbox-uid': '$POD',
   'io.kubernetes.cri.container-name': 'app'}" False
oci_config "$SB_TMP/podapp" "c['mounts'] += [
  {'destination': '/etc/hosts', 'type': 'bind', 'source': '$K/etc-hosts', 'options': ['rbind', 'rprivate', 'rw']},
  {'destination': '/dev/termination-log', 'type': 'bind', 'source': '$K/containers/app/4f2a', 'options': ['rbind', 'rprivate', 'rw']},
  {'destination': '/etc/hostname', 'type': 'bind', 'source': '$C/hostname', 'options': ['rbind', 'rprivate', 'rw']},
  {'destination': '/etc/resolv.conf', 'type': 'bind', 'source': '$C/resolv.conf', 'options': ['rbind', 'rprivate', 'rw']},
  {'destination': '/var/run/secrets/kubernetes.io/serviceaccount', 'type': 'bind',
   'source': '$K/volumes/kubernetes.io~projected/token', 'options': ['rbind', 'rprivate', 'ro']}]"
arc=0; out=$(rt run --bundle "$SB_TMP/podapp" app-4f2a </dev/null 2>&1) || arc=$?
want=$'pod-host\npod-host\nnameserver 10.0.0.10\nsa-token\n1'
[[ $rc == 0 && $arc == 3 && $out == "$want" && $(cat "$K/containers/app/4f2a") == "app failed: no db" &&
   $(nsenter --net=/proc/$cni/ns/net cat /proc/sys/net/ipv4/ping_group_range) == $'0\t2147483647' &&
   $(tail -n 1 "$K/etc-hosts") == "10.0.0.8 added" && $(cat "$C/hostname") == pod-host ]] &&
  pass "a pod as containerd's CRI makes it: the container runs in the pod's namespaces, reads the kubelet's and containerd's files, and its termination message reaches the kubelet's file" ||
  soft_fail "CRI pod: pause rc $rc ($(cat "$SB_TMP/pause.out")), app rc $arc: $out; termination log: $(cat "$K/containers/app/4f2a")"
rt delete --force app-4f2a 2>/dev/null || true
rt delete --force "$SBX" 2>/dev/null || true
kill "$cni" 2>/dev/null || true

# Below /dev, the sandbox's own links lead into /proc/self/fd, whose
# magic links name the Sentry's descriptors while it builds the root: a
# volume aimed through them is refused (the walk takes no magic link) and
# reaches nothing of the host.
echo keep >"$SB_TMP/vol/dir/f"
for dest in /dev/stdout /dev/fd/2/x /dev/stderr/x; do
  oci_bundle "$SB_TMP/bm" sh -c 'echo ran'
  oci_config "$SB_TMP/bm" "c['mounts'].append({'destination': '$dest', 'type': 'bind', 'source': '$SB_TMP/vol/dir', 'options': ['rbind', 'ro']})"
  rc=0; out=$(rt run --bundle "$SB_TMP/bm" cm1 </dev/null 2>&1) || rc=$?
  rt delete --force cm1 2>/dev/null || true
  ((rc != 0)) && [[ $out == *"$dest"* && $out != *ran* && $(cat "$SB_TMP/vol/dir/f") == keep ]] &&
    pass "a volume at $dest (through the sandbox's links into /proc/self/fd) is refused: $(head -c 140 <<<"$out")" ||
    soft_fail "volume at $dest: rc $rc: $out"
done

# Whether a file is bound or copied is sandboxd's to say: a client's
# "bind" mark on a file the rule would copy (bound "ro") is dropped.
oci_bundle "$SB_TMP/bt" true
out=$(api local POST /v1/oci/containers "{\"tenant\":\"ocif\",\"name\":\"ct1\",\"rootfs\":\"$SB_TMP/bt/rootfs\",\"cmd\":[\"true\"],\"env\":[],\"files\":[{\"source\":\"$SB_TMP/vol/engine/ct1/containers/term-ro\",\"target\":\"/x\",\"owner\":\"ct1\",\"bind\":true}]}")
btid=$($PY -c 'import json,sys; print(json.loads(sys.stdin.read().split("\n", 1)[1])["id"])' <<<"$out" 2>/dev/null) || true
[[ -n $btid ]] && grep -q "source = \"$SBD/state/containers/$btid/files/0\"" "$SBD/state/containers/$btid/policy.conf" &&
  ! grep -q "term-ro" "$SBD/state/containers/$btid/policy.conf" &&
  pass "a client's own \"bind\" mark is ignored: the read-only file is copied" ||
  soft_fail "client bind mark: $out: $(grep -A3 oci-file "$SBD/state/containers/$btid/policy.conf" 2>&1)"
[[ -n $btid ]] && api local DELETE "/v1/containers/$btid" >/dev/null

# A Sentry that never builds the sandbox (progs/block run as
# sandbox-sentry waits for ever): create gives up after
# SANDBOX_START_TIMEOUT seconds, naming it, and ends it.
HANG=$SB_TMP/hang-libexec
mkdir -p "$HANG"
for f in "$SANDBOX_LIBEXEC_DIR"/*; do ln -s "$f" "$HANG/"; done
rm -f "$HANG/sandbox-sentry"
need_prog block
cp "$SB_PROGS/block" "$HANG/sandbox-sentry"
hung_left() {
  local f
  for f in /proc/[0-9]*/exe; do
    [[ $(readlink "$f" 2>/dev/null) == "$HANG/sandbox-sentry" ]] && return 0
  done
  return 1
}
oci_bundle "$SB_TMP/bh" sh -c 'echo ran'
t0=$SECONDS rc=0
out=$(SANDBOX_LIBEXEC_DIR=$HANG SANDBOX_START_TIMEOUT=2 rt run --bundle "$SB_TMP/bh" ch </dev/null 2>&1) || rc=$?
took=$((SECONDS - t0))
((rc != 0 && took < 20)) && [[ $out == *"not built within 2 s"* && $out != *ran* ]] &&
  pass "a Sentry that never builds the sandbox: run fails after ${took}s (exit $rc), naming SANDBOX_START_TIMEOUT" ||
  soft_fail "hung Sentry: rc $rc after ${took}s: $out"
for i in $(seq 50); do hung_left || break; sleep 0.1; done
! hung_left && [[ ! -e $OCI_ROOT/ch ]] && pass "... the hung Sentry is ended and no record is left" ||
  soft_fail "hung Sentry: still running, or a record under --root: $(ls "$OCI_ROOT")"
rt delete --force ch 2>/dev/null || true

out=$(api local GET '/v1/containers?all=1' | sed -n 2p)
[[ $(/usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$out") == 0 ]] &&
  pass "sandboxd holds no container after the failures" || soft_fail "left in sandboxd: $out"
sbd_stop
check_nothing_left "$SB_TMP/before" "after the failed containers"
finish
