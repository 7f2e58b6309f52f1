#!/usr/bin/env bash
# test-api-doc.sh - keeps the daemon's documentation honest: every route of
# sandboxd's verb tables (daemon/routes.c and the tables it lists) has a
# heading "METHOD PATH" in docs/API.md, and every heading of that form names
# a route; every key sandboxd.conf accepts (daemon/config.c) is described in
# man/sandboxd.conf.5; every error code, event action and metric the daemon
# emits is named in docs/API.md. Needs no build and no root.
#
#   tests/test-api-doc.sh [SRCDIR]     (default: $TESTS_SRCDIR, or the tree above this file)
set -euo pipefail

SRC=${1:-${TESTS_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}}
API=$SRC/docs/API.md
CONF_MAN=$SRC/man/sandboxd.conf.5
ROUTES=$SRC/daemon/routes.c
CONFIG=$SRC/daemon/config.c
failed=0
checked=0

problem() {
  printf 'test-api-doc: %s\n' "$*" >&2
  failed=$((failed + 1))
}

for f in "$API" "$CONF_MAN" "$ROUTES" "$CONFIG"; do
  [[ -r $f ]] || { printf 'test-api-doc: cannot read %s\n' "$f" >&2; exit 1; }
done

# --- routes --------------------------------------------------------------------
# routes.c lists the tables (sbd_*_routes); each is defined in one daemon/*.c
# as { EVHTTP_REQ_METHOD, "/pattern", handler, flags, "verb" } entries.
mapfile -t tables < <(sed -n '/sbd_route_tables\[\] *=/,/};/p' "$ROUTES" | grep -o 'sbd_[a-z_]*_routes' | sort -u)
((${#tables[@]} > 0)) || problem "no route table found in $ROUTES (has its form changed?)"

routes=()
for t in "${tables[@]}"; do
  def=$(grep -l "^const struct sbd_route $t\[\] *=" "$SRC"/daemon/*.c || true)
  if [[ -z $def ]]; then
    problem "route table $t (listed in daemon/routes.c) is defined in no daemon/*.c"
    continue
  fi
  mapfile -t entries < <(sed -n "/^const struct sbd_route $t\[\] *=/,/^};/p" $def |
    sed -n 's/.*{ *EVHTTP_REQ_\([A-Z]*\) *, *"\([^"]*\)".*/\1 \2/p')
  ((${#entries[@]} > 0)) || problem "route table $t in $def has no entries this test can read"
  routes+=("${entries[@]}")
done

# "GET /v1/containers/:id" is documented as "GET /v1/containers/{id}".
doc_form() { sed -E 's#/:([A-Za-z_]+)#/{\1}#g' <<<"$1"; }

# The headings of API.md that name a route ("### GET /v1/info").
mapfile -t headings < <(grep -E '^#+ +(GET|POST|PUT|DELETE|PATCH|HEAD) +/' "$API" |
  sed -E 's/^#+ +//; s/`//g; s/^([A-Z]+ +[^ ]+).*/\1/; s/ +/ /')

for r in "${routes[@]}"; do
  want=$(doc_form "$r")
  checked=$((checked + 1))
  found=0
  for h in "${headings[@]}"; do
    [[ $h == "$want" ]] && { found=1; break; }
  done
  ((found)) || problem "docs/API.md has no heading \"$want\" (route \"$r\")"
done
for h in "${headings[@]}"; do
  found=0
  for r in "${routes[@]}"; do
    [[ $h == "$(doc_form "$r")" ]] && { found=1; break; }
  done
  ((found)) || problem "docs/API.md documents \"$h\", which no route table has"
done

# --- sandboxd.conf keys ------------------------------------------------------------
# Every CFG_*("key", ...) option of config.c, sections included.
mapfile -t keys < <(grep -oE 'CFG_(STR|INT|BOOL|FLOAT|STR_LIST|INT_LIST)(_CB)? *\( *"[^"]+"|CFG_SEC *\( *"[^"]+"' "$CONFIG" |
  sed -E 's/.*"([^"]+)"/\1/' | sort -u)
((${#keys[@]} > 0)) || problem "no sandboxd.conf key found in $CONFIG (has its form changed?)"
# The man page's key lines (".BR key ..." after .TP, or ".SS section"), with
# roff's \- read as -.
man_keys=$(sed 's/\\-/-/g' "$CONF_MAN" | sed -nE 's/^\.(B|BR|SS) +"?([a-z][a-z0-9-]*)"?.*/\2/p' | sort -u)
for k in "${keys[@]}"; do
  checked=$((checked + 1))
  grep -qx -- "$k" <<<"$man_keys" || problem "man/sandboxd.conf.5 does not describe the sandboxd.conf key \"$k\""
done

# --- error codes, event actions, metrics ---------------------------------------------
# Codes given to sbd_reply_error, and those packed by hand ("code", "start_failed").
mapfile -t codes < <({
  grep -ohE 'sbd_reply_error \([^,]+, *[0-9]+, *"[a-z_]+"' "$SRC"/daemon/*.c
  grep -ohE '"code", *"[a-z_]+"' "$SRC"/daemon/*.c
} | sed -E 's/.*"([a-z_]+)"$/\1/' | sort -u)
((${#codes[@]} > 0)) || problem "no error code found in daemon/*.c (has sbd_reply_error changed?)"
for c in "${codes[@]}"; do
  checked=$((checked + 1))
  grep -q -- "| \`$c\` |" "$API" || problem "docs/API.md's error table has no row for the code \"$c\""
done

mapfile -t actions < <(grep -hE 'sbd_event \([^)]*"' "$SRC"/daemon/*.c | grep -oE '"[a-z-]+"' | tr -d '"' | sort -u)
((${#actions[@]} > 0)) || problem "no event action found in daemon/*.c"
for a in "${actions[@]}"; do
  checked=$((checked + 1))
  grep -q -- "| \`$a\` |" "$API" || problem "docs/API.md's events table has no row for the action \"$a\""
done

mapfile -t metrics < <(grep -ohE 'sandboxd_[a-z_]+' "$SRC"/daemon/metrics.c |
  sed -E 's/_(bucket|sum|count)$//; s/_(mediated|denied)_$/_\1_total/' | grep -v '_$' | sort -u)
((${#metrics[@]} > 0)) || problem "no metric found in daemon/metrics.c"
for m in "${metrics[@]}"; do
  checked=$((checked + 1))
  grep -q -- "\`$m\`" "$API" || problem "docs/API.md does not describe the metric \"$m\""
done

if ((failed)); then
  printf 'test-api-doc: FAIL: %d of %d checks\n' "$failed" "$checked" >&2
  exit 1
fi
printf 'test-api-doc: %d checks passed (%d routes, %d sandboxd.conf keys, %d error codes, %d event actions, %d metrics)\n' \
  "$checked" "${#routes[@]}" "${#keys[@]}" "${#codes[@]}" "${#actions[@]}" "${#metrics[@]}"
