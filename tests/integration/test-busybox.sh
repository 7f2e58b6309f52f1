#!/usr/bin/env bash
# test-busybox.sh - busybox sh scripts in the sandbox: pipes, redirections,
# subshells, command substitution, here-documents, background jobs with
# wait (job control off a tty), exit status propagation, files in /tmp.
# Needs /bin/busybox (Debian package busybox-static).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BB=/bin/busybox
need_program "$BB" busybox-static

# --- pipes ---------------------------------------------------------------------
sb_sh 'echo hello sandbox world | tr a-z A-Z | wc -w'
expect_out "a three-stage pipe" "3"

sb_sh 'seq 1 1000 | awk "{ s += \$1 } END { print s }"'
expect_out "seq | awk adds 1..1000" "500500"

sb_sh 'dd if=/dev/zero bs=1024 count=2048 2>/dev/null | wc -c'
expect_out "2 MiB through a pipe" "2097152"

sb_sh 'yes | head -n 5000 | wc -l'
expect_out "yes | head: the writer gets SIGPIPE, the pipe still ends" "5000"

# --- redirections ----------------------------------------------------------------
sb_sh 'echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f'
expect_out "> and >> then <" "one
two"

sb_sh 'ls /no/such/dir 2>/tmp/err >/tmp/out; echo "status=$?"; grep -c "no/such" /tmp/err; wc -c < /tmp/out'
expect_out "2> and > to separate files" "status=1
1
0"

sb_sh 'exec 3>/tmp/fd3; echo via-fd3 >&3; exec 3>&-; exec 4</tmp/fd3; read line <&4; echo "$line"'
expect_out "exec 3> and 4< descriptors" "via-fd3"

sb_sh '{ echo out; echo err >&2; } 2>&1 | sort'
expect_out "2>&1 into a pipe" "err
out"

sb_run -- "$BB" sh -c 'echo to-stdout; echo to-stderr >&2'
if [[ $SB_RC == 0 && $SB_OUT == to-stdout && $SB_ERR == to-stderr ]]; then
  pass "stdout and stderr of the sandbox stay separate"
else
  soft_fail "stdout/stderr: expected [to-stdout]/[to-stderr], got [$SB_OUT]/[$SB_ERR] (exit $SB_RC)"
fi

# --- subshells and command substitution -------------------------------------------
sb_sh 'cd /; x=outer; (x=inner; echo "$x"); echo "$x"; (cd /tmp && pwd); pwd'
expect_out "subshells keep their variables and cwd" "inner
outer
/tmp
/"

sb_sh 'a=$(echo $(echo nested) "$(printf %s deep)"); b=`echo back`; echo "$a $b $(( $(echo 6) * 7 ))"'
expect_out "nested \$( ), backticks and arithmetic" "nested deep back 42"

sb_sh 'n=$(ls /bin | wc -l); [ "$n" -gt 10 ] && echo many'
expect_out "command substitution of a pipe reading /bin" "many"

# --- here-documents ------------------------------------------------------------
sb_sh 'name=sandbox
cat <<EOF
hello $name
$(echo substituted)
EOF
cat <<'"'"'EOF'"'"'
literal $name
EOF
	cat <<-EOF
	tabs stripped
	EOF'
expect_out "here-documents (expanding, quoted, <<-)" "hello sandbox
substituted
literal \$name
tabs stripped"

sb_sh 'while read -r a b; do echo "$b:$a"; done <<EOF
1 one
2 two
EOF'
expect_out "a here-document feeding a while-read loop" "one:1
two:2"

# --- background jobs and wait ---------------------------------------------------
sb_sh '(sleep 0.3; echo slow > /tmp/slow) & p1=$!
(sleep 0.1; echo fast > /tmp/fast) & p2=$!
(exit 7) & p3=$!
wait $p1; s1=$?; wait $p2; s2=$?; wait $p3; s3=$?
echo "$s1 $s2 $s3 $(cat /tmp/slow /tmp/fast | tr "\n" " ")"'
expect_out "background jobs, wait PID and their statuses" "0 0 7 slow fast "

sb_sh 'for i in 1 2 3 4 5 6 7 8; do (sleep 0.1; echo "$i" > /tmp/job$i) & done; wait; cat /tmp/job* | sort -n | tr "\n" " "'
expect_out "eight background jobs and a bare wait" "1 2 3 4 5 6 7 8 "

sb_sh 'sleep 5 & p=$!; kill $p; wait $p; echo "killed=$?"'
expect_out "kill of a background job, wait reports 128+15" "killed=143"

sb_sh 'sleep 0.2 & jobs >/tmp/jobs; wait; [ -s /tmp/jobs ] && echo listed'
expect_out "jobs off a tty (no job control)" "listed"

# --- exit status propagation --------------------------------------------------------
sb_sh 'exit 5'
expect_rc "exit 5 of the shell is the sandbox's status" 5

sb_sh 'sh -c "sh -c \"exit 9\""; echo "inner=$?"; false | true; echo "pipe=$?"; ! true; echo "not=$?"'
expect_out "statuses through nested shells, pipes and !" "inner=9
pipe=0
not=1"

sb_sh 'set -o pipefail; false | true; echo "pipefail=$?"'
expect_out "pipefail" "pipefail=1"

sb_sh 'set -e; false; echo not-reached'
expect_rc "set -e stops the script with 1" 1

sb_run -- "$BB" sh -c 'kill -TERM $$'
expect_rc "a shell killed by SIGTERM gives 128+15" 143

# --- files in /tmp ---------------------------------------------------------------
sb_sh 'set -e
mkdir /tmp/work
cd /tmp/work
mkdir -p a/b/c
dd if=/dev/urandom of=a/b/c/blob bs=4096 count=256 2>/dev/null
sum1=$(md5sum < a/b/c/blob)
cp a/b/c/blob copy
mv copy a/moved
sum2=$(md5sum < a/moved)
[ "$sum1" = "$sum2" ] || { echo "checksums differ"; exit 1; }
ln -s a/moved link; ln a/moved hard
[ "$(readlink link)" = a/moved ] || exit 2
[ "$(stat -c %h hard)" = 2 ] || exit 3
printf "c\na\nb\n" > unsorted; sort unsorted > sorted
chmod 600 sorted; [ "$(stat -c %a sorted)" = 600 ] || exit 4
touch -d "2001-02-03 04:05:06" old; [ "$(date -r old +%Y)" = 2001 ] || exit 5
find a -type f | sort
wc -c < a/moved
tr "\n" , < sorted; echo
rm -r a link hard; ls -A | sort | tr "\n" " "'
expect_out "mkdir/dd/cp/mv/ln/chmod/touch/find/sort/rm in /tmp" "a/b/c/blob
a/moved
1048576
a,b,c,
old sorted unsorted "

sb_sh 'i=0; while [ $i -lt 200 ]; do echo "line $i" >> /tmp/many; i=$((i+1)); done; wc -l < /tmp/many; for i in $(seq 30); do /bin/true; done; echo forked'
expect_out "200 appends and 30 fork+exec" "200
forked"

# stdin of the sandbox reaches the script
printf 'first\nsecond\n' >"$SB_TMP/input"
sb_run --stdin "$SB_TMP/input" -- "$BB" sh -c 'read a; read b; echo "$b $a"'
expect_out "stdin piped into the sandbox is read by the script" "second first"

finish
