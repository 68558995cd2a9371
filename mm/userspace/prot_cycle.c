// SPDX-License-Identifier: GPL-2.0
/*
 * prot_cycle: walk a few MiB of anonymous memory through the page-table
 * paths that run in lazy MMU mode (mprotect, fork's copy, COW, munmap,
 * mremap, madvise(DONTNEED)) and check the data after every step. A lost
 * or late batched update shows up as wrong data or a fault.
 */
#include "ktap.h"

#define PAGE		4096UL
#define NPAGES		1024UL			/* 4 MiB */
#define SIZE		(NPAGES * PAGE)
#define MAGIC		0x6c617a79UL

#include "pattern.h"

static void fill(unsigned char *base, unsigned long first, unsigned long n,
		 unsigned long gen)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		unsigned long *w = (unsigned long *)(base + i * PAGE);

		w[0] = pattern(i, gen);
		w[PAGE / sizeof(long) - 1] = ~pattern(i, gen);
	}
}

/* Page i of the range at base must hold generation gen of page (i + shift). */
static int check(const unsigned char *base, unsigned long first,
		 unsigned long n, unsigned long gen, long shift)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		const unsigned long *w = (const unsigned long *)(base + i * PAGE);

		if (w[0] != pattern(i + shift, gen) ||
		    w[PAGE / sizeof(long) - 1] != ~pattern(i + shift, gen)) {
			printf("    # page %lu: 0x%lx, expected 0x%lx\n", i, w[0],
			       pattern(i + shift, gen));
			return 0;
		}
	}
	return 1;
}

static int all_zero(const unsigned char *base, unsigned long first, unsigned long n)
{
	unsigned long i, j;

	for (i = first; i < first + n; i++)
		for (j = 0; j < PAGE; j += 512)
			if (base[i * PAGE + j])
				return 0;
	return 1;
}

int main(void)
{
	unsigned char *buf, *moved, *hole;
	int status = -1;
	pid_t pid;

	ktap_begin("prot_cycle", 8);

	buf = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ktap_case("mmap_fill", buf != MAP_FAILED, "mmap failed"))
		return ktap_end();
	fill(buf, 0, NPAGES, 0);

	/* mprotect down to read-only and back: change_pte_range() in lazy mode */
	ktap_case("mprotect_ro_rw",
		  syscall(__NR_mprotect, buf, SIZE, PROT_READ) == 0 &&
		  check(buf, 0, NPAGES, 0, 0) &&
		  syscall(__NR_mprotect, buf, SIZE, PROT_READ | PROT_WRITE) == 0 &&
		  (fill(buf, 0, NPAGES / 2, 1), check(buf, 0, NPAGES / 2, 1, 0)) &&
		  check(buf, NPAGES / 2, NPAGES / 2, 0, 0),
		  "data changed across mprotect");

	/* fork: copy_pte_range() write-protects the parent's PTEs in lazy mode */
	pid = fork();
	if (pid == 0) {
		int ok = check(buf, 0, NPAGES / 2, 1, 0) &&
			 check(buf, NPAGES / 2, NPAGES / 2, 0, 0);

		fill(buf, 0, NPAGES, 7);		/* break COW everywhere */
		exit(ok && check(buf, 0, NPAGES, 7, 0) ? 0 : 1);
	}
	ktap_case("fork_cow_child",
		  pid > 0 && waitpid(pid, &status, 0) == pid && status == 0,
		  "child saw wrong data");
	fill(buf, NPAGES / 2, NPAGES / 2, 2);
	ktap_case("fork_cow_parent",
		  check(buf, 0, NPAGES / 2, 1, 0) &&
		  check(buf, NPAGES / 2, NPAGES / 2, 2, 0),
		  "child's writes leaked into the parent");

	/* munmap the second quarter: zap_pte_range() */
	hole = buf + NPAGES / 4 * PAGE;
	ktap_case("munmap_middle",
		  munmap(hole, NPAGES / 4 * PAGE) == 0 &&
		  check(buf, 0, NPAGES / 4, 1, 0) &&
		  check(buf, NPAGES / 2, NPAGES / 2, 2, 0) &&
		  mmap(hole, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0) == hole &&
		  all_zero(hole, 0, 1) && munmap(hole, PAGE) == 0,
		  "munmap left wrong data or a mapping behind");

	/* mremap the last half elsewhere: move_ptes() */
	moved = mremap(buf + NPAGES / 2 * PAGE, NPAGES / 2 * PAGE,
		       NPAGES / 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       buf + 8 * NPAGES * PAGE);
	ktap_case("mremap_move",
		  moved != MAP_FAILED && check(moved, 0, NPAGES / 2, 2, NPAGES / 2),
		  "moved pages hold wrong data");

	/* madvise(DONTNEED) on half of what moved: zap again, reads see zero */
	ktap_case("madvise_dontneed",
		  moved != MAP_FAILED &&
		  syscall(__NR_madvise, moved, NPAGES / 4 * PAGE, MADV_DONTNEED) == 0 &&
		  all_zero(moved, 0, NPAGES / 4) &&
		  check(moved, NPAGES / 4, NPAGES / 4, 2, NPAGES / 2),
		  "DONTNEED range not zero or neighbour changed");

	ktap_case("unmap_all",
		  munmap(buf, NPAGES / 4 * PAGE) == 0 &&
		  (moved == MAP_FAILED || munmap(moved, NPAGES / 2 * PAGE) == 0),
		  "munmap failed");
	return ktap_end();
}
