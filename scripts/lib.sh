# SPDX-License-Identifier: GPL-2.0
# Common helpers for the workbench scripts; sourced, never run.
#
# Every script sources this file, so paths, logging and the arch profile
# loader exist exactly once.

set -o errexit -o nounset -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LAZY_MMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazy-mmu}
BASE_REPO=$CACHE/base		# git repo made from the Debian package
WORK_TREE=$CACHE/tree		# where the series is applied
BUILD_ROOT=$CACHE/build		# make O= directories, one per arch/variant
LOG_ROOT=${LOG_DIR:-$CACHE/logs}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
SERIES_BRANCH=lazy-mmu-series
ALL_ARCHES="x86_64 arm64 powerpc sparc64 s390"
START_TIME=${START_TIME:-$(date +%s)}
export START_TIME

log() {
	local now=$(( $(date +%s) - START_TIME ))
	printf '[%02d:%02d] %s\n' $((now / 60)) $((now % 60)) "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "'$t' is not installed; run 'make setup' (or scripts/setup.sh)"
	done
}

# The pinned Debian package version of linux-source-7.3.
base_version() {
	sed -n '1{s/[[:space:]]*$//;p}' "$TOP/patches/base-version"
}

# Git tag for a package version: 7.3.4-1~bpo13+1 -> debian/7.3.4-1_bpo13+1
base_tag() {
	local v=${1:-$(base_version)}
	printf 'debian/%s\n' "$(printf '%s' "$v" | tr '~:' '_%')"
}

# The repository the series applies to: KERNEL_SRC or the package repo.
# Prints "<repo> <ref>".
base_ref() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC does not exist"
		git -C "$KERNEL_SRC" rev-parse --git-dir >/dev/null 2>&1 ||
			die "KERNEL_SRC=$KERNEL_SRC is not a git tree"
		printf '%s %s\n' "$KERNEL_SRC" "${KERNEL_REF:-HEAD}"
	else
		[ -f "$BASE_REPO/.base-tag" ] ||
			die "no base tree in $BASE_REPO; run 'make fetch' first"
		printf '%s %s\n' "$BASE_REPO" "$(cat "$BASE_REPO/.base-tag")"
	fi
}

# Load an arch profile (data only) into the environment.
load_arch() {
	local arch=$1 f=$TOP/arch/$1/profile
	case "$arch" in
	''|*/*|.*) die "unknown arch '$arch' (known: $(known_arches))" ;;
	esac
	[ -f "$f" ] || die "unknown arch '$arch' (known: $(known_arches))"
	# shellcheck disable=SC1090
	. "$f"
	ARCH_NAME=$arch
	ARCH_DIR=$TOP/arch/$arch
}

known_arches() {
	local d out=
	for d in "$TOP"/arch/*/profile; do
		d=${d%/profile}
		out="$out ${d##*/}"
	done
	printf '%s\n' "${out# }"
}

# Expand "all" and comma/space separated lists, validating each name.
arch_list() {
	local a list=${*:-x86_64}
	[ "$list" = all ] && list=$ALL_ARCHES
	for a in ${list//,/ }; do
		[ -f "$TOP/arch/$a/profile" ] ||
			die "unknown arch '$a' (known: $(known_arches))"
		printf '%s\n' "$a"
	done
}

# Directory that holds cross-compiler shims (e.g. sparc64-linux-gnu-gcc
# for Debian's gcc-12-sparc64-linux-gnu, whose binaries end in -12).
shim_path() {
	local d=$CACHE/bin
	mkdir -p "$d"
	printf '%s\n' "$d"
}
