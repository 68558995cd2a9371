#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# opaque.sh - the opaque-type check: is lazy_mmu_state_t really the
# architecture's business? Applies not-posted/opaque-state/*.patch (arm64's
# int-flag state becomes a pointer, as s390's will be) on top of the applied
# series, in a scratch clone, and compiles for arm64 (OPAQUE_ARCH) 'prepare'
# plus every object that uses the lazy MMU mode or that the series changes
# (whole directories if arm64 has no tip build yet): generic code must
# compile unchanged with no new warning. The other two guards are
# elsewhere: riscv (no mode) builds generic code with an empty struct as the
# state, and sparse checks the __bitwise int states on every profile.
. "$(dirname "$0")/lib.sh"

ARCH=${OPAQUE_ARCH:-arm64}
need git
[ -d "$WORK_TREE/.git" ] || die "no applied series at $WORK_TREE; run 'make apply' first"
shopt -s nullglob
patches=("$TOP"/not-posted/opaque-state/*.patch)
[ ${#patches[@]} -gt 0 ] || die "no patch in not-posted/opaque-state/"
# OPAQUE_EXTRA=<dir>: more patches on top (the self-test plants a bug)
[ -z "${OPAQUE_EXTRA:-}" ] || patches+=("$OPAQUE_EXTRA"/*.patch)

tree=$CACHE/opaque-tree
tip=$(git -C "$WORK_TREE" rev-parse -q --verify "refs/heads/$SERIES_BRANCH") ||
	die "branch $SERIES_BRANCH not found in $WORK_TREE; run 'make apply' first"
if [ ! -d "$tree/.git" ]; then
	git clone -q --shared --no-checkout "$WORK_TREE" "$tree"
fi
g() { git -C "$tree" "$@"; }
g fetch -q "$WORK_TREE" "refs/heads/$SERIES_BRANCH" || die "cannot fetch the series into $tree"
g am --abort >/dev/null 2>&1 || true
# Keep file times where nothing changed (the build directory stays warm):
# check out the series tip over the previous state, then apply.
g checkout -q -f --detach "$tip"
g clean -q -f -d -x
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-lazy-mmu workbench}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-workbench@lazy-mmu.invalid}
for p in "${patches[@]}"; do
	out=$(g am -q "$p" 2>&1) || {
		g am --abort >/dev/null 2>&1 || true
		printf '%s\n' "$out" >&2
		die "opaque: ${p##*/} does not apply on the series; update it"
	}
done

load_arch "$ARCH"
# What generic code could trip over: every C file that uses the mode or
# that the series (or the patches here) changes, as far as this profile
# builds it (its tip build tells); whole directories without that build.
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
objs=$({ g diff --name-only --diff-filter=d "$base" HEAD -- '*.c' || true
	 g grep -l -E 'lazy_mmu|LAZY_MMU' HEAD -- '*.c' | sed 's|^HEAD:||' || true; } | sort -u |
       built_objects "$(srcarch)" "$(build_dir "$ARCH")" || true)
if [ -n "$objs" ]; then
	targets="prepare $(echo $objs)"
else
	targets="prepare mm/ fs/proc/ ${BISECT_DIRS:-}"
fi
log "opaque: $ARCH with a pointer lazy_mmu_state_t ($(g log -1 --format=%h)): $(wc -w <<<"$targets") target(s)"
SRC=$tree BUILD_TAG=opaque MAKE_TARGETS="$targets" "$TOP/scripts/build.sh" "$ARCH" ||
	die "opaque: generic code does not build with a pointer lazy_mmu_state_t on $ARCH"
log "opaque: ok, generic code builds unchanged with a pointer state"
