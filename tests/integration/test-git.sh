#!/usr/bin/env bash
# test-git.sh - git in the sandbox's writable layer: git init, add, commit
# (twice), log, status, branch/checkout/merge, a local clone and gc in /tmp,
# a local clone of a repository on the host (a lower layer: hard links),
# inside the sandbox; and afterwards the host's /tmp has no trace of the
# repository (the in-memory layer vanished with the sandbox).
# Needs /usr/bin/git (Debian package git) and /bin/busybox (busybox-static).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_program /usr/bin/git git
need_program /bin/busybox busybox-static

repo=/tmp/sbgit-$$-$RANDOM
if [[ -e $repo ]]; then
  fail "setup: $repo already exists on the host"
fi

cat >"$SB_TMP/git-session.sh" <<'EOF'
set -e
repo=$1
export HOME=/tmp GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE="2001-02-03T04:05:06Z" GIT_COMMITTER_DATE="2001-02-03T04:05:06Z"
git() { /usr/bin/git -c user.name="Sandbox Test" -c user.email=sandbox@example.invalid \
  -c init.defaultBranch=main -c advice.detachedHead=false "$@"; }
mkdir "$repo"
cd "$repo"
git init -q
echo "init=$?"
printf 'first line\n' > file.txt
mkdir -p src/deep
printf 'int main (void) { return 0; }\n' > src/deep/main.c
git add file.txt src
git commit -q -m "first commit in the sandbox"
printf 'second line\n' >> file.txt
git commit -q -a -m "second commit"
echo "count=$(git rev-list --count HEAD)"
echo "subject=$(git log -1 --format=%s)"
echo "log=$(git log --format=%s | tr '\n' '|')"
echo "status=[$(git status --porcelain)]"
echo "show=$(git show HEAD:file.txt | tr '\n' '|')"
git checkout -q -b feature
printf 'on a branch\n' > branch.txt
git add branch.txt
git commit -q -m "branch commit"
git checkout -q main
git merge -q --no-edit --no-ff feature
echo "merged=$(git rev-list --count HEAD) $(ls | tr '\n' ' ')"
git clone -q "$repo" "$repo-clone"
echo "clone=$(git -C "$repo-clone" log -1 --format=%s)"
git gc -q
echo "fsck=$(git fsck --no-progress 2>&1 | wc -l)"
echo "after-gc=$(git rev-list --count HEAD)"
ls -d "$repo" "$repo-clone"
# A local clone of a repository of the host root (a lower layer): git
# hard-links its objects and checks that each link is the file it linked.
git clone -q "$2" "$repo-lower-clone"
echo "lower-clone=$(git -C "$repo-lower-clone" log -1 --format=%s)"
EOF

# The host's repository, for the clone from the lower layer.
hostrepo=$SB_TMP/hostrepo
(
  cd "$SB_TMP" && git init -q -b main hostrepo && cd hostrepo && echo host >h.txt && git add h.txt &&
    git -c user.name=t -c user.email=t@example.invalid commit -q -m "made on the host"
) || fail "setup: cannot make a repository on the host"
chmod -R a+rX "$SB_TMP"
links_before=$(find "$hostrepo/.git/objects" -type f -links +1 | wc -l)

sb_run --timeout 60 -- /bin/busybox sh "$SB_TMP/git-session.sh" "$repo" "$hostrepo"
out=$SB_OUT
if [[ $SB_RC != 0 ]]; then
  why=
  [[ $SB_RC == 124 ]] && why=" (it hung: killed by the test's timeout)"
  soft_fail "the git session in the sandbox exited $SB_RC$why"
fi


expect_line "git init in /tmp inside the sandbox" "init=0"
expect_line "two commits: rev-list counts 2" "count=2"
expect_line "git log -1 shows the last commit" "subject=second commit"
expect_line "git log lists both commits, newest first" "log=second commit|first commit in the sandbox|"
expect_line "git status is clean after the commits" "status=[]"
expect_line "git show HEAD:file.txt has both lines" "show=first line|second line|"
expect_line "branch, checkout and a --no-ff merge" "merged=4 branch.txt file.txt src "
expect_line "a local clone sees the merge" "clone=Merge branch 'feature'"
expect_line "git gc then git fsck report nothing" "fsck=0"
expect_line "the history survived git gc" "after-gc=4"
expect_line "a local clone of the host's repository (hard links from a lower layer)" "lower-clone=made on the host"
[[ $(find "$hostrepo/.git/objects" -type f -links +1 | wc -l) == "$links_before" ]] &&
  pass "the host's repository got no hard links from the clone in the sandbox" ||
  soft_fail "the host's repository objects gained links"

# The layer vanished with the sandbox: the host's /tmp never had the repo.
if [[ -e $repo || -e $repo-clone ]]; then
  soft_fail "the repository made inside the sandbox is on the host: $repo"
  rm -rf --one-file-system -- "$repo" "$repo-clone"
else
  pass "the host's /tmp has no $repo (the writable layer vanished)"
fi

finish
