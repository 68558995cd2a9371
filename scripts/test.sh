#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh - the test gate (what CI runs), each part a counted stage:
#   checkpatch --strict over the series, fetch + apply, 'make post' (the
#   mbox, its round trip through git am and b4 am), build/KUnit/boot on
#   arm64, powerpc, sparc64, s390 and the Xen PV dom0 (x86_64-xen), and on
#   one debug profile (s390-debug: KASAN, lockdep, PREEMPT, DEBUG_PAGEALLOC,
#   KFENCE, PAGE_TABLE_CHECK), each patch built alone (with sparse) on the
#   profiles it can break (scripts/bisect.sh, BISECT_MODE=gate, without
#   x86_64-noxen; this also compiles the build-only profile riscv+KASAN at
#   the tip), 'make review' (per patch: checkpatch, kernel-doc, htmldocs, the
#   bisect verdicts), the opaque-type check (scripts/opaque.sh: arm64 with a pointer
#   lazy_mmu_state_t, generic code unchanged), and the workbench's own
#   failure-path tests.
# TEST_MODE=all (scripts/test-all.sh, 'make test-all') runs the full matrix
# on top: the other five debug profiles, every build-only profile built
# and linked in full, 'make compare' quick (arm64-prod, one -icount boot
# per kernel: the mechanism, base and series), after the
# gate's per-patch walk every patch on every profile (BISECT_MODE=all: the
# gate's targets with sparse, the gate's results reused), and the base tree
# on the six boot profiles (scripts/base.sh, one stage; its own table in
# $CACHE/results-base).
# Ends with the stage table (verdict and seconds per stage) and
# "N passed, N failed"; exits non-zero if anything failed.
. "$(dirname "$0")/lib.sh"

MODE=${TEST_MODE:-gate}
case "$MODE" in
gate) BUILD_ONLY=${BUILD_ONLY:-} ;;
all) BUILD_ONLY=${BUILD_ONLY:-x86_64-noxen riscv sparc64-module} ;;
*) die "TEST_MODE=$MODE: want 'gate' or 'all'" ;;
esac
stage_reset
log "test ($MODE): started $(date -u +%Y-%m-%dT%H:%MZ)"
stage setup "$TOP/scripts/setup.sh" || true
if ! stage fetch "$TOP/scripts/fetch.sh" || ! stage apply "$TOP/scripts/apply.sh"; then
	printf '\n%d passed, %d failed\n' "$PASSED" "$((FAILED + 1))"
	exit 1
fi
stage checkpatch "$TOP/scripts/checkpatch.sh" || true
# what would be posted: subjects, To/Cc, the mbox applied with git am and
# b4 am giving the tested commits, range-diff against the previous version
stage post "$TOP/scripts/post.sh" || true
# The boot profiles (make test: GATE_ARCHES, make test-all: all six), then
# the debug ones (make test: GATE_DEBUG, s390 with KASAN and lockdep; make
# test-all: all six). A debug boot runs the stress and the other test
# programs but leaves out the mm selftests, which the plain boot of the
# same arch runs: under KASAN and TCG they took most of a debug boot (755 s
# of arm64-debug's), and the full matrix must fit a session from a cold
# cache. DEBUG_KSELFTESTS=1 runs them there too.
if [ "$MODE" = all ]; then
	TIPS=$BOOT_ARCHES DEBUG=$DEBUG_ARCHES
else
	TIPS=$GATE_ARCHES DEBUG=$GATE_DEBUG
fi
DEBUG_ENV=KSELFTESTS=${DEBUG_KSELFTESTS:-0}
for a in $TIPS; do
	arch_stages "$a"
done
for a in $DEBUG; do
	arch_stages "$a" $DEBUG_ENV
done
for a in $BUILD_ONLY; do
	stage "build-$a" "$TOP/scripts/build.sh" "$a" || true
done
# The table before the self-tests: they boot the arm64 kernel on purpose
# with failures, which overwrites its latest KUnit/boot summaries.
results_table $TIPS $DEBUG > "$RESULTS/table.md"
if [ "${BISECT:-1}" != 0 ]; then
	# The gate's rule (scripts/bisect.sh), which to fit its hour cold
	# leaves to 'make test-all': x86_64-noxen (it cost a whole-directory
	# tip build and a build of every x86 or generic patch), and the
	# per-patch builds of riscv (the generic fallback, no lazy MMU mode),
	# which it compiles at the tip only. x86_64's kernel is not linked in
	# the gate (the dom0's is another configuration), so the walk compiles
	# x86_64's tip first, with whole directories, in every mode.
	stage bisect env BISECT_MODE=gate BISECT_ALL="$ALL_ARCHES riscv" \
		"$TOP/scripts/bisect.sh" || true
	if [ "$MODE" = all ]; then
		stage bisect-all env BISECT_MODE=all "$TOP/scripts/bisect.sh" || true
	fi
	# the per-patch review table (checkpatch, kernel-doc, htmldocs, and
	# the bisect stage's build verdicts)
	stage review env REVIEW_BISECT=read REVIEW_CHECKPATCH=read REVIEW_W1=0 \
		"$TOP/scripts/review.sh" || true
fi
# lazy_mmu_state_t must stay opaque: arm64 with a pointer state
stage opaque "$TOP/scripts/opaque.sh" || true
# make compare's mechanism on one arch (arm64-prod, whose boots take
# seconds): base and series with the flush counters built, booted with
# the benchmark, the table written. Its figures are not a test, so it runs
# in make test-all (COMPARE_QUICK=1 adds it to make test, 0 drops it)
if [ "${COMPARE_QUICK:-$([ "$MODE" = all ] && echo 1 || echo 0)}" != 0 ]; then
	stage compare-quick env COMPARE_QUICK=1 "$TOP/scripts/compare.sh" arm64 || true
fi
stage selftest "$TOP/scripts/selftest.sh" || true
if [ "$MODE" = all ]; then
	stage base "$TOP/scripts/base.sh" || true
fi

printf '\nStages (%s, %d s in all):\n' "$MODE" $(( $(date +%s) - START_TIME ))
column -t -s "$(printf '\t')" "$RESULTS/stages.tsv" | sed 's/^/  /'
printf '\nResults:\n\n'
cat "$RESULTS/table.md"
printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
