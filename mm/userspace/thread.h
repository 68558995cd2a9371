/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A second thread for the userspace programs (built with nolibc, which has
 * no threads): start_thread(fn) runs fn() in a thread of the process (a raw
 * clone() on a stack of its own), which exits when fn() returns. The start
 * code is per architecture (s390, x86_64, arm64, powerpc64 ELFv2);
 * HAVE_THREADS is 0 where there is none (sparc64: QEMU's sun4u has a
 * single CPU, so a second thread could not run elsewhere anyway).
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
#elif defined(__x86_64__)
#define HAVE_THREADS 1
static unsigned char helper_stack[STACK_SIZE] __attribute__((aligned(16)));

/*
 * clone(flags, stack, ...): the child returns 0 in rax on the new stack
 * (16-byte aligned, so fn() is entered as the ABI wants after the call);
 * the kernel keeps every register but rax, rcx and r11, so fn stays in r9.
 */
static long start_thread(void (*fn)(void))
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = (long)fn;
	long ret;

	__asm__ volatile(
		"	syscall\n"
		"	test	%%rax,%%rax\n"
		"	jnz	1f\n"
		"	xor	%%ebp,%%ebp\n"
		"	call	*%%r9\n"
		"	xor	%%edi,%%edi\n"
		"	mov	%[nr_exit],%%eax\n"
		"	syscall\n"
		"1:\n"
		: "=a" (ret)
		: "0" ((long)__NR_clone), "D" ((long)CLONE_THREAD_FLAGS),
		  "S" (helper_stack + STACK_SIZE), "d" (0L), "r" (r10), "r" (r8),
		  "r" (r9), [nr_exit] "i" (__NR_exit)
		: "rcx", "r11", "memory", "cc");
	return ret;
}
#elif defined(__aarch64__)
#define HAVE_THREADS 1
static unsigned char helper_stack[STACK_SIZE] __attribute__((aligned(16)));

/*
 * clone(flags, stack, ptid, ctid, tls), all but the first two 0: the child
 * returns 0 in x0 on the new stack; every other register is as the parent
 * left it, so fn is in x9.
 */
static long start_thread(void (*fn)(void))
{
	register long x8 __asm__("x8") = __NR_clone;
	register long x0 __asm__("x0") = CLONE_THREAD_FLAGS;
	register long x1 __asm__("x1") = (long)(helper_stack + STACK_SIZE);
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = 0;
	register long x9 __asm__("x9") = (long)fn;

	__asm__ volatile(
		"	svc	#0\n"
		"	cbnz	x0, 1f\n"
		"	mov	x29, xzr\n"
		"	blr	x9\n"
		"	mov	x0, xzr\n"
		"	mov	x8, %[nr_exit]\n"
		"	svc	#0\n"
		"1:\n"
		: "+r" (x0)
		: "r" (x8), "r" (x1), "r" (x2), "r" (x3), "r" (x4), "r" (x9),
		  [nr_exit] "i" (__NR_exit)
		: "memory", "cc", "x30");
	return x0;
}
#elif defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2
#define HAVE_THREADS 1
static unsigned char helper_stack[STACK_SIZE] __attribute__((aligned(16)));

/*
 * clone(flags, stack, ptid, tls, ctid): the child returns 0 in r3 with r1
 * at the new stack, where it stores a null back chain under a minimal
 * ELFv2 frame; an error comes back with cr0.SO set and a positive errno.
 * A system call may clobber the volatile registers, so fn travels in r30
 * and is called through r12 and ctr (the ELFv2 global entry wants r12).
 */
static long start_thread(void (*fn)(void))
{
	register long r0 __asm__("r0") = __NR_clone;
	register long r3 __asm__("r3") = CLONE_THREAD_FLAGS;
	register long r4 __asm__("r4") = (long)(helper_stack + STACK_SIZE - 64);
	register long r5 __asm__("r5") = 0;
	register long r6 __asm__("r6") = 0;
	register long r7 __asm__("r7") = 0;
	register long r30 __asm__("r30") = (long)fn;

	__asm__ volatile(
		"	sc\n"
		"	bns+	1f\n"
		"	neg	%%r3,%%r3\n"
		"1:	cmpdi	%%r3,0\n"
		"	bne	2f\n"
		"	li	%%r0,0\n"
		"	std	%%r0,0(%%r1)\n"
		"	mr	%%r12,%%r30\n"
		"	mtctr	%%r12\n"
		"	bctrl\n"
		"	li	%%r3,0\n"
		"	li	%%r0,%[nr_exit]\n"
		"	sc\n"
		"2:\n"
		: "+r" (r0), "+r" (r3), "+r" (r4), "+r" (r5), "+r" (r6), "+r" (r7)
		: "r" (r30), [nr_exit] "i" (__NR_exit)
		: "memory", "cr0", "ctr", "xer", "lr", "r8", "r9", "r10", "r11",
		  "r12");
	return r3;
}
#else
#define HAVE_THREADS 0
static long start_thread(void (*fn)(void))
{
	(void)fn;
	return -1;
}
#endif

/*
 * The programs' hand-off to their helper thread: the main thread fills in
 * a command, then hands over its number (*seq one up) and waits until the
 * helper reports it done (*done equal to it).
 */
static inline void helper_hand_over(int *seq, int *done)
{
	int n = *seq + 1;

	__atomic_store_n(seq, n, __ATOMIC_RELEASE);
	while (__atomic_load_n(done, __ATOMIC_ACQUIRE) != n)
		;
}

/* Run the calling thread on @cpu only */
static int pin(int cpu)
{
	unsigned long mask = 1UL << cpu;

	return syscall(__NR_sched_setaffinity, 0, sizeof(mask), &mask) == 0;
}

#endif
