#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh [PATCH...] - the kernel's scripts/checkpatch.pl --strict over
# every patch in patches/series (or the ones given). Any ERROR, WARNING or
# CHECK fails the run. A justified exception is listed, with its reason, in
# the cover letter and in patches/checkpatch-ignore ("TYPE  # reason"),
# which is passed to checkpatch as --ignore.
. "$(dirname "$0")/lib.sh"

PATCHES=${PATCHES:-$TOP/patches}
read -r repo _ < <(base_ref)
cp=$repo/scripts/checkpatch.pl
[ -x "$cp" ] || [ -f "$cp" ] || die "no checkpatch.pl in $repo"
need perl
# spdxcheck.py (run by checkpatch) needs ply: use Debian's python3, which
# has python3-ply, ahead of any other python3 on PATH.
PATH=/usr/bin:$PATH

ignore=
[ -f "$PATCHES/checkpatch-ignore" ] &&
	ignore=$(sed -e 's/#.*//' "$PATCHES/checkpatch-ignore" | xargs | tr ' ' ',')

if [ $# -eq 0 ]; then
	mapfile -t files < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series")
	set -- "${files[@]/#/$PATCHES/}"
	[ $# -gt 0 ] || { log "checkpatch: the series is empty"; exit 0; }
fi

bad=0
for p in "$@"; do
	[ -f "$p" ] || die "no such patch: $p"
	p=$(realpath "$p")	# checkpatch runs in the base tree
	out=$(cd "$repo" && perl "$cp" --strict ${ignore:+--ignore "$ignore"} \
		--show-types --summary-file "$p" 2>&1) || true
	total=$(printf '%s\n' "$out" | sed -n 's/.*total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1 \2 \3/p' | tail -n 1)
	if [ -z "$total" ]; then
		printf '%s\n' "$out" >&2
		die "checkpatch gave no verdict on ${p##*/}"
	fi
	set -- $total "$@"
	if [ "$1" != 0 ] || [ "$2" != 0 ] || [ "$3" != 0 ]; then
		printf '%s\n' "$out"
		log "checkpatch: ${p##*/}: $1 errors, $2 warnings, $3 checks"
		bad=$((bad + 1))
	else
		log "checkpatch: ${p##*/}: clean"
	fi
	shift 3
done
[ "$bad" = 0 ] || die "checkpatch --strict: $bad patch(es) not clean"
