#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# main.sh [ARCH...] - the main job: install what is missing, fetch the
# pinned base, apply the series, then build, KUnit-test and boot each arch
# (default: x86_64) and print the results table.
. "$(dirname "$0")/lib.sh"

arches=$(arch_list "${@:-x86_64}") || exit 1
arches=$(echo $arches)
stage_reset
"$TOP/scripts/setup.sh" $arches
stage fetch "$TOP/scripts/fetch.sh" || die "cannot fetch the base tree"
stage apply "$TOP/scripts/apply.sh" || die "the series does not apply"
for a in $arches; do
	arch_stages "$a"
done
printf '\nResults (base %s, series %s patch(es), logs in %s):\n\n' \
	"$(base_version)" "$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" | wc -l)" "$RESULTS"
results_table $arches | tee "$RESULTS/table.md"
printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" = 0 ]
