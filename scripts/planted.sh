#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# planted.sh [NAME...] - make the tests fail for the right reason.
# Each not-posted/planted-NAME/ that has an 'expect' file holds a patch that
# breaks the kernel on purpose (never posted) and says which profile to run
# (arch=), which cases of the lazy_mmu_mode suite must fail (fail=) and
# which test programs of mm/userspace/ must fail (userspace=); at least one
# of the two. For each: the patch is applied to the applied series for the
# duration (the tree is restored on exit, whatever happens), the profile is
# rebuilt in a copy of its build directory without ccache (a planted object
# must never be stored where a real build could pick it up); with fail=,
# its KUnit run must fail with every named case "not ok"; with userspace=,
# a boot of the same broken kernel (scripts/boot.sh) must report every
# named program "not ok". Other cases failing too is reported, not an
# error. Without names, every planted directory with an 'expect'.
. "$(dirname "$0")/lib.sh"

need git
[ -d "$WORK_TREE/.git" ] || die "no applied series at $WORK_TREE; run 'make apply' first"
[ -z "$(git -C "$WORK_TREE" status --porcelain --untracked-files=no)" ] ||
	die "$WORK_TREE has local changes; run 'make apply' first"

dirs=()
if [ $# -gt 0 ]; then
	for n in "$@"; do
		[ -f "$TOP/not-posted/planted-$n/expect" ] || die "no not-posted/planted-$n/expect"
		dirs+=("$TOP/not-posted/planted-$n")
	done
else
	for d in "$TOP"/not-posted/planted-*/; do
		[ -f "$d/expect" ] && dirs+=("${d%/}")
	done
fi
[ ${#dirs[@]} -gt 0 ] || die "no planted bug with an expect file in not-posted/"

sb=
# The applied tree back as the series left it, or a loud failure: a planted
# bug left in it would go into the next real build.
restore() {
	git -C "$WORK_TREE" checkout -q -- . &&
		[ -z "$(git -C "$WORK_TREE" status --porcelain --untracked-files=no)" ] ||
		die "planted: could not restore $WORK_TREE: run 'make apply' before any build"
}
cleanup() {
	local rc=$?
	restore
	[ -z "$sb" ] || rm -rf "$sb"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# verdict RC WANT CONSOLE REGEX WHAT: the run (exit status RC) must have
# failed, with every name in WANT among the "not ok" results that REGEX
# (its group 1: the name) finds in CONSOLE; counts a miss in $bad.
verdict() {
	local rc=$1 want=$2 console=$3 re=$4 what=$5 failed missing= c in_words
	failed=$({ sed -n -E "s/$re/\\1/p" "$console" || true; } | sort -u | tr '\n' ' ')
	for c in $want; do
		in_words=" $failed "
		[ "${in_words/ $c /}" != "$in_words" ] || missing="$missing $c"
	done
	if [ "$rc" = 0 ]; then
		log "planted $name: FAIL: $what passed on a broken kernel"
		bad=$((bad + 1))
	elif [ -n "$missing" ]; then
		log "planted $name: FAIL: $what failed, but not in:$missing (failed: ${failed:-none}; console: $console)"
		bad=$((bad + 1))
	else
		log "planted $name: ok, $what failed as it must: ${failed% }"
	fi
}

bad=0
for d in "${dirs[@]}"; do
	name=${d##*/planted-}
	arch=$(sed -n 's/^arch=//p' "$d/expect")
	want=$(sed -n 's/^fail=//p' "$d/expect")
	want=$(echo $want)
	uwant=$(echo $(sed -n 's/^userspace=//p' "$d/expect"))
	[ -n "$arch" ] && [ -n "$want$uwant" ] ||
		die "$d/expect: want an 'arch=' line and a 'fail=' or 'userspace=' line"
	[ "$(wc -l <<<"$arch")" = 1 ] || die "$d/expect: one 'arch=' line"
	shopt -s nullglob
	patches=("$d"/*.patch)
	shopt -u nullglob
	[ ${#patches[@]} -gt 0 ] || die "$d: no patch"
	load_arch "$arch"
	[ "$BOOT" = yes ] || die "$d/expect: $arch is build-only, KUnit cannot run there"
	[ -f "$(build_dir "$arch")/$KERNEL_IMAGE" ] ||
		die "$arch: no kernel built for the series; run 'make build ARCH=$arch' first"
	log "planted $name: on $arch, must fail: ${want:+KUnit $want}${want:+${uwant:+, }}${uwant:+userspace $uwant}"
	for p in "${patches[@]}"; do
		git -C "$WORK_TREE" apply "$p" ||
			die "planted $name: ${p##*/} does not apply on the series; update it"
	done
	sb=$(BUILD_TAG=planted build_dir "$arch")
	rm -rf "$sb"
	cp -a "$(build_dir "$arch")" "$sb"
	BUILD_TAG=planted CCACHE_DISABLE=1 "$TOP/scripts/build.sh" "$arch" ||
		die "planted $name: the broken kernel does not build"
	out=$LOG_ROOT/planted-$name.log
	: > "$out"
	if [ -n "$want" ]; then
		rc=0
		console=$LOG_ROOT/kunit-planted-$arch.console.log
		rm -f "$console" "$LOG_ROOT/kunit-planted-$arch.out"
		BUILD_TAG=planted KUNIT_RETRIES=0 "$TOP/scripts/kunit.sh" "$arch" >"$out" 2>&1 || rc=$?
		[ -f "$console" ] || { tail -n 20 "$out" >&2; die "planted $name: KUnit did not run (see $out)"; }
		# the cases reported "not ok" (KTAP subtests: indented result lines)
		verdict "$rc" "$want" "$console" '^[[:space:]]+not ok [0-9]+ ([A-Za-z0-9_]+).*$' KUnit
	fi
	if [ -n "$uwant" ]; then
		uconsole=$LOG_ROOT/boot-planted-$arch.console.log
		rm -f "$uconsole"
		rc=0
		BUILD_TAG=planted "$TOP/scripts/boot.sh" "$arch" >>"$out" 2>&1 || rc=$?
		[ -f "$uconsole" ] || { tail -n 20 "$out" >&2; die "planted $name: the userspace boot did not run (see $out)"; }
		# the programs reported "not ok" (top-level KTAP result lines)
		verdict "$rc" "$uwant" "$uconsole" '^not ok [0-9]+ ([A-Za-z0-9_-]+).*$' userspace
	fi
	restore
	rm -rf "$sb"
	sb=
done
[ "$bad" = 0 ] || die "planted: $bad of ${#dirs[@]} planted bug(s) not caught by the tests"
log "planted: all ${#dirs[@]} planted bug(s) caught"
