#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# export.sh TREE [BRANCH] - regenerate patches/ from a kernel git tree whose
# BRANCH (default: HEAD) holds the series as commits on top of the pinned
# base: git format-patch with a cover letter (subject and blurb from
# Documentation/cover-letter.txt, first line = subject) and a base-commit
# line, then patches/series. The subject prefix carries the version in
# Documentation/series-version (PATCH v2 ...); file names stay unnumbered.
# Never edit a patch file by hand: edit the commits and export again.
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: export.sh TREE [BRANCH]}
branch=${2:-HEAD}
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || die "$tree is not a git tree"
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
git -C "$tree" merge-base --is-ancestor "$base" "$branch" ||
	die "$branch in $tree is not based on the pinned base $base"
n=$(git -C "$tree" rev-list --count "$base..$branch")
[ "$n" -gt 0 ] || die "no commits between the base and $branch"
blurb=$TOP/Documentation/cover-letter.txt
[ -f "$blurb" ] || die "$blurb is missing"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The version of the series (PATCH v2 ...): Documentation/series-version.
version=$(cat "$TOP/Documentation/series-version" 2>/dev/null || echo 1)
case "$version" in ''|*[!0-9]*) die "Documentation/series-version: want a number, got '$version'" ;; esac
prefix=PATCH
[ "$version" -gt 1 ] && prefix="PATCH v$version"
git -C "$tree" -c core.abbrev=12 format-patch -q --cover-letter --base="$base" \
	--subject-prefix="$prefix" --thread=shallow -o "$out" "$base..$branch"
# The cover letter: subject and blurb from the text file; a line "@COMPARE@"
# there becomes Documentation/compare.txt, the figures 'make compare
# COMPARE_SAVE=1' wrote (never typed by hand).
figures=$TOP/Documentation/compare.txt
if grep -qx '@COMPARE@' "$blurb"; then
	[ -s "$figures" ] || die "$blurb wants the figures of make compare, but $figures is missing"
fi
python3 - "$out"/0000-cover-letter.patch "$blurb" "$figures" <<'PY'
import sys
cover, blurb = sys.argv[1], open(sys.argv[2]).read().rstrip('\n').split('\n')
blurb = [l for line in blurb for l in
         (open(sys.argv[3]).read().rstrip('\n').split('\n') if line == '@COMPARE@' else [line])]
subject, body = blurb[0], '\n'.join(blurb[1:]).strip('\n')
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', subject, 1)
s = s.replace('*** BLURB HERE ***', body, 1)
open(cover, 'w').write(s)
PY
grep -q 'SUBJECT HERE\|BLURB HERE' "$out"/0000-cover-letter.patch &&
	die "cover letter placeholders were not replaced"

rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
cp "$out"/*.patch "$TOP/patches/"
{
	printf '# patch order for git am; one file name a line\n'
	(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-')
} > "$TOP/patches/series"
log "export: $n patch(es) + cover letter from $tree ($branch) on $(git -C "$repo" rev-parse --short "$base")"
