/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-mode loads and stores that may fault: ustore(p, v) stores the word v
 * at p, uload(p) loads the word at p, each with one instruction of its own
 * (the functions below, in assembly), from user mode, through the calling
 * CPU's TLB. A fault there (SIGSEGV, or SIGBUS) does not kill the process:
 * the handler that ufault_init() installs sees that the faulting
 * instruction is that one, makes the function return "faulted" and
 * resumes after it. nolibc has no sigaction(), so this is the system call
 * with the kernel's own struct, a restorer where the architecture wants one
 * (x86_64), and the program counter and return register found in the
 * kernel's struct ucontext of each architecture (uapi asm/ucontext.h).
 *
 * UFAULT is 0 where there is no such code (sparc64): the callers then use
 * the probes of probe.h alone.
 */
#ifndef LAZY_MMU_USTORE_H
#define LAZY_MMU_USTORE_H

#if defined(__x86_64__) || defined(__aarch64__) || defined(__s390x__) || \
	(defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2)
#include <asm/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#endif

#if defined(__x86_64__)
#define UFAULT 1
__asm__(".text\n"
	".globl ustore\n"
	"ustore:\n"
	"	xorl	%eax,%eax\n"
	".globl ustore_insn\n"
	"ustore_insn:\n"
	"	movq	%rsi,(%rdi)\n"
	".globl ustore_resume\n"
	"ustore_resume:\n"
	"	ret\n"
	".globl uload\n"
	"uload:\n"
	"	xorl	%eax,%eax\n"
	".globl uload_insn\n"
	"uload_insn:\n"
	"	movq	(%rdi),%rdx\n"
	"	movq	%rdx,(%rsi)\n"
	".globl uload_resume\n"
	"uload_resume:\n"
	"	ret\n"
	/* the restorer: rt_sigreturn */
	".globl ufault_restorer\n"
	"ufault_restorer:\n"
	"	movl	$15,%eax\n"
	"	syscall\n");
extern const char ufault_restorer[];
#define UFAULT_RESTORER	((void *)ufault_restorer)
#define UFAULT_SA_RESTORER	0x04000000UL
#define UC_PC(sc)	(((struct sigcontext *)(sc))->rip)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->rax)
#elif defined(__aarch64__)
#define UFAULT 1
__asm__(".text\n"
	".globl ustore\n"
	"ustore:\n"
	"	mov	x2, x0\n"
	"	mov	x0, #0\n"
	".globl ustore_insn\n"
	"ustore_insn:\n"
	"	str	x1, [x2]\n"
	".globl ustore_resume\n"
	"ustore_resume:\n"
	"	ret\n"
	".globl uload\n"
	"uload:\n"
	"	mov	x2, x0\n"
	"	mov	x0, #0\n"
	".globl uload_insn\n"
	"uload_insn:\n"
	"	ldr	x3, [x2]\n"
	"	str	x3, [x1]\n"
	".globl uload_resume\n"
	"uload_resume:\n"
	"	ret\n");
/* the kernel returns through the vDSO's sigreturn without SA_RESTORER */
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((struct sigcontext *)(sc))->pc)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->regs[0])
#elif defined(__s390x__)
#define UFAULT 1
__asm__(".text\n"
	".globl ustore\n"
	"ustore:\n"
	"	lgr	%r1,%r2\n"
	"	lghi	%r2,0\n"
	".globl ustore_insn\n"
	"ustore_insn:\n"
	"	stg	%r3,0(%r1)\n"
	".globl ustore_resume\n"
	"ustore_resume:\n"
	"	br	%r14\n"
	".globl uload\n"
	"uload:\n"
	"	lgr	%r1,%r2\n"
	"	lghi	%r2,0\n"
	".globl uload_insn\n"
	"uload_insn:\n"
	"	lg	%r0,0(%r1)\n"
	"	stg	%r0,0(%r3)\n"
	".globl uload_resume\n"
	"uload_resume:\n"
	"	br	%r14\n");
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((_sigregs *)(sc))->regs.psw.addr)
#define UC_RET(sc)	(((_sigregs *)(sc))->regs.gprs[2])
#elif defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2
#define UFAULT 1
__asm__(".text\n"
	".globl ustore\n"
	"ustore:\n"
	"	mr	5,3\n"
	"	li	3,0\n"
	".globl ustore_insn\n"
	"ustore_insn:\n"
	"	std	4,0(5)\n"
	".globl ustore_resume\n"
	"ustore_resume:\n"
	"	blr\n"
	".globl uload\n"
	"uload:\n"
	"	mr	5,3\n"
	"	li	3,0\n"
	".globl uload_insn\n"
	"uload_insn:\n"
	"	ld	6,0(5)\n"
	"	std	6,0(4)\n"
	".globl uload_resume\n"
	"uload_resume:\n"
	"	blr\n");
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((struct sigcontext *)(sc))->regs->nip)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->regs->gpr[3])
#else
#define UFAULT 0
#endif

/* faults taken and turned into a return value (not atomic: a diagnostic) */
static volatile unsigned long ufault_count;

#if UFAULT
/*
 * ustore(p, v): 0 after the store, 1 if it faulted.
 * uload(p, out): 0 and *out the word, 1 if the load faulted.
 * Each is a leaf function whose one access is the instruction at
 * ustore_insn or uload_insn; a fault there resumes at ustore_resume or
 * uload_resume. The labels are global symbols: the code reaches them
 * through the GOT (a PIE compiler), and GOT relocations against local
 * labels of one section came out as one entry on arm64.
 */
int ustore(unsigned long *p, unsigned long v);
int uload(const unsigned long *p, unsigned long *out);
extern const char ustore_insn[], ustore_resume[], uload_insn[], uload_resume[];

/* The kernel's struct sigaction (not sparc64's, alpha's or mips') */
struct ufault_sigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define UFAULT_SA_SIGINFO	4UL
#define UFAULT_SA_NODEFER	0x40000000UL


static void ufault_handler(int sig, void *info, void *uc)
{
	void *sc = &((struct ucontext *)uc)->uc_mcontext;
	unsigned long pc = UC_PC(sc);

	(void)info;
	if (pc == (unsigned long)ustore_insn) {
		UC_PC(sc) = (unsigned long)ustore_resume;
	} else if (pc == (unsigned long)uload_insn) {
		UC_PC(sc) = (unsigned long)uload_resume;
	} else {
		/* not ours: die of it */
		printf("    # signal %d at 0x%lx, not in ustore/uload\n", sig, pc);
		syscall(__NR_exit_group, 2);
	}
	UC_RET(sc) = 1;
	ufault_count++;
}

/* 1 if the handler is in place for SIGSEGV and SIGBUS */
static int ufault_init(void)
{
	struct ufault_sigaction sa = {
		.handler = ufault_handler,
		.flags = UFAULT_SA_SIGINFO | UFAULT_SA_NODEFER | UFAULT_SA_RESTORER,
		.restorer = UFAULT_RESTORER,
	};

	return syscall(__NR_rt_sigaction, SIGSEGV, &sa, NULL, 8) == 0 &&
	       syscall(__NR_rt_sigaction, SIGBUS, &sa, NULL, 8) == 0;
}
#else
static int ufault_init(void)
{
	return 0;
}

static inline int ustore(unsigned long *p, unsigned long v)
{
	(void)p;
	(void)v;
	return -1;
}

static inline int uload(const unsigned long *p, unsigned long *out)
{
	(void)p;
	(void)out;
	return -1;
}
#endif

#endif
