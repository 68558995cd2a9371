#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh ARCH... - boot the built kernel with an initramfs whose static
# /init (mm/userspace/init.c, built with the kernel's nolibc) runs every
# test program in mm/userspace/, then the kernel's mm selftests listed in
# mm/userspace/kselftests (built from the tree under test, statically with
# the target's glibc; KSELFTESTS=0 leaves them out, and so does a
# profile's KSELFTESTS_LEAVE_OUT for those it names), and prints KTAP.
# KUnit is switched off (kunit.enable=0) for this boot. The run fails on a
# timeout, on a WARN/BUG/Oops/panic in the log, on a missing or failed test
# program (a selftest may skip as a whole); the KTAP is parsed by kunit.py
# parse. EXTRA_KERNEL_ARGS and EXTRA_QEMU_ARGS
# are added to the kernel command line and to QEMU's. USERSPACE_PROGS
# replaces the test programs with the C files it lists (make compare runs
# mm/bench/flush_bench.c alone).
. "$(dirname "$0")/lib.sh"

SRC=${SRC:-$WORK_TREE}
need python3 timeout
PATH=$(shim_path):$PATH

boot_one() {
	local arch=$1 b u t0 rc=0 prog progs=() fail=
	load_arch "$arch"
	[ "$BOOT" = yes ] || die "$arch: profile is build-only (BOOT=$BOOT)"
	# BOOT_TIMEOUT (environment) over the profile's default (a debug
	# kernel's boots take longer) over 300 s
	local TIMEOUT=${BOOT_TIMEOUT:-${BOOT_TIMEOUT_DEFAULT:-300}}
	b=$(build_dir "$arch")
	[ -f "$b/$KERNEL_IMAGE" ] || die "$arch: no kernel at $b/$KERNEL_IMAGE; run 'make build ARCH=$arch'"
	need "$QEMU" "${CROSS_COMPILE}gcc"
	u=$b/userspace
	rm -rf "$u"
	mkdir -p "$u"

	log "$arch: userspace: nolibc sysroot and test programs"
	# nolibc's headers in sysroot/, the kernel's uapi headers in uapi/ (the
	# selftests' glibc must not see nolibc's)
	{
		make -C "$SRC/tools/include/nolibc" headers OUTPUT="$u/" &&
		make -C "$SRC" O="$b" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
			headers_install INSTALL_HDR_PATH="$u/uapi" &&
		{ [ -x "$b/usr/gen_init_cpio" ] || make -C "$SRC" O="$b" ARCH="$KARCH" \
			CROSS_COMPILE="$CROSS_COMPILE" usr/gen_init_cpio; }
	} >"$u/sysroot.log" 2>&1 || die "$arch: nolibc sysroot failed; see $u/sysroot.log"

	local cc=("${CROSS_COMPILE}gcc" -Os -static -nostdlib -nostdinc -Wall -Werror
		  -fno-asynchronous-unwind-tables -fno-stack-protector ${USER_CFLAGS:-}
		  -I"$u/sysroot/include" -I"$u/uapi/include" -include nolibc.h)
	local srcs=("$TOP/mm/userspace/init.c")
	if [ -n "${USERSPACE_PROGS:-}" ]; then
		# shellcheck disable=SC2206
		srcs+=($USERSPACE_PROGS)
	else
		srcs+=("$TOP"/mm/userspace/*.c)
	fi
	for prog in "${srcs[@]}"; do
		local name=${prog##*/}
		name=${name%.c}
		[ -f "$prog" ] || die "$arch: no test program $prog"
		# init.c comes first; the glob lists it again
		[ "$name" != init ] || [ ! -f "$u/init" ] || continue
		"${cc[@]}" -o "$u/$name" "$prog" -lgcc >"$u/cc-$name.log" 2>&1 ||
			{ cat "$u/cc-$name.log" >&2; die "$arch: cannot build $prog"; }
		[ "$name" = init ] || progs+=("$name")
	done
	printf '%s\n' "${progs[@]}" > "$u/list"
	# the kernel's mm selftests (mm/userspace/kselftests), static with glibc
	local ksft=()
	if [ -z "${USERSPACE_PROGS:-}" ] && [ "${KSELFTESTS:-1}" != 0 ]; then
		local name args targets=()
		while read -r name args; do
			case " ${KSELFTESTS_LEAVE_OUT:-} " in
			*" $name "*) log "$arch: userspace: $name left out (KSELFTESTS_LEAVE_OUT in arch/$arch/profile)"; continue ;;
			esac
			ksft+=("$name")
			targets+=("$u/kselftest/$name")
			printf '%s kselftest %s\n' "$name" "$args" >> "$u/list"
		done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/mm/userspace/kselftests")
		[ ${#ksft[@]} -gt 0 ] || die "$arch: KSELFTESTS_LEAVE_OUT leaves out every mm selftest; set KSELFTESTS=0 instead"
		log "$arch: userspace: the kernel's mm selftests (${ksft[*]})"
		mkdir -p "$u/kselftest"
		make -C "$SRC/tools/testing/selftests/mm" ARCH="$KARCH" \
			CROSS_COMPILE="$CROSS_COMPILE" OUTPUT="$u/kselftest" \
			KHDR_INCLUDES="-isystem $u/uapi/include" LDFLAGS=-static \
			"${targets[@]}" >"$u/kselftest.log" 2>&1 ||
			{ tail -n 20 "$u/kselftest.log" >&2
			  die "$arch: cannot build the mm selftests; see $u/kselftest.log"; }
		progs+=("${ksft[@]}")
	fi
	printf '%s\n' "$SHUTDOWN" > "$u/shutdown"
	{
		printf 'dir /dev 755 0 0\nnod /dev/console 600 0 0 c 5 1\n'
		printf 'dir /proc 755 0 0\ndir /sys 755 0 0\ndir /tmp 1777 0 0\n'
		printf 'dir /tests 755 0 0\nfile /init %s 755 0 0\n' "$u/init"
		printf 'file /tests/list %s 644 0 0\n' "$u/list"
		printf 'file /tests/shutdown %s 644 0 0\n' "$u/shutdown"
		for prog in "${progs[@]}"; do
			if [ -f "$u/kselftest/$prog" ]; then
				printf 'file /tests/%s %s 755 0 0\n' "$prog" "$u/kselftest/$prog"
			else
				printf 'file /tests/%s %s 755 0 0\n' "$prog" "$u/$prog"
			fi
		done
	} > "$u/cpio.list"
	"$b/usr/gen_init_cpio" "$u/cpio.list" > "$u/initramfs.cpio" ||
		die "$arch: gen_init_cpio failed"

	# For the selftests: mremap_test maps regions of 2 GB without filling
	# them (sysctl.* needs CONFIG_SYSCTL, which tinyconfig has), and places
	# some of them next to others, which with a randomized layout collide
	# now and then ("Failed to map dest preamble region: File exists" on
	# s390): the layout is made the same in every boot
	local ksft_args=
	[ ${#ksft[@]} = 0 ] || ksft_args="sysctl.vm.overcommit_memory=1 norandmaps"
	qemu_kernel_args "$b/$KERNEL_IMAGE" \
		"console=$CONSOLE kunit.enable=0 panic=-1 $ksft_args ${EXTRA_KERNEL_ARGS:-}" \
		"$u/initramfs.cpio"
	t0=$(date +%s)
	log "$arch: boot with initramfs under $QEMU${XEN_IMAGE:+ as dom0 of ${XEN_IMAGE##*/}} (timeout ${TIMEOUT}s)"
	# shellcheck disable=SC2086
	timeout --kill-after=10 "$TIMEOUT" "$QEMU" -nodefaults -nographic -no-reboot \
		-m 1024 -serial stdio -accel kvm -accel tcg $QEMU_ARGS ${EXTRA_QEMU_ARGS:-} \
		"${QEMU_KERNEL_ARGS[@]}" \
		</dev/null >"$u/console.raw" 2>&1 || rc=$?
	# without carriage returns and blank lines (see kunit.sh: a Xen
	# dom0's lines end in "\r\r\n")
	tr -d '\r' < "$u/console.raw" | sed '/^$/d' > "$u/console.log"
	cp "$u/console.log" "$LOG_ROOT/boot-${BUILD_TAG:+$BUILD_TAG-}$arch.console.log"
	case "$rc" in
	0) ;;
	124|137) fail="timed out after ${TIMEOUT}s" ;;
	*) fail="QEMU exited $rc" ;;
	esac
	fail=$(console_problems "$u/console.log" "$fail")
	# a selftest may skip as a whole (exit 4: what it needs is not built);
	# the summary counts it, and README says why
	for prog in "${progs[@]}"; do
		local ok="^ok [0-9]+ $prog\$"
		case " ${ksft[*]} " in *" $prog "*) ok="^ok [0-9]+ $prog( # SKIP)?\$" ;; esac
		grep -Eq "$ok" "$u/console.log" ||
			fail="${fail:+$fail; }'$prog' did not run or did not pass"
	done
	python3 "$SRC/tools/testing/kunit/kunit.py" parse --json="$u/ktap.json" \
		"$u/console.log" >"$u/parse.out" 2>&1 ||
		fail="${fail:+$fail; }kunit.py parse failed"
	local summary
	summary=$(sed -n '/Ran [0-9]* tests/s/^\[[0-9:]*\] //p' "$u/parse.out" | tail -n 1)
	printf '%s\t%s\n' "$arch" "${summary:-no summary}" > "$u/summary"
	if [ -n "$fail" ]; then
		grep -E '^ *(not ok|# )' "$u/console.log" | head -n 20 >&2 || true
		die "$arch: userspace boot FAILED: $fail (console: $LOG_ROOT/boot-${BUILD_TAG:+$BUILD_TAG-}$arch.console.log)"
	fi
	log "$arch: userspace boot ok in $(( $(date +%s) - t0 )) s: $summary"
}

for_each_arch boot_one "$@"
