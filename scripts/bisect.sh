#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bisect.sh [PROFILE...] - build every patch of the series on top of its
# predecessors (patch N alone, not only the whole series).
#
# Which profiles a patch is built on (BISECT_MODE):
#   gate (default, what 'make test' runs): the profiles the patch can break.
#     - a patch that changes only Documentation/ or MAINTAINERS, or only
#       comments in C files and headers (the files are the same after
#       gcc -fpreprocessed, which strips comments): none;
#     - a patch that changes files under arch/<a>/: every profile of arch <a>
#       (x86 -> x86_64 and x86_64-noxen, sparc -> sparc64, ...) and the
#       profile without the mode, BISECT_NOMODE (default riscv; its inputs
#       did not change, so this is normally a reused result);
#     - a patch that changes anything else (include/, mm/, fs/, kernel/,
#       Kconfig...): the representative set BISECT_GENERIC (default
#       "x86_64 riscv s390": an int-state arch through paravirt headers, an
#       arch without the mode built with KASAN, and s390 for the pointer
#       state), plus the profiles of any arch it also touches.
#     What is compiled for a patch: 'prepare' (asm-offsets and the other
#     generated headers) and every object of the profile that the series
#     changes or that uses the lazy MMU mode (git grep at that commit), with
#     sparse (C=1). Before the walk, the tip is built with whole directories
#     (mm/ fs/proc/ and the profile's BISECT_DIRS) on every profile the boot stages do not build in full
#     (the build-only ones): that checks them at the tip and tells which
#     objects each profile builds.
#   all ('make test-all', after the gate's walk): every patch on every
#     profile in BISECT_ALL, compiling the same targets as the gate, with
#     sparse; what the gate built is reused (same stamps, same build
#     directories), so this adds the profiles the gate's rule leaves out.
#
# A result is keyed by the profile and the state of the tree that profile
# compiles (every top-level entry but arch/ and Documentation/, plus
# arch/<its arch>/), the config fragment, the target list and the compiler:
# a patch that does not change those inputs reuses the earlier result, and
# so does a later run on the same machine ($BUILD_ROOT/stamps-*, removed
# with the build directories by 'make clean').
#
# SPARSE=1 in build.sh is kbuild's C=1 (check what is recompiled); the
# baseline uses C=2 (check every object named).
#
# Each commit is checked out in a scratch clone of the applied tree and built
# into its own build directory per profile (BUILD_TAG=bisect),
# so the tip's build directories stay warm. A sparse warning in an object
# fails the patch unless it is listed in mm/sparse-baseline (warnings the
# base tree already has, file and message without line numbers).
. "$(dirname "$0")/lib.sh"

MODE=${BISECT_MODE:-gate}
# The gate's rule (make test must fit its hour cold): a generic patch on
# x86_64 and s390, an arch patch on its arch; riscv (no lazy MMU mode) is
# compiled at the tip only. BISECT_MODE=all builds every patch on every
# profile anyway.
BISECT_GENERIC=${BISECT_GENERIC:-x86_64 s390}
BISECT_ALL=${BISECT_ALL:-$ALL_ARCHES x86_64-noxen riscv}
BISECT_NOMODE=${BISECT_NOMODE-}
# profiles whose full tip build is the reference of what a profile builds
# (BISECT_TIP_BUILT: those the gate links; the same in every mode, so that
# what is checked does not depend on the run); the others are compiled at
# the tip first, whole directories
TIP_BUILT=${TIP_BUILT-$BISECT_TIP_BUILT}
case "$MODE" in
gate|all) ;;
*) die "BISECT_MODE=$MODE: want 'gate' or 'all'" ;;
esac
[ "${1:-}" != --baseline ] || { SPARSE_BASELINE=1; shift; }
profiles=$(arch_list "${@:-$BISECT_ALL}") || exit 1
profiles=$(echo $profiles)
[ -d "$WORK_TREE/.git" ] || die "no applied tree; run 'make apply' first"
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
list=$(git -C "$WORK_TREE" rev-list --reverse "$base..$SERIES_BRANCH") ||
	die "cannot list the series: $SERIES_BRANCH in $WORK_TREE on top of $base"
mapfile -t commits <<<"$list"
[ -n "$list" ] || die "the series branch $SERIES_BRANCH has no commit on top of the base"

scratch=$CACHE/bisect-tree
if [ ! -d "$scratch/.git" ]; then
	git clone -q --shared --no-checkout "$WORK_TREE" "$scratch"
fi
git -C "$scratch" fetch -q "$WORK_TREE" "$SERIES_BRANCH"
tip=${commits[${#commits[@]}-1]}
g() { git -C "$scratch" "$@"; }

# C files the series changes anywhere (the objects the gate compiles, with
# the users of the lazy MMU mode found at each commit).
series_c=$(g diff --name-only --diff-filter=d "$base" "$tip" -- '*.c')

# strip_comments: a C file on stdin, its code on stdout as the compiler
# sees it after translation phases 2-3: lines spliced first (a comment
# ending in a backslash swallows the next line), then comments removed by
# gcc's own pass (-fpreprocessed: directives, macros and strings kept).
# Fails if gcc fails or warns about a comment (-Wcomment: "/*" within a
# comment, a multi-line // comment, which the kernel's -Wall reports too).
strip_comments() {
	local out err
	err=$(mktemp)
	out=$(perl -0pe 's/\\[ \t]*\n//g' | gcc -fpreprocessed -dD -E -P -Wcomment -x c - 2>"$err") &&
		! grep -q 'Wcomment' "$err" || { rm -f "$err"; return 1; }
	rm -f "$err"
	printf '%s\n' "$out"
}

# comment_only COMMIT FILE: the change to a C source or header is in its
# comments only: both versions give the same code after strip_comments, so
# no object can differ (line numbers in WARN/BUG tables aside). Never for
# headers whose text kbuild checksums (include/linux/atomic/).
comment_only() {
	local c=$1 f=$2 a b
	case "$f" in
	include/linux/atomic/*) return 1 ;;
	*.c|*.h) ;;
	*) return 1 ;;
	esac
	a=$(g show "$c^:$f" 2>/dev/null | strip_comments) || return 1
	b=$(g show "$c:$f" 2>/dev/null | strip_comments) || return 1
	[ "$a" = "$b" ]
}

# profiles_for COMMIT: the profiles the gate builds for a commit.
profiles_for() {
	local c=$1 f files generic= arches= p out=
	files=$(g diff-tree --no-commit-id -r --name-only "$c^" "$c") ||
		die "cannot list the files of $c"
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		comment_only "$c" "$f" && continue
		case "$f" in
		Documentation/*|MAINTAINERS|CREDITS|LICENSES/*) ;;
		arch/*/*) f=${f#arch/}; in_list "${f%%/*}" "$arches" || arches="$arches ${f%%/*}" ;;
		*) generic=1 ;;
		esac
	done <<<"$files"
	[ -n "$generic$arches" ] || return 0
	for p in $profiles; do
		if [ "$MODE" = all ] ||
		   { [ -n "$generic" ] && in_list "$p" "$BISECT_GENERIC"; } ||
		   { [ -n "$arches" ] && in_list "$p" "$BISECT_NOMODE"; } ||
		   in_list "$(load_arch "$p"; srcarch)" "$arches"; then
			out="$out $p"
		fi
	done
	printf '%s\n' "${out# }"
}

# users_at COMMIT: C files that use the lazy MMU mode at COMMIT (cached).
declare -A users_cache
users_at() {
	if [ -z "${users_cache[$1]+set}" ]; then
		users_cache[$1]=$(g grep -l -E 'lazy_mmu|LAZY_MMU' "$1" -- '*.c' | sed "s|^$1:||" || true)
	fi
	printf '%s\n' "${users_cache[$1]}"
}

# targets_for PROFILE COMMIT BUILD_DIR: what to compile (loaded profile):
# 'prepare' and the objects of the C files the series changes or that use
# the mode at COMMIT, those this profile builds. Which it builds comes from
# a reference that is the same in every run: the full tip build of a boot
# profile the calling run links first (TIP_BUILT); for a build-only profile
# or one it does not link (the gate's x86_64), its per-patch build
# directory, which the whole-directory tip build fills
# (not its full link, which only 'make test-all' makes: the set of objects
# checked must not depend on what ran on this machine before).
targets_for() {
	local p=$1 c=$2 b=$3 out ref=
	in_list "$p" "$TIP_BUILT" && ref=$(build_dir "$p")
	out=$({ printf '%s\n' "$series_c"; users_at "$c"; } | sort -u |
		while IFS= read -r f; do
			g cat-file -e "$c:$f" 2>/dev/null && printf '%s\n' "$f"
		done | built_objects "$(srcarch)" $ref "$b")
	[ -n "$out" ] ||
		die "$p: none of the objects to check is built in $(build_dir "$p") or $b: no reference build"
	printf 'prepare %s\n' "$(echo $out)"
}

# input_key PROFILE COMMIT TARGETS: the state of what the profile compiles.
input_key() {
	local p=$1 c=$2 t=$3
	{
		g ls-tree "$c" | grep -v -P '\t(arch|Documentation)$'
		g ls-tree "$c" arch/ | grep -P '^\S+ blob '
		g rev-parse "$c:arch/$(srcarch)"
		"$SPARSE_BIN" --version 2>&1
		cat "$TOP/scripts/build.sh" "$TOP/scripts/bisect.sh"
		cat "$TOP/arch/common.config" $(profile_configs)
		printf '%s\n' "$t" ${KUNIT_CONFIG:-}
		"${CROSS_COMPILE}gcc" --version 2>/dev/null | head -n 1
		cat "$TOP/mm/sparse-baseline"
	} | sha1sum | cut -c1-20
}

PATH=$(shim_path):$PATH
tag=bisect	# gate and all share results: same targets, same keys
stamps=$BUILD_ROOT/stamps-$tag	# 'make clean' drops them with the build dirs
checked=
# The builds of one commit (one profile each, own build directory, the
# same checkout) run BISECT_JOBS at a time: kbuild's serial parts (make's
# start, syncconfig, prepare) of one overlap the compiles of another.
JOBS=${BISECT_JOBS:-2}
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "BISECT_JOBS=$JOBS: want a number > 0"
counts=$(mktemp)	# one line per build: built, reused or bad
outcome=$(mktemp -d)	# per build "<patch>-<profile>": built, reused or FAIL
pids=()
# no build may outlive the script (a 'die' between builds, a stage timeout)
stop_builds() {
	local pid
	for pid in "${pids[@]:-}"; do
		[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$counts" "$outcome"
}
trap stop_builds EXIT
trap 'exit 1' INT TERM

# build_at N COMMIT PROFILE TARGETS: one keyed, stamped build of the
# commit checked out in the scratch tree (checkout_at), in the background
# (start_build). Sparse runs when the targets are single objects (the
# gate's lists), whose base-tree warnings mm/sparse-baseline holds; whole
# directories are compiled only. Its outcome goes to the verdicts and to
# $counts, as the caller's variables cannot change in a background job.
build_at() {
	local i=$1 c=$2 p=$3 targets=$4 key subj sparse=
	case "$targets" in */\ *|*/) ;; *) sparse=1 ;; esac
	subj=$(g log -1 --format=%s "$c")
	load_arch "$p"
	key=$(input_key "$p" "$c" "$targets")
	if [ -f "$stamps/$p/$key" ]; then
		log "bisect: patch $i/${#commits[@]} on $p: inputs unchanged, built before ($(cat "$stamps/$p/$key"))"
		printf '%s\t%s\tok\n' "$i" "$p" >> "$verdicts"
		echo reused >> "$counts"
		echo reused > "$outcome/$i-$p"
		return 0
	fi
	log "bisect: patch $i/${#commits[@]} on $p: $subj"
	b=$(BUILD_TAG=$tag build_dir "$p")
	# C=1 checks what is recompiled: the first checked build of a profile
	# in this run, and any build after a failed one, compiles (and so
	# checks) every object in its list from scratch.
	if [ -n "$sparse" ] && ! in_list "$p" "$checked"; then
		[ ! -d "$b" ] || (cd "$b" && rm -f $targets)
	fi
	if SRC=$scratch BUILD_TAG=$tag MAKE_TARGETS=$targets SPARSE=$sparse KUNIT_LENIENT=1 \
		"$TOP/scripts/build.sh" "$p"; then
		mkdir -p "$stamps/$p"
		printf 'patch %d, %s\n' "$i" "$(date -u +%Y-%m-%dT%H:%MZ)" > "$stamps/$p/$key"
		echo built >> "$counts"
		printf '%s\t%s\tok\n' "$i" "$p" >> "$verdicts"
		echo built > "$outcome/$i-$p"
	else
		log "bisect: patch $i ($subj) does not build on $p"
		printf '%s\t%s\tFAIL\n' "$i" "$p" >> "$verdicts"
		echo bad >> "$counts"
		echo FAIL > "$outcome/$i-$p"
	fi
}

checkout_at() { g checkout -q -f --detach "$1"; }

# start_build N COMMIT PROFILE TARGETS: build_at in the background, at most
# $JOBS at a time. A profile counts as checked (its next build compiles
# only what changed) from its first checked build on; end_builds waits for
# the commit's builds and takes a profile out of $checked again if that
# build failed or was a reused result (nothing compiled).
declare -A job_profile
new_checked=
start_build() {
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	build_at "$@" &
	pids+=("$!")
	job_profile[$!]=$3
	case "$4" in
	*/\ *|*/) ;;
	*) if ! in_list "$3" "$checked"; then
		checked="$checked $3"
		new_checked="$new_checked $3"
	   fi ;;
	esac
}
end_builds() {
	local i=$1 p pid
	# bash keeps the status of a job that 'wait -n' already reaped; a build
	# that stopped on an error of its own (exit status, no outcome) fails
	for pid in "${pids[@]}"; do
		p=${job_profile[$pid]}
		if ! wait "$pid" || [ ! -f "$outcome/$i-$p" ]; then
			if [ ! -f "$outcome/$i-$p" ]; then
				log "bisect: the build of patch $i on $p stopped with an error"
				printf '%s\t%s\tFAIL\n' "$i" "$p" >> "$verdicts"
				echo bad >> "$counts"
				echo FAIL > "$outcome/$i-$p"
			fi
		fi
	done
	pids=()
	job_profile=()
	for p in $checked; do
		case "$(cat "$outcome/$i-$p" 2>/dev/null)" in
		FAIL) ;;
		reused) in_list "$p" "$new_checked" || continue ;;
		*) continue ;;
		esac
		checked=$(for q in $checked; do [ "$q" = "$p" ] || printf ' %s' "$q"; done)
	done
	new_checked=
}

n=${#commits[@]}
if [ "${1:-}" = --baseline ] || [ "${SPARSE_BASELINE:-}" = 1 ]; then
	# Print the sparse warnings of the base tree in the objects the gate
	# checks, in mm/sparse-baseline's format, for every profile given.
	g checkout -q -f --detach "$base"
	for p in $profiles; do
		load_arch "$p"
		b=$(BUILD_TAG=$tag-base build_dir "$p")
		t=$(targets_for "$p" "$base" "$b")
		SRC=$scratch BUILD_TAG=$tag-base MAKE_TARGETS="$t" SPARSE=2 \
			"$TOP/scripts/build.sh" "$p" >/dev/null 2>&1 || true
		grep -E '(^|: )(warning|error):' "$LOG_ROOT/build-$tag-base-$p.log" | sed -E -e "s|^$scratch/||" \
			-e 's|^\./||' -e 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' | sort | uniq -c || true
	done | awk '{ n = $1; sub(/^ *[0-9]+ /, ""); if (n > max[$0]) max[$0] = n }
		    END { for (w in max) for (i = 0; i < max[w]; i++) print w }' | sort
	exit 0
fi
# per patch and profile: "N<TAB>profile<TAB>ok|FAIL" ('make review' reads it)
verdicts=$RESULTS/bisect-$MODE-patches.tsv
mkdir -p "$RESULTS"
: > "$verdicts"
# The tip first, whole directories, on every profile the boot stages do
# not build in full: it checks the build-only profiles at the tip and tells
# which objects each profile builds.
checkout_at "$tip"
for p in $profiles; do
	load_arch "$p"
	in_list "$p" "$TIP_BUILT" && [ -f "$(build_dir "$p")/vmlinux" ] && continue
	start_build "$n" "$tip" "$p" "prepare mm/ fs/proc/ ${BISECT_DIRS:-}"
done
end_builds "$n"
walk=("${commits[@]}")
i=0
for c in "${walk[@]}"; do
	i=$((i + 1))
	want=$(profiles_for "$c")
	if [ -z "$want" ]; then
		printf '%s\t-\tnone\n' "$i" >> "$verdicts"
		log "bisect: patch $i/$n: $(g log -1 --format=%s "$c"): no profile in the set can break it (documentation, comments only, or another arch)"
		continue
	fi
	users_at "$c" >/dev/null	# fill the cache in this shell
	checkout_at "$c"
	for p in $want; do
		load_arch "$p"
		if ! t=$(targets_for "$p" "$c" "$(BUILD_TAG=$tag build_dir "$p")"); then
			printf '%s\t%s\tFAIL\n' "$i" "$p" >> "$verdicts"
			echo bad >> "$counts"
			continue
		fi
		start_build "$i" "$c" "$p" "$t"
	done
	end_builds "$i"
done
built=$(grep -c '^built$' "$counts" || true)
reused=$(grep -c '^reused$' "$counts" || true)
bad=$(grep -c '^bad$' "$counts" || true)
[ "$bad" = 0 ] || die "bisect: $bad patch/profile build(s) failed"
log "bisect ($MODE): $n patches: $built build(s), $reused reused, all ok"
