#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# base.sh [ARCH...] - the base tree (mainline, with mainline's own
# lazy_mmu_mode KUnit suite) built with the same profiles as the series,
# KUnit-tested and booted with the same userspace programs and the base's
# own mm selftests: each arch as three counted stages (base-build-, base-
# kunit-, base-boot-ARCH), so that every result of the series has the
# base's next to it. Default: every boot profile (BOOT_ARCHES).
#
# Where the base fails, the profile says so in data, and the failure must
# be that one:
#   BASE_KUNIT_SUITES  the suites expected on the base (default: the
#                      profile's KUNIT_SUITES); empty: the base has no
#                      lazy MMU mode there (s390), KUnit is not run
#   BASE_XFAIL         stages that fail on the base: "kunit", "boot"
#   BASE_XFAIL_MATCH   an extended regex the failed stage's console log
#                      must match, and every WARNING/BUG/Oops/panic line
#                      in it too (the known bug, and nothing else)
#   BASE_XFAIL_WHY     the bug, in one line
#   BASE_FIXES         the series' patches (numbers in patches/series)
#                      that fix it: applied onto a copy of the base
#                      ($CACHE/basefix), whose stages (basefix-*) must pass
# An expected failure that passes fails its stage: the profile is wrong.
# The stage table goes to $CACHE/results-base (the gate's and main job's
# stay as they are); ends with "N passed, N failed" and exits non-zero if
# anything failed. 'make test-all' runs it as one stage.
. "$(dirname "$0")/lib.sh"

RESULTS=$CACHE/results-base
PATCHES=${PATCHES:-$TOP/patches}
need git
[ -d "$BASE_REPO/.git" ] || die "no base tree at $BASE_REPO; run 'make fetch' first"
FIX_TREE=$CACHE/basefix

# The base with the fixing patches of the series on top, rebuilt only when
# the base or those patches change.
fix_tree() {
	local n f stamp=
	for n in $BASE_FIXES; do
		f=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | sed -n "${n}p")
		{ [ -n "$f" ] && [ -f "$PATCHES/$f" ]; } ||
			die "arch/$ARCH_NAME/profile: BASE_FIXES names patch $n, which patches/series does not have"
		stamp="$stamp $(sha1sum < "$PATCHES/$f" | cut -c1-12)"
	done
	stamp="$(git -C "$BASE_REPO" rev-parse HEAD)$stamp"
	if [ "$(cat "$FIX_TREE.stamp" 2>/dev/null)" = "$stamp" ] &&
	   [ -z "$(git -C "$FIX_TREE" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		return 0
	fi
	log "$ARCH_NAME: the base with patch(es) $BASE_FIXES in $FIX_TREE"
	rm -rf "$FIX_TREE" "$FIX_TREE.stamp"
	git clone -q --shared "$BASE_REPO" "$FIX_TREE" || die "cannot copy the base tree"
	for n in $BASE_FIXES; do
		f=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | sed -n "${n}p")
		git -C "$FIX_TREE" -c user.name=base -c user.email=base@localhost \
			am -q "$PATCHES/$f" >/dev/null 2>&1 ||
			die "patch $n ($f) does not apply to the base"
	done
	printf '%s\n' "$stamp" > "$FIX_TREE.stamp"
}

# base_stages TAG SRC: build, KUnit and boot of the loaded profile's arch
# from the tree SRC, as stages TAG-build-ARCH, TAG-kunit-ARCH, TAG-boot-ARCH.
base_stages() {
	local tag=$1 src=$2 a=$ARCH_NAME suites
	suites=${BASE_KUNIT_SUITES-$KUNIT_SUITES}
	if ! stage "$tag-build-$a" env SRC="$src" BUILD_TAG="$tag" KUNIT_LENIENT=1 \
		"$TOP/scripts/build.sh" "$a"; then
		stage_skip "$tag-kunit-$a" "not run: the build failed"
		stage_skip "$tag-boot-$a" "not run: the build failed"
		return
	fi
	if [ -z "$suites" ]; then
		log "$a: KUnit not run on the $tag tree: no suite expected there (BASE_KUNIT_SUITES is empty)"
	elif [ "$tag" = base ]; then
		stage "$tag-kunit-$a" base_xfail kunit "$tag" env SRC="$src" BUILD_TAG="$tag" \
			KUNIT_EXPECT_SUITES="$suites" "$TOP/scripts/kunit.sh" "$a" || true
	else
		stage "$tag-kunit-$a" env SRC="$src" BUILD_TAG="$tag" \
			KUNIT_EXPECT_SUITES="$suites" "$TOP/scripts/kunit.sh" "$a" || true
	fi
	if [ "$tag" = base ]; then
		stage "$tag-boot-$a" base_xfail boot "$tag" env SRC="$src" BUILD_TAG="$tag" \
			"$TOP/scripts/boot.sh" "$a" || true
	else
		stage "$tag-boot-$a" env SRC="$src" BUILD_TAG="$tag" "$TOP/scripts/boot.sh" "$a" || true
	fi
}

# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $BOOT_ARCHES
arches=$(arch_list "$@") || exit 1
stage_reset
for a in $arches; do
	load_arch "$a"
	[ "$BOOT" = yes ] || die "$a: profile is build-only (BOOT=$BOOT)"
	base_stages base "$BASE_REPO"
	if [ -n "${BASE_FIXES:-}" ]; then
		fix_tree
		load_arch "$a"
		base_stages basefix "$FIX_TREE"
	fi
done
printf '\nBase stages (%s, logs in %s):\n' "$(base_version)" "$RESULTS"
column -t -s "$(printf '\t')" "$RESULTS/stages.tsv" | sed 's/^/  /'
printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
