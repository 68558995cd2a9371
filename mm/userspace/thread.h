/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A second thread for the userspace programs (built with nolibc, which has
 * no threads): start_thread(fn) runs fn() in a thread of the process (a raw
 * clone() on a stack of its own), which exits when fn() returns. The start
 * code is per architecture; HAVE_THREADS is 0 where there is none.
 */
#ifndef LAZY_MMU_THREAD_H
#define LAZY_MMU_THREAD_H

#define STACK_SIZE	(64 * 1024)

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			    CLONE_THREAD | CLONE_SYSVSEM)

#if defined(__s390x__)
#define HAVE_THREADS 1
static unsigned char helper_stack[STACK_SIZE] __attribute__((aligned(16)));

/* clone() on a new stack; the child calls fn() and exits the thread */
static long start_thread(void (*fn)(void))
{
	register unsigned long r1 __asm__("1") = __NR_clone;
	/* s390: clone(stack, flags, ...); the callee's save area is 160 bytes */
	register unsigned long r2 __asm__("2") =
		(unsigned long)(helper_stack + STACK_SIZE - 160);
	register unsigned long r3 __asm__("3") = CLONE_THREAD_FLAGS;
	register unsigned long r4 __asm__("4") = 0;
	register unsigned long r5 __asm__("5") = 0;
	register unsigned long r6 __asm__("6") = 0;
	register unsigned long r7 __asm__("7") = (unsigned long)fn;

	__asm__ volatile(
		"	svc	0\n"
		"	ltgr	%%r2,%%r2\n"
		"	jnz	1f\n"
		"	xc	0(8,%%r15),0(%%r15)\n"
		"	basr	%%r14,%%r7\n"
		"	lghi	%%r2,0\n"
		"	lghi	%%r1,%[nr_exit]\n"
		"	svc	0\n"
		"1:\n"
		: "+d" (r2)
		: "d" (r1), "d" (r3), "d" (r4), "d" (r5), "d" (r6), "d" (r7),
		  [nr_exit] "i" (__NR_exit)
		: "memory", "cc", "r14");
	return r2;
}
#else
#define HAVE_THREADS 0
static long start_thread(void (*fn)(void))
{
	(void)fn;
	return -1;
}
#endif

/* Run the calling thread on @cpu only */
static int pin(int cpu)
{
	unsigned long mask = 1UL << cpu;

	return syscall(__NR_sched_setaffinity, 0, sizeof(mask), &mask) == 0;
}

#endif
