/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data pattern of the userspace tests: the word a page holds in
 * generation gen of a run, different for every page and generation. The
 * program defines MAGIC (its own, so that runs of two programs never agree
 * by chance) and PAGE before including this.
 */
#ifndef LAZY_MMU_PATTERN_H
#define LAZY_MMU_PATTERN_H

static unsigned long pattern(unsigned long page, unsigned long gen)
{
	return (page * 2654435761UL) ^ (MAGIC + gen);
}

#endif
