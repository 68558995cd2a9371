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
# MAKE_TARGETS=<targets> builds only those (default: everything);
# BUILD_W=<n> passes kbuild's W=<n> (extra warnings) and BUILD_WARN=log
# then only counts new warnings in the log instead of failing on them
# ('make review' compares them against the base itself).
. "$(dirname "$0")/lib.sh"

SRC=${SRC:-$WORK_TREE}
[ -f "$SRC/Makefile" ] || die "no kernel tree at $SRC; run 'make apply' first"
need make ccache
# The real build directories only ever see the series as applied: a planted
# bug or a self-test's change left in the applied tree would otherwise go
# into them (and into ccache).
if [ "$SRC" = "$WORK_TREE" ] && [ -z "${BUILD_TAG:-}" ] && [ -d "$SRC/.git" ] &&
   [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	die "$SRC has local changes (an interrupted self-test or planted run?): run 'make apply' first"
fi

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
	# Configure only when something configuration depends on changed: the
	# fragment, the Kconfig files of the tree, the compiler. Otherwise the
	# existing .config stands (kbuild itself re-syncs it if needed).
	local key
	key=$( { cat "$frag"; echo "$KARCH"
		 git -C "$SRC" ls-files -s -- '*Kconfig*' 2>/dev/null || date +%s%N
		 "${CROSS_COMPILE}gcc" --version | head -n 1; } | sha1sum | cut -c1-40)
	if [ -f "$b/.config" ] && [ "$(cat "$b/.config-key" 2>/dev/null)" = "$key" ]; then
		log "$arch: configuration unchanged"
		: > "$logf"
	else
		log "$arch: configure (tinyconfig + fragments)"
		rm -f "$b/.config-key"
		{
			"${mk[@]}" tinyconfig &&
			"$SRC/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$frag" &&
			"${mk[@]}" olddefconfig
		} >"$logf" 2>&1 || { tail -n 20 "$logf" >&2; die "$arch: configuration failed; see $logf"; }
	fi

	# Every option the profile asks for must have survived olddefconfig
	# (the last fragment that sets an option wins, as in merge_config.sh).
	# KUNIT_LENIENT=1 (per-patch builds, scripts/bisect.sh): a KUnit option
	# of the profile that this commit cannot have yet (s390's suites before
	# the patch that gives s390 the mode) is left out, with a note, and so
	# are the objects it builds (obj-$(CONFIG_...) in a Makefile) among the
	# targets: kbuild would compile a named object whatever the config says.
	local left_out=
	while IFS= read -r opt; do
		sym=${opt%%=*} val=${opt#*=}
		got=$(sed -n "s/^$sym=//p" "$b/.config")
		[ -n "$got" ] || got=n
		[ "$got" = "$val" ] && continue
		if [ "${KUNIT_LENIENT:-}" = 1 ] && [[ " ${KUNIT_CONFIG:-} " == *" $opt "* ]]; then
			log "$arch: $sym=$val not possible at this commit (KUnit option; left out)"
			left_out="$left_out $sym"
			continue
		fi
		die "$arch: $sym=$val requested but .config has $sym=$got (unmet dependency?)"
	done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag" | tac | awk -F= '!seen[$1]++')
	if [ -n "$left_out" ] && [ -n "${MAKE_TARGETS:-}" ]; then
		local mf dir o keep t
		for sym in $left_out; do
			while IFS= read -r mf; do
				dir=${mf%/*}
				for o in $(sed -n -E "s/^obj-\\$\($sym\)[[:space:]]*[+:]?=//p" "$SRC/$mf"); do
					keep=
					for t in $MAKE_TARGETS; do
						[ "$t" = "$dir/$o" ] || keep="$keep $t"
					done
					[ "$keep" = " $MAKE_TARGETS" ] || log "$arch: $dir/$o left out with $sym"
					MAKE_TARGETS=${keep# }
				done
			done < <(git -C "$SRC" grep -l -E "^obj-\\$\($sym\)" -- '*Makefile' '*Kbuild' 2>/dev/null)
		done
	fi
	printf '%s\n' "$key" > "$b/.config-key"

	log "$arch: build${MAKE_TARGETS:+ of $(wc -w <<<"$MAKE_TARGETS") target(s)}${SPARSE:+ with sparse} (make -j$(nproc), log $logf)"
	# shellcheck disable=SC2086
	[ -z "${BUILD_W:-}" ] || mk+=(W="$BUILD_W")
	if [ -n "${SPARSE:-}" ]; then
		[ -x "$SPARSE_BIN" ] || die "no sparse at $SPARSE_BIN; run 'make setup'"
		mk+=(C="$SPARSE" CHECK="$SPARSE_BIN")
	fi
	"${mk[@]}" -j"$(nproc)" ${MAKE_TARGETS:-} >>"$logf" 2>&1 ||
		{ grep -E 'error|Error' "$logf" | head -n 20 >&2 || true; die "$arch: build failed; see $logf"; }
	[ -n "${MAKE_TARGETS:-}" ] || [ -f "$b/$KERNEL_IMAGE" ] ||
		die "$arch: build produced no $KERNEL_IMAGE"
	# kbuild turns C=1 off with only a make warning when the checker is
	# missing or too old: that is a failure, not a pass.
	if grep -q 'specified, but .* is not available or not up to date' "$logf"; then
		die "$arch: kbuild refused the checker ($SPARSE_BIN): sparse did not run"
	fi
	if [ -n "${SPARSE:-}" ] && [ -n "${MAKE_TARGETS:-}" ] && ! grep -qE '^ +CHECK ' "$logf" &&
	   grep -qE '^ +CC( \[M\])? +[^ ]+\.o$' "$logf"; then
		die "$arch: C=1 was asked for but sparse checked nothing (see $logf)"
	fi
	# Any compiler warning or sparse error fails; a sparse warning fails
	# unless the base tree has it as often (mm/sparse-baseline: file and
	# message, no line number, one line per occurrence).
	local warn
	warn=$(grep -E '(^|: )(warning|error):' "$logf" | sed -E -e "s|^$SRC/||" -e 's|^\./||' \
		-e 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' |
		awk 'NR == FNR { if ($0 !~ /^#/ && $0 != "") allowed[$0]++; next }
		     { if (++seen[$0] > allowed[$0]) print }' "$TOP/mm/sparse-baseline" - || true)
	if [ -n "$warn" ] && [ "${BUILD_WARN:-}" = log ]; then
		log "$arch: $(printf '%s\n' "$warn" | wc -l) warning(s) in $logf (BUILD_WARN=log)"
	elif [ -n "$warn" ]; then
		printf '%s\n' "$warn" >&2
		die "$arch: the build printed $(printf '%s\n' "$warn" | wc -l) new warning(s) (see $logf)"
	fi
	log "$arch: build ok in $(( $(date +%s) - t0 )) s"
}

for_each_arch build_one "$@"
