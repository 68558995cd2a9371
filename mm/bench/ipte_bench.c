// SPDX-License-Identifier: GPL-2.0
/*
 * ipte_bench: the page-table work of mprotect, fork, munmap and mremap over
 * 64 MiB of anonymous memory, once with the process on one CPU and once
 * with a second thread spinning on the other CPU (the mm is then attached
 * on both, and every invalidation must reach the other CPU). For each, one
 * line:
 *
 *   # bench <workload> <st|mt> ns=<N> ipte=<N> ipte_range=<N>
 *     ipte_range_entries=<N> idte=<N> flush_global=<N>
 *
 * ns is CLOCK_MONOTONIC around the system call: under QEMU with
 * "-icount shift=0" virtual time advances one nanosecond per guest
 * instruction, so it is an instruction count. The other figures are the
 * differences of /proc/s390_ipte (an instrumentation patch, kept out of the
 * series) around the call; without it they are -1. With "ipte_bench=st"
 * on the kernel command line only the single-thread round runs (QEMU's
 * -icount with two vCPUs stalls a CPU that spins in the kernel, so the
 * instruction counts are taken with one thread). Used by scripts/compare.sh,
 * not by the test boots.
 */
#include "../userspace/ktap.h"
#include "../userspace/thread.h"

#define PAGE		4096UL
#define SIZE		(64UL << 20)
#define NCOUNTERS	5

static const char * const names[NCOUNTERS] = {
	"ipte", "ipte_range", "ipte_range_entries", "idte", "flush_global",
};

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

/* /proc/s390_ipte: "name value" lines in the order of names[] */
static void counters(long *c)
{
	char buf[512], *p;
	int fd, i;
	long n;

	for (i = 0; i < NCOUNTERS; i++)
		c[i] = -1;
	fd = open("/proc/s390_ipte", O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	p = buf;
	for (i = 0; i < NCOUNTERS && *p; i++) {
		while (*p && *p != ' ')
			p++;
		c[i] = strtol(p, &p, 10);
		while (*p == '\n')
			p++;
	}
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
	for (i = 0; i < NCOUNTERS; i++)
		printf(" %s=%ld", names[i], c[i] < 0 ? -1 : c[i] - s->c[i]);
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
 * task borrows the last mm) until it switches to another one, so make CPU 1
 * run another process. On s390 an mm attached on one CPU only is changed
 * without IPTEs.
 */
static int detach_other_cpu(void)
{
	int status;
	pid_t pid;

	if (!pin(0))
		return 0;
	pid = fork();
	if (pid == 0)
		exit(pin(1) ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}

/* One round of the four workloads; returns whether every call worked */
static int workloads(const char *mode)
{
	unsigned char *p, *q;
	struct sample s;
	int ok = 1, status;
	pid_t pid;

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
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

	q = (unsigned char *)p + 2 * SIZE;
	start(&s);
	q = mremap(p, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	stop(&s, "mremap", mode);
	ok &= q != MAP_FAILED;

	start(&s);
	ok &= munmap(q, SIZE) == 0;
	stop(&s, "munmap", mode);
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
	int mt;

	/* /init mounts nothing: the counters and the command line are in /proc */
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	if (cmdline_has("ipte_bench=st")) {
		ktap_begin("ipte_bench", 1);
		ktap_case("single_thread", detach_other_cpu() && workloads("st"),
			  "a call failed");
		return ktap_end();
	}

	ktap_begin("ipte_bench", 2);
	ktap_case("single_thread", detach_other_cpu() && workloads("st"),
		  "a call failed");
	mt = HAVE_THREADS && start_thread(spinner) > 0;
	while (mt && !__atomic_load_n(&spinning, __ATOMIC_ACQUIRE))
		;
	mt = mt && spinning > 0;
	ktap_case("two_threads", !HAVE_THREADS || (mt && workloads("mt")),
		  "no second thread, or a call failed");
	__atomic_store_n(&spin, 1, __ATOMIC_RELEASE);
	return ktap_end();
}
