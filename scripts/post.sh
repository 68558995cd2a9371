#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# post.sh - what would be sent, built and checked; nothing is sent anywhere.
#
#   1. Checks the subjects: "[PATCH vN 00/M]" on the cover letter and
#      "[PATCH vN m/M]" on patch m, N from Documentation/series-version, M
#      the length of patches/series; a base-commit: line naming the pinned
#      base.
#   2. Adds To: and Cc: to every mail from the kernel's
#      scripts/get_maintainer.pl, run on the applied tree (the tip: patch 17
#      adds a MAINTAINERS entry): To: maintainers, Cc: reviewers and lists
#      of the files each patch touches, plus the patch's own Cc: trailers
#      (as git send-email adds them); no address in both. The cover letter
#      goes to every maintainer, Cc the lists and the trailers' addresses
#      but stable's (not every reviewer of every file).
#      The mbox goes to $RESULTS/post/vN.mbox, ready for
#      'git send-email' (which sends each mail with its own headers).
#   3. Round trip: the mbox is applied with 'git am' onto a fresh checkout
#      of the base, and with 'b4 am' (Debian's b4 reads a local mbox with
#      -m) and 'git am' of what b4 wrote; every resulting commit must have
#      the same tree (byte-identical content), author and message as the
#      commit of the applied tree that the builds and tests used.
#   4. 'git range-diff' of the previous version (versions/v<N-1>/, the
#      patches as they were posted) against this one, into
#      $RESULTS/post/range-diff-v<N-1>-vN.txt, with a summary (unchanged,
#      changed, new, dropped) that the cover letter's "Changes in vN"
#      must account for: every new patch is named there by its subject.
# Ends with a summary; exits non-zero if a check failed.
. "$(dirname "$0")/lib.sh"

need git perl b4
PATCHES=${PATCHES:-$TOP/patches}
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
[ -d "$WORK_TREE/.git" ] || die "no applied tree; run 'make apply' first"
tip=$(git -C "$WORK_TREE" rev-parse -q --verify "refs/heads/$SERIES_BRANCH") ||
	die "no $SERIES_BRANCH in $WORK_TREE; run 'make apply' first"
version=$(cat "$TOP/Documentation/series-version")
case "$version" in ''|*[!0-9]*) die "Documentation/series-version: want a number, got '$version'" ;; esac
mapfile -t list < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series")
n=${#list[@]}
[ "$n" -gt 0 ] || die "$PATCHES/series is empty"

out=$RESULTS/post
rm -rf "$out"
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
bad() { printf 'post: FAIL: %s\n' "$*" >&2; fail=$((fail + 1)); }

# 1. subjects and base-commit
prefix=PATCH
[ "$version" -gt 1 ] && prefix="PATCH v$version"
w=${#n}
[ "$w" -lt 2 ] && w=2
cover=$PATCHES/0000-cover-letter.patch
[ -f "$cover" ] || die "$cover is missing"
subject_of() {
	# the Subject: header, unfolded
	sed -n '/^Subject:/,/^[^ ]/p' "$1" | sed '$d' | sed 's/^Subject: //' | tr -d '\n'
}
want=$(printf '[%s %0*d/%d]' "$prefix" "$w" 0 "$n")
case "$(subject_of "$cover")" in
"$want "*) ;;
*) bad "cover letter subject '$(subject_of "$cover")' does not start with '$want'" ;;
esac
grep -qx "base-commit: $base" "$cover" ||
	bad "the cover letter has no 'base-commit: $base' (the pinned base)"
i=0
for p in "${list[@]}"; do
	i=$((i + 1))
	want=$(printf '[%s %0*d/%d]' "$prefix" "$w" "$i" "$n")
	case "$(subject_of "$PATCHES/$p")" in
	"$want "*) ;;
	*) bad "$p: subject '$(subject_of "$PATCHES/$p")' does not start with '$want'" ;;
	esac
done

[ "$fail" = 0 ] || die "post: $fail subject/base-commit check(s) failed; no mbox written"
applied=$(git -C "$WORK_TREE" rev-list --count "$base..$tip")
[ "$applied" = "$n" ] ||
	die "the applied tree has $applied commit(s) on the base, the series $n; run 'make apply'"

# 2. To/Cc from get_maintainer.pl on the tip
gm() {
	(cd "$WORK_TREE" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-git-chief-penguins --no-fixes --norolestats "$@") |
		sed -n 's/^\(.*@.*\)$/\1/p'
}
[ "$(git -C "$WORK_TREE" rev-parse HEAD)" = "$tip" ] &&
	[ -z "$(git -C "$WORK_TREE" status --porcelain --untracked-files=no)" ] ||
	die "$WORK_TREE is not at $SERIES_BRANCH or not clean; run 'make apply'"
: > "$out/to.all"
: > "$out/cc.all"
# get_maintainer.pl, three runs per patch (maintainers and reviewers,
# lists, maintainers), as many at a time as there are CPUs
i=0
for p in "${list[@]}"; do
	i=$((i + 1))
	for w in "to:--no-l" "lists:--no-m --no-r" "m:--no-l --no-r"; do
		[ "$(jobs -rp | wc -l)" -lt "$(nproc)" ] || wait -n || true
		# shellcheck disable=SC2086
		{ gm ${w#*:} "$PATCHES/$p" > "$scratch/${w%%:*}.$i" &&
		  : > "$scratch/gm-${w%%:*}.$i.ok"; } &
	done
done
wait
i=0
for p in "${list[@]}"; do
	i=$((i + 1))
	for w in to lists m; do
		[ -f "$scratch/gm-$w.$i.ok" ] || die "get_maintainer.pl failed on $p"
	done
	cp "$scratch/lists.$i" "$scratch/cc.$i"
	# reviewers (R:) go to Cc, not To
	grep -vxF -f "$scratch/m.$i" "$scratch/to.$i" >> "$scratch/cc.$i" || true
	cp "$scratch/m.$i" "$scratch/to.$i"
	# the patch's own Cc: trailers, as git send-email adds them
	sed -n '/^---$/q; s/^Cc: \(.*@.*\)$/\1/p' "$PATCHES/$p" > "$scratch/tr.$i"
	cat "$scratch/tr.$i" >> "$scratch/cc.$i"
	# an address in To: is not repeated in Cc:
	awk '!seen[$0]++' "$scratch/cc.$i" | grep -vxF -f "$scratch/to.$i" > "$scratch/cc.x" || true
	mv "$scratch/cc.x" "$scratch/cc.$i"
	[ -s "$scratch/to.$i" ] || bad "$p: get_maintainer.pl names no maintainer"
	cat "$scratch/to.$i" >> "$out/to.all"
	# the cover letter: the lists and the trailers' Ccs, not every reviewer
	cat "$scratch/lists.$i" >> "$out/cc.all"
	grep -v 'stable@vger\.kernel\.org' "$scratch/tr.$i" >> "$out/cc.all" || true
	printf '%s\t%s\t%s\n' "$i" "$(wc -l < "$scratch/to.$i")" "$(wc -l < "$scratch/cc.$i")" >> "$scratch/counts"
done
awk '!seen[$0]++' "$out/to.all" > "$scratch/to.0"
awk '!seen[$0]++' "$out/cc.all" | grep -vxF -f "$scratch/to.0" > "$scratch/cc.0" || true
mv "$scratch/to.0" "$out/to.all"
mv "$scratch/cc.0" "$out/cc.all"
cp "$out/to.all" "$scratch/to.0"
cp "$out/cc.all" "$scratch/cc.0"

# header NAME FILE: "NAME: a, b, c" folded one address a line
header() {
	awk -v h="$1" 'NR == 1 { printf "%s: %s", h, $0; next } { printf ",\n %s", $0 } END { if (NR) print "" }' "$2"
}
# add_headers PATCH IDX: the mail with To:/Cc: after its Subject: header
add_headers() {
	{ header To "$scratch/to.$2"; header Cc "$scratch/cc.$2"; } > "$scratch/hdr"
	awk -v hdr="$scratch/hdr" '
		!done && /^$/ { while ((getline l < hdr) > 0) print l; done = 1 }
		{ print }' "$1"
}
mbox=$out/v$version.mbox
{
	add_headers "$cover" 0
	i=0
	for p in "${list[@]}"; do
		i=$((i + 1))
		add_headers "$PATCHES/$p" "$i"
	done
} > "$mbox"
grep -c '^From [0-9a-f]\{40\} ' "$mbox" > "$scratch/nmail"
[ "$(cat "$scratch/nmail")" = $((n + 1)) ] || bad "the mbox has $(cat "$scratch/nmail") mails, want $((n + 1))"

# 3. round trip: git am, and b4 am, onto a fresh checkout of the base
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-lazy-mmu workbench}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-workbench@lazy-mmu.invalid}
rt="$scratch/rt"
git clone -q --shared --no-checkout "$WORK_TREE" "$rt"
# Only the files the series changes are checked out (git am needs those;
# the trees compared are whole, from the index): a full checkout of the
# base was most of this stage's minute and a half in a cold gate.
# (patterns: anchored, with the glob characters of a path escaped)
git -C "$WORK_TREE" -c core.quotePath=false diff --no-renames --name-only "$base" "$tip" |
	sed -e 's/[][*?\\]/\\&/g' -e 's|^|/|' |
	git -C "$rt" sparse-checkout set --no-cone --stdin
# same_as_tested NAME: the commits on rt's HEAD match the applied tree's
same_as_tested() {
	local a b
	a=$(git -C "$rt" log --reverse --format='%T %an <%ae>%n%B' "$base..HEAD")
	b=$(git -C "$WORK_TREE" log --reverse --format='%T %an <%ae>%n%B' "$base..$tip")
	if [ "$a" = "$b" ]; then
		log "post: $1: $n commit(s), trees, authors and messages identical to the tested tree"
		echo ok > "$out/roundtrip-$1"
	else
		diff <(printf '%s\n' "$b") <(printf '%s\n' "$a") > "$out/roundtrip-$1.diff" || true
		bad "$1: the commits differ from the tested tree (see $out/roundtrip-$1.diff)"
		echo differs > "$out/roundtrip-$1"
	fi
}
git -C "$rt" checkout -q --detach "$base"
# the patches without the cover letter (git am stops on it: "Patch is empty")
mkdir "$scratch/mails"
git mailsplit -o"$scratch/mails" "$mbox" > /dev/null
rm "$scratch/mails/0001"
if git -C "$rt" am -q --whitespace=error-all "$scratch"/mails/* > "$out/git-am.log" 2>&1; then
	same_as_tested git-am
else
	git -C "$rt" am --abort >/dev/null 2>&1 || true
	bad "git am of the mbox failed (see $out/git-am.log)"
	echo failed > "$out/roundtrip-git-am"
fi
# b4 am: the thread from the local mbox (-m), no network (-C: no cache)
msgid=$(sed -n '1,/^$/{s/^Message-I[Dd]: *<\(.*\)>$/\1/p}' "$cover")
[ -n "$msgid" ] || die "the cover letter has no Message-ID"
git -C "$rt" checkout -q -f --detach "$base"
# b4 0.12 on Debian's python3.11 stops on any folded header (ValueError:
# "Header values may not contain linefeed or carriage return characters"
# when it copies From: or Subject:), so it reads a copy with the headers
# unfolded; both forms are the same mail (RFC 5322 2.2.3).
awk '/^From [0-9a-f]+ Mon Sep 17 00:00:00 2001$/ { hdr = 1; print; next }
	hdr && /^$/ { hdr = 0; print ""; print; next }
	hdr && /^[ \t]/ { sub(/^[ \t]+/, " "); printf "%s", $0; next }
	hdr { if (started) print ""; printf "%s", $0; started = 1; next }
	{ started = 0; print }' "$mbox" > "$scratch/unfolded.mbox"
mkdir -p "$scratch/b4"
if (cd "$rt" && timeout 120 b4 -n --offline-mode am -C -m "$scratch/unfolded.mbox" -o "$scratch/b4" "$msgid") \
	> "$out/b4-am.log" 2>&1 && am=$(ls "$scratch"/b4/*.mbx 2>/dev/null | head -n 1) && [ -n "$am" ] &&
	git -C "$rt" am -q "$am" >> "$out/b4-am.log" 2>&1; then
	same_as_tested b4-am
else
	git -C "$rt" am --abort >/dev/null 2>&1 || true
	bad "b4 am of the mbox failed (see $out/b4-am.log)"
	echo failed > "$out/roundtrip-b4-am"
fi

# 4. range-diff against the previous version
prev=$((version - 1))
pdir=$TOP/versions/v$prev
rd=$out/range-diff-v$prev-v$version.txt
if [ "$prev" -lt 1 ]; then
	log "post: version 1, no range-diff"
elif [ ! -f "$pdir/series" ]; then
	bad "no previous version in versions/v$prev (keep the posted patches there)"
else
	pbase=$base
	if [ -f "$pdir/base-version" ] && [ "$(cat "$pdir/base-version")" != "$(base_version)" ]; then
		bad "versions/v$prev is on $(cat "$pdir/base-version"), this version on $(base_version): range-diff needs both bases"
	fi
	git -C "$rt" checkout -q -f --detach "$pbase"
	ok=1
	while read -r p; do
		git -C "$rt" am -q "$pdir/$p" > "$out/prev-am.log" 2>&1 || { ok=0; break; }
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pdir/series")
	if [ "$ok" = 1 ]; then
		git -C "$rt" branch -q -f prev HEAD
		git -C "$rt" range-diff --no-color "$pbase..prev" "$base..$tip" > "$rd"
		# "1:  abc = 1:  def subject": =, !, < (dropped), > (new)
		sed -n 's/^ *[0-9-]*: *[0-9a-f-]* \([=!<>]\) .*/\1/p' "$rd" | sort | uniq -c > "$scratch/rdc"
		cnt() { awk -v k="$1" '$2 == k { print $1 }' "$scratch/rdc" | grep . || echo 0; }
		printf 'v%d..v%d: %s unchanged, %s changed, %s new, %s dropped\n' "$prev" "$version" \
			"$(cnt =)" "$(cnt '!')" "$(cnt '>')" "$(cnt '<')" > "$out/range-diff.summary"
		log "post: range-diff $(cat "$out/range-diff.summary") ($rd)"
		# every new patch is named in the cover letter's "Changes in vN"
		changes=$(sed -n "/^Changes in v$version/,/^[A-Z][a-z]* in v[0-9]\|^Not in\|^Still open/p" "$cover" | tr '\n' ' ' | tr -s ' ')
		[ -n "$changes" ] || bad "the cover letter has no 'Changes in v$version' section"
		while read -r s; do
			printf '%s' "$changes" | grep -qF "$s" ||
				bad "new patch '$s' is not named in the cover letter's 'Changes in v$version'"
		done < <(sed -n 's/^ *-: *-* > *[0-9]*: *[0-9a-f]* \(.*\)$/\1/p' "$rd")
	else
		bad "versions/v$prev does not apply on the base (see $out/prev-am.log)"
	fi
fi

# summary
{
	printf '| mail | subject | To | Cc |\n|---|---|---|---|\n'
	printf '| 0 | %s | %s | %s |\n' "$(subject_of "$cover" | cut -c1-60)" \
		"$(wc -l < "$out/to.all")" "$(wc -l < "$out/cc.all")"
	i=0
	for p in "${list[@]}"; do
		i=$((i + 1))
		printf '| %s | %s | %s | %s |\n' "$i" "$(subject_of "$PATCHES/$p" | cut -c1-60)" \
			"$(wc -l < "$scratch/to.$i")" "$(wc -l < "$scratch/cc.$i")"
	done
	printf '\nround trip: git am %s, b4 am %s; %s\n' "$(cat "$out/roundtrip-git-am")" \
		"$(cat "$out/roundtrip-b4-am")" "$(cat "$out/range-diff.summary" 2>/dev/null || echo 'no range-diff')"
} > "$out/summary.md"
cat "$out/summary.md"
printf '\nTo (cover letter): %s\nCc (cover letter): %s\n' \
	"$(paste -sd, "$out/to.all" | sed 's/,/, /g')" "$(paste -sd, "$out/cc.all" | sed 's/,/, /g')"
log "post: $mbox ($((n + 1)) mails), nothing sent"
[ "$fail" = 0 ] || die "post: $fail check(s) failed"
