#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest.sh - the workbench's own tests: every failure path must give a
# clear message and a non-zero exit. Needs the base tree (fetch) and, for
# the boot cases, a built arm64 kernel (build arm64); cases whose
# prerequisite is missing fail rather than skip.
# Prints "ok/not ok" per case and "N passed, N failed".
. "$(dirname "$0")/lib.sh"

S=$TOP/scripts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0

# expect_fail NAME REGEX CMD...: CMD must exit non-zero and say REGEX.
expect_fail() {
	local name=$1 re=$2 rc=0 t0=$SECONDS
	shift 2
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" != 0 ] && grep -Eq "$re" "$tmp/out"; then
		pass=$((pass + 1))
		printf 'ok %d %s # %d s\n' "$n" "$name" $((SECONDS - t0))
	else
		fail=$((fail + 1))
		printf 'not ok %d %s (exit %s, wanted /%s/)\n' "$n" "$name" "$rc" "$re"
		sed 's/^/    # /' "$tmp/out" | tail -n 15
	fi
}

# expect_ok NAME CMD...
expect_ok() {
	local name=$1 rc=0 t0=$SECONDS
	shift
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf 'ok %d %s # %d s\n' "$n" "$name" $((SECONDS - t0))
	else
		fail=$((fail + 1))
		printf 'not ok %d %s (exit %s)\n' "$n" "$name" "$rc"
		sed 's/^/    # /' "$tmp/out" | tail -n 15
	fi
}

# --- arguments and environment
expect_fail unknown-arch "unknown arch 'vax'" "$S/build.sh" vax
expect_fail unknown-arch-kunit "unknown arch 'vax'" "$S/kunit.sh" vax
expect_fail build-only-arch-boot "build-only" "$S/boot.sh" riscv
expect_fail missing-kernel-src "KERNEL_SRC=$tmp/nope does not exist" \
	env KERNEL_SRC="$tmp/nope" "$S/fetch.sh"
mkdir -p "$tmp/notgit"
expect_fail kernel-src-not-git "is not a git tree" env KERNEL_SRC="$tmp/notgit" "$S/apply.sh"
# a git tree that is not Linux 7.3: the base does not match
git init -q "$tmp/old"
printf 'VERSION = 6\nPATCHLEVEL = 1\n' > "$tmp/old/Makefile"
git -C "$tmp/old" add Makefile
git -C "$tmp/old" -c user.name=t -c user.email=t@t commit -qm old
expect_fail kernel-src-wrong-version "is Linux 6.1 .* needs 7.3" env KERNEL_SRC="$tmp/old" "$S/fetch.sh"
expect_fail soak-bad-seconds "want numbers" env SOAK_SECONDS=ten "$S/soak.sh" x86_64
expect_fail missing-tool "'no-such-tool' is not installed" \
	bash -c ". '$S/lib.sh'; need no-such-tool"

# --- the console checks see the reports that print no "cut here": lockdep,
# RCU, arm64's "Call trace:", UBSAN; not a test program's "# WARNING"
printf '%s\n' '# WARNING: a selftest line' '(XEN) WARNING: a Xen line' > "$tmp/clean.log"
expect_ok bad-log-clean bash -c ". '$S/lib.sh'; [ -z \"\$(console_problems '$tmp/clean.log' 2>/dev/null)\" ]"
for r in 'lockdep|WARNING: possible circular locking dependency detected' \
	 'rcu|[    3.141592] WARNING: suspicious RCU usage' 'arm64-trace|Call trace:' \
	 'ubsan|UBSAN: shift-out-of-bounds in mm/memory.c:1' \
	 'kasan|BUG: KASAN: slab-use-after-free in f+0x1/0x2'; do
	printf '%s\n' "${r#*|}" > "$tmp/bad.log"
	expect_fail "bad-log-${r%%|*}" "WARN/BUG/Oops/panic" bash -c \
		". '$S/lib.sh'; p=\$(console_problems '$tmp/bad.log'); echo \"\$p\"; [ -z \"\$p\" ]"
done

# --- make base: a failure of the base that a profile expects must be that
# failure (its regex, and no other report in the log); one that passes
# fails, as the profile is then wrong
xf() {	# xf CONSOLE-LINE... -> a failing "stage" that wrote that console log
	printf '%s\n' "$@" > "$tmp/xf.lines"
	bash -c ". '$S/lib.sh'; ARCH_NAME=fake LOG_ROOT='$tmp' BASE_XFAIL='kunit boot'
		BASE_XFAIL_MATCH='WARNING: include/linux/pgtable\\.h:(362|319) ' BASE_XFAIL_WHY='the bug'
		base_xfail kunit base bash -c 'cp $tmp/xf.lines $tmp/kunit-base-fake.console.log; \${XF_RC:-false}'"
}
expect_ok base-xfail-expected xf 'WARNING: include/linux/pgtable.h:362 at 0x1, CPU#0: swapper/0/0'
expect_fail base-xfail-other-failure "failed, but not as arch/fake/profile expects" \
	xf 'WARNING: mm/memory.c:12 at 0x1, CPU#0: a/1'
expect_fail base-xfail-extra-report "other reports too" \
	xf 'WARNING: include/linux/pgtable.h:319 at 0x1, CPU#0: a/1' 'BUG: KASAN: use-after-free in f+0x1/0x2'
expect_fail base-xfail-passes "passed, but arch/fake/profile says it fails" \
	env XF_RC=true bash -c "$(declare -f xf); tmp='$tmp' S='$S' xf 'nothing'"

# --- a patch that does not apply: named, git's message shown, tree untouched
mkdir -p "$tmp/bad"
cat > "$tmp/bad/0001-broken.patch" <<'PATCH'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Self Test <selftest@lazy-mmu.invalid>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] selftest: a patch that cannot apply

Signed-off-by: Self Test <selftest@lazy-mmu.invalid>
---
 Makefile | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/Makefile b/Makefile
--- a/Makefile
+++ b/Makefile
@@ -1,3 +1,3 @@
 # This line is not in the kernel's Makefile
-VERSION = 99
+VERSION = 100
 PATCHLEVEL = 3
-- 
2.39.5
PATCH
printf '0001-broken.patch\n' > "$tmp/bad/series"
before=$(git -C "$WORK_TREE" rev-parse HEAD 2>/dev/null || echo none)
expect_fail broken-patch "patch 1 \(0001-broken.patch\) does not apply" \
	env PATCHES="$tmp/bad" "$S/apply.sh"
expect_ok broken-patch-tree-unchanged \
	bash -c "[ \"\$(git -C '$WORK_TREE' rev-parse HEAD)\" = '$before' ] &&
		 [ -z \"\$(git -C '$WORK_TREE' status --porcelain)\" ] &&
		 [ ! -d '$WORK_TREE/.git/rebase-apply' ]"
printf '0002-missing.patch\n' > "$tmp/bad/series"
expect_fail series-lists-missing-patch "lists '0002-missing.patch'" env PATCHES="$tmp/bad" "$S/apply.sh"

# --- make post: a subject that does not match the series (a patch dropped
# from series without re-exporting) stops it before anything is written
cp -r "$TOP/patches" "$tmp/post"
sed -i '$d' "$tmp/post/series"
left=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$tmp/post/series" | wc -l)
expect_fail post-wrong-subject "does not start with '\[PATCH (v[0-9]+ )?0*0/0*$left\]'" \
	env PATCHES="$tmp/post" "$S/post.sh"

# --- make compare's instrumentation must apply to both trees: an arm64
# measuring patch whose context no tree has stops the run before a build
cp -r "$TOP/not-posted" "$tmp/np"
sed -i 's/^ \tdsb(ishst);$/ \tdsb(ish);/' "$tmp"/np/measure-arm64-pte-barrier-count/*.patch
expect_fail compare-patch-rot "does not apply on the base tree" \
	env COMPARE_PATCHES="$tmp/np" COMPARE_QUICK=1 "$S/compare.sh" arm64

# --- make profile names the kernel it lacks before it boots anything
expect_fail profile-missing-kernel "no kernel built as no-such-build" \
	env PROFILE_SERIES_TAG=no-such-build "$S/profile.sh" arm64

# --- boots that go wrong (the arm64 kernel of the normal build, which the
# gate builds; KUNIT_RETRIES=0: the retry of a hung QEMU would only double
# the wait)
expect_fail boot-panic "WARN/BUG/Oops/panic" \
	env EXTRA_KERNEL_ARGS="rdinit=/nonexistent" BOOT_TIMEOUT=120 KSELFTESTS=0 "$S/boot.sh" arm64
expect_fail boot-hang-timeout "timed out after 15s" \
	env EXTRA_QEMU_ARGS="-S" BOOT_TIMEOUT=15 KSELFTESTS=0 "$S/boot.sh" arm64
expect_fail kunit-missing-suite "suite 'no_such_suite' did not run" \
	env EXPECT_SUITES=no_such_suite "$S/kunit.sh" arm64
# QEMU's -S: the CPUs never start, the kernel prints nothing
expect_fail kunit-hang-timeout "timed out after 15s" \
	env EXTRA_QEMU_ARGS="-S" KUNIT_TIMEOUT=15 KUNIT_RETRIES=0 "$S/kunit.sh" arm64

# --- the opaque-type check catches generic code that assumes an int state
# (not-posted/planted-int-state: a BUILD_BUG_ON on its size in mm/memory.c)
expect_fail opaque-planted-int-state "does not build with a pointer lazy_mmu_state_t" \
	env OPAQUE_EXTRA="$TOP/not-posted/planted-int-state" "$S/opaque.sh"

# --- a KUnit case that fails: the lazy MMU test file with one more suite
# that fails on purpose, built incrementally in a copy of the arm64 build
# directory (only that file and the link are redone: x86_64's would rebuild
# objtool, whose paths name the directory it was built in, and with it
# every object). The applied tree is changed for the duration and restored
# on exit, whatever happens.
kfile=mm/tests/lazy_mmu_mode_kunit.c
ka=arm64
if [ -n "$(git -C "$WORK_TREE" status --porcelain -- "$kfile" 2>/dev/null)" ]; then
	n=$((n + 1)) fail=$((fail + 1))
	printf 'not ok %d failing-kunit-case (%s has local changes; run apply first)\n' "$n" "$kfile"
elif [ -f "$WORK_TREE/$kfile" ] && [ -f "$(build_dir $ka)/vmlinux" ]; then
	sb=$(BUILD_TAG=selftest build_dir $ka)
	rm -rf "$sb"
	cp -a "$(build_dir $ka)" "$sb"
	trap 'git -C "$WORK_TREE" checkout -q -- "$kfile"; rm -rf "$tmp" "$sb"' EXIT
	trap 'exit 1' INT TERM
	cat >> "$WORK_TREE/$kfile" <<'C'

static void workbench_selftest_fails(struct kunit *test)
{
	KUNIT_FAIL(test, "deliberate failure (workbench self-test)");
}

static struct kunit_case workbench_selftest_cases[] = {
	KUNIT_CASE(workbench_selftest_fails),
	{}
};

static struct kunit_suite workbench_selftest_suite = {
	.name = "workbench_selftest",
	.test_cases = workbench_selftest_cases,
};
kunit_test_suite(workbench_selftest_suite);
C
	# Without ccache: an object of the planted file must never be stored
	# where the real build could pick it up (once, right after a self-test,
	# the gate's own x86_64 KUnit run booted a kernel with this suite).
	expect_ok failing-kunit-build env BUILD_TAG=selftest CCACHE_DISABLE=1 "$S/build.sh" $ka
	expect_fail failing-kunit-case "KUnit FAILED" \
		env BUILD_TAG=selftest "$S/kunit.sh" $ka
	git -C "$WORK_TREE" checkout -q -- "$kfile"
	rm -rf "$sb"
else
	n=$((n + 1)) fail=$((fail + 1))
	printf 'not ok %d failing-kunit-case (no %s or no %s kernel: run apply and build first)\n' "$n" "$kfile" "$ka"
fi

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" = 0 ]
