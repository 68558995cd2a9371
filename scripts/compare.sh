#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh [ARCH] - run-time figures of the series against the base, in one
# run, same profile (default s390-prod: -O2, no DEBUG_VM): both trees get
# the instrumentation patch not-posted/measure-<karch>-*/ (never posted; it
# counts invalidations in /proc), are built into their own build directories,
# and each kernel boots with only mm/bench/ipte_bench.c in its initramfs:
# once as the profile is (two CPUs: the invalidation counts, one thread and
# two), then COMPARE_RUNS times (default 2) with "-icount shift=0" (guest
# time advances one nanosecond per executed instruction) and the
# single-thread round only (QEMU's -icount stalls a second vCPU that spins in
# the kernel). The invalidation counts must agree between the boots of a
# kernel; the table in $RESULTS/compare-<arch>.md puts base and series side
# by side, with how far the instruction counts of one kernel's boots differ.
# Where not-posted/emulate-<karch>-*/ exists (s390: QEMU has no IPTE-range
# facility), a third kernel, the series with that patch on top, boots once
# more for the counts: what a machine with the facility would issue.
# COMPARE_REPORT=1 only writes the table again from the last run's files.
. "$(dirname "$0")/lib.sh"

arch=${1:-s390-prod}
load_arch "$arch"
need git python3
read -r repo ref < <(base_ref)
[ -d "$WORK_TREE/.git" ] || die "no applied series at $WORK_TREE; run 'make apply' first"
shopt -s nullglob
measure=("$TOP"/not-posted/measure-"$KARCH"-*/*.patch)
shopt -u nullglob
[ ${#measure[@]} -gt 0 ] || die "no instrumentation patch in not-posted/measure-$KARCH-*/"
RUNS=${COMPARE_RUNS:-2}
mkdir -p "$RESULTS"

# A tree of its own per side: the base or the applied series, plus the
# instrumentation. Rebuilt from git every run, so nothing else leaks in.
prepare_tree() {	# name source-repo commit [extra patches...]
	local t=$CACHE/compare-$1
	if [ ! -d "$t/.git" ] && [ ! -f "$t/.git" ]; then
		rm -rf "$t"
		git -C "$2" worktree add -q --detach "$t" "$3" ||
			die "compare: cannot make a worktree of $2 at $t"
	fi
	git -C "$t" checkout -q -f --detach "$3" && git -C "$t" clean -q -fdx ||
		die "compare: cannot reset $t"
	local p name=$1
	shift 3
	for p in "${measure[@]}" "$@"; do
		git -C "$t" apply "$p" || die "compare: ${p##*/} does not apply on the $name tree"
	done
	printf '%s\n' "$t"
}

declare -A tree
tree[base]=$(prepare_tree base "$repo" "$(git -C "$repo" rev-parse "$ref^{commit}")")
tree[series]=$(prepare_tree series "$WORK_TREE" "$(git -C "$WORK_TREE" rev-parse HEAD)")
shopt -s nullglob
emulate=("$TOP"/not-posted/emulate-"$KARCH"-*/*.patch)
shopt -u nullglob
sides="base series"
if [ ${#emulate[@]} -gt 0 ]; then
	tree[emulated]=$(prepare_tree emulated "$WORK_TREE" "$(git -C "$WORK_TREE" rev-parse HEAD)" "${emulate[@]}")
	sides="$sides emulated"
fi

bench() {	# side run [icount]
	local side=$1 run=$2
	log "compare: $side, boot $run${3:+ (-icount, one thread)}"
	SRC=${tree[$side]} BUILD_TAG=compare-$side \
		USERSPACE_PROGS="$TOP/mm/bench/ipte_bench.c" \
		EXTRA_QEMU_ARGS="${3:+-icount shift=0}" \
		EXTRA_KERNEL_ARGS="${3:+ipte_bench=st}" \
		BOOT_TIMEOUT=${COMPARE_TIMEOUT:-900} "$TOP/scripts/boot.sh" "$arch" ||
		die "compare: the $side kernel's benchmark boot failed"
	grep -E '^ *# bench ' "$LOG_ROOT/boot-compare-$side-$arch.console.log" \
		> "$RESULTS/compare-$arch-$side-$run.txt" ||
		die "compare: no '# bench' lines from the $side kernel"
}

for side in $sides; do
	[ "${COMPARE_REPORT:-}" != 1 ] || break
	SRC=${tree[$side]} BUILD_TAG=compare-$side "$TOP/scripts/build.sh" "$arch" ||
		die "compare: the $side kernel does not build"
	bench "$side" 0
	[ "$side" != emulated ] || continue
	for run in $(seq 1 "$RUNS"); do
		bench "$side" "$run" icount
	done
done

out=$RESULTS/compare-$arch.md
python3 - "$arch" "$RUNS" "$RESULTS" "$(git -C "$repo" rev-parse --short "$ref^{commit}")" \
	"$(git -C "$WORK_TREE" rev-parse --short HEAD)" "$(date -u +%F)" > "$out" <<'PY' ||
import re, sys
arch, runs, res, base, series, day = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def load(side, run):
    rows = {}
    for line in open(f"{res}/compare-{arch}-{side}-{run}.txt"):
        m = re.match(r'\s*# bench (\S+) (\S+) (.*)$', line)
        if m:
            rows[(m.group(1), m.group(2))] = {k: int(v) for k, v in
                                              (kv.split('=') for kv in m.group(3).split())}
    return rows
import os
counts = {s: load(s, 0) for s in ('base', 'series')}
emul = load('emulated', 0) if os.path.exists(f"{res}/compare-{arch}-emulated-0.txt") else {}
icount = {s: [load(s, r) for r in range(1, runs + 1)] for s in ('base', 'series')}
# Background work (the helper processes' exits, the timer) adds an
# invalidation or two to a window now and then: a difference of up to
# SLACK is reported, a larger one fails the run.
SLACK = 3
bad, noise, spread = [], [], 0.0
for s in counts:
    for d in icount[s]:
        for key, v in d.items():
            for k in v:
                if k == 'ns':
                    continue
                c = counts[s].get(key, {}).get(k)
                if c is None or abs(v[k] - c) > SLACK:
                    bad.append(f"{s} {key[0]} {key[1]} {k}: {c} vs {v[k]}")
                elif v[k] != c:
                    noise.append(f"{s} {key[0]} {key[1]} {k}: {c} vs {v[k]}")
    for key in icount[s][0]:
        ns = [d[key]['ns'] for d in icount[s] if key in d]
        spread = max(spread, (max(ns) - min(ns)) / max(min(ns), 1))
print(f"# Run-time figures, {arch}: series against the base\n")
print(f"Base {base}, series {series}, each with the instrumentation patch, "
      f"64 MiB of anonymous memory (mm/bench/ipte_bench.c); st: one thread, "
      f"mt: a second thread spinning on the other CPU. Invalidations: one boot "
      f"per kernel, QEMU TCG, 2 CPUs (QEMU has no IPTE-range facility; the "
      f"facility column is the series with not-posted/emulate-*: the ranged "
      f"IPTEs its batches would issue). Instructions: {runs} boots per kernel "
      f"with `-icount shift=0`, one thread, the smallest count. "
      f"Command: `make compare ARCH={arch}` ({day}).\n")
print("| workload | IPTEs, base | series | series, IPTE-range facility: ranged IPTEs (entries) + single IPTEs | IDTEs + global flushes, base | series | instructions, base | series | series/base |")
print("|---|---|---|---|---|---|---|---|---|")
for key, b in counts['base'].items():
    s = counts['series'].get(key)
    if s is None:
        continue
    ins = ['-', '-', '-']
    if all(key in d for d in icount['base'] + icount['series']):
        bns = min(d[key]['ns'] for d in icount['base'])
        sns = min(d[key]['ns'] for d in icount['series'])
        ins = [str(bns), str(sns), f"{sns / max(bns, 1):.3f}"]
    e = emul.get(key)
    rng = f"{e['ipte_range']} ({e['ipte_range_entries']}) + {e['ipte']}" if e else '-'
    print(f"| {key[0]} {key[1]} | {b['ipte']} | {s['ipte']} | {rng} | "
          f"{b['idte'] + b['flush_global']} | {s['idte'] + s['flush_global']} | "
          f"{ins[0]} | {ins[1]} | {ins[2]} |")
print(f"\nThe -icount boots of one kernel differed by at most {spread * 100:.2f}% "
      f"in an instruction count. Their invalidation counts "
      + ("matched the first boot's" if not bad else "did NOT match the first boot's: " + "; ".join(bad))
      + ("" if not noise else f" (within {SLACK}: " + "; ".join(sorted(set(noise))) + ")") + ".")
sys.exit(1 if bad else 0)
PY
	{ cat "$out"; die "compare: the boots of one kernel disagree on the invalidation counts"; }
cat "$out"
