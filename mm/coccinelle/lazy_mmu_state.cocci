// SPDX-License-Identifier: GPL-2.0-only
/// Convert callers of the lazy MMU mode to keep its state in a local:
///
///   lazy_mmu_mode_enable();   ->  lazy_mmu = lazy_mmu_mode_enable();
///   lazy_mmu_mode_disable();  ->  lazy_mmu_mode_disable(lazy_mmu);
///   lazy_mmu_mode_pause();    ->  lazy_mmu = lazy_mmu_mode_pause();
///   lazy_mmu_mode_resume();   ->  lazy_mmu_mode_resume(lazy_mmu);
///
/// with "lazy_mmu_state_t lazy_mmu;" declared at the top of each function
/// that uses them. One local per function is right for every caller in the
/// tree: none opens a section inside another in the same function (the
/// nested sections happen across calls), and none mixes enable/disable with
/// pause/resume. mm/tests/lazy_mmu_mode_kunit.c does nest in one function
/// and is converted by hand.
//
// Confidence: High
// Options: --no-includes --include-headers
// Run: spatch --sp-file lazy_mmu_state.cocci --dir mm --dir fs --dir arch \
//        --in-place --exclude mm/tests

virtual patch

@uses depends on patch@
identifier fn;
@@
fn(...)
{
<+...
(
lazy_mmu_mode_enable();
|
lazy_mmu_mode_pause();
)
...+>
}

@decl depends on patch@
identifier uses.fn;
@@
fn(...)
{
+lazy_mmu_state_t lazy_mmu;
...
}

@calls depends on patch@
@@
(
-lazy_mmu_mode_enable();
+lazy_mmu = lazy_mmu_mode_enable();
|
-lazy_mmu_mode_disable();
+lazy_mmu_mode_disable(lazy_mmu);
|
-lazy_mmu_mode_pause();
+lazy_mmu = lazy_mmu_mode_pause();
|
-lazy_mmu_mode_resume();
+lazy_mmu_mode_resume(lazy_mmu);
)
