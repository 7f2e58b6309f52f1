#!/usr/bin/env bash
# shellcheck disable=SC1010,SC2034 # "do" is sandbox-runtime's command; lib.sh reads SB_LAST_CMD, SB_RC, SB_OUT
# stat, access, readlink and read-only opens answered by the Sentry itself,
# without the Gofer's hop (sentry/directfs.c), must answer exactly as the
# Gofer does (and an open must give the same file: its type, flags and
# first bytes, a directory's listing as the Sentry filters it):
# hidden paths (as written, through symlinks, "..", /proc/self/root and
# /proc/self/cwd; also where a walk wants a directory: O_DIRECTORY, a
# trailing slash or a name below a hidden file answer ENOENT, not ENOTDIR),
# read-only paths (W_OK is EROFS), volumes, symlinks that point at / or
# above it (they stay in the container), a caller without
# the rights to search a 0700 directory (uid 1000: the Sentry answers it
# with the file credentials it takes for the caller). Every probe runs twice, with the
# fast path and without it (SANDBOX_SENTRY_DIRECTFS=0: every call through
# the Gofer, as before), and the answers must be the same line for line;
# the rules' expected answers are checked as well. --strace shows which
# calls the Sentry answered alone ("[direct]"): the fast path must serve
# the plain ones, or this test has measured nothing. Opens for writing,
# creations and truncations still go to the Gofer and honour read-only
# paths and volumes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog stat_probe
: >"$SB_TMP/base.conf"
sb_snapshot "$SB_TMP/left-before"

# An image-like rootfs (host root's files: an idmapped lower layer under an
# in-memory upper one).
R=$SB_TMP/rootfs
mkdir -p "$R"/{tmp,proc,sys,dev,etc,usr/lib,secret/sub,ro/sub,private,pub,data,srv/ro}
chmod 1777 "$R/tmp"
cp "$SB_PROGS/stat_probe" "$R/probe"
echo inside >"$R/etc/hostname" # (no /etc/hosts: the sandbox adds one that names its hostname)
echo osr >"$R/usr/lib/os-release"
ln -s ../usr/lib/os-release "$R/etc/os-release" # a hidden symlink: it and its target
echo key >"$R/secret/key"
echo k2 >"$R/secret/sub/k"
echo sf >"$R/secretfile"
ln -s secret "$R/secret-link"
ln -s /secret/key "$R/pub/abs-key"
ln -s ../secret/key "$R/pub/rel-key"
ln -s ../secretfile "$R/pub/to-secretfile"
echo ro >"$R/ro/file"
ln -s ro/file "$R/ro-link"
echo p >"$R/private/f"
chmod 700 "$R/private"
echo f >"$R/pub/f"
chmod 755 "$R/pub/f"
ln -s / "$R/pub/to-root"
ln -s ../../.. "$R/pub/up"
ln -s ../../../../etc/hostname "$R/pub/up-hostname"
ln -s /proc/self/root "$R/pub/magic"
ln -s nowhere "$R/pub/dangling"

# Volumes: a writable one (the tenant's ids own it) and a read-only one.
V=$SB_TMP/vol
mkdir -p "$V/data" "$V/ro"
echo vd >"$V/data/f"
echo vr >"$V/ro/f"
chown -R 720000:720000 "$V/data"

pol=$(sb_tenant_policy dfs 720000 "filesystem {
  hidden = {\"/secret\", \"/secretfile\", \"/etc/os-release\", \"/ghost\"}
  read-only = {\"/ro\", \"/ro-missing\"}
  volume-roots = {\"$V\"}
  volume data { source = \"$V/data\"  target = \"/data\" }
  volume ro { source = \"$V/ro\"  target = \"/srv/ro\"  read-only = true }
}")

# The host's own test directory: never to be found from inside.
HOSTPATH=$SB_TMP/rootfs/probe
PATHS=(
  /etc/hostname /etc /probe /nonexist /etc/hostname/x /pub/dangling
  /secret /secret/key /secret/sub/k /secret/../etc/hostname /secretfile /secret-link /secret-link/key
  /secretfile/ /secretfile/x /pub/to-secretfile/ /etc/os-release/ /etc/hostname/
  /pub/abs-key /pub/rel-key /pub/to-secretfile /ghost
  /etc/os-release /usr/lib/os-release /usr/../usr/lib/os-release
  /proc/self/root/secret/key /proc/self/root/etc/hostname /proc/self/cwd/../secret/key
  /proc/self/cwd/f /proc/1/root/secret/key
  /ro /ro/file /ro/sub /ro-link /ro-missing
  /data /data/f /srv/ro /srv/ro/f
  /private /private/f
  /pub/to-root /pub/to-root/probe /pub/to-root/secret/key /pub/up /pub/up/probe /pub/up/secret/key
  /pub/up-hostname /pub/up/pub/up/etc/hostname "/pub/up$HOSTPATH" "/pub/to-root$HOSTPATH" "$HOSTPATH"
  /pub/magic /pub/magic/etc/hostname
  /dev/null /proc/self /proc/kcore /proc/meminfo /sys
  ../secret/key f ../../../etc/hostname to-root/secret/key up/probe
)

# run_probe LABEL [ENV=VALUE] [-- PROBE OPTIONS]: the probe in a fresh sandbox,
# with --strace; its answers in $SB_TMP/LABEL.out, the trace in LABEL.trace.
run_probe() {
  local label=$1 env=()
  shift
  if [[ ${1:-} == *=* ]]; then env=("$1"); shift; fi
  [[ ${1:-} == -- ]] && shift
  SB_LAST_CMD="${env[*]} sandbox-runtime do --rootfs $R /probe $*"
  local rc=0
  # The probe truncates and creates where it may: the volume starts alike
  # for every run (the rootfs's upper layer is each sandbox's own).
  echo vd >"$V/data/f"
  chown 720000:720000 "$V/data/f"
  env "${env[@]}" timeout --kill-after=5 120 "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" \
    --policy "$pol" --policy-base "$SB_TMP/base.conf" --strace --rootfs "$R" -- \
    /probe -o -C /pub "$@" "${PATHS[@]}" </dev/null >"$SB_TMP/$label.out" 2>"$SB_TMP/$label.trace" || rc=$?
  SB_RC=$rc
  SB_OUT=$(cat "$SB_TMP/$label.out")
  SB_ERR=$(grep -v '^\[ *[0-9]*\] ' "$SB_TMP/$label.trace" || true)
  [[ $rc == 0 ]] || soft_fail "$label: the probe exited $rc: $(head -c 600 <<<"$SB_ERR")"
}

# same LABEL1 LABEL2 WHAT: both runs answered every call alike.
same() {
  if cmp -s "$SB_TMP/$1.out" "$SB_TMP/$2.out"; then
    pass "$3: the same $(wc -l <"$SB_TMP/$1.out") answers with and without the fast path"
  else
    soft_fail "$3: the answers differ (< fast, > through the Gofer): $(diff "$SB_TMP/$1.out" "$SB_TMP/$2.out" | head -n 20)"
  fi
}

# has LABEL LINE...: each LINE is an answer of that run.
has() {
  local label=$1 line
  shift
  for line in "$@"; do
    if grep -qxF -- "$line" "$SB_TMP/$label.out"; then
      pass "$label: $line"
    else
      soft_fail "$label: expected \"$line\", got: $(grep -F -- "${line% *}" "$SB_TMP/$label.out" | head -n 3)"
    fi
  done
}

run_probe fast
run_probe slow SANDBOX_SENTRY_DIRECTFS=0
same fast slow "root"

run_probe fast-1000 -- -u 1000
run_probe slow-1000 SANDBOX_SENTRY_DIRECTFS=0 -- -u 1000
same fast-1000 slow-1000 "uid 1000"

# What the rules say, whichever path answered.
for label in fast fast-1000; do
  has "$label" \
    "stat /secret/key ENOENT" "stat /secret ENOENT" "stat /secretfile ENOENT" "stat /secret-link ENOENT" \
    "lstat /secret-link ok l 0777 0 0 6 1" "stat /secret-link/key ENOENT" "stat /secret/../etc/hostname ok f 0644 0 0 7 1" \
    "stat /pub/abs-key ENOENT" "stat /pub/rel-key ENOENT" "stat /pub/to-secretfile ENOENT" "stat /ghost ENOENT" \
    "stat /etc/os-release ENOENT" "lstat /etc/os-release ENOENT" "readlink /etc/os-release ENOENT" \
    "stat /usr/lib/os-release ENOENT" "stat /usr/../usr/lib/os-release ENOENT" \
    "access-f /secret/key ENOENT" "access-f /etc/os-release ENOENT" "statx /secret/sub/k ENOENT" \
    "stat /proc/self/root/secret/key ENOENT" "stat /proc/self/cwd/../secret/key ENOENT" \
    "stat ../secret/key ENOENT" "stat to-root/secret/key ENOENT" \
    "stat /pub/to-root/secret/key ENOENT" "stat /pub/up/secret/key ENOENT" \
    "stat /pub/to-root/probe ok f 0755 0 0 $(stat -c %s "$R/probe") 1" "stat /pub/up/probe ok f 0755 0 0 $(stat -c %s "$R/probe") 1" \
    "stat up/probe ok f 0755 0 0 $(stat -c %s "$R/probe") 1" "stat /pub/up-hostname ok f 0644 0 0 7 1" \
    "stat ../../../etc/hostname ok f 0644 0 0 7 1" "stat /pub/up/pub/up/etc/hostname ok f 0644 0 0 7 1" \
    "stat /pub/up$HOSTPATH ENOENT" "stat /pub/to-root$HOSTPATH ENOENT" "stat $HOSTPATH ENOENT" \
    "readlink /pub/to-root ok /" "readlink /pub/up ok ../../.." "readlink /pub/dangling ok nowhere" \
    "readlinkat-short /pub/up ok ../" "stat /pub/dangling ENOENT" "lstat /pub/dangling ok l 0777 0 0 7 1" \
    "stat /etc/hostname/x ENOTDIR" "readlink /etc/hostname EINVAL" \
    "stat /srv/ro/f ok f 0644 0 0 3 1" "stat /data/f ok f 0644 0 0 3 1" \
    "openat-dir /secretfile ENOENT" "openat-dir /pub/to-secretfile ENOENT" "openat-dir /etc/os-release ENOENT" \
    "stat /secretfile/ ENOENT" "stat /secretfile/x ENOENT" "stat /pub/to-secretfile/ ENOENT" \
    "lstat /etc/os-release/ ENOENT" "stat /etc/hostname/ ENOTDIR" "openat-dir /etc/hostname ENOTDIR"
done
# Opens: the rules' answers, the same file (its first bytes), a directory's
# listing without its hidden names.
LISTING_ROOT=.,..,data,dev,etc,private,probe,proc,pub,ro,ro-link,secret-link,srv,sys,tmp,usr
for label in fast fast-1000; do
  has "$label" \
    "open-r /secret/key ENOENT" "open-r /secret ENOENT" "openat-dir /secret ENOENT" "open-r /secret-link/key ENOENT" \
    "open-r /secret/../etc/hostname ok f 0 0 inside." "open-r /pub/abs-key ENOENT" "open-r /pub/rel-key ENOENT" \
    "open-r /pub/to-secretfile ENOENT" "open-r /etc/os-release ENOENT" "open-nofollow /etc/os-release ENOENT" \
    "open-r /usr/lib/os-release ENOENT" "open-r /usr/../usr/lib/os-release ENOENT" "open-r /ghost ENOENT" \
    "open-r /proc/self/root/secret/key ENOENT" "open-r /proc/self/cwd/../secret/key ENOENT" \
    "open-r ../secret/key ENOENT" "open-r to-root/secret/key ENOENT" "open-r /pub/up/secret/key ENOENT" \
    "open-r /pub/up$HOSTPATH ENOENT" "open-r /pub/to-root$HOSTPATH ENOENT" "open-r $HOSTPATH ENOENT" \
    "open-r /etc/hostname ok f 0 0 inside." "open-r /proc/self/root/etc/hostname ok f 0 0 inside." \
    "open-r /pub/up-hostname ok f 0 0 inside." "open-r ../../../etc/hostname ok f 0 0 inside." \
    "open-r /pub/up/probe ok f 0 0 .ELF............" "open-nofollow /pub/dangling ELOOP" \
    "open-nonblock /etc/hostname ok f 4000 0 inside." \
    "openat2-r /etc/hostname ok f 0 1 inside." "sys-open-r /etc/hostname ok f 0 0 inside." \
    "openat-dir /etc/hostname ENOTDIR" "open-r /etc/hostname/x ENOTDIR" \
    "open-r /etc ok d 0 0 .,..,hostname,hosts" "openat-dir /etc ok d 200000 1 .,..,hostname,hosts" \
    "open-r /pub/to-root ok d 0 0 $LISTING_ROOT" "open-r /pub/up ok d 0 0 $LISTING_ROOT" \
    "open-r /ro/file ok f 0 0 ro." "open-r /ro-link ok f 0 0 ro." "open-r /data/f ok f 0 0 vd." \
    "open-r /srv/ro/f ok f 0 0 vr." "open-w /ro/file EROFS" "open-w /ro-link EROFS" \
    "open-rdwr /ro/file EROFS" "open-trunc /ro/file EROFS" "open-trunc /srv/ro/f EROFS" "create /ro/file EROFS" \
    "create /srv/ro/f EROFS" "create /ro/sub EROFS"
done
has fast \
  "open-r /private/f ok f 0 0 p." "open-w /etc/hostname ok" "open-w /data/f ok" "open-trunc /data/f ok" \
  "open-trunc /etc/hostname ok" "create /data/f ok" "open-trunc /probe ETXTBSY" "open-w /srv/ro/f EROFS" \
  "open-noatime /etc/hostname ok f 1000000 0 inside."
has fast-1000 \
  "open-r /private/f EACCES" "open-r /private EACCES" "openat-dir /private EACCES" "open-w /etc/hostname EACCES" \
  "open-trunc /etc/hostname EACCES" "create /etc/hostname EACCES" "open-noatime /etc/hostname EPERM"
has fast \
  "stat /proc/1/root/secret/key ENOENT" "access-w /ro/file EROFS" "access-w /ro EROFS" "access-w /ro-link EROFS" "faccessat2-w /ro/file EROFS" \
  "access-w /data/f ok" "access-w /etc/hostname ok" "access-r /private/f ok" "access-x f ok" \
  "access-w /srv/ro/f EROFS"
has fast-1000 \
  "stat /private/f EACCES" "access-r /private/f EACCES" "readlink /private/f EACCES" \
  "statx /private/f EACCES" "access-r /etc/hostname ok" "access-w /etc/hostname EACCES"

# The fast path served the plain calls of the root run (and not the
# calls a rule, a volume or procfs decides).
trace=$SB_TMP/fast.trace
direct=$(grep -c '\[direct\]$' "$trace" || true)
if ((direct >= 300)); then
  pass "the Sentry answered $direct stat, access, readlink and open calls itself"
else
  soft_fail "only $direct calls answered without the Gofer (want at least 300): $(grep -E 'stat|access|readlink' "$trace" | head -n 5)"
fi
# expect_path direct|gofer WHAT CALL...: each CALL's strace line ends in
# [direct] (answered by the Sentry), or none does (the Gofer's).
expect_path() {
  local want=$1 what=$2 call got
  shift 2
  for call in "$@"; do
    got=gofer
    grep -F -- "$call" "$trace" | grep -q '\[direct\]$' && got=direct
    if [[ $got == "$want" ]]; then
      pass "$what, by the $([[ $want == direct ]] && echo Sentry || echo Gofer): $call..."
    else
      soft_fail "$what: $call... was answered by the wrong side ($got): $(grep -F -- "$call" "$trace" | head -n 2)"
    fi
  done
}
expect_path direct "fast path: answered" 'newfstatat(AT_FDCWD, "/etc/hostname"' 'statx(AT_FDCWD, "/etc/hostname"' \
  'access("/etc/hostname", 0x4' 'faccessat2(AT_FDCWD, "/etc/hostname"' 'readlink("/pub/to-root"' \
  'readlinkat(AT_FDCWD, "/pub/up"' 'stat("/etc/hostname"' 'lstat("/pub/dangling"' \
  'newfstatat(AT_FDCWD, "/pub/up/probe"' 'newfstatat(AT_FDCWD, "/nonexist"' \
  'lstat("/etc/os-release"' 'readlink("/etc/os-release"'
expect_path direct "fast path: opened" 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY, ' 'openat(AT_FDCWD, "/etc", O_RDONLY|O_DIRECTORY|O_CLOEXEC' \
  'openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_NOCTTY|O_NONBLOCK' 'openat2(AT_FDCWD, "/etc/hostname"' \
  'open("/etc/hostname"' 'openat(AT_FDCWD, "/pub/up/probe", O_RDONLY, ' 'openat(AT_FDCWD, "/nonexist", O_RDONLY, ' \
  'openat(AT_FDCWD, "/etc/os-release", O_RDONLY|O_NOFOLLOW' 'openat(AT_FDCWD, "/pub/to-root", O_RDONLY, ' \
  'openat(AT_FDCWD, "/pub/up-hostname", O_RDONLY, ' 'openat(AT_FDCWD, "/proc/self/root/etc/hostname", O_RDONLY, '
# Writes, truncations and creations are the Gofer's, and so are the opens
# of what is not a regular file or a directory (a device, procfs).
expect_path gofer "writes, truncations, creations and symlinks" \
  'openat(AT_FDCWD, "/etc/hostname", O_WRONLY' 'openat(AT_FDCWD, "/etc/hostname", O_RDWR' \
  'openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_TRUNC' 'openat(AT_FDCWD, "/etc/hostname.new", O_WRONLY|O_CREAT' \
  'openat(AT_FDCWD, "/ro/file", O_RDONLY|O_TRUNC' 'openat(AT_FDCWD, "/pub/dangling", O_RDONLY|O_NOFOLLOW'
# A walk into another mount (a mask, a read-only bind, a volume, procfs,
# /dev), even one that fails there, is the Gofer's to answer.
expect_path gofer "walks into other mounts" 'newfstatat(AT_FDCWD, "/data/f"' 'newfstatat(AT_FDCWD, "/srv/ro/f"' \
  'access("/ro/file", 0x2' 'newfstatat(AT_FDCWD, "/dev/null"' 'newfstatat(AT_FDCWD, "/proc/meminfo"' \
  'newfstatat(AT_FDCWD, "/secret/key"' 'newfstatat(AT_FDCWD, "/secret/../etc/hostname"' \
  'newfstatat(AT_FDCWD, "/proc/1/root/secret/key"' 'openat(AT_FDCWD, "/data/f", O_RDONLY, ' \
  'openat(AT_FDCWD, "/srv/ro/f", O_RDONLY, ' 'openat(AT_FDCWD, "/secret/key", O_RDONLY, ' \
  'openat(AT_FDCWD, "/dev/null", O_RDONLY, ' 'openat(AT_FDCWD, "/proc/meminfo", O_RDONLY, ' \
  'openat(AT_FDCWD, "/ro/file", O_RDONLY, ' 'openat(AT_FDCWD, "/sys", O_RDONLY, '
# uid 1000 is not the Sentry: the Sentry answers its plain calls with the
# file credentials the Gofer would take for it (its refusals included).
trace=$SB_TMP/fast-1000.trace
expect_path direct "uid 1000, fast path" 'newfstatat(AT_FDCWD, "/private/f"' 'access("/private/f", 0x4' \
  'openat(AT_FDCWD, "/private/f", O_RDONLY, ' 'newfstatat(AT_FDCWD, "/etc/hostname"' \
  'openat(AT_FDCWD, "/etc/hostname", O_RDONLY, ' 'readlink("/pub/to-root"'
expect_path gofer "uid 1000, writes" 'openat(AT_FDCWD, "/etc/hostname", O_WRONLY'
if grep -q '\[direct\]$' "$SB_TMP/slow.trace"; then
  soft_fail "SANDBOX_SENTRY_DIRECTFS=0 still answered calls without the Gofer"
else
  pass "SANDBOX_SENTRY_DIRECTFS=0: every call through the Gofer"
fi

if [[ $(stat -c '%a %u:%g' /dev/null) == "666 0:0" ]]; then
  pass "host /dev/null unchanged"
else
  soft_fail "host /dev/null is $(stat -c '%a %u:%g' /dev/null)"
fi
check_nothing_left "$SB_TMP/left-before" "directfs"
finish
