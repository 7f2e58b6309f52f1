#!/usr/bin/env bash
# sandboxd's images over the API: uploads in chunks (resumed at the right
# offset), imports by tenants within their policy (limits { images,
# image-size }, the `images` patterns), the provider's images, containers
# run from an image with its config's defaults, tenants kept apart (another
# tenant's image or upload answers 404 and is audited), a hostile tarball
# refused end to end, removal refused while a container uses the image, and
# nothing left afterwards.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
need_program "$PY" python3
need_program "$BB" busybox-static

sb_snapshot "$SB_TMP/before"
sbd_setup alpha beta gamma
cat >>"$SBD/tenants/alpha.conf" <<'POL'
limits { images = 2  image-size = 32M }
POL
cat >>"$SBD/tenants/gamma.conf" <<'POL'
images = {"host"}
limits { images = 1 }
POL
sbd_start

json() {
  sed -n 2p | $PY -c "import json,sys; v=json.load(sys.stdin); e=sys.argv[1]; print(eval(('v' + e) if e.startswith('[') else e))" "$1" 2>/dev/null
}
status() { head -n 1; }
audited() { grep -q "\"action\":\"$1\".*\"target\":\"$2\"\\|\"target\":\"$2\".*\"action\":\"$1\"" "$SBD/audit.log"; }
upload() { # WHO FILE NAME [CHUNK [QUERY]]
  local who=$1
  shift
  # shellcheck disable=SC2046
  $PY "$SBD_API_PY" $(sbd_client_args "$who") import "$@"
}

# --- the tarballs -------------------------------------------------------------------
root=$SB_TMP/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
cp "$BB" "$root/bin/busybox"
for c in sh cat ls echo env pwd id; do ln -s busybox "$root/bin/$c"; done
echo "hello from the image" >"$root/etc/greeting"
tar -C "$root" --numeric-owner -cf "$SB_TMP/busybox.tar" .
# A `docker save` tarball of the same files whose config names a command,
# an environment and a working directory.
$PY - "$SB_TMP/busybox.tar" "$SB_TMP/app.tar" <<'PYEOF'
import hashlib, io, json, sys, tarfile
layer = open(sys.argv[1], "rb").read()
digest = hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest]},
                  "config": {"Cmd": ["/bin/sh", "-c", "echo cmd-from-config; echo GREETING=$GREETING; pwd"],
                             "Env": ["GREETING=from-the-config"], "WorkingDir": "/etc"}}).encode()
cfgname = hashlib.sha256(cfg).hexdigest() + ".json"
manifest = json.dumps([{"Config": cfgname, "RepoTags": ["app:1"], "Layers": [digest + "/layer.tar"]}]).encode()
with tarfile.open(sys.argv[2], "w") as t:
    for name, data in ((digest + "/layer.tar", layer), (cfgname, cfg), ("manifest.json", manifest)):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PYEOF
# A tarball with an entry that climbs out of the layer.
$PY - "$SB_TMP/evil.tar" <<'PYEOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in ("etc/ok", "../../sb-evil-escape"):
        i = tarfile.TarInfo(name); i.size = 3; t.addfile(i, io.BytesIO(b"hi\n"))
PYEOF
head -c $((33 << 20)) /dev/zero >"$SB_TMP/big.bin"

# --- imports within the policy --------------------------------------------------------
out=$(upload alpha "$SB_TMP/busybox.tar" busybox $((1 << 20)))
[[ $(status <<<"$out") == 201 && $(json '["owner"]' <<<"$out") == alpha && $(json '["format"]' <<<"$out") == rootfs ]] &&
  pass "alpha imports a rootfs tarball in 1 MiB chunks: 201, its own image" || soft_fail "import: $out"
grep -q '"action":"image-imported"' "$SBD/audit.log" && pass "... and the import is in the audit log" ||
  soft_fail "no audit line for the import"
out=$(api alpha GET /v1/images)
[[ $(json 'list(i["name"] for i in v)' <<<"$out") == "['host', 'busybox']" ]] && pass "alpha lists host and its busybox" ||
  soft_fail "alpha's list: $out"
out=$(api beta GET /v1/images)
[[ $(json 'list(i["name"] for i in v)' <<<"$out") == "['host']" ]] && pass "beta does not see alpha's image" ||
  soft_fail "beta's list: $out"

# --- tenants apart ---------------------------------------------------------------------
[[ $(api beta GET /v1/images/busybox | status) == 404 ]] && audited denied-other-tenant busybox &&
  pass "beta inspecting alpha's image: 404, audited" || soft_fail "beta inspect"
[[ $(api beta DELETE /v1/images/busybox | status) == 404 ]] && pass "beta removing alpha's image: 404" ||
  soft_fail "beta remove"
out=$(api beta POST /v1/containers '{"image":"busybox","cmd":["/bin/cat","/etc/greeting"]}')
[[ $(status <<<"$out") == 404 ]] && pass "beta running alpha's image: 404" || soft_fail "beta run: $out"
out=$(api beta POST /v1/images/uploads)
[[ $(status <<<"$out") == 403 ]] && grep -q 'limits { images }' <<<"$out" &&
  pass "beta, whose policy allows no images, may not upload (403 naming the rule)" || soft_fail "beta upload: $out"
up=$(api alpha POST /v1/images/uploads | json '["upload"]')
[[ $(api gamma PUT "/v1/images/uploads/$up?offset=0" | status) == 404 ]] && audited denied-other-tenant "$up" &&
  pass "gamma writing into alpha's upload: 404, audited" || soft_fail "gamma wrote into alpha's upload"
[[ $(api gamma DELETE "/v1/images/uploads/$up" | status) == 404 ]] && pass "gamma deleting alpha's upload: 404" ||
  soft_fail "gamma deleted alpha's upload"

# --- resumable uploads --------------------------------------------------------------------
cat >"$SB_TMP/chunks.py" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import sbapi
sbd, port, up, path = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
c = sbapi.Client(url="https://127.0.0.1:" + port, ca=sbd + "/ca.pem", cert=sbd + "/alpha.pem", key=sbd + "/alpha.key")
data = open(path, "rb").read()
half = len(data) // 2
print("first", c.request("PUT", "/v1/images/uploads/%s?offset=0" % up, data=data[:half])[0])
st, b = c.request("PUT", "/v1/images/uploads/%s?offset=0" % up, data=data[half:])
print("again-at-0", st, b["error"]["code"] if isinstance(b, dict) and "error" in b else b)
print("resumed", c.request("PUT", "/v1/images/uploads/%s?offset=%d" % (up, half), data=data[half:])[0])
st, b = c.request("POST", "/v1/images/uploads/%s/commit" % up, {"name": "app:1"})
print("commit", st, b.get("format") if isinstance(b, dict) else b)
PYEOF
out=$($PY "$SB_TMP/chunks.py" "$SB_LIB_DIR" "$SBD" "$SBD_PORT" "$up" "$SB_TMP/app.tar" 2>&1)
grep -q '^again-at-0 409 wrong_offset' <<<"$out" && pass "a chunk sent at the wrong offset: 409 wrong_offset" ||
  soft_fail "wrong offset: $out"
grep -q '^resumed 200' <<<"$out" && grep -q '^commit 201 docker' <<<"$out" &&
  pass "the upload goes on at the right offset; the docker tarball is imported" || soft_fail "resume: $out"

# --- running images -----------------------------------------------------------------------
run_logs() { # WHO JSON: create, start, wait; prints the log
  local who=$1 id
  id=$(api "$who" POST /v1/containers "$2" | json '["id"]')
  api "$who" POST "/v1/containers/$id/start" >/dev/null
  api "$who" POST "/v1/containers/$id/wait" >/dev/null
  api "$who" GET "/v1/containers/$id/logs" | sed -n '2,$p' | tr -d '\0'
  api "$who" DELETE "/v1/containers/$id" >/dev/null
}
out=$(run_logs alpha '{"image":"busybox","cmd":["/bin/sh","-c","cat /etc/greeting; ls /bin | wc -l; test -e /usr/bin/python3 || echo no-host-files"]}')
grep -q 'hello from the image' <<<"$out" && grep -q 'no-host-files' <<<"$out" &&
  pass "a container of alpha's busybox sees the image's files, not the host's" || soft_fail "busybox run: $out"
out=$(run_logs alpha '{"image":"app:1"}')
grep -q 'cmd-from-config' <<<"$out" && grep -q 'GREETING=from-the-config' <<<"$out" && grep -q '/etc$' <<<"$out" &&
  pass "without a cmd, the image's config gives the command, the environment and the working directory" ||
  soft_fail "app run: $out"
out=$(api alpha POST /v1/containers '{"image":"busybox"}')
[[ $(status <<<"$out") == 400 ]] && grep -q 'names no command' <<<"$out" &&
  pass "an image without a command and a create without one: 400 naming it" || soft_fail "no cmd: $out"

# --- limits ---------------------------------------------------------------------------------
out=$(api alpha POST /v1/images/uploads)
[[ $(status <<<"$out") == 429 ]] && grep -q 'images = 2' <<<"$out" &&
  pass "alpha's third image is refused (429 naming limits { images = 2 })" || soft_fail "images limit: $out"
api alpha DELETE /v1/images/app:1 >/dev/null
out=$(upload alpha "$SB_TMP/big.bin" big $((8 << 20)))
[[ $(status <<<"$out") == 413 ]] && grep -q 'image-size' <<<"$out" &&
  pass "an upload over image-size = 32M is cut off (413 naming the rule)" || soft_fail "image-size: $out"
rm -f /sb-evil-escape "$SB_TMP/../sb-evil-escape"
out=$(upload alpha "$SB_TMP/evil.tar" evil)
[[ $(status <<<"$out") == 422 ]] && grep -q 'sb-evil-escape' <<<"$out" && [[ ! -e /sb-evil-escape ]] &&
  pass "a tarball with an entry outside the layer is refused (422 naming the entry), nothing written outside" ||
  soft_fail "evil tarball: $out"
[[ $(ls "$SBD/state/uploads" | wc -l) == 0 ]] && pass "refused and finished uploads leave no file" ||
  soft_fail "uploads left: $(ls "$SBD/state/uploads")"

# --- the provider's images, the images patterns ------------------------------------------
out=$(upload admin "$SB_TMP/busybox.tar" base)
[[ $(status <<<"$out") == 201 && $(json '["owner"]' <<<"$out") == "" ]] && pass "the admin imports the provider's image base" ||
  soft_fail "provider import: $out"
out=$(run_logs beta '{"image":"base","cmd":["/bin/cat","/etc/greeting"]}')
grep -q 'hello from the image' <<<"$out" && pass "beta runs the provider's image" || soft_fail "beta base: $out"
out=$(api gamma POST /v1/containers '{"image":"base","cmd":["/bin/true"]}')
[[ $(status <<<"$out") == 403 ]] && grep -q 'images' <<<"$out" && audited denied-image base &&
  pass "gamma, whose images are {\"host\"}, may not run base (403 naming the rule, audited)" || soft_fail "gamma: $out"
[[ $(api beta DELETE /v1/images/base | status) == 404 ]] && pass "a tenant cannot remove the provider's image" ||
  soft_fail "beta removed base"

# --- removal while in use; restart ----------------------------------------------------------
id=$(api alpha POST /v1/containers '{"image":"busybox","cmd":["/bin/true"]}' | json '["id"]')
out=$(api alpha DELETE /v1/images/busybox)
[[ $(status <<<"$out") == 409 ]] && pass "an image a container uses cannot be removed (409)" || soft_fail "in use: $out"
up=$(api alpha POST /v1/images/uploads | json '["upload"]')
sbd_stop
sbd_start
[[ $(api alpha GET /v1/images | json 'list(i["name"] for i in v)') == "['host', 'base', 'busybox']" ]] &&
  pass "images outlive a restart of sandboxd" || soft_fail "after the restart: $(api alpha GET /v1/images)"
[[ $(api alpha PUT "/v1/images/uploads/$up?offset=0" | status) == 404 && ! -e $SBD/state/uploads/$up ]] &&
  pass "an upload does not: its file is gone" || soft_fail "upload after restart"
api alpha DELETE "/v1/containers/$id" >/dev/null
[[ $(api alpha DELETE /v1/images/busybox | status) == 204 ]] && pass "once the container is gone, the image is removed" ||
  soft_fail "remove busybox"
api admin DELETE /v1/images/base >/dev/null
[[ $(ls "$SBD/state/images/layers" | wc -l) == 0 ]] && pass "no layer is left once no image uses it" ||
  soft_fail "layers left: $(ls "$SBD/state/images/layers")"

sbd_clean_all
sbd_stop
check_nothing_left "$SB_TMP/before" "sandboxd and its images"
finish
