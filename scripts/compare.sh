#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh [ARCH...] - run-time figures of the series against the base, in
# one run, same profile per arch. ARCH is a test profile (its "-prod"
# profile is used: -O2, jump labels, no DEBUG_VM, no KUnit, as a
# distribution kernel is built) or a -prod profile; default all: x86_64-prod (native, PARAVIRT_XXL)
# arm64-prod powerpc-prod sparc64-prod s390-prod.
#
# Per arch, both trees get the instrumentation of not-posted/measure-common/
# and not-posted/measure-<karch>-*/ (never posted: flush counters in
# /proc/mm_flush_counts), are built into their own build directories, and
# each kernel boots with only mm/bench/flush_bench.c in its initramfs: once
# as the profile is (the flush counts; on s390 also with a second thread),
# then COMPARE_RUNS times (default 2) with "-icount shift=0" (guest time
# advances one nanosecond per executed instruction) and the single-thread
# round only (QEMU's -icount stalls a second vCPU that spins in the kernel);
# where QEMU cannot run the machine under -icount (COMPARE_ICOUNT=no in the
# profile: sparc64) the COMPARE_RUNS boots are without it, flushes only.
# The flush counts must agree between the boots of a kernel; the table in
# $RESULTS/compare-<profile>.md puts base and series side by side, with how
# far the instruction counts of one kernel's boots differ, and the
# bloat-o-meter total of the two vmlinux files. Where
# not-posted/emulate-<karch>-*/ exists (s390: QEMU has no IPTE-range
# facility), a third kernel, the series with that patch on top, boots once
# more for the counts: what a machine with the facility would issue.
# $RESULTS/compare.md gathers the tables of the profiles of this run.
# COMPARE_REPORT=1 only writes the tables again from the last run's files.
# COMPARE_QUICK=1 (the gate's stage compare-quick) checks the mechanism:
# one -icount boot per kernel, no emulated kernel, the files named
# compare-quick-* so that the last full run's stay; its figures are not
# reported anywhere.
# COMPARE_PLANT=<folder> (e.g. not-posted/planted-nested-leave-keeps-batch)
# applies that folder's patches to the series side only, on top of the
# instrumentation, and names the files compare-planted-*: a planted bug the
# run must fail on (the nested rows' checks); never saved.
# COMPARE_SAVE=1 puts the tables of the profiles run into
# Documentation/compare.md and .txt (the other profiles' tables stay, each
# with the date and command of its own run) and copies compare.md into
# README.md between the lines "<!-- compare:begin -->" and
# "<!-- compare:end -->" (the cover letter's "@COMPARE@" becomes compare.txt
# in scripts/export.sh): the figures are never typed by hand.
. "$(dirname "$0")/lib.sh"
# The runs' files live apart from the gate's results, which every 'make
# test' empties: the last run must still be there to report again.
RESULTS=$CACHE/measurements

need git python3
read -r repo ref < <(base_ref)
[ -d "$WORK_TREE/.git" ] || die "no applied series at $WORK_TREE; run 'make apply' first"
RUNS=${COMPARE_RUNS:-2}
# where the measuring patches are (the self-test points it at a broken copy)
np=${COMPARE_PATCHES:-$TOP/not-posted}
name=compare
if [ "${COMPARE_QUICK:-}" = 1 ]; then
	RUNS=1
	name=compare-quick
fi
plant=()
if [ -n "${COMPARE_PLANT:-}" ]; then
	shopt -s nullglob
	plant=("$(realpath -e -- "$COMPARE_PLANT")"/*.patch) ||
		die "compare: no folder COMPARE_PLANT=$COMPARE_PLANT"
	shopt -u nullglob
	[ ${#plant[@]} -gt 0 ] || die "compare: no patch in COMPARE_PLANT=$COMPARE_PLANT"
	name=compare-planted
fi
mkdir -p "$RESULTS" "$LOG_ROOT"
base_commit=$(git -C "$repo" rev-parse "$ref^{commit}") || die "compare: no base commit $ref"
series_commit=$(git -C "$WORK_TREE" rev-parse HEAD) || die "compare: no applied series"

list=$(prod_profiles "${@:-all}")
read -r -d '' -a profiles <<< "$list" || true

# A tree of its own per side: the base or the applied series, plus the
# instrumentation. Reset from git when it is not exactly that (a stamp holds
# what was applied and the tree's diff): a tree left as it was keeps its
# files' times, so its kernel is not rebuilt in full.
prepare_tree() {	# name source-repo commit patches...
	local t=$CACHE/compare-$1 p side=$1 src=$2 commit=$3 want
	shift 3
	want=$( { printf '%s\n' "$commit"; cat "$@"; } | sha256sum)
	if [ ! -d "$t/.git" ] && [ ! -f "$t/.git" ]; then
		rm -rf "$t"
		git -C "$src" worktree add -q --detach "$t" "$commit" ||
			die "compare: cannot make a worktree of $src at $t"
	fi
	if [ "$(git -C "$t" rev-parse HEAD 2>/dev/null)" = "$commit" ] &&
	   [ -z "$(git -C "$t" ls-files --others --exclude-standard)" ] &&
	   [ "$(cat "$t.stamp" 2>/dev/null)" = "$want $(git -C "$t" diff HEAD | sha256sum)" ]; then
		printf '%s\n' "$t"
		return
	fi
	rm -f "$t.stamp"
	{ git -C "$t" checkout -q -f --detach "$commit" && git -C "$t" clean -q -fdx; } ||
		die "compare: cannot reset $t"
	for p in "$@"; do
		git -C "$t" apply --index "$p" || die "compare: ${p##*/} does not apply on the $side tree"
	done
	printf '%s %s\n' "$want" "$(git -C "$t" diff HEAD | sha256sum)" > "$t.stamp"
	printf '%s\n' "$t"
}

bench() {	# profile side run [icount]
	local arch=$1 side=$2 run=$3 out
	out=$RESULTS/$name-$arch-$side-$run.txt
	log "compare: $arch, $side kernel, boot $run${4:+ (-icount, one thread)}"
	SRC=$CACHE/compare-$side BUILD_TAG=compare-$side \
		USERSPACE_PROGS="$TOP/mm/bench/flush_bench.c" \
		EXTRA_QEMU_ARGS="${4:+-icount shift=0}" \
		EXTRA_KERNEL_ARGS="${4:+flush_bench=st}" \
		BOOT_TIMEOUT=${COMPARE_TIMEOUT:-900} "$TOP/scripts/boot.sh" "$arch" ||
		die "compare: $arch: the $side kernel's benchmark boot failed"
	grep -E '^ *# bench ' "$LOG_ROOT/boot-compare-$side-$arch.console.log" > "$out" ||
		die "compare: $arch: no '# bench' lines from the $side kernel"
}

compare_one() {
	local arch=$1 side run sides="base series" t0=$SECONDS
	local measure=() emulate=()
	load_arch "$arch"
	[ "$BOOT" = yes ] || die "compare: $arch is build-only (BOOT=$BOOT)"
	shopt -s nullglob
	measure=("$np"/measure-common/*.patch "$np"/measure-"$KARCH"-*/*.patch)
	emulate=("$np"/emulate-"$KARCH"-*/*.patch)
	shopt -u nullglob
	[ ${#measure[@]} -gt 1 ] ||
		die "compare: no instrumentation patch in $np/measure-$KARCH-*/"
	[ ${#emulate[@]} -eq 0 ] || [ "$name" != compare ] || sides="$sides emulated"
	rm -f "$RESULTS/$name-$arch-"*.txt "$RESULTS/$name-$arch.md"
	for side in $sides; do
		case "$side" in
		base) prepare_tree base "$repo" "$base_commit" "${measure[@]}" ;;
		series) prepare_tree series "$WORK_TREE" "$series_commit" "${measure[@]}" "${plant[@]}" ;;
		emulated) prepare_tree emulated "$WORK_TREE" "$series_commit" "${measure[@]}" "${emulate[@]}" ;;
		esac >/dev/null
		log "compare: $arch, $side kernel: build ($(( SECONDS - t0 )) s)"
		SRC=$CACHE/compare-$side BUILD_TAG=compare-$side "$TOP/scripts/build.sh" "$arch" ||
			die "compare: $arch: the $side kernel does not build"
		bench "$arch" "$side" 0
		[ "$side" != emulated ] || continue
		# without -icount (sparc64) the boots after the first count the
		# flushes only, so that their variation between boots is seen
		for run in $(seq 1 "$RUNS"); do
			bench "$arch" "$side" "$run" \
				"$( [ "${COMPARE_ICOUNT:-yes}" != yes ] || echo icount)"
		done
	done
	log "compare: $arch done in $(( SECONDS - t0 )) s"
}

report() {	# profile
	local arch=$1 out=$RESULTS/$name-$1.md bom runs=$RUNS
	load_arch "$arch"
	[ -f "$RESULTS/$name-$arch-series-$runs.txt" ] ||
		die "compare: $arch: no complete run to report (run 'make compare ARCH=$arch')"
	python3 "$repo/scripts/bloat-o-meter" \
		"$(BUILD_TAG=compare-base build_dir "$arch")/vmlinux" \
		"$(BUILD_TAG=compare-series build_dir "$arch")/vmlinux" > "$RESULTS/$name-$arch-bom.txt" ||
		die "compare: $arch: bloat-o-meter failed"
	bom=$(tail -n 1 "$RESULTS/$name-$arch-bom.txt")
	# the three functions that grew most, the compiler's generated
	# symbols (__UNIQUE_ID, __initcall) left out
	bom="$bom; most grown: $(awk 'NF == 4 && $4 ~ /^\+/ && $1 !~ /^__(UNIQUE_ID|initcall|addressable)/ { print substr($4, 2), $1 }' \
		"$RESULTS/$name-$arch-bom.txt" | sort -rn | head -n 3 | awk '{ printf "%s%s +%s", (NR > 1 ? ", " : ""), $2, $1 }')"
	COMPARE_SLACK=${COMPARE_SLACK:-3} COMPARE_SUMS=${COMPARE_SUMS:-} COMPARE_FEWER=${COMPARE_FEWER:-} \
	python3 - "$arch" "$runs" "$RESULTS/$name" "${base_commit:0:9}" "${series_commit:0:9}" \
		"$(date -u +%F)" "$bom" "${COMPARE_ICOUNT:-yes}" "${COMPARE_NESTED:-}" > "$out" <<'PY' || { local rc=$?; cat "$out"; return $rc; }
import os, re, sys
arch, runs, res, base, series, day, bom, icount_on, nested_spec = sys.argv[1:10]
runs = int(runs)
icount_on = icount_on == 'yes'
# A profile's COMPARE_SUMS ("total=a+b ..."): counters added up into one
# more column (Xen PV: a PTE update is a hypercall of its own or part of a
# multicall, and the series moves updates from the one to the other)
sums = [(t.split('=')[0], t.split('=')[1].split('+'))
        for t in os.environ.get('COMPARE_SUMS', '').split()]
def load(side, run):
    rows = {}
    for line in open(f"{res}-{arch}-{side}-{run}.txt"):
        m = re.match(r'\s*# bench (\S+) (\S+) (.*)$', line)
        if m:
            row = {k: int(v) for k, v in (kv.split('=') for kv in m.group(3).split())}
            for total, parts in sums:
                if all(p in row for p in parts):
                    row[total] = sum(row[p] for p in parts)
            rows[(m.group(1), m.group(2))] = row
    return rows
counts = {s: load(s, 0) for s in ('base', 'series')}
emul = load('emulated', 0) if os.path.exists(f"{res}-{arch}-emulated-0.txt") else {}
icount = {s: [load(s, r) for r in range(1, runs + 1)] for s in ('base', 'series')}
names = [k for k in next(iter(counts['base'].values())) if k != 'ns']
# Background work (a helper process's exit, the timer) adds a flush or two
# to a window now and then: a difference of up to SLACK between the boots of
# one kernel is reported, a larger one fails the run. A profile may allow
# more (COMPARE_SLACK: a Xen dom0's hypercall counts vary more).
SLACK = int(os.environ.get('COMPARE_SLACK') or 3)
# The counters where the series must not be above the base (COMPARE_FEWER;
# default all): not those that the series is expected to raise in exchange
# for another (Xen PV's multicalls, against single hypercalls)
fewer = set(os.environ.get('COMPARE_FEWER', '').split())
# A row whose work itself varies from boot to boot, and by how much: each
# fork of fork_exit takes a kernel stack from this CPU's cache or vmaps a
# new one (arm64: one more barrier), depending on whether RCU has handed the
# last child's stack back yet (kernel/fork.c), which timing decides
ROW_SLACK = {'fork_exit': max(16, SLACK)}
def slack(key):
    return ROW_SLACK.get(key[0], SLACK)
bad, noise, spread = [], [], {}
for s in counts:
    for d in icount[s]:
        for key, v in d.items():
            for k in names:
                c = counts[s].get(key, {}).get(k)
                if c is None or k not in v or abs(v[k] - c) > slack(key):
                    bad.append(f"{s} {key[0]} {key[1]} {k}: {c} vs {v.get(k)}")
                elif v[k] != c:
                    noise.append(f"{s} {key[0]} {key[1]} {k}: {c} vs {v[k]}")
    for key in (icount[s][0] if icount[s] and icount_on else {}):
        ns = [d[key]['ns'] for d in icount[s] if key in d]
        spread[key] = max(spread.get(key, 0.0), (max(ns) - min(ns)) / max(min(ns), 1))
print(f"#### {arch}: series against the base\n")
print(f"Base {base}, series {series}, both with the never-posted flush counters "
      f"(not-posted/measure-common/ and the arch's not-posted/measure-*/); workload "
      f"mm/bench/flush_bench.c (64 MiB of anonymous memory at a 64 MiB boundary; mprotect_page: 256 "
      f"read-only/read-write toggles of one page; mprotect_2m: 16 toggles of its first 2 MiB; "
      f"fork_exit: 16 fork()s and exits, after the munmap (a small process); nested: every PTE of the 64 MiB "
      f"cleared and restored in lazy MMU sections nested in one outer section, by "
      f"not-posted/measure-common/ (apply_to_existing_page_range()'s section per page "
      f"table, and one around every 300th PTE; nested_leaves: the nested sections "
      f"left); nested_vmalloc: the same over a vmalloc() area of 512 pages); st: one thread"
      + (", mt: a second thread spinning on the other CPU" if any(k[1] == 'mt' for k in counts['base']) else "")
      + f". Flushes: the median of each kernel's {runs + 1} boots (of an even number, the "
      f"lower middle one; the first as the profile is, QEMU TCG, the profile's CPUs, "
      f"then the later ones; mt rows: the first only); a cell is "
      f"base / series" + (" / series on a machine with the IPTE-range facility "
      f"(not-posted/emulate-*, one boot)" if emul else "")
      + (f". Instructions: {runs} more boots per kernel with `-icount shift=0`, one "
         f"thread, the smallest count" if icount_on else f". Instructions: not counted "
         f"(QEMU aborts this machine under -icount); {runs} more boots per kernel "
         f"without it, for the flush counts only")
      + f". Command: `make compare ARCH={arch}` ({day}).\n")
print("| workload | " + " | ".join(names) + " | instructions, base | series | series/base | spread |")
print("|---|" + "---|" * len(names) + "---|---|---|---|")
above, slower, text = [], [], []
def median(side, key):
    # the low median of a kernel's boots that ran this workload: the first
    # boot (the profile as it is, with background work on its other CPUs)
    # is not the only word
    boots = [counts[side]] + icount[side]
    return {k: sorted(d[key][k] for d in boots if key in d and k in d[key])[
        (sum(1 for d in boots if key in d and k in d[key]) - 1) // 2] for k in names}
for key in counts['base']:
    b = median('base', key)
    s = median('series', key) if key in counts['series'] else None
    if s is None:
        bad.append(f"series has no {key[0]} {key[1]}")
        continue
    cells = []
    for k in names:
        cell = f"{b[k]} / {s[k]}"
        if key in emul:
            cell += f" / {emul[key][k]}"
        cells.append(cell)
        if s[k] > b[k] + slack(key) and (not fewer or k in fewer):
            above.append(f"{key[0]} {key[1]} {k} {b[k]} -> {s[k]}")
    ins = ['-'] * 4
    if runs and icount_on and all(key in d for d in icount['base'] + icount['series']):
        bns = min(d[key]['ns'] for d in icount['base'])
        sns = min(d[key]['ns'] for d in icount['series'])
        tol = max(spread[key], 0.0)
        ratio = sns / max(bns, 1)
        ins = [str(bns), str(sns), f"{ratio:.3f}", f"{tol * 100:.2f}%"]
        if ratio - 1 > tol:
            slower.append(f"{key[0]} {(ratio - 1) * 100:+.2f}%")
    print(f"| {key[0]} {key[1]} | " + " | ".join(cells) + " | " + " | ".join(ins) + " |")
    text.append((f"{key[0]} {key[1]}", cells, f"{ins[2]} ({ins[3]})" if ins[0] != '-' else '-'))
print((f"\nspread: how far the -icount boots of one kernel differed in that "
       f"workload's count (the larger of base's and series'), the tolerance of "
       f"its ratio. " if icount_on else "\n")
      + f"The flush counts of the later boots "
      + ("matched the first boot's" if not bad else "did NOT match the first boot's: " + "; ".join(bad))
      + ("" if not noise else f" (within {SLACK}, fork_exit {ROW_SLACK['fork_exit']}: "
         + "; ".join(sorted(set(noise))) + ")") + ".")
print(f"\n- Flushes above the base's by more than {SLACK} (what the boots of one kernel "
      f"may differ by; fork_exit {ROW_SLACK['fork_exit']}: a fork vmaps a new kernel stack "
      f"or reuses a cached one, as RCU's timing decides)"
      + (f"; counters checked: {', '.join(k for k in names if k in fewer)}" if fewer else "")
      + ": " + ("; ".join(above) if above else "none") + ".")
print(f"- Instructions above the base's by more than the spread: " + ("; ".join(slower) if slower else "none") + ".")
# Nested sections: a nested leave completes what is batched and keeps the
# mode on. Every nested leave counted updated a PTE, so a run that batches
# takes at least one flush per nested leave, and at most that plus the
# outer leave's and one per full batch of the arch's batch size (the
# physical limit; SLACK for what other CPUs add); and the series exactly as
# many as the base (the median of the boots; these rows have not varied
# between boots): a nested leave that kept its batch, or ended the mode,
# changes the count (mainline completes at every nested leave too)
nested_rows, nested_bad = [], []
if nested_spec:
    fl, ent, size = nested_spec.split()
    for key in counts['base']:
        if not key[0].startswith('nested') or key not in counts['series']:
            continue
        b, m = median('base', key), median('series', key)
        leaves = m.get('nested_leaves', 0)
        if fl not in m or not leaves:
            nested_bad.append(f"{key[0]} {key[1]}: no nested leaves or no {fl} counted")
            continue
        if not b[fl] and not m[fl]:
            nested_rows.append(f"{key[0]} {key[1]} not batched ({leaves} nested leaves, 0 {fl} in both)")
            continue
        limit = leaves + 1 + (m.get(ent, 0) // int(size) if int(size) else 0)
        nested_rows.append(f"{key[0]} {key[1]} base {b[fl]}, series {m[fl]}, "
                           f"{leaves} nested leaves, limit {limit}")
        if m[fl] > limit + SLACK or b[fl] > limit + SLACK:
            nested_bad.append(f"{key[0]} {key[1]}: above the limit {limit}")
        if m[fl] < leaves or b[fl] < leaves:
            nested_bad.append(f"{key[0]} {key[1]}: fewer {fl} than nested leaves")
        if m[fl] != b[fl]:
            nested_bad.append(f"{key[0]} {key[1]}: series {m[fl]} against the base's {b[fl]}")
    print(f"- Nested sections, {fl} (at least one per nested leave; the limit: the "
          f"nested leaves, the outer leave and one per full batch"
          + (f" of {size} entries" if int(size) else "")
          + f", and {SLACK} for other CPUs; the series' equal to the base's): "
          + "; ".join(nested_rows) + ". "
          + ("Failed: " + "; ".join(nested_bad) + "." if nested_bad else "All met."))
print(f"- vmlinux (bloat-o-meter, with the counters in both): {bom}")
# The plain-text form, for the cover letter
with open(f"{res}-{arch}.txt", 'w') as f:
    import textwrap
    # counters that are 0 everywhere are left out; a row that does not fit
    # in 72 columns goes on under its instructions figure
    keep = [i for i, k in enumerate(names)
            if any(any(v != '0' for v in c[i].split(' / ')) for _, c, _ in text)]
    f.write(textwrap.fill(f"{arch}: instructions "
                          + ("series/base (spread)" if icount_on else "not counted")
                          + f"; {', '.join(names[i] for i in keep)} (base / series"
                          + (" / with the IPTE-range facility" if emul else "")
                          + "):", 72, subsequent_indent='  ') + "\n")
    for label, cells, ins in text:
        line = f"  {label:<17} {ins:<16} "
        parts = [cells[i] for i in keep]
        for j, c in enumerate(parts):
            c += ',' if j < len(parts) - 1 else ''
            if len(line) + len(c) > 72 and not line.endswith('  '):
                f.write(line.rstrip() + "\n")
                line = ' ' * 37
            line += c + ' '
        f.write(line.rstrip() + "\n")
    total, _, grown = bom.replace('Total: ', '').partition('; ')
    f.write(f"  vmlinux: {total}\n")
sys.exit(1 if bad else 2 if nested_bad else 0)
PY
}

for a in "${profiles[@]}"; do
	[ "${COMPARE_REPORT:-}" = 1 ] || compare_one "$a"
	rc=0
	report "$a" || rc=$?
	case $rc in
	0) ;;
	2) die "compare: $a: the nested runs' flushes fail their checks (above)" ;;
	*) die "compare: $a: the boots of one kernel disagree on the flush counts" ;;
	esac
	cat "$RESULTS/$name-$a.md"
done
for f in md txt; do
	for a in "${profiles[@]}"; do
		cat "$RESULTS/$name-$a.$f"
		echo
	done > "$RESULTS/$name.$f"
done
log "compare: tables in $RESULTS/$name.md, plain text in $RESULTS/$name.txt"
if [ "${COMPARE_SAVE:-}" = 1 ]; then
	[ "$name" = compare ] || die "compare: COMPARE_SAVE=1 saves a full run, not a quick or planted one"
	# A run of some profiles replaces their tables only: the others keep
	# theirs, each with the date and command of its own run.
	for f in md txt; do
		python3 - "$TOP/Documentation/compare.$f" "$RESULTS/$name.$f" "$f" <<'PY' ||
import os, re, sys
old_f, new_f, kind = sys.argv[1:]
head = (re.compile(r'^#### (\S+): series against the base$') if kind == 'md'
        else re.compile(r'^(\S+-prod): '))

def blocks(text):
    out, key = {}, None
    order = []
    for line in text.splitlines(keepends=True):
        m = head.match(line)
        if m:
            key = m.group(1)
            order.append(key)
            out[key] = ''
        if key is None:
            if line.strip():
                sys.exit(f"{old_f}: text before the first table")
            continue
        out[key] += line
    return order, out

old_order, old = blocks(open(old_f).read()) if os.path.exists(old_f) else ([], {})
new_order, new = blocks(open(new_f).read())
if not new_order:
    sys.exit(f"{new_f}: no table")
order = old_order + [k for k in new_order if k not in old]
old.update(new)
with open(old_f, 'w') as f:
    for k in order:
        f.write(old[k].rstrip('\n') + '\n\n')
PY
			die "compare: could not merge into Documentation/compare.$f"
	done
	python3 - "$TOP/README.md" "$TOP/Documentation/compare.md" <<'PY' ||
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read().strip('\n')
s = open(readme).read()
begin, end = '<!-- compare:begin -->\n', '<!-- compare:end -->\n'
if s.count(begin) != 1 or s.count(end) != 1 or s.index(begin) > s.index(end):
    sys.exit(f"{readme}: want one '{begin.strip()}' line before one '{end.strip()}' line")
s = s[:s.index(begin) + len(begin)] + table + '\n' + s[s.index(end):]
open(readme, 'w').write(s)
PY
		die "compare: README.md has no place for the tables"
	log "compare: saved to Documentation/compare.md, Documentation/compare.txt and README.md"
fi
