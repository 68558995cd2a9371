/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP output for the userspace tests that run as /init's children
 * (built with the kernel's nolibc). Each test program is one KTAP "suite":
 * its lines are indented by four spaces, and /init prints the top-level
 * "ok N name" line from the program's exit status.
 */
#ifndef LAZY_MMU_KTAP_H
#define LAZY_MMU_KTAP_H

static int ktap_case_nr;
static int ktap_failed;

static void ktap_begin(const char *suite, int ncases)
{
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite, ncases);
}

/* Report one case; returns its result so callers can stop early. */
static int ktap_case(const char *name, int ok, const char *why)
{
	ktap_case_nr++;
	if (!ok) {
		ktap_failed++;
		printf("    # %s: %s\n", name, why ? why : "failed");
	}
	printf("    %sok %d %s\n", ok ? "" : "not ", ktap_case_nr, name);
	return ok;
}

static int ktap_end(void)
{
	return ktap_failed ? 1 : 0;
}

#endif
