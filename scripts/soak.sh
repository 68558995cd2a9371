#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh ARCH... - the stress (mm/userspace/mm_stress.c) alone, for a
# time instead of the gate's 400 steps: each arch's built kernel (make
# build ARCH=...) booted with mm_stress as its only test program, walking
# for SOAK_SECONDS (default 600) from seed SOAK_SEED (default: the time of
# the run, printed, so that a failure can be run again with its seed). The
# boot's checks are those of every boot (scripts/boot.sh): a failed case,
# a WARN/BUG/lockdep/KASAN report, a timeout.
. "$(dirname "$0")/lib.sh"

secs=${SOAK_SECONDS:-600}
seed=${SOAK_SEED:-$(date +%s)}
case "$secs$seed" in
''|*[!0-9]*) die "SOAK_SECONDS=$secs, SOAK_SEED=$seed: want numbers" ;;
esac
secs=$((10#$secs)) seed=$((10#$seed))
[ "$secs" -gt 0 ] || die "SOAK_SECONDS=0: want at least one second"
# the boot's timeout covers the soak and the boot around it
tmo=$((secs + 600))
[ -z "${BOOT_TIMEOUT:-}" ] || [ "$BOOT_TIMEOUT" -lt "$tmo" ] || tmo=$BOOT_TIMEOUT
[ $# -gt 0 ] || set -- x86_64
arches=$(arch_list "$@") || exit 1
for a in $arches; do
	log "soak: $a, mm_stress for ${secs} s from seed $seed"
	USERSPACE_PROGS=$TOP/mm/userspace/mm_stress.c KSELFTESTS=0 \
		EXTRA_KERNEL_ARGS="${EXTRA_KERNEL_ARGS:+$EXTRA_KERNEL_ARGS }mm_stress.seconds=$secs mm_stress.steps=0 mm_stress.seed=$seed" \
		BOOT_TIMEOUT=$tmo \
		"$TOP/scripts/boot.sh" "$a" ||
		die "soak: $a failed (seed $seed; rerun: make soak ARCH=$a SOAK_SEED=$seed SOAK_SECONDS=$secs)"
	grep -h "steps done\|race:" "$(build_dir "$a")/userspace/console.log" 2>/dev/null | sed 's/^ *# */  /' >&2 || true
done
