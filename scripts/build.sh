#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh ARCH... - configure and build the kernel for each arch profile,
# out of tree (make O=) in the cache, with ccache.
#
#   config = tinyconfig + arch/common.config + arch/<arch>/config
#            + the profile's KUNIT_CONFIG
#
# SRC=<dir> builds another tree (default: the tree the series is applied to);
# BUILD_TAG=<name> keeps a separate build directory per tree;
# MAKE_TARGETS=<targets> builds only those (default: everything).
. "$(dirname "$0")/lib.sh"

SRC=${SRC:-$WORK_TREE}
[ -f "$SRC/Makefile" ] || die "no kernel tree at $SRC; run 'make apply' first"
need make ccache

PATH=$(shim_path):$PATH

build_one() {
	local arch=$1 b frag want opt sym val got t0
	load_arch "$arch"
	b=$(build_dir "$arch")
	mkdir -p "$b" "$LOG_ROOT"
	local logf=$LOG_ROOT/build-${BUILD_TAG:+$BUILD_TAG-}$arch.log
	if [ -n "$CROSS_COMPILE" ]; then
		command -v "${CROSS_COMPILE}gcc" >/dev/null ||
			die "${CROSS_COMPILE}gcc not found; run 'make setup'"
	fi
	local mk=(make -C "$SRC" O="$b" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE"
		  CC="ccache ${CROSS_COMPILE}gcc" HOSTCC="ccache gcc"
		  KBUILD_BUILD_TIMESTAMP="2026-01-01" KBUILD_BUILD_USER=lazy-mmu
		  KBUILD_BUILD_HOST=workbench)

	frag=$b/profile.config
	{ cat "$TOP/arch/common.config" $(profile_configs)
	  printf '%s\n' ${KUNIT_CONFIG:-}; } > "$frag"

	t0=$(date +%s)
	log "$arch: configure (tinyconfig + fragments)"
	{
		"${mk[@]}" tinyconfig &&
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$frag" &&
		"${mk[@]}" olddefconfig
	} >"$logf" 2>&1 || { tail -n 20 "$logf" >&2; die "$arch: configuration failed; see $logf"; }

	# Every option the profile asks for must have survived olddefconfig
	# (the last fragment that sets an option wins, as in merge_config.sh).
	while IFS= read -r opt; do
		sym=${opt%%=*} val=${opt#*=}
		got=$(sed -n "s/^$sym=//p" "$b/.config")
		[ -n "$got" ] || got=n
		[ "$got" = "$val" ] ||
			die "$arch: $sym=$val requested but .config has $sym=$got (unmet dependency?)"
	done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag" | tac | awk -F= '!seen[$1]++')

	log "$arch: build (make -j$(nproc), log $logf)"
	# shellcheck disable=SC2086
	"${mk[@]}" -j"$(nproc)" ${MAKE_TARGETS:-} >>"$logf" 2>&1 ||
		{ grep -E 'error|Error' "$logf" | head -n 20 >&2 || true; die "$arch: build failed; see $logf"; }
	[ -n "${MAKE_TARGETS:-}" ] || [ -f "$b/$KERNEL_IMAGE" ] ||
		die "$arch: build produced no $KERNEL_IMAGE"
	if grep -E '(^|: )warning:' "$logf" >&2; then
		die "$arch: the build printed compiler warnings (see $logf)"
	fi
	log "$arch: build ok in $(( $(date +%s) - t0 )) s"
}

for_each_arch build_one "$@"
