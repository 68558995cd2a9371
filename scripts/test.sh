#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh - everything the project promises, each as a counted stage:
#   checkpatch --strict over the series, fetch + apply, build/KUnit/boot on
#   the five boot arches, the build-only profiles (x86_64 without Xen PV,
#   riscv with KASAN), each patch of the series built alone on every arch it
#   can affect (BISECT=0 skips), and the repository's own script tests.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
. "$(dirname "$0")/lib.sh"

BUILD_ONLY=${BUILD_ONLY:-x86_64-noxen riscv sparc64-module}
stage_reset
"$TOP/scripts/setup.sh"
if ! stage fetch "$TOP/scripts/fetch.sh" || ! stage apply "$TOP/scripts/apply.sh"; then
	printf '\n%d passed, %d failed\n' "$PASSED" "$((FAILED + 1))"
	exit 1
fi
stage checkpatch "$TOP/scripts/checkpatch.sh" || true
for a in $ALL_ARCHES; do
	arch_stages "$a"
done
for a in $BUILD_ONLY; do
	stage "build-$a" "$TOP/scripts/build.sh" "$a" || true
done
# The table before the self-tests: they boot the x86_64 kernel on purpose
# with failures, which overwrites its latest KUnit/boot summaries.
results_table $ALL_ARCHES > "$RESULTS/table.md"
if [ "${BISECT:-1}" != 0 ]; then
	stage bisect "$TOP/scripts/bisect.sh" || true
fi
stage selftest "$TOP/scripts/selftest.sh" || true

printf '\nStages:\n'
column -t -s "$(printf '\t')" "$RESULTS/stages.tsv" | sed 's/^/  /'
printf '\nResults:\n\n'
cat "$RESULTS/table.md"
printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
