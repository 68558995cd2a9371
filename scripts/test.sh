#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh - the test gate (what CI runs), each part a counted stage:
#   checkpatch --strict over the series, fetch + apply, 'make post' (the
#   mbox, its round trip through git am and b4 am), build/KUnit/boot on
#   the five boot arches, each patch built alone (with sparse) on the
#   profiles it can break (scripts/bisect.sh, BISECT_MODE=gate, without
#   x86_64-noxen; this also compiles the build-only profile riscv+KASAN at
#   the tip), 'make review' (per patch: checkpatch, kernel-doc, htmldocs, the
#   bisect verdicts), the opaque-type check (scripts/opaque.sh: arm64 with a pointer
#   lazy_mmu_state_t, generic code unchanged), 'make compare' quick
#   (arm64-prod, one -icount boot per kernel; COMPARE_QUICK=0 skips it),
#   and the workbench's own failure-path tests.
# TEST_MODE=all (scripts/test-all.sh, 'make test-all') runs the full matrix
# on top: every build-only profile built and linked in full, after the
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
for a in $GATE_ARCHES; do
	arch_stages "$a"
done
for a in $BUILD_ONLY; do
	stage "build-$a" "$TOP/scripts/build.sh" "$a" || true
done
# The table before the self-tests: they boot the x86_64 kernel on purpose
# with failures, which overwrites its latest KUnit/boot summaries.
results_table $GATE_ARCHES > "$RESULTS/table.md"
if [ "${BISECT:-1}" != 0 ]; then
	# the gate leaves x86_64-noxen to 'make test-all' (cold time: it cost
	# a whole-directory tip build and a build of every x86 or generic patch)
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
# the benchmark, the table written; its figures are not the gate's business
# (COMPARE_QUICK=0 make test skips it)
if [ "${COMPARE_QUICK:-1}" != 0 ]; then
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
