// SPDX-License-Identifier: GPL-2.0
/*
 * mt_prot: the page-table paths that run in lazy MMU mode (mprotect, fork,
 * munmap, mremap, madvise), with a second thread of the process running on
 * the other CPU, so that the mm is attached on both CPUs and every
 * invalidation must reach the other CPU's TLB (on s390: global IPTEs, which
 * the lazy MMU mode batches). The helper thread first writes every page, so
 * that its CPU holds writable TLB entries, and then checks what the main
 * thread changed: data, and that a page made read-only or unmapped can no
 * longer be written from its CPU. A write is tried through the kernel
 * (read() from a pipe into the page): it uses the calling CPU's TLB like a
 * user store, and fails with EFAULT instead of killing the process.
 *
 * Threads are started with a raw clone(); the start code is per
 * architecture, and where there is none the program reports a skip.
 */
#include "ktap.h"
#include "probe.h"
#include "thread.h"

#define PAGE		4096UL
#define NPAGES		2048UL			/* 8 MiB */
#define SIZE		(NPAGES * PAGE)
#define MAGIC		0x6d747072UL

#include "pattern.h"

static void fill(unsigned char *base, unsigned long first, unsigned long n,
		 unsigned long gen)
{
	unsigned long i;

	for (i = first; i < first + n; i++)
		*(unsigned long *)(base + i * PAGE) = pattern(i, gen);
}

/* Page i of the range at base holds generation gen of page (i + shift) */
static int check(const unsigned char *base, unsigned long first,
		 unsigned long n, unsigned long gen, long shift)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		unsigned long w = *(const unsigned long *)(base + i * PAGE);

		if (w != pattern(i + shift, gen)) {
			printf("    # page %lu: 0x%lx, expected 0x%lx\n", i, w,
			       pattern(i + shift, gen));
			return 0;
		}
	}
	return 1;
}

static int zero(const unsigned char *base, unsigned long first, unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n; i++)
		if (*(const unsigned long *)(base + i * PAGE))
			return 0;
	return 1;
}

/* Every 16th page, and the last one, of a range: writable as expected */
static int probe(unsigned char *base, unsigned long n, int expect)
{
	unsigned long i;

	for (i = 0; i < n; i = (i + 16 < n || i == n - 1) ? i + 16 : n - 1) {
		/* Past the word that fill() and check() use */
		if (writable(base + i * PAGE + 64) != expect) {
			printf("    # page %lu: %s\n", i,
			       expect ? "not writable" : "still writable");
			return 0;
		}
	}
	return 1;
}

/*
 * Whether the kernel can have a second CPU at all: /sys/devices/system/cpu/
 * possible reads "0" on a uniprocessor kernel or machine. Anything else
 * (a range, or the file missing) means the test needs two CPUs, and one
 * that did not come up is a failure, not a skip.
 */
static int one_cpu_possible(void)
{
	char buf[16];
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY);
	int len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	return !strcmp(buf, "0\n") || !strcmp(buf, "0");
}

/* The helper thread's commands, run on the other CPU */
enum { H_NONE, H_FILL, H_CHECK, H_ZERO, H_PROBE, H_EXIT };

static struct {
	int cmd;
	unsigned char *base;
	unsigned long first, n, gen;
	long shift;
	int expect;
	int seq;	/* main: command number; helper: last one done */
	int done;
	int result;
	int pinned;
} h;

static void helper(void)
{
	int seq = 0, ok;

	__atomic_store_n(&h.pinned, pin(1) ? 1 : -1, __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&h.seq, __ATOMIC_ACQUIRE) == seq)
			;
		seq++;
		switch (h.cmd) {
		case H_FILL:
			fill(h.base, h.first, h.n, h.gen);
			ok = 1;
			break;
		case H_CHECK:
			ok = check(h.base, h.first, h.n, h.gen, h.shift);
			break;
		case H_ZERO:
			ok = zero(h.base, h.first, h.n);
			break;
		case H_PROBE:
			ok = probe(h.base + h.first * PAGE, h.n, h.expect);
			break;
		default:
			__atomic_store_n(&h.done, seq, __ATOMIC_RELEASE);
			return;
		}
		h.result = ok;
		__atomic_store_n(&h.done, seq, __ATOMIC_RELEASE);
	}
}

/*
 * The end of the program once the helper may run: nolibc's exit() ends the
 * calling thread only, and a helper left spinning would keep the process
 * (and the boot) alive.
 */
static int end_all(void)
{
	syscall(__NR_exit_group, ktap_end());
	return ktap_end();
}

static int on_helper(int cmd, unsigned char *base, unsigned long first,
		     unsigned long n, unsigned long gen, long shift, int expect)
{
	h.cmd = cmd;
	h.base = base;
	h.first = first;
	h.n = n;
	h.gen = gen;
	h.shift = shift;
	h.expect = expect;
	helper_hand_over(&h.seq, &h.done);
	return h.result;
}

int main(void)
{
	unsigned char *buf, *moved, *hole;
	int go[2], status = -1;
	pid_t pid;
	char c;

	if (!HAVE_THREADS) {
		ktap_begin("mt_prot", 1);
		printf("    ok 1 two_cpus # SKIP no thread start code for this architecture\n");
		return 0;
	}
	if (one_cpu_possible()) {
		ktap_begin("mt_prot", 1);
		printf("    ok 1 two_cpus # SKIP one CPU possible (a uniprocessor kernel or machine)\n");
		return 0;
	}
	ktap_begin("mt_prot", 7);

	buf = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ktap_case("two_cpus",
		       buf != MAP_FAILED && pipe(probe_pipe) == 0 && pipe(go) == 0 &&
		       pin(0) && start_thread(helper) > 0 &&
		       ({ while (!__atomic_load_n(&h.pinned, __ATOMIC_ACQUIRE))
				;
			  h.pinned > 0; }),
		       "no second thread on CPU 1 (needs 2 CPUs)"))
		return end_all();

	/* The helper's CPU gets writable TLB entries for every page */
	fill(buf, 0, NPAGES, 0);
	ktap_case("helper_writes",
		  on_helper(H_CHECK, buf, 0, NPAGES, 0, 0, 0) &&
		  on_helper(H_FILL, buf, 0, NPAGES, 1, 0, 0) &&
		  check(buf, 0, NPAGES, 1, 0) &&
		  on_helper(H_PROBE, buf, 0, NPAGES, 0, 0, 1) && probe(buf, NPAGES, 1),
		  "the helper's writes are not seen, or a page is not writable");

	/* mprotect: change_pte_range(); read-only for both CPUs, data kept */
	ktap_case("mprotect_ro_rw",
		  syscall(__NR_mprotect, buf, SIZE, PROT_READ) == 0 &&
		  on_helper(H_PROBE, buf, 0, NPAGES, 0, 0, 0) &&
		  probe(buf, NPAGES, 0) &&
		  on_helper(H_CHECK, buf, 0, NPAGES, 1, 0, 0) &&
		  syscall(__NR_mprotect, buf, SIZE, PROT_READ | PROT_WRITE) == 0 &&
		  on_helper(H_FILL, buf, 0, NPAGES, 2, 0, 0) &&
		  check(buf, 0, NPAGES, 2, 0),
		  "a page stayed writable after mprotect(PROT_READ), or data changed");

	/*
	 * fork: copy_pte_range() write-protects the parent's PTEs; the helper
	 * then writes every page from its CPU, which must break COW, so the
	 * child still sees what was there at fork.
	 */
	pid = fork();
	if (pid == 0) {
		int ok = read(go[0], &c, 1) == 1 && check(buf, 0, NPAGES, 2, 0);

		exit(ok ? 0 : 1);
	}
	ktap_case("fork_cow_other_cpu",
		  pid > 0 && on_helper(H_FILL, buf, 0, NPAGES, 3, 0, 0) &&
		  write(go[1], "g", 1) == 1 &&
		  waitpid(pid, &status, 0) == pid && status == 0 &&
		  check(buf, 0, NPAGES, 3, 0),
		  "the helper's writes after fork reached the child");

	/* munmap the second quarter: zap_pte_range() */
	hole = buf + NPAGES / 4 * PAGE;
	ktap_case("munmap_middle",
		  munmap(hole, NPAGES / 4 * PAGE) == 0 &&
		  on_helper(H_PROBE, hole, 0, NPAGES / 4, 0, 0, 0) &&
		  on_helper(H_CHECK, buf, 0, NPAGES / 4, 3, 0, 0) &&
		  on_helper(H_CHECK, buf, NPAGES / 2, NPAGES / 2, 3, 0, 0),
		  "an unmapped page is still writable, or a neighbour changed");

	/* mremap the last half elsewhere: move_ptes() */
	moved = mremap(buf + NPAGES / 2 * PAGE, NPAGES / 2 * PAGE,
		       NPAGES / 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       buf + 4 * NPAGES * PAGE);
	ktap_case("mremap_move",
		  moved != MAP_FAILED &&
		  on_helper(H_PROBE, buf, NPAGES / 2, NPAGES / 2, 0, 0, 0) &&
		  on_helper(H_CHECK, moved, 0, NPAGES / 2, 3, NPAGES / 2, 0) &&
		  on_helper(H_PROBE, moved, 0, NPAGES / 2, 0, 0, 1),
		  "the old range is still writable, or moved pages hold wrong data");

	/* madvise(DONTNEED) on the first quarter: zap again, reads see zero */
	ktap_case("madvise_dontneed",
		  syscall(__NR_madvise, buf, NPAGES / 4 * PAGE, MADV_DONTNEED) == 0 &&
		  on_helper(H_ZERO, buf, 0, NPAGES / 4, 0, 0, 0) &&
		  zero(buf, 0, NPAGES / 4),
		  "the helper reads old data after MADV_DONTNEED");

	on_helper(H_EXIT, NULL, 0, 0, 0, 0, 0);
	return end_all();
}
