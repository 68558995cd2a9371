#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh [ARCH] - run-time figures of the series against the base, in one
# run, same profile (default s390-prod: -O2, no DEBUG_VM): both trees get
# the instrumentation patch not-posted/measure-<karch>-*/ (never posted; it
# counts invalidations in /proc), are built into their own build directories, and each kernel boots
# twice under QEMU with "-icount shift=0" (guest time advances one
# nanosecond per executed instruction) and only mm/bench/ipte_bench.c in its
# initramfs. The two boots of one kernel must give the same counts (and
# report how far their instruction counts differ); the table in
# $RESULTS/compare-<arch>.md puts base and series side by side.
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
prepare_tree() {	# name source-repo commit
	local t=$CACHE/compare-$1
	if [ ! -d "$t/.git" ] && [ ! -f "$t/.git" ]; then
		rm -rf "$t"
		git -C "$2" worktree add -q --detach "$t" "$3" ||
			die "compare: cannot make a worktree of $2 at $t"
	fi
	git -C "$t" checkout -q -f --detach "$3" && git -C "$t" clean -q -fdx ||
		die "compare: cannot reset $t"
	local p
	for p in "${measure[@]}"; do
		git -C "$t" apply "$p" || die "compare: ${p##*/} does not apply on the $1 tree"
	done
	printf '%s\n' "$t"
}

declare -A tree
tree[base]=$(prepare_tree base "$repo" "$(git -C "$repo" rev-parse "$ref^{commit}")")
tree[series]=$(prepare_tree series "$WORK_TREE" "$(git -C "$WORK_TREE" rev-parse HEAD)")

for side in base series; do
	SRC=${tree[$side]} BUILD_TAG=compare-$side "$TOP/scripts/build.sh" "$arch" ||
		die "compare: the $side kernel does not build"
	for run in $(seq 1 "$RUNS"); do
		log "compare: $side, boot $run of $RUNS"
		SRC=${tree[$side]} BUILD_TAG=compare-$side \
			USERSPACE_PROGS="$TOP/mm/bench/ipte_bench.c" \
			EXTRA_QEMU_ARGS="-icount shift=0" BOOT_TIMEOUT=${COMPARE_TIMEOUT:-900} \
			"$TOP/scripts/boot.sh" "$arch" ||
			die "compare: the $side kernel's benchmark boot failed"
		grep -E '^ *# bench ' "$LOG_ROOT/boot-compare-$side-$arch.console.log" \
			> "$RESULTS/compare-$arch-$side-$run.txt" ||
			die "compare: no '# bench' lines from the $side kernel"
	done
done

out=$RESULTS/compare-$arch.md
python3 - "$arch" "$RUNS" "$RESULTS" "$(git -C "$repo" rev-parse --short "$ref^{commit}")" \
	"$(git -C "$WORK_TREE" rev-parse --short HEAD)" "$(date -u +%F)" > "$out" <<'PY' || die "compare: the boots of one kernel disagree (see $RESULTS/compare-$arch-*.txt)"
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
data = {s: [load(s, r) for r in range(1, runs + 1)] for s in ('base', 'series')}
bad = []
spread = {}
for s in data:
    first = data[s][0]
    for key, v in first.items():
        ns = [d[key]['ns'] for d in data[s]]
        spread[(s, key)] = (max(ns) - min(ns)) / max(min(ns), 1)
        for d in data[s][1:]:
            for k in v:
                if k != 'ns' and d[key][k] != v[k]:
                    bad.append(f"{s} {key} {k}: {v[k]} vs {d[key][k]}")
print(f"# Run-time figures, {arch}: series against the base\n")
print(f"Base {base}, series {series}, each with the instrumentation patch; "
      f"{runs} boots per kernel under QEMU TCG `-icount shift=0`, "
      f"64 MiB anonymous memory; st = one thread, mt = a second thread "
      f"spinning on the other CPU. Command: `make compare ARCH={arch}` ({day}).\n")
print("| workload | instructions, base | series | series/base | IPTEs base | IPTEs series | ranged IPTEs (entries) base | series | IDTE + global flushes base | series |")
print("|---|---|---|---|---|---|---|---|---|---|")
for key in data['base'][0]:
    b, s = data['base'][0][key], data['series'][0].get(key)
    if s is None:
        continue
    bns = min(d[key]['ns'] for d in data['base'])
    sns = min(d[key]['ns'] for d in data['series'])
    print(f"| {key[0]} {key[1]} | {bns} | {sns} | {sns / max(bns, 1):.3f} | "
          f"{b['ipte']} | {s['ipte']} | {b['ipte_range']} ({b['ipte_range_entries']}) | "
          f"{s['ipte_range']} ({s['ipte_range_entries']}) | "
          f"{b['idte'] + b['flush_global']} | {s['idte'] + s['flush_global']} |")
worst = max(spread.values()) if spread else 0
print(f"\nInstruction counts are the smallest of the {runs} boots; the boots of one "
      f"kernel differed by at most {worst * 100:.2f}%. Invalidation counts were "
      f"identical between boots{'' if not bad else ' EXCEPT: ' + '; '.join(bad)}.")
sys.exit(1 if bad else 0)
PY
cat "$out"
