// SPDX-License-Identifier: GPL-2.0
/*
 * flush_bench: the page-table work of mprotect (of 64 MiB, of 2 MiB 16
 * times over and of one page 256 times over), fork, madvise(MADV_DONTNEED),
 * mremap and munmap over 64 MiB of anonymous memory, a loop of 16 fork()s
 * and exits of the then small process, and, with the instrumentation,
 * vmalloc() and
 * vfree() of one page 256 times and of 512 pages 16 times, and nested lazy
 * MMU sections over the 64 MiB and over a vmalloc() area of 512 pages
 * (every PTE cleared and restored; the instrumentation counts the nested
 * leaves in its counter nested_leaves). Once with the
 * process on one CPU and, where the program can start a thread (s390),
 * once with a second thread spinning on the other CPU (the mm is then
 * attached on both, and every invalidation must reach the other CPU). For
 * each workload, one line:
 *
 *   # bench <workload> <st|mt> ns=<N> <counter>=<N> ...
 *
 * ns is CLOCK_MONOTONIC around the system calls: under QEMU with
 * "-icount shift=0" virtual time advances one nanosecond per guest
 * instruction, so it is an instruction count. The counters are the
 * differences of /proc/mm_flush_counts around the calls (the architecture's
 * flush counters, added by a measuring patch kept out of the series: see
 * not-posted/measure-*); without that file there are none. With
 * "flush_bench=st" on the kernel command line only the single-thread round
 * runs (QEMU's -icount with two vCPUs stalls a CPU that spins in the kernel,
 * so the instruction counts are taken with one thread). Used by
 * scripts/compare.sh, not by the test boots.
 */
#include "../userspace/ktap.h"
#include "../userspace/thread.h"

#define PAGE		4096UL
#define SIZE		(64UL << 20)
/*
 * The mapping starts at a multiple of ALIGN, a multiple of what one page
 * table maps on every arch measured (s390 1 MiB, x86 and arm64 2 MiB,
 * sparc64 8 MiB, powerpc hash with 64 KiB pages 16 MiB): where it starts
 * then decides neither how many page tables a workload walks nor, with
 * batches that end at a page table's end, how many flushes it takes; with
 * the randomised mmap base it differed from boot to boot.
 */
#define ALIGN		(64UL << 20)
#define PAGE_TOGGLES	256
#define SMALL		(2UL << 20)
#define SMALL_TOGGLES	16
#define FORKS		16
#define NCOUNTERS	8

static char names[NCOUNTERS][32];
static int ncounters = -1;

struct sample {
	long ns;
	long c[NCOUNTERS];
};

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/*
 * /proc/mm_flush_counts: "name value" lines; the names are taken from the
 * first read, which runs before any workload
 */
static void counters(long *c)
{
	char buf[1024], *p, *e;
	int fd, i, n;
	long len;

	fd = open("/proc/mm_flush_counts", O_RDONLY);
	if (fd < 0) {
		ncounters = 0;
		return;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0) {
		ncounters = 0;
		return;
	}
	buf[len] = 0;
	p = buf;
	for (i = 0; i < NCOUNTERS && *p; i++) {
		e = p;
		while (*e && *e != ' ')
			e++;
		n = e - p < 31 ? e - p : 31;
		if (ncounters < 0) {
			memcpy(names[i], p, n);
			names[i][n] = 0;
		}
		c[i] = strtol(e, &p, 10);
		while (*p == '\n')
			p++;
	}
	if (ncounters < 0)
		ncounters = i;
}

static void start(struct sample *s)
{
	counters(s->c);
	s->ns = now_ns();
}

static void stop(struct sample *s, const char *what, const char *mode)
{
	long c[NCOUNTERS];
	int i;

	s->ns = now_ns() - s->ns;
	counters(c);
	printf("    # bench %s %s ns=%ld", what, mode, s->ns);
	for (i = 0; i < ncounters; i++)
		printf(" %s=%ld", names[i], c[i] - s->c[i]);
	printf("\n");
}

static void populate(unsigned char *p)
{
	unsigned long i;

	for (i = 0; i < SIZE; i += PAGE)
		p[i] = 1;
}

static int spin, spinning;

/* Keeps the mm attached on CPU 1 until told to stop */
static void spinner(void)
{
	__atomic_store_n(&spinning, pin(1) ? 1 : -1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spin, __ATOMIC_ACQUIRE))
		;
}

/*
 * Only CPU 0 is to use this mm: a CPU that ran it keeps it attached (its idle
 * task borrows the last mm) until it switches to another one, so make CPU 1,
 * if there is one, run another process. On s390 an mm attached on one CPU
 * only is changed without IPTEs.
 */
static int detach_other_cpu(void)
{
	unsigned long mask = 0;
	int status;
	pid_t pid;

	if (syscall(__NR_sched_getaffinity, 0, sizeof(mask), &mask) < 0 ||
	    !pin(0))
		return 0;
	if (!(mask & 2))
		return 1;
	pid = fork();
	if (pid == 0)
		exit(pin(1) ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}

/*
 * A workload the instrumentation runs in the kernel, told by a write of
 * @cmd to /proc/mm_flush_counts (see not-posted/measure-common/):
 * "<pages> <times>" vmalloc() and vfree() of <pages> pages, <times> times
 * over; "nested <addr> <len>" and "nested_vmalloc run" the nested sections
 * (the latter on an area made by "nested_vmalloc alloc <pages>"). Measured
 * and reported as @what unless @what is NULL (a preparing write). Without
 * the instrumentation there is nothing to run.
 */
static int kernel_workload(const char *what, const char *mode, const char *cmd)
{
	struct sample s;
	int fd, len = strlen(cmd), ok;

	if (ncounters <= 0)
		return 1;
	fd = open("/proc/mm_flush_counts", O_WRONLY);
	if (fd < 0)
		return 0;
	if (what)
		start(&s);
	ok = write(fd, cmd, len) == len;
	if (what)
		stop(&s, what, mode);
	close(fd);
	return ok;
}

/* One round of the workloads; returns whether every call worked */
static int workloads(const char *mode)
{
	unsigned char *area, *p, *q;
	char cmd[64];
	struct sample s;
	int ok = 1, status, i;
	pid_t pid;

	/*
	 * Address space for the mapping and mremap's target, 2 * SIZE above
	 * it, both aligned: reserved inaccessible (nothing is committed),
	 * then the mapping is made inside it
	 */
	area = mmap(NULL, 3 * SIZE + ALIGN, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return 0;
	p = (unsigned char *)(((unsigned long)area + ALIGN - 1) & ~(ALIGN - 1));
	if (mmap(p, SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
		return 0;
	populate(p);

	/* The small case, where what a section costs shows */
	start(&s);
	for (i = 0; i < PAGE_TOGGLES; i++) {
		ok &= syscall(__NR_mprotect, p, PAGE, PROT_READ) == 0;
		ok &= syscall(__NR_mprotect, p, PAGE, PROT_READ | PROT_WRITE) == 0;
	}
	stop(&s, "mprotect_page", mode);
	p[0] = 1;

	start(&s);
	for (i = 0; i < SMALL_TOGGLES; i++) {
		ok &= syscall(__NR_mprotect, p, SMALL, PROT_READ) == 0;
		ok &= syscall(__NR_mprotect, p, SMALL, PROT_READ | PROT_WRITE) == 0;
	}
	stop(&s, "mprotect_2m", mode);
	/* powerpc hash: every page hashed again, as mprotect of 64 MiB finds them */
	populate(p);

	start(&s);
	ok &= syscall(__NR_mprotect, p, SIZE, PROT_READ) == 0;
	stop(&s, "mprotect", mode);
	ok &= syscall(__NR_mprotect, p, SIZE, PROT_READ | PROT_WRITE) == 0;
	populate(p);

	start(&s);
	pid = fork();
	if (pid == 0)
		exit(0);
	stop(&s, "fork", mode);
	ok &= pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
	populate(p);

	start(&s);
	ok &= syscall(__NR_madvise, p, SIZE, MADV_DONTNEED) == 0;
	stop(&s, "madvise", mode);
	populate(p);

	snprintf(cmd, sizeof(cmd), "nested %lx %lx", (unsigned long)p, SIZE);
	ok &= kernel_workload("nested", mode, cmd);
	populate(p);

	q = (unsigned char *)p + 2 * SIZE;
	start(&s);
	q = mremap(p, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	stop(&s, "mremap", mode);
	ok &= q != MAP_FAILED;

	start(&s);
	ok &= munmap(q, SIZE) == 0;
	stop(&s, "munmap", mode);
	ok &= munmap(area, 3 * SIZE + ALIGN) == 0;

	/* the process is small again: fork and exit, FORKS times */
	start(&s);
	for (i = 0; i < FORKS; i++) {
		pid = fork();
		if (pid == 0)
			exit(0);
		ok &= pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
	}
	stop(&s, "fork_exit", mode);

	ok &= kernel_workload("vmalloc_page", mode, "1 256");
	ok &= kernel_workload("vmalloc", mode, "512 16");
	ok &= kernel_workload(NULL, mode, "nested_vmalloc alloc 512");
	ok &= kernel_workload("nested_vmalloc", mode, "nested_vmalloc run");
	ok &= kernel_workload(NULL, mode, "nested_vmalloc free");
	return ok;
}

/* Whether the kernel command line has @word */
static int cmdline_has(const char *word)
{
	char buf[1024];
	int fd = open("/proc/cmdline", O_RDONLY);
	long n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, word) != NULL;
}

int main(void)
{
	long c[NCOUNTERS];
	int mt;

	/* /init mounts nothing: the counters and the command line are in /proc */
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	counters(c);
	if (!HAVE_THREADS || cmdline_has("flush_bench=st")) {
		ktap_begin("flush_bench", 1);
		ktap_case("single_thread", detach_other_cpu() && workloads("st"),
			  "a call failed");
		return ktap_end();
	}

	ktap_begin("flush_bench", 2);
	ktap_case("single_thread", detach_other_cpu() && workloads("st"),
		  "a call failed");
	mt = start_thread(spinner) > 0;
	while (mt && !__atomic_load_n(&spinning, __ATOMIC_ACQUIRE))
		;
	mt = mt && spinning > 0;
	ktap_case("two_threads", mt && workloads("mt"),
		  "no second thread, or a call failed");
	__atomic_store_n(&spin, 1, __ATOMIC_RELEASE);
	return ktap_end();
}
