#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh [ARCH...] - install what the workbench needs from Debian's
# packages: the common list in scripts/packages.txt plus PACKAGES from
# each arch profile (default: all arches, and riscv for build checks).
. "$(dirname "$0")/lib.sh"

arches=${*:-$(known_arches)}
mkdir -p "$CACHE"
pkgs=$(sed 's/#.*//' "$TOP/scripts/packages.txt")
for a in $arches; do
	( load_arch "$a"; printf '%s\n' "$PACKAGES" ) || exit 1
done > "$CACHE/pkgs.tmp"
pkgs="$pkgs $(cat "$CACHE/pkgs.tmp")"
rm -f "$CACHE/pkgs.tmp"
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

# sparse: Debian 12's 0.6.4 cannot parse __typeof_unqual__, which 7.3's
# compiler headers use, and kbuild then silently turns C=1 off
# (scripts/checker-valid.sh). Debian sid's sparse (0.6.5~rc1) can; it needs
# a newer glibc than Debian 12's, so it runs through sid's own dynamic
# loader and libc, unpacked next to it in the cache. Nothing is installed
# system-wide.
sparse_ok() {
	local t
	[ -x "$SPARSE_BIN" ] || return 1
	t=$(mktemp --suffix=.c)
	printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' > "$t"
	"$SPARSE_BIN" "$t" >/dev/null 2>&1 && ! "$SPARSE_BIN" "$t" 2>&1 | grep -q error
	local rc=$?
	rm -f "$t"
	return $rc
}
if sparse_ok; then
	log "setup: sparse $("$SPARSE_BIN" --version) in ${SPARSE_BIN%/*}"
else
	need apt-get dpkg-deb
	uri=$(mirror_uri | head -n 1 || true)
	[ -n "$uri" ] || die "cannot find a Debian mirror URI in /etc/apt/sources.list{,.d/}"
	sd=${SPARSE_BIN%/*}
	rm -rf "$sd"
	mkdir -p "$sd/debs"
	private_apt "$CACHE/apt-sid" "$uri" sid
	log "setup: sparse from Debian sid (private apt configuration)"
	private_apt_update "$CACHE/apt-sid"
	(cd "$sd/debs" && apt-get "${APTOPTS[@]}" -q download sparse libc6) \
		>"$sd/download.log" 2>&1 || die "cannot download sparse/libc6 from sid; see $sd/download.log"
	for deb in "$sd"/debs/*.deb; do
		dpkg-deb -x "$deb" "$sd/root"
	done
	lib=$sd/root/usr/lib/x86_64-linux-gnu
	[ -x "$lib/ld-linux-x86-64.so.2" ] && [ -x "$sd/root/usr/bin/sparse" ] ||
		die "sid's sparse or libc6 did not unpack as expected in $sd/root"
	cat > "$SPARSE_BIN" <<SH
#!/bin/sh
# sparse from Debian sid with its own glibc (written by scripts/setup.sh)
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$sd/root/usr/bin/sparse" "\$@"
SH
	chmod +x "$SPARSE_BIN"
	sparse_ok || die "sparse from sid does not run or cannot parse __typeof_unqual__ ($SPARSE_BIN)"
	log "setup: sparse $("$SPARSE_BIN" --version) ready"
fi
