#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# disasm.sh [ARCH...] - what a lazy MMU section costs its hot callers, base
# against series, read from the compiled objects: for each function of
# $DISASM_FUNCS (default: the callers of zap_pte_range(), copy_pte_range() and
# change_pte_range() that the compiler kept, in mm/memory.o and
# mm/mprotect.o), its instruction count and, on x86, its indirect paravirt
# calls (call *pv_ops+OFFSET, each a site that the kernel patches at boot).
#
# Default profiles x86_64-prod (Xen PV built in, PARAVIRT_XXL) and
# arm64-prod: -O2, no DEBUG_VM, no KUnit, as a distribution kernel is built.
# Only 'prepare' and the two objects are built, in build directories of their
# own (BUILD_TAG disasm-base and disasm). Static counts: what runs natively
# after boot patching is in the patch that adds the sites. Writes
# $RESULTS/disasm.md.
. "$(dirname "$0")/lib.sh"

arches=$(arch_list "${@:-x86_64-prod arm64-prod}") || exit 1
read -r repo ref < <(base_ref)
[ -f "$WORK_TREE/Makefile" ] || die "no applied tree; run 'make apply' first"
objs="mm/memory.o mm/mprotect.o"
funcs=${DISASM_FUNCS:-zap_pte_range zap_pmd_range unmap_page_range copy_pte_range copy_page_range change_pte_range change_protection}

for arch in $arches; do
	MAKE_TARGETS="prepare $objs" SRC=$repo BUILD_TAG=disasm-base "$TOP/scripts/build.sh" "$arch"
	MAKE_TARGETS="prepare $objs" SRC=$WORK_TREE BUILD_TAG=disasm "$TOP/scripts/build.sh" "$arch"
done

# fn_stats DIR FUNC: "instructions pv-call-offsets" of FUNC (or of the
# compiler's FUNC.isra.0 and the like) in DIR's objects, or "-" when no object
# has the symbol (inlined into its caller).
fn_stats() {
	local dir=$1 fn=$2 o out sym
	for o in $objs; do
		sym=$("${CROSS_COMPILE}nm" "$dir/$o" |
			awk -v f="$fn" '$2 ~ /^[tT]$/ && ($3 == f || index($3, f ".") == 1) { print $3; exit }')
		[ -n "$sym" ] || continue
		out=$("${CROSS_COMPILE}objdump" -dr --no-show-raw-insn \
			--disassemble="$sym" "$dir/$o" 2>/dev/null |
			awk '/^[0-9a-f]+ <.*>:$/ { on = 1; next }
			     on && /^ +[0-9a-f]+:\t/ { n++ }
			     on && /R_X86_64_PC32\tpv_ops\+/ { sub(/.*pv_ops\+/, ""); pv = pv " " $0 }
			     END { if (on) printf "%d%s\n", n, pv }')
		if [ -n "$out" ]; then
			printf '%s\n' "$out"
			return
		fi
	done
	echo -
}

out=$RESULTS/disasm.md
mkdir -p "$RESULTS"
{
	printf '# Hot callers of the lazy MMU mode, base against series\n\n'
	printf 'Base %s, series %s. Command: `make disasm`. Static instruction counts\n' \
		"$(git -C "$repo" rev-parse --short "$ref^{commit}")" \
		"$(git -C "$WORK_TREE" rev-parse --short HEAD)"
	printf '(objdump of %s); pv calls: offsets into pv_ops of the\n' "$objs"
	printf 'indirect calls in the function (x86: the sites patched at boot).\n'
	for arch in $arches; do
	load_arch "$arch"
	need "${CROSS_COMPILE}objdump"
	printf '\n## %s\n\n' "$arch"
	printf '| function | base insns | series insns | change | base pv calls | series pv calls |\n'
	printf '|---|---|---|---|---|---|\n'
	for fn in $funcs; do
		read -r bn bpv < <(fn_stats "$(BUILD_TAG=disasm-base build_dir "$arch")" "$fn")
		read -r sn spv < <(fn_stats "$(BUILD_TAG=disasm build_dir "$arch")" "$fn")
		if [ "$bn" = - ] && [ "$sn" = - ]; then
			printf '| %s | inlined | inlined | | | |\n' "$fn"
			continue
		fi
		chg=?
		[ "$bn" != - ] && [ "$sn" != - ] && chg=$(printf '%+d' $((sn - bn)))
		printf '| %s | %s | %s | %s | %s | %s |\n' "$fn" "$bn" "$sn" "$chg" \
			"${bpv:-none}" "${spv:-none}"
	done
	done
} > "$out"
cat "$out"
