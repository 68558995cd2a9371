#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh [ARCH...] - install what the workbench needs from Debian's
# packages: the common list in scripts/packages.txt plus PACKAGES from
# each arch profile (default: all arches, and riscv for build checks).
. "$(dirname "$0")/lib.sh"

arches=${*:-$(known_arches)}
pkgs=$(sed 's/#.*//' "$TOP/scripts/packages.txt")
for a in $arches; do
	( load_arch "$a"; printf '%s\n' "$PACKAGES" )
done > "$CACHE.pkgs.tmp" 2>/dev/null || true
mkdir -p "$CACHE"
pkgs="$pkgs $(cat "$CACHE.pkgs.tmp" 2>/dev/null)"
rm -f "$CACHE.pkgs.tmp"
pkgs=$(printf '%s\n' $pkgs | sort -u)

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		printf 'error: missing packages; run as root:\n  apt-get update && apt-get install -y --no-install-recommends%s\n' "$missing" >&2
		exit 1
	fi
	log "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends $missing >"$CACHE/setup.log" 2>&1 ||
		die "apt-get install failed; see $CACHE/setup.log"
else
	log "setup: all $(printf '%s\n' $pkgs | wc -l) packages present"
fi

# Debian names some cross compilers with a version suffix only
# (sparc64-linux-gnu-gcc-12): give them the plain name in a private bin dir.
bin=$(shim_path)
for a in $arches; do
	(
		load_arch "$a"
		[ -n "${CROSS_COMPILE:-}" ] || exit 0
		for t in gcc cpp; do
			[ -n "${CROSS_SUFFIX:-}" ] || continue
			real=$(command -v "${CROSS_COMPILE}$t$CROSS_SUFFIX") ||
				die "${CROSS_COMPILE}$t$CROSS_SUFFIX not found"
			ln -sf "$real" "$bin/${CROSS_COMPILE}$t"
		done
	)
done
# QEMU through scripts/qemu-accel (see there why).
for a in $arches; do
	( load_arch "$a"; [ -z "${QEMU:-}" ] || ln -sf "$TOP/scripts/qemu-accel" "$bin/$QEMU" )
done
log "setup: done (cross-compiler shims in $bin)"
