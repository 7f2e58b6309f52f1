#!/bin/bash
# `sandboxctl policy check` against the policy corpus:
#   - every tests/policy/bad/NN-what.conf must exit 1 and print exactly the
#     line in NN-what.expect (FILE:LINE: KEY: what is wrong);
#   - every policy/examples/*.conf and tests/policy/good/*.conf must pass;
#   - good/over-base.conf over tests/policy/base.conf must merge as documented.
# Needs nothing but the build tree; never skips. Prints "N passed, M failed".
set -u

builddir=${TESTS_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
srcdir=${TESTS_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
sandboxctl=$builddir/client/sandboxctl
corpus=$srcdir/tests/policy

passed=0
failed=0
pass () { passed=$((passed + 1)); }
fail () { failed=$((failed + 1)); echo "FAIL: $*"; }

if [ ! -x "$sandboxctl" ]; then
    echo "FAIL: $sandboxctl is missing (run make first)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Bad files: run from their directory so messages carry the basename.
nbad=0
for conf in "$corpus"/bad/*.conf; do
    [ -e "$conf" ] || continue
    nbad=$((nbad + 1))
    name=$(basename "$conf")
    expect=${conf%.conf}.expect
    if [ ! -f "$expect" ]; then
        fail "$name: no $(basename "$expect")"
        continue
    fi
    out=$(cd "$corpus/bad" && "$sandboxctl" policy check "$name" 2>&1)
    rc=$?
    want=$(cat "$expect")
    if [ "$rc" -ne 1 ]; then
        fail "$name: exit status $rc, expected 1 (output: $out)"
    elif [ "$out" != "$want" ]; then
        fail "$name: got '$out', expected '$want'"
    else
        pass
    fi
done
if [ "$nbad" -lt 20 ]; then
    fail "only $nbad bad files in $corpus/bad (expected at least 20)"
fi

# Good files and the shipped examples.
ngood=0
for conf in "$srcdir"/policy/examples/*.conf "$corpus"/good/*.conf; do
    [ -e "$conf" ] || continue
    ngood=$((ngood + 1))
    out=$("$sandboxctl" policy check "$conf" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [[ "$out" == "$conf: ok (tenant "*")" ]]; then
        pass
    else
        fail "$conf: exit status $rc: $out"
    fi
done
if [ "$ngood" -lt 3 ]; then
    fail "only $ngood good files and examples (expected at least 3)"
fi

# Several files at once: one bad one makes the whole check fail.
out=$(cd "$corpus" && "$sandboxctl" policy check good/full.conf bad/04-bad-size.conf 2>&1)
rc=$?
want="good/full.conf: ok (tenant acme)
bad/04-bad-size.conf:6: memory: \"12Q\" is not a size (use K, M, G)"
if [ "$rc" -eq 1 ] && [ "$out" = "$want" ]; then pass; else fail "mixed check: $rc: $out"; fi

# A tenant file over the base file.
out=$(cd "$corpus" && "$sandboxctl" policy check --base base.conf good/over-base.conf 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "good/over-base.conf: ok (tenant over)" ]; then
    pass
else
    fail "check --base: $rc: $out"
fi
json=$("$sandboxctl" policy show --base "$corpus/base.conf" "$corpus/good/over-base.conf" 2>&1)
flat=$(printf '%s' "$json" | tr -d ' \n')
for want in '"memory_bytes":2147483648' '"pids":128' '"denies":["mincore","personality"]' \
            '"hidden":["/secret"]' '"read_only":["/etc"]' '"hostname":"over"'; do
    if [[ "$flat" == *"$want"* ]]; then pass; else fail "show --base: no $want in: $json"; fi
done

# A broken base file is reported once, by its own name.
out=$(cd "$corpus" && "$sandboxctl" policy check --base bad/04-bad-size.conf good/full.conf 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$out" = 'bad/04-bad-size.conf:6: memory: "12Q" is not a size (use K, M, G)' ]; then
    pass
else
    fail "broken base: $rc: $out"
fi

# Usage errors exit 2; --help exits 0.
"$sandboxctl" --help > /dev/null 2>&1; rc=$?
if [ "$rc" -eq 0 ]; then pass; else fail "--help: exit status $rc"; fi
"$sandboxctl" frobnicate > /dev/null 2>&1; rc=$?
if [ "$rc" -eq 2 ]; then pass; else fail "unknown command: exit status $rc"; fi
"$sandboxctl" policy check > /dev/null 2>&1; rc=$?
if [ "$rc" -eq 2 ]; then pass; else fail "policy check without files: exit status $rc"; fi
"$sandboxctl" policy frobnicate > /dev/null 2>&1; rc=$?
if [ "$rc" -eq 2 ]; then pass; else fail "unknown policy command: exit status $rc"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
