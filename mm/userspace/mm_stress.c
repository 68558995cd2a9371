// SPDX-License-Identifier: GPL-2.0
/*
 * mm_stress: a random walk, from a fixed seed, over a window of anonymous
 * memory through the page-table paths that run in lazy MMU sections:
 * mprotect of whole and partial ranges (splitting VMAs), munmap of holes,
 * mmap(MAP_FIXED) over whatever is there, mremap moves and grows (in place
 * and moved, across page tables), fork with copy-on-write checked in the
 * child and the parent, madvise(DONTNEED) and madvise(FREE), writes. A
 * model says, for every page of the window, whether it is mapped, its
 * protection and the word it must hold; after every step the whole window
 * is checked against it (every mapped page's word; whether a sample of
 * pages, among them those around the step's range, can be written), and
 * where a second CPU exists, again by a second thread on the other CPU
 * (which also does some of the writes, so that its TLB holds writable
 * entries when the protections change). A batched update that is lost,
 * late or reordered shows up as a wrong word, or as a page that can still
 * be written after it was made read-only or unmapped.
 *
 * "Can be written" and "can be read" are tried twice: through the kernel
 * (read() from a pipe into the page, write() from it into the pipe, which
 * fail with EFAULT), and from user mode, by a store and a load whose fault
 * the signal handler of ustore.h turns into an error code (where there is
 * such code: not on sparc64). The user-mode access goes through the calling
 * CPU's TLB entry for the page; the kernel's does too where the kernel and
 * user space share TLB entries for user addresses, not where they do not
 * (x86 page-table isolation; Xen PV, which flushes the TLB at every switch
 * between the two).
 *
 * Where there is a second CPU, it also races the steps that change page
 * tables: it probes random pages from before the change begins until after
 * this CPU has checked the result, and a probe that began after the change
 * returned must agree with the model (see race_probe()).
 *
 * The kernel command line may set mm_stress.seed=N, mm_stress.steps=N
 * (default: seed 1, 400 steps, the gate's length) and mm_stress.seconds=N
 * (stop after N seconds, whatever steps says; steps=0 with it: no limit
 * but the time, a soak: make soak).
 * KTAP: setup; user_faults (the signal handler catches a store to a
 * present read-only page, a load from an unmapped one, with their codes);
 * two_cpus (the other CPU sees the window as this one); race (its probes
 * agreed with the model); and one case per kind of step, failed if the
 * check after such a step failed (the walk stops at the first failure,
 * printing the step, the page, what it held and what the model expected),
 * skipped if the walk never got to do one.
 */
#include "ktap.h"
#include "probe.h"
#include "thread.h"
#include "ustore.h"

#define MAGIC		0x6d6d7374UL
#define PAGE		pg
/* 16 MiB, or 64 MiB for 64 KiB pages: more than one page table either way */
#define WINDOW		(pg >= 65536 ? 64UL << 20 : 16UL << 20)
#define MAX_PAGES	4096UL
#define RANDOM_SAMPLES	16
#define RANGE_SAMPLES	32
#define MAX_SAMPLES	(2 * (RANGE_SAMPLES + 4) + RANDOM_SAMPLES)
/* where the parameters are read (another file to try it on a host) */
#ifndef CMDLINE
#define CMDLINE		"/proc/cmdline"
#endif

#include "pattern.h"

enum { P_NONE, P_RO, P_RW };
enum { S_WRITE, S_PROTECT, S_UNMAP, S_MAP, S_MOVE, S_GROW, S_GROW_MOVE,
       S_FORK, S_DONTNEED, S_FREE, S_KINDS };
static const char *const kind_name[S_KINDS] = {
	"write", "mprotect", "munmap", "mmap_fixed", "mremap_move",
	"mremap_grow", "mremap_grow_move", "fork_cow", "madv_dontneed",
	"madv_free",
};

static unsigned long pg, npages;
static unsigned char *win;
/* The model: the first word of every page (0: a zero page), its protection,
 * and whether it was given MADV_FREE since its last write (then it may also
 * read as zero) */
static unsigned long val[MAX_PAGES];
static unsigned char prot[MAX_PAGES], freed[MAX_PAGES];
static unsigned long gen = 1;
static unsigned long long rng;
static int go_pipe[2];
static unsigned long ran[S_KINDS], refused[S_KINDS];
static int failed_kind = -1;

static unsigned long rnd(unsigned long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned long)(rng >> 11) % n : 0;
}

/*
 * The pages probed after a step: around its range (or ranges: the source
 * and the destination of a move) and in it, every page of a short range,
 * and random ones
 */
static unsigned long sample[MAX_SAMPLES];
static int nsample;

static void add_samples(unsigned long first, unsigned long n)
{
	unsigned long i, stride = n > RANGE_SAMPLES ? n / RANGE_SAMPLES : 1;

	if (!n)
		return;
	if (first)
		sample[nsample++] = first - 1;
	for (i = first; i < first + n && nsample < MAX_SAMPLES - RANDOM_SAMPLES - 2; i += stride)
		sample[nsample++] = i;
	sample[nsample++] = first + n - 1;
	if (first + n < npages)
		sample[nsample++] = first + n;
}

static void pick_samples(unsigned long first, unsigned long n)
{
	nsample = 0;
	add_samples(first, n);
}

static void random_samples(void)
{
	int i;

	for (i = 0; i < RANDOM_SAMPLES; i++)
		sample[nsample++] = rnd(npages);
}

/*
 * How page i answers, from the calling CPU, against protection p, word v
 * and freed flag fr of the model: NULL if it matches, or what is wrong.
 * Through the kernel (probe.h), then from user mode (ustore.h: a store or
 * load that faults is caught by the signal handler), past the word the
 * model checks; and the word itself, read from user mode (word: 1)
 */
static const char *probe_page(const int *fds, unsigned long i, unsigned char p,
			      unsigned long v, unsigned char fr, int word)
{
	unsigned char *a = win + i * pg + 64;
	unsigned long w;
	int r;

	r = writable_on(fds, a);
	if (r < 0)
		return "probe failed";
	if (r != (p == P_RW))
		return r ? "is writable (kernel probe)" : "is not writable (kernel probe)";
	r = readable_on(fds, a);
	if (r < 0)
		return "probe failed";
	if (r != (p != P_NONE))
		return r ? "is readable (kernel probe)" : "is not readable (kernel probe)";
	if (!ufault_ok)
		return NULL;
	/* a store to a read-only page has no permission, to an unmapped one no mapping */
	r = ustore((unsigned long *)a, 0x5a5a5a5a);
	if (r != (p == P_RW ? UF_OK : p == P_RO ? UF_ACCERR : UF_MAPERR))
		return r == UF_OK ? "takes a user store" :
		       p == P_RW ? "faults on a user store" : "faults on a user store, as another kind of fault";
	r = uload((unsigned long *)(a - 64), &w);
	if (r != (p == P_NONE ? UF_MAPERR : UF_OK))
		return r == UF_OK ? "takes a user load" :
		       p != P_NONE ? "faults on a user load" : "faults on a user load, as another kind of fault";
	if (word && r == UF_OK && w != v && !(fr && !w))
		return "holds a wrong word";
	return NULL;
}

static const char *const prot_name[] = { "unmapped", "read-only", "read-write" };

/* The window against the model, from the calling CPU: 1 if it matches */
static int check(const char *who)
{
	unsigned long i, w;
	const char *bad;
	int k;

	for (i = 0; i < npages; i++) {
		if (prot[i] == P_NONE)
			continue;
		w = *(volatile unsigned long *)(win + i * pg);
		if (w != val[i] && !(freed[i] && !w)) {
			printf("    # %s: page %lu holds 0x%lx, expected 0x%lx%s\n",
			       who, i, w, val[i], freed[i] ? " or 0" : "");
			return 0;
		}
	}
	for (k = 0; k < nsample; k++) {
		i = sample[k];
		bad = probe_page(probe_pipe, i, prot[i], val[i], freed[i], 0);
		if (bad) {
			printf("    # %s: page %lu (%s) %s\n", who, i, prot_name[prot[i]], bad);
			return 0;
		}
	}
	return 1;
}

static void write_pages(unsigned long first, unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		if (prot[i] != P_RW)
			continue;
		/* nonzero: 0 is a zero page's */
		val[i] = pattern(i, gen) ? pattern(i, gen) : 1;
		freed[i] = 0;
		*(volatile unsigned long *)(win + i * pg) = val[i];
	}
	gen++;
}

/*
 * The race: from before the main thread changes the window until after it
 * has checked the result, the second thread probes random pages of it,
 * concurrently (during the change too: its probes write past the word the
 * model checks). change_seq is odd while a change, and the model's update
 * after it, is in progress. A probe counts only if change_seq was already
 * the value the change leaves (race.after) when it began: then it began
 * after the change had returned and the model had been updated (the
 * acquire load pairs with change_end()'s release store), and it ends before
 * the next change (race_stop() waits for the thread first), so it must
 * agree with the model: a flush that is late or missing leaves the second
 * CPU a stale entry for a page that was unmapped, made read-only, moved or
 * discarded. The others (begun before or during the change) only load the
 * TLB while the change runs.
 */
static unsigned long change_seq;
/* the second thread's pipe for its probes in the race */
static int race_pipe[2];
static struct {
	unsigned long after, checked, discarded, rng;
	char msg[160];
} race;

static void change_begin(void)
{
	__atomic_store_n(&change_seq, change_seq + 1, __ATOMIC_RELEASE);
}

static void change_end(void)
{
	__atomic_store_n(&change_seq, change_seq + 1, __ATOMIC_RELEASE);
}

/* One probe of the race: 0 if it found the page other than the model */
static int race_probe(void)
{
	unsigned long s, i, v;
	unsigned char p, fr;
	const char *bad;

	s = __atomic_load_n(&change_seq, __ATOMIC_ACQUIRE);
	race.rng ^= race.rng << 13;
	race.rng ^= race.rng >> 7;
	race.rng ^= race.rng << 17;
	i = (race.rng >> 11) % npages;
	/* the model's values are final only once the change is done */
	p = __atomic_load_n(&prot[i], __ATOMIC_RELAXED);
	v = __atomic_load_n(&val[i], __ATOMIC_RELAXED);
	fr = __atomic_load_n(&freed[i], __ATOMIC_RELAXED);
	bad = probe_page(race_pipe, i, p, v, fr, 1);
	if (s != race.after) {
		race.discarded++;
		return 1;
	}
	if (bad) {
		snprintf(race.msg, sizeof(race.msg), "page %lu (%s, word 0x%lx%s) %s",
			 i, prot_name[p], v, fr ? " or 0" : "", bad);
		return 0;
	}
	race.checked++;
	return 1;
}

/* The second thread: checks the window, writes, or races, when told to */
enum { H_CHECK = 1, H_WRITE, H_RACE, H_EXIT };
static struct {
	int cmd, seq, done, result, pinned, stop;
	unsigned long first, n;
} h;

static void helper(void)
{
	int seq = 0;

	if (!pin(1)) {
		/* one CPU: leave it to the main thread */
		__atomic_store_n(&h.pinned, -1, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&h.pinned, 1, __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&h.seq, __ATOMIC_ACQUIRE) == seq)
			;
		seq++;
		if (h.cmd == H_EXIT) {
			__atomic_store_n(&h.done, seq, __ATOMIC_RELEASE);
			return;
		}
		if (h.cmd == H_WRITE) {
			write_pages(h.first, h.n);
			h.result = 1;
		} else if (h.cmd == H_RACE) {
			h.result = 1;
			while (!__atomic_load_n(&h.stop, __ATOMIC_ACQUIRE))
				if (!race_probe()) {
					h.result = 0;
					break;
				}
		} else {
			h.result = check("other CPU");
		}
		__atomic_store_n(&h.done, seq, __ATOMIC_RELEASE);
	}
}

static int mt;

static int on_helper(int cmd, unsigned long first, unsigned long n)
{
	h.cmd = cmd;
	h.first = first;
	h.n = n;
	helper_hand_over(&h.seq, &h.done);
	return h.result;
}

/* The second thread races until race_stop(), which returns its verdict */
static void race_start(void)
{
	race.after = change_seq + 2;
	h.cmd = H_RACE;
	__atomic_store_n(&h.stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h.seq, h.seq + 1, __ATOMIC_RELEASE);
}

static int race_stop(void)
{
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&h.done, __ATOMIC_ACQUIRE) != h.seq)
		;
	if (!h.result)
		printf("    # other CPU, during the race: %s\n", race.msg);
	return h.result;
}

/* A random range of the window: short (up to shortest pages) or long */
static void random_range(unsigned long *first, unsigned long *n,
			 unsigned long shortest, unsigned long longest)
{
	*first = rnd(npages);
	*n = 1 + rnd(rnd(2) ? shortest : longest);
	if (*first + *n > npages)
		*n = npages - *first;
	pick_samples(*first, *n);
}

/* A random run of mapped pages: [*first, *first + *n), of one protection if same */
static int mapped_run(unsigned long *first, unsigned long *n, int same)
{
	unsigned long s = rnd(npages), e, tries;

	for (tries = 0; prot[s] == P_NONE; tries++, s = (s + 1) % npages)
		if (tries == npages)
			return 0;
	for (e = s + 1; e < npages && prot[e] != P_NONE &&
	     (!same || prot[e] == prot[s]); e++)
		;
	/* a short run, or one that may cross page tables */
	*n = 1 + rnd(rnd(4) ? 16 : e - s);
	if (*n > e - s)
		*n = e - s;
	*first = s;
	return 1;
}

/* A random unmapped run of at least n pages in the window */
static int free_run(unsigned long n, unsigned long *first)
{
	unsigned long s = rnd(npages), tries, k;

	for (tries = 0; tries < npages; tries++, s = (s + 1) % npages) {
		if (s + n > npages)
			continue;
		for (k = 0; k < n && prot[s + k] == P_NONE; k++)
			;
		if (k == n) {
			*first = s;
			return 1;
		}
	}
	return 0;
}

static void set_none(unsigned long first, unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n; i++) {
		prot[i] = P_NONE;
		val[i] = 0;
		freed[i] = 0;
	}
}

/* mremap [s, s + n) to [d, d + n + g) (moved) or grow it by g in place */
static int do_mremap(int kind, unsigned long s, unsigned long n,
		     unsigned long d, unsigned long g)
{
	unsigned char *old = win + s * pg, *to = win + d * pg;
	unsigned char p = prot[s];
	void *r;
	unsigned long i;

	if (kind == S_GROW)
		r = mremap(old, n * pg, (n + g) * pg, 0, NULL);
	else
		r = mremap(old, n * pg, (n + g) * pg, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (r == MAP_FAILED) {
		/*
		 * A move of a range over several VMAs moves them all; a grow
		 * needs one VMA (EFAULT: the range's VMAs were not merged,
		 * nothing happened), and in place the room after it (ENOMEM).
		 * The destination is unmapped in the model either way.
		 */
		if (kind == S_MOVE || !(errno == EFAULT ||
					(kind == S_GROW && errno == ENOMEM))) {
			printf("    # mremap: error %d\n", errno);
			return 0;
		}
		refused[kind]++;
		return 1;
	}
	if (kind == S_GROW) {
		d = s;
	} else {
		for (i = 0; i < n; i++) {
			val[d + i] = val[s + i];
			freed[d + i] = freed[s + i];
			prot[d + i] = prot[s + i];
		}
		set_none(s, n);
	}
	for (i = d + n; i < d + n + g; i++) {
		prot[i] = p;
		val[i] = 0;
		freed[i] = 0;
	}
	return r == (void *)(kind == S_GROW ? old : to);
}

/*
 * fork: the parent (and the other CPU) write every writable page while the
 * child waits, so a writable TLB entry that survived fork's write-protect
 * would put the parent's words into the child's pages; then the child
 * checks that it still sees the words of the fork, writes its own, checks
 * again and exits, and the parent must not see the child's (check()
 * follows)
 */
static int fork_cow(void)
{
	int status = -1;
	char c = 0;
	pid_t pid = fork();

	if (pid == 0) {
		int ok = read(go_pipe[0], &c, 1) == 1 && check("child");

		write_pages(0, npages);
		ok = ok && check("child after its writes");
		syscall(__NR_exit_group, ok ? 0 : 1);
	}
	if (pid < 0)
		return 0;
	if (mt)
		on_helper(H_WRITE, 0, npages);
	write_pages(0, npages);
	if (write(go_pipe[1], &c, 1) != 1 || waitpid(pid, &status, 0) != pid ||
	    status != 0) {
		printf("    # fork: the child failed (status 0x%x)\n", status);
		return 0;
	}
	return 1;
}

static int step(int kind)
{
	unsigned long s = 0, n = 0, d, g;
	void *r;

	switch (kind) {
	case S_WRITE:
		random_range(&s, &n, 32, npages);
		if (mt && rnd(2))
			return on_helper(H_WRITE, s, n);
		write_pages(s, n);
		return 1;
	case S_PROTECT:
		if (!mapped_run(&s, &n, 0))
			break;
		pick_samples(s, n);
		g = rnd(2) ? P_RO : P_RW;
		if (syscall(__NR_mprotect, win + s * pg, n * pg,
			    g == P_RW ? PROT_READ | PROT_WRITE : PROT_READ))
			return 0;
		memset(prot + s, g, n);
		return 1;
	case S_UNMAP:
		random_range(&s, &n, 16, npages / 4);
		if (munmap(win + s * pg, n * pg))
			return 0;
		set_none(s, n);
		return 1;
	case S_MAP:
		random_range(&s, &n, 16, npages / 4);
		r = mmap(win + s * pg, n * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r != win + s * pg)
			return 0;
		set_none(s, n);
		memset(prot + s, P_RW, n);
		return 1;
	case S_MOVE:
	case S_GROW_MOVE:
		g = kind == S_GROW_MOVE ? 1 + rnd(16) : 0;
		if (!mapped_run(&s, &n, 1) || !free_run(n + g, &d))
			break;
		pick_samples(d, n + g);
		add_samples(s, n);
		return do_mremap(kind, s, n, d, g);
	case S_GROW:
		/* a run that ends where the window's unmapped pages begin */
		if (!mapped_run(&s, &n, 1))
			break;
		while (s + n < npages && prot[s + n] == prot[s])
			n++;
		g = 1 + rnd(16);
		if (s + n + g > npages)
			break;
		for (d = s + n; d < s + n + g; d++)
			if (prot[d] != P_NONE)
				break;
		if (d < s + n + g)
			break;
		pick_samples(s, n + g);
		return do_mremap(kind, s, n, 0, g);
	case S_FORK:
		pick_samples(0, 0);
		return fork_cow();
	case S_DONTNEED:
	case S_FREE:
		if (!mapped_run(&s, &n, 0))
			break;
		pick_samples(s, n);
		if (syscall(__NR_madvise, win + s * pg, n * pg,
			    kind == S_FREE ? MADV_FREE : MADV_DONTNEED))
			return 0;
		for (d = s; d < s + n; d++) {
			if (kind == S_FREE) {
				freed[d] = 1;
			} else {
				val[d] = 0;
				freed[d] = 0;
			}
		}
		return 1;
	}
	/* nothing to do it on in this state */
	refused[kind]++;
	pick_samples(0, 0);
	return 1;
}

/* mm_stress.<name>=<number> from the kernel command line, or def */
static unsigned long param(const char *name, unsigned long def)
{
	static char cmdline[4096];
	char key[32], *p;
	int fd, len;

	fd = open(CMDLINE, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return def;
	cmdline[len] = '\0';
	snprintf(key, sizeof(key), "mm_stress.%s=", name);
	p = strstr(cmdline, key);
	return p ? strtoul(p + strlen(key), NULL, 0) : def;
}

/*
 * The page size: from the auxiliary vector, or where nolibc does not read
 * it (sparc64), the smallest offset into a mapping that munmap() accepts
 */
static unsigned long page_size(void)
{
	unsigned long k;
	unsigned char *p;
	long r = getpagesize();

	if (r > 0)
		return r;
	p = mmap(NULL, 1UL << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	for (k = 4096; k < 1UL << 19; k *= 2)
		if (munmap(p + k, k) == 0)
			break;
	munmap(p, 1UL << 20);
	return k < 1UL << 19 ? k : 0;
}

static int end_all(void)
{
	if (mt)
		on_helper(H_EXIT, 0, 0);
	syscall(__NR_exit_group, ktap_end());
	return ktap_end();
}

static void ktap_skip(const char *name, const char *why)
{
	printf("    ok %d %s # SKIP %s\n", ++ktap_case_nr, name, why);
}

int main(void)
{
	unsigned long seed = param("seed", 1), steps = param("steps", 400), i, before;
	unsigned long seconds = param("seconds", 0);
	struct timespec t0 = { 0 }, t;
	int kind = 0, ok = 1, racing;
	unsigned long *ro;
	void *r;

	pg = page_size();
	npages = !pg ? 0 : WINDOW / pg > MAX_PAGES ? MAX_PAGES : WINDOW / pg;
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	ktap_begin("mm_stress", 4 + S_KINDS);
	printf("    # seed %lu, %lu steps, %lu s, %lu pages of %lu bytes\n", seed, steps,
	       seconds, npages, pg);
	if (seconds && !steps)
		steps = ~0UL;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* The window: reserved, then three quarters mapped read-write */
	r = npages ? mmap(NULL, npages * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
	if (!ktap_case("setup", r != MAP_FAILED && pipe(probe_pipe) == 0 &&
		       pipe(go_pipe) == 0 && pipe(race_pipe) == 0 &&
		       munmap((unsigned char *)r + npages / 4 * 3 * pg, npages / 4 * pg) == 0,
		       "no page size, or mmap or pipe failed")) {
		ktap_skip("user_faults", "no setup");
		ktap_skip("two_cpus", "no setup");
		ktap_skip("race", "no setup");
		for (kind = 0; kind < S_KINDS; kind++)
			ktap_skip(kind_name[kind], "no setup");
		return ktap_end();
	}
	win = r;
	memset(prot, P_RW, npages / 4 * 3);
	write_pages(0, npages);
	race.rng = rng ^ 0x5bd1e995;

	/*
	 * User-mode stores and loads that fault come back as an error code
	 * (the signal handler of ustore.h): a store to a present page made
	 * read-only has no permission (a protection fault, as after the
	 * walk's mprotect), a load from an unmapped page no mapping, and the
	 * page the faulting store went to must not have changed
	 */
	if (!UFAULT) {
		ktap_skip("user_faults", "no user fault handling code for this architecture");
	} else {
		unsigned long w = 0;

		ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ok = ktap_case("user_faults", ufault_init() && ro != MAP_FAILED &&
			       ustore(ro, 0x1234) == UF_OK &&
			       syscall(__NR_mprotect, ro, pg, PROT_READ) == 0 &&
			       ustore(ro, 1) == UF_ACCERR && uload(ro, &w) == UF_OK && w == 0x1234 &&
			       munmap(ro, pg) == 0 && uload(ro, &w) == UF_MAPERR &&
			       ufault_count == 2,
			       "a faulting user access was not caught as it should, or one faulted that should not");
	}

	if (!HAVE_THREADS) {
		ktap_skip("two_cpus", "no thread start code for this architecture");
	} else if (!pin(0) || start_thread(helper) <= 0 ||
		   ({ while (!__atomic_load_n(&h.pinned, __ATOMIC_ACQUIRE))
			  ;
		      h.pinned < 0; })) {
		/* one CPU: sched_setaffinity() to CPU 1 fails */
		ktap_skip("two_cpus", "no second CPU for the checking thread");
	} else {
		mt = 1;
		pick_samples(0, 0);
		random_samples();
		ok = ktap_case("two_cpus", on_helper(H_CHECK, 0, 0),
			       "the other CPU sees wrong data") && ok;
	}

	for (i = 0; i < steps && ok; i++) {
		/* a clock that fails ends the walk rather than never */
		if (seconds && !(i % 16) && (clock_gettime(CLOCK_MONOTONIC, &t) ||
		    (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >=
		    (long)seconds * 1000))
			break;
		kind = rnd(S_KINDS);
		/* fork is slow under QEMU: one step in four of that kind */
		if (kind == S_FORK && rnd(4))
			kind = S_WRITE;
		before = refused[kind];
		errno = 0;
		/*
		 * The other CPU races the steps that change page tables (the
		 * writes and fork hand it work of their own), through the
		 * change and this CPU's check after it
		 */
		racing = mt && kind != S_WRITE && kind != S_FORK;
		if (racing)
			race_start();
		change_begin();
		ok = step(kind);
		change_end();
		if (!ok)
			printf("    # step %lu (%s) failed (errno %d)\n", i, kind_name[kind], errno);
		random_samples();
		ok = ok && check("this CPU");
		if (racing)
			ok = race_stop() && ok;
		ok = ok && (!mt || on_helper(H_CHECK, 0, 0));
		if (!ok)
			failed_kind = kind;
		else if (refused[kind] == before)
			ran[kind]++;
	}
	if (!ok)
		printf("    # the walk stopped at step %lu (seed %lu)\n", i - 1, seed);
	else
		printf("    # %lu steps done\n", i);
	printf("    # race: %lu probes of the other CPU checked after a change, %lu before it or during it\n",
	       race.checked, race.discarded);
	if (!mt)
		ktap_skip("race", "no second CPU");
	else if (failed_kind >= 0 && race.msg[0])
		ktap_case("race", 0, "failed, see above");
	else if (!race.checked)
		ktap_skip("race", "no probe fell between two changes");
	else
		ktap_case("race", 1, NULL);
	for (kind = 0; kind < S_KINDS; kind++) {
		printf("    # %s: %lu done, %lu with nothing to do it on\n",
		       kind_name[kind], ran[kind], refused[kind]);
		if (kind == failed_kind)
			ktap_case(kind_name[kind], 0, "failed, see above");
		else if (ran[kind])
			ktap_case(kind_name[kind], 1, NULL);
		else
			ktap_skip(kind_name[kind], refused[kind] ? "nothing to do it on" :
				  "never chosen: too few steps");
	}
	return end_all();
}
