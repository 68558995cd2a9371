#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bisect.sh [ARCH...] - build every patch of the series on top of its
# predecessors (patch N alone, not only the whole series), for every
# profile given (default: the five boot arches plus the build-only
# x86_64-noxen and riscv). The tip itself is built by the normal stages.
#
# Each commit is checked out in a scratch clone of the applied tree and built
# into its own build directory per arch (BUILD_TAG=bisect), so the tip's
# build stays warm. What is built for an intermediate commit: every directory
# the series touches (mm/ fs/proc/ and the profile's BISECT_DIRS, e.g.
# arch/x86/xen/), after 'prepare' (asm-offsets and the other generated
# headers). Every file there includes the changed headers, so their inline
# code is compiled in each; linking and modules are checked on the tip, which
# the normal stages build in full. BISECT_TARGETS=all builds everything.
. "$(dirname "$0")/lib.sh"

arches=$(arch_list "${@:-$ALL_ARCHES x86_64-noxen riscv}") || exit 1
arches=$(echo $arches)
[ -d "$WORK_TREE/.git" ] || die "no applied tree; run 'make apply' first"
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
mapfile -t commits < <(git -C "$WORK_TREE" rev-list --reverse "$base..$SERIES_BRANCH")
if [ ${#commits[@]} -le 1 ]; then
	log "bisect: ${#commits[@]} patch(es): nothing to build beyond the tip"
	exit 0
fi

scratch=$CACHE/bisect-tree
if [ ! -d "$scratch/.git" ]; then
	git clone -q --shared --no-checkout "$WORK_TREE" "$scratch"
fi
git -C "$scratch" fetch -q "$WORK_TREE" "$SERIES_BRANCH"

bad=0 i=0
for c in "${commits[@]:0:${#commits[@]}-1}"; do
	i=$((i + 1))
	git -C "$scratch" checkout -q -f --detach "$c"
	subj=$(git -C "$scratch" log -1 --format=%s)
	log "bisect: patch $i/${#commits[@]}: $subj"
	for a in $arches; do
		targets=${BISECT_TARGETS:-$( load_arch "$a"; echo "prepare mm/ fs/proc/ ${BISECT_DIRS:-}" )}
		[ "$targets" != all ] || targets=
		if ! SRC=$scratch BUILD_TAG=bisect MAKE_TARGETS=$targets \
			"$TOP/scripts/build.sh" "$a"; then
			log "bisect: patch $i ($subj) does not build on $a"
			bad=$((bad + 1))
		fi
	done
done
[ "$bad" = 0 ] || die "bisect: $bad patch/arch build(s) failed"
log "bisect: patches 1..$i build on: $arches"
