#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# disasm.sh [ARCH...] - what a lazy MMU section costs its hot callers, base
# against series, read from the compiled objects: for each function of
# $DISASM_FUNCS that the compiler kept (default: zap_pte_range(),
# copy_pte_range(), change_pte_range() and their callers, in mm/memory.o and
# mm/mprotect.o), its instruction count and, on x86, its indirect calls to
# the lazy MMU paravirt ops (call *pv_ops+OFFSET: sites that the kernel
# patches at boot). The ops' offsets in pv_ops come from the objects' debug
# information (gdb), not from a table kept here.
#
# Default profiles x86_64-prod (Xen PV built in, PARAVIRT_XXL) and
# arm64-prod: -O2, no DEBUG_VM, no KUnit, as a distribution kernel is built
# (plus debug information, which does not change the code). Only 'prepare'
# and the two objects are built, in build directories of their own
# (BUILD_TAG disasm-base and disasm). Static counts: what runs natively
# after boot patching is in the patch that adds the sites. Writes
# $RESULTS/disasm.md.
. "$(dirname "$0")/lib.sh"

arches=$(arch_list "${@:-x86_64-prod arm64-prod}") || exit 1
read -r repo ref < <(base_ref)
[ -f "$WORK_TREE/Makefile" ] || die "no applied tree; run 'make apply' first"
objs="mm/memory.o mm/mprotect.o"
funcs=${DISASM_FUNCS:-zap_pte_range __zap_vma_range copy_pte_range copy_page_range change_pte_range change_protection __apply_to_page_range}
# The lazy MMU paravirt ops of the base (lazy_mode_flush) and of the series
pv_ops_lazy="lazy_mode_flush lazy_mmu_enter lazy_mmu_leave lazy_mmu_active"

for arch in $arches; do
	MAKE_TARGETS="prepare $objs" SRC=$repo BUILD_TAG=disasm-base "$TOP/scripts/build.sh" "$arch"
	MAKE_TARGETS="prepare $objs" SRC=$WORK_TREE BUILD_TAG=disasm "$TOP/scripts/build.sh" "$arch"
done

# pv_map OBJ: "ADDEND=NAME" for each lazy MMU op that OBJ's pv_ops has; the
# addend of a call *pv_ops+X(%rip) relocation is the field's offset - 4.
pv_map() {
	local obj=$1 op off
	for op in $pv_ops_lazy; do
		off=$(gdb -batch -ex "print/x (unsigned long)&((struct paravirt_patch_template *)0)->mmu.$op" \
			"$obj" 2>/dev/null | sed -n 's/^\$1 = //p')
		[ -n "$off" ] && printf '0x%x=%s\n' $((off - 4)) "$op"
	done
	return 0
}

# fn_stats DIR FUNC: "instructions lazy-pv-calls" of FUNC (or of the
# compiler's FUNC.isra.0 and the like) in DIR's objects ("-" for the calls
# where there are none), or "-" when no object has the symbol (inlined).
fn_stats() {
	local dir=$1 fn=$2 o out sym map
	for o in $objs; do
		sym=$("${CROSS_COMPILE}nm" "$dir/$o" |
			awk -v f="$fn" '!found && $2 ~ /^[tT]$/ && ($3 == f || index($3, f ".") == 1) { print $3; found = 1 }')
		[ -n "$sym" ] || continue
		map=
		case $KARCH in x86*) map=$(pv_map "$dir/$o" | tr '\n' ' ') ;; esac
		out=$("${CROSS_COMPILE}objdump" -dr --no-show-raw-insn \
			--disassemble="$sym" "$dir/$o" |
			awk -v map="$map" '
			BEGIN { n = split(map, m, " "); for (i = 1; i <= n; i++) { split(m[i], kv, "="); op[kv[1]] = kv[2] } }
			/^[0-9a-f]+ <.*>:$/ { on = 1; next }
			on && /^ +[0-9a-f]+:\t/ { insns++ }
			on && /R_X86_64_PC32\tpv_ops\+/ { a = $0; sub(/.*pv_ops\+/, "", a); if (a in op) calls[op[a]]++ }
			END {
				if (!on) exit
				s = ""
				for (k in calls) s = s (s == "" ? "" : ",") k "x" calls[k]
				printf "%d %s\n", insns, (s == "" ? "-" : s)
			}')
		if [ -n "$out" ]; then
			printf '%s (%s)\n' "$out" "$sym"
			return
		fi
	done
	echo "- - (inlined)"
}

out=$RESULTS/disasm.md
mkdir -p "$RESULTS"
{
	printf '# Hot callers of the lazy MMU mode, base against series\n\n'
	printf 'Base %s, series %s, %s. Command: `make disasm`.\n' \
		"$(git -C "$repo" rev-parse --short "$ref^{commit}")" \
		"$(git -C "$WORK_TREE" rev-parse --short HEAD)" "$(date -u +%F)"
	printf 'Static instruction counts (objdump of %s); lazy pv calls:\n' "$objs"
	printf 'indirect calls to the lazy MMU paravirt ops in the function (x86:\n'
	printf 'sites patched at boot), opxCOUNT.\n'
	for arch in $arches; do
		load_arch "$arch"
		need "${CROSS_COMPILE}objdump" "${CROSS_COMPILE}nm" gdb
		printf '\n## %s\n\n' "$arch"
		printf '| function | base insns | series insns | change | base lazy pv calls | series lazy pv calls |\n'
		printf '|---|---|---|---|---|---|\n'
		for fn in $funcs; do
			read -r bn bpv bsym < <(fn_stats "$(BUILD_TAG=disasm-base build_dir "$arch")" "$fn")
			read -r sn spv ssym < <(fn_stats "$(BUILD_TAG=disasm build_dir "$arch")" "$fn")
			chg=
			[ "$bn" != - ] && [ "$sn" != - ] && chg=$(printf '%+d' $((sn - bn)))
			printf '| %s %s | %s | %s | %s | %s | %s |\n' "$fn" \
				"$([ "$bsym" = "$ssym" ] && echo "$ssym" || echo "$bsym/$ssym")" \
				"$bn" "$sn" "$chg" "$bpv" "$spv"
		done
	done
} > "$out"
cat "$out"
