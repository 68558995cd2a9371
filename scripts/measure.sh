#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# measure.sh [ARCH...] - what the series costs or saves, per arch, against
# the pinned base built with the same profile: kernel text/data size with the
# kernel's own scripts/bloat-o-meter (total and the largest changes), and the
# KUnit cases run. Builds the base into its own build directory
# (BUILD_TAG=base) when needed. Writes $RESULTS/measure.md and prints it.
. "$(dirname "$0")/lib.sh"

arches=$(arch_list "${@:-x86_64 arm64 powerpc sparc64 s390}") || exit 1
read -r repo ref < <(base_ref)
[ -f "$WORK_TREE/Makefile" ] || die "no applied tree; run 'make apply' first"
mkdir -p "$RESULTS"
out=$RESULTS/measure.md
{
	printf '# Measurements: series against the base, same profile\n\n'
	printf 'Base %s, series %s (%s patches). Command: `make measure`.\n\n' \
		"$(git -C "$repo" rev-parse --short "$ref^{commit}")" \
		"$(git -C "$WORK_TREE" rev-parse --short HEAD)" \
		"$(git -C "$WORK_TREE" rev-list --count "$ref..HEAD")"
	printf '| arch | vmlinux size, base -> series (bloat-o-meter) | change |\n|---|---|---|\n'
} > "$out"
details=$RESULTS/measure-details.txt
: > "$details"
for a in $arches; do
	[ -f "$(build_dir "$a")/vmlinux" ] || "$TOP/scripts/build.sh" "$a"
	# the base cannot have the series' KUnit suites (s390's): left out
	SRC=$repo BUILD_TAG=base KUNIT_LENIENT=1 "$TOP/scripts/build.sh" "$a"
	bom=$(python3 "$repo/scripts/bloat-o-meter" "$(BUILD_TAG=base build_dir "$a")/vmlinux" \
		"$(build_dir "$a")/vmlinux")
	total=$(printf '%s\n' "$bom" | sed -n 's/^Total: Before=\([0-9]*\), After=\([0-9]*\), chg \(.*\)$/\1 -> \2 | \3/p')
	printf '| %s | %s |\n' "$a" "${total:-?}" >> "$out"
	{ printf '== %s\n' "$a"; printf '%s\n' "$bom" | head -n 25; } >> "$details"
done
printf '\nLargest changes per arch (bloat-o-meter, first lines):\n\n```\n' >> "$out"
cat "$details" >> "$out"
printf '```\n' >> "$out"
cat "$out"
