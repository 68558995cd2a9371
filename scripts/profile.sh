#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.sh [ARCH...] - where the guest instructions of make compare's
# workloads go, per kernel function, base against series: the cause behind
# a ratio of make compare's table. Default: the -prod profiles that run
# under -icount (x86_64-prod arm64-prod powerpc-prod s390-prod).
#
# Boots the two kernels the last 'make compare' of that arch built (base
# and series, with the never-posted counters) once more each, with the
# benchmark's single-thread round under "-icount shift=0" and QEMU's
# "-d in_asm,exec,nochain" log read through a FIFO by scripts/tb-windows.py:
# the instructions of every translation block executed inside the
# benchmark's system calls (mprotect, madvise, munmap, mremap, clone, and
# the vmalloc workload's write to /proc/mm_flush_counts), per function.
# What the arch's profile says: PROFILE_SYSCALL (the system calls' symbol
# prefix); PROFILE_WINDOW_END, where a window ends, for a profile whose log
# is filtered to the kernel's text (the firmware's or decompressor's blocks
# would take minutes to log: x86_64, powerpc, s390); PROFILE_TEXT_OFFSET, how far
# above vmlinux's link addresses the kernel runs (s390). Writes
# $RESULTS/profile-<profile>.md: per system call the base's and the
# series' totals and the functions whose counts differ most. The base
# boots twice: how far its two boots differ in a function (the page
# allocator's state, which pages a workload gets, differs from boot to
# boot) is the noise that function's difference is set against; only
# differences beyond it are listed. $RESULTS/profile.md gathers them;
# PROFILE_SAVE=1 copies it to Documentation/profile.md.
# PROFILE_REPORT=1 only writes the tables again from the last boots' files.
# PROFILE_SERIES_TAG=<tag> profiles the build BUILD_TAG=<tag> of that arch
# (an experiment built by hand on the series) in place of the series.
. "$(dirname "$0")/lib.sh"
# The runs' files live apart from the gate's results, which every 'make
# test' empties: the last run must still be there to report again.
RESULTS=$CACHE/measurements

need python3 mkfifo
TOP_N=${PROFILE_TOP:-8}
mkdir -p "$RESULTS" "$LOG_ROOT"

list=$(prod_profiles "${@:-x86_64 arm64 powerpc s390}")
read -r -d '' -a profiles <<< "$list" || true

profile_one() {	# profile side run
	local arch=$1 side=$2 run=$3 b fifo entries filt='' st et out pid rc=0
	local tag=compare-$side
	# PROFILE_SERIES_TAG: another build of the series side (an experiment
	# built by hand with BUILD_TAG=...) in place of make compare's
	[ "$side" != series ] || tag=${PROFILE_SERIES_TAG:-$tag}
	b=$(BUILD_TAG=$tag build_dir "$arch")
	[ -f "$b/vmlinux" ] ||
		die "profile: $arch: no $side kernel at $b; run 'make compare ARCH=$arch' first"
	entries=mm_flush_count_write
	for c in mprotect madvise munmap mremap clone; do
		entries+=",$PROFILE_SYSCALL$c"
	done
	# a profile that names where windows end has its log filtered to the
	# kernel's text (no user-space block closes a window there)
	if [ -n "${PROFILE_WINDOW_END:-}" ]; then
		st=$("${CROSS_COMPILE}nm" "$b/vmlinux" | awk '$3 == "_stext" { print $1 }')
		et=$("${CROSS_COMPILE}nm" "$b/vmlinux" | awk '$3 == "_etext" { print $1 }')
		[ -n "$st" ] && [ -n "$et" ] || die "profile: $arch: no _stext/_etext in $b/vmlinux"
		filt=$(printf -- '-dfilter 0x%x..0x%x' $(( 0x$st + 0x${PROFILE_TEXT_OFFSET:-0} )) \
			$(( 0x$et + 0x${PROFILE_TEXT_OFFSET:-0} )))
	fi
	fifo=$(mktemp -u "${TMPDIR:-/tmp}/profile-fifo.XXXXXX")
	mkfifo "$fifo"
	out=$RESULTS/profile-$arch-$side-$run.tsv
	[ "$tag" = "compare-$side" ] || out=$RESULTS/profile-$arch-$tag-$run.tsv
	python3 "$TOP/scripts/tb-windows.py" "$fifo" "$b/vmlinux" "${CROSS_COMPILE}nm" \
		"$entries" "${PROFILE_WINDOW_END:-}" "${PROFILE_TEXT_OFFSET:-0}" > "$out" &
	pid=$!
	log "profile: $arch, $side kernel, boot $run with QEMU's execution log"
	SRC=$CACHE/compare-$side BUILD_TAG=$tag \
		USERSPACE_PROGS="$TOP/mm/bench/flush_bench.c" \
		EXTRA_QEMU_ARGS="-icount shift=0 -d in_asm,exec,nochain $filt -D $fifo" \
		EXTRA_KERNEL_ARGS="flush_bench=st" \
		BOOT_TIMEOUT=${PROFILE_TIMEOUT:-1800} "$TOP/scripts/boot.sh" "$arch" || rc=$?
	# QEMU never opened the FIFO if it did not start: let the reader go
	[ "$rc" = 0 ] || : > "$fifo" 2>/dev/null &
	wait "$pid" || die "profile: $arch: reading the $side kernel's log failed"
	rm -f "$fifo"
	[ "$rc" = 0 ] || die "profile: $arch: the $side kernel's boot failed"
	grep -q "TOTAL ([1-9]" "$out" ||
		die "profile: $arch: no system call of the benchmark seen in the $side kernel's log"
}

report() {	# profile
	local series=series
	[ -z "${PROFILE_SERIES_TAG:-}" ] || series=$PROFILE_SERIES_TAG
	python3 - "$1" "$RESULTS/profile-$1" "$TOP_N" "$(date -u +%F)" "$series" <<'PY'
import sys
arch, stem, top, day, series = sys.argv[1:6]
top = int(top)
def load(side):
    d, tot = {}, {}
    for line in open(f"{stem}-{side}.tsv"):
        v, w, f = line.rstrip('\n').split('\t')
        if f.startswith('TOTAL'):
            tot[w] = (int(v), f)
        else:
            d[(w, f)] = int(v)
    return d, tot
(b, bt), (b2, bt2), (s, st) = load('base-1'), load('base-2'), load(f'{series}-1')
print(f"#### {arch}: guest instructions per function, base against "
      + ("series" if series == 'series' else f"the build {series}") + "\n")
print(f"Boots under `-icount shift=0` (the base twice, the series once), the "
      f"benchmark's single-thread round; instructions of the translation blocks "
      f"executed inside each system call (QEMU's execution log), per function, "
      f"base -> series, where the difference is larger than the base's two boots "
      f"differ in that function (noise). Command: `make profile "
      f"ARCH={arch}` after `make compare ARCH={arch}` ({day}).\n")
for w in bt:
    bn, bw = bt[w]
    sn, _ = st.get(w, (0, ''))
    print(f"- {w} ({bw.split('(')[1].rstrip(')')}): {bn} -> {sn} "
          f"({(sn - bn) * 100 / max(bn, 1):+.2f}%)")
    rows = []
    for k in set(b) | set(s):
        if k[0] != w:
            continue
        d, noise = s.get(k, 0) - b.get(k, 0), abs(b2.get(k, 0) - b.get(k, 0))
        if abs(d) > noise:
            rows.append((abs(d) - noise, d, noise, k[1], b.get(k, 0), s.get(k, 0)))
    for _, d, noise, f, x, y in sorted(rows, reverse=True)[:top]:
        print(f"  - `{f}` {x} -> {y} ({d:+d}" + (f", noise {noise}" if noise else "") + ")")
    print(f"  - (the base's two boots: {bn} and {bt2.get(w, (0, ''))[0]})")
PY
}

for a in "${profiles[@]}"; do
	load_arch "$a"
	[ "${COMPARE_ICOUNT:-yes}" = yes ] ||
		die "profile: $a: QEMU cannot run it under -icount (COMPARE_ICOUNT=no)"
	[ -n "${PROFILE_SYSCALL:-}" ] ||
		die "profile: $a: the profile names no PROFILE_SYSCALL prefix"
	# both kernels must be there before the first (minute-long) boot
	for t in "${PROFILE_SERIES_TAG:-compare-series}" compare-base; do
		[ -f "$(BUILD_TAG=$t build_dir "$a")/vmlinux" ] ||
			die "profile: $a: no kernel built as $t; run 'make compare ARCH=$a' first"
	done
	if [ "${PROFILE_REPORT:-}" != 1 ]; then
		profile_one "$a" base 1
		profile_one "$a" base 2
		profile_one "$a" series 1
	fi
	if [ -n "${PROFILE_SERIES_TAG:-}" ]; then
		report "$a" > "$RESULTS/profile-$a-$PROFILE_SERIES_TAG.md"
		cat "$RESULTS/profile-$a-$PROFILE_SERIES_TAG.md"
		continue
	fi
	report "$a" > "$RESULTS/profile-$a.md"
	cat "$RESULTS/profile-$a.md"
done
[ -z "${PROFILE_SERIES_TAG:-}" ] || exit 0
for a in "${profiles[@]}"; do
	cat "$RESULTS/profile-$a.md"
	echo
done > "$RESULTS/profile.md"
log "profile: $RESULTS/profile.md"
# PROFILE_SAVE=1: Documentation/profile.md, which README and the cover
# letter's causes point to (never typed by hand)
if [ "${PROFILE_SAVE:-}" = 1 ]; then
	cp "$RESULTS/profile.md" "$TOP/Documentation/profile.md"
	log "profile: saved to Documentation/profile.md"
fi
