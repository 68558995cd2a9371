/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-mode loads and stores that may fault: ustore(p, v) stores the word v
 * at p, uload(p, out) loads the word at p into *out, each with one
 * instruction of its own (the functions below, in assembly), from user
 * mode, through the calling CPU's TLB. A fault there does not kill the
 * process: the handler that ufault_init() installs for SIGSEGV and SIGBUS
 * sees that the faulting instruction is that one, resumes after it and
 * makes the function return how it faulted (UF_ACCERR: a mapping without
 * the permission, UF_MAPERR: no mapping, UF_OTHER: any other signal or
 * code). nolibc has no sigaction(), so this is the system call with the
 * kernel's own struct, a restorer where the architecture wants one
 * (x86_64; sparc64, whose rt_sigaction takes it as an argument of its own;
 * arm64 and s390 return through their vDSO without it, powerpc always
 * does), and the program counter and return register found in the
 * kernel's struct ucontext of each architecture (uapi asm/ucontext.h), or
 * on sparc64 in the signal frame's struct pt_regs, which the kernel puts
 * right after the siginfo it passes (arch/sparc/kernel/signal_64.c). A
 * signal at any other place still ends the program (exit status 2).
 *
 * UFAULT is 0 where there is no such code (another architecture): the
 * callers then use the probes of probe.h alone.
 */
#ifndef LAZY_MMU_USTORE_H
#define LAZY_MMU_USTORE_H

#if defined(__x86_64__) || defined(__aarch64__) || defined(__s390x__) || \
	(defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2)
#include <asm/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#elif defined(__sparc__) && defined(__arch64__)
#include <asm/signal.h>
#include <asm/ptrace.h>
#endif

enum { UF_OK, UF_ACCERR, UF_MAPERR, UF_OTHER };

/*
 * The functions: a leaf each, whose one access is the instruction at
 * ustore_insn or uload_insn; a fault there resumes at ustore_resume or
 * uload_resume. The labels are global symbols: the code reaches them
 * through the GOT (a PIE compiler), and GOT relocations against local
 * labels of one section came out as one entry on arm64.
 */
#define UFAULT_FN(name)	".globl " #name "\n.type " #name ",%function\n" #name ":\n"
#define UFAULT_LABEL(name)	".globl " #name "\n" #name ":\n"
#define UFAULT_END(name)	".size " #name ",.-" #name "\n"
#define UFAULT_STR_(x)	#x
#define UFAULT_STR(x)	UFAULT_STR_(x)

#if defined(__x86_64__)
#define UFAULT 1
__asm__(".pushsection .text\n"
	UFAULT_FN(ustore)
	"	xorl	%eax,%eax\n"
	UFAULT_LABEL(ustore_insn)
	"	movq	%rsi,(%rdi)\n"
	UFAULT_LABEL(ustore_resume)
	"	ret\n"
	UFAULT_END(ustore)
	UFAULT_FN(uload)
	"	xorl	%eax,%eax\n"
	UFAULT_LABEL(uload_insn)
	"	movq	(%rdi),%rdx\n"
	"	movq	%rdx,(%rsi)\n"
	UFAULT_LABEL(uload_resume)
	"	ret\n"
	UFAULT_END(uload)
	/* the restorer: rt_sigreturn */
	UFAULT_FN(ufault_restorer)
	"	movl	$" UFAULT_STR(__NR_rt_sigreturn) ",%eax\n"
	"	syscall\n"
	UFAULT_END(ufault_restorer)
	".popsection\n");
extern const char ufault_restorer[];
#define UFAULT_RESTORER	((void *)ufault_restorer)
#define UFAULT_SA_RESTORER	SA_RESTORER
#define UC_PC(sc)	(((struct sigcontext *)(sc))->rip)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->rax)
#elif defined(__aarch64__)
#define UFAULT 1
__asm__(".pushsection .text\n"
	UFAULT_FN(ustore)
	"	mov	x2, x0\n"
	"	mov	x0, #0\n"
	UFAULT_LABEL(ustore_insn)
	"	str	x1, [x2]\n"
	UFAULT_LABEL(ustore_resume)
	"	ret\n"
	UFAULT_END(ustore)
	UFAULT_FN(uload)
	"	mov	x2, x0\n"
	"	mov	x0, #0\n"
	UFAULT_LABEL(uload_insn)
	"	ldr	x3, [x2]\n"
	"	str	x3, [x1]\n"
	UFAULT_LABEL(uload_resume)
	"	ret\n"
	UFAULT_END(uload)
	".popsection\n");
/* the kernel returns through the vDSO's sigreturn without SA_RESTORER */
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((struct sigcontext *)(sc))->pc)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->regs[0])
#elif defined(__s390x__)
#define UFAULT 1
__asm__(".pushsection .text\n"
	UFAULT_FN(ustore)
	"	lgr	%r1,%r2\n"
	"	lghi	%r2,0\n"
	UFAULT_LABEL(ustore_insn)
	"	stg	%r3,0(%r1)\n"
	UFAULT_LABEL(ustore_resume)
	"	br	%r14\n"
	UFAULT_END(ustore)
	UFAULT_FN(uload)
	"	lgr	%r1,%r2\n"
	"	lghi	%r2,0\n"
	UFAULT_LABEL(uload_insn)
	"	lg	%r0,0(%r1)\n"
	"	stg	%r0,0(%r3)\n"
	UFAULT_LABEL(uload_resume)
	"	br	%r14\n"
	UFAULT_END(uload)
	".popsection\n");
/* the kernel returns through the vDSO's sigreturn without SA_RESTORER */
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((_sigregs *)(sc))->regs.psw.addr)
#define UC_RET(sc)	(((_sigregs *)(sc))->regs.gprs[2])
#elif defined(__powerpc64__) && defined(_CALL_ELF) && _CALL_ELF == 2
#define UFAULT 1
__asm__(".pushsection .text\n"
	UFAULT_FN(ustore)
	"	mr	5,3\n"
	"	li	3,0\n"
	UFAULT_LABEL(ustore_insn)
	"	std	4,0(5)\n"
	UFAULT_LABEL(ustore_resume)
	"	blr\n"
	UFAULT_END(ustore)
	UFAULT_FN(uload)
	"	mr	5,3\n"
	"	li	3,0\n"
	UFAULT_LABEL(uload_insn)
	"	ld	6,0(5)\n"
	"	std	6,0(4)\n"
	UFAULT_LABEL(uload_resume)
	"	blr\n"
	UFAULT_END(uload)
	".popsection\n");
/* powerpc returns through the vDSO (or a stack trampoline) whatever the flags */
#define UFAULT_RESTORER	((void *)0)
#define UFAULT_SA_RESTORER	0UL
#define UC_PC(sc)	(((struct sigcontext *)(sc))->regs->nip)
#define UC_RET(sc)	(((struct sigcontext *)(sc))->regs->gpr[3])
#elif defined(__sparc__) && defined(__arch64__)
#define UFAULT 1
__asm__(".pushsection .text\n"
	UFAULT_FN(ustore)
	"	mov	%o0, %o2\n"
	"	mov	0, %o0\n"
	UFAULT_LABEL(ustore_insn)
	"	stx	%o1, [%o2]\n"
	UFAULT_LABEL(ustore_resume)
	"	retl\n"
	"	 nop\n"
	UFAULT_END(ustore)
	UFAULT_FN(uload)
	"	mov	%o0, %o2\n"
	"	mov	0, %o0\n"
	UFAULT_LABEL(uload_insn)
	"	ldx	[%o2], %o3\n"
	"	stx	%o3, [%o1]\n"
	UFAULT_LABEL(uload_resume)
	"	retl\n"
	"	 nop\n"
	UFAULT_END(uload)
	/* the restorer: rt_sigreturn (the handler returns to it through %i7 + 8) */
	UFAULT_FN(ufault_restorer)
	"	mov	" UFAULT_STR(__NR_rt_sigreturn) ", %g1\n"
	"	ta	0x6d\n"
	UFAULT_END(ufault_restorer)
	".popsection\n");
extern const char ufault_restorer[];
/* no restorer in the struct: rt_sigaction's fourth argument, less 8 */
#define UFAULT_RESTORER_ARG	((unsigned long)ufault_restorer - 8)
#define UFAULT_SA_RESTORER	0UL
/*
 * The handler's third argument is the siginfo again; the registers the
 * kernel restores from are the frame's struct pt_regs, right after the
 * siginfo (SI_MAX_SIZE, 128 bytes). A new pc needs a new npc too; the
 * return register, the interrupted leaf function's %o0, is u_regs[UREG_I0]
 * (the ins of the trap's window).
 */
#define UC_SC(info, uc)	((void *)((char *)(info) + 128))
#define UC_PC(sc)	(((struct pt_regs *)(sc))->tpc)
#define UC_SET_PC(sc, v)	(((struct pt_regs *)(sc))->tpc = (v), \
				 ((struct pt_regs *)(sc))->tnpc = (v) + 4)
#define UC_RET(sc)	(((struct pt_regs *)(sc))->u_regs[UREG_I0])
#else
#define UFAULT 0
#endif

/* the defaults: the registers in the struct ucontext of the third argument */
#ifndef UC_SC
#define UC_SC(info, uc)	((void *)&((struct ucontext *)(uc))->uc_mcontext)
#endif
#ifndef UC_SET_PC
#define UC_SET_PC(sc, v)	(UC_PC(sc) = (v))
#endif
#ifndef UFAULT_RESTORER_ARG
#define UFAULT_RESTORER_ARG	0UL
#endif

/* faults turned into a return value, by both threads (not atomic: a count) */
static volatile unsigned long ufault_count;
/* whether the handler is in place: the user-mode probes run only then */
static int ufault_ok;

#if UFAULT
int ustore(unsigned long *p, unsigned long v);
int uload(const unsigned long *p, unsigned long *out);
extern const char ustore_insn[], ustore_resume[], uload_insn[], uload_resume[];

/*
 * The kernel's struct sigaction (include/linux/signal_types.h, with
 * __ARCH_HAS_SA_RESTORER but on sparc64; not the i386 layout of x86's
 * uapi struct sigaction)
 */
struct ufault_sigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
#if !(defined(__sparc__) && defined(__arch64__))
	void *restorer;
#endif
	unsigned long mask;
};

/* the start of siginfo_t on these five (asm-generic/siginfo.h) */
struct ufault_siginfo {
	int signo, errno_, code;
};

#define UFAULT_SEGV_MAPERR	1
#define UFAULT_SEGV_ACCERR	2

static void ufault_handler(int sig, void *info, void *uc)
{
	void *sc = UC_SC(info, uc);
	const struct ufault_siginfo *si = info;
	unsigned long pc = UC_PC(sc);

	if (pc == (unsigned long)ustore_insn) {
		UC_SET_PC(sc, (unsigned long)ustore_resume);
	} else if (pc == (unsigned long)uload_insn) {
		UC_SET_PC(sc, (unsigned long)uload_resume);
	} else {
		/* not ours: die of it */
		printf("    # signal %d at 0x%lx, not in ustore/uload\n", sig, pc);
		syscall(__NR_exit_group, 2);
		__builtin_unreachable();
	}
	UC_RET(sc) = sig != SIGSEGV ? UF_OTHER :
		     si->code == UFAULT_SEGV_ACCERR ? UF_ACCERR :
		     si->code == UFAULT_SEGV_MAPERR ? UF_MAPERR : UF_OTHER;
	ufault_count++;
}

/* 1 if the handler is in place for SIGSEGV and SIGBUS */
static int ufault_init(void)
{
	struct ufault_sigaction sa = {
		.handler = ufault_handler,
		.flags = SA_SIGINFO | SA_NODEFER | UFAULT_SA_RESTORER,
#if !(defined(__sparc__) && defined(__arch64__))
		.restorer = UFAULT_RESTORER,
#endif
	};

#if defined(__sparc__) && defined(__arch64__)
	ufault_ok = syscall(__NR_rt_sigaction, SIGSEGV, &sa, NULL, UFAULT_RESTORER_ARG, 8) == 0 &&
		    syscall(__NR_rt_sigaction, SIGBUS, &sa, NULL, UFAULT_RESTORER_ARG, 8) == 0;
#else
	ufault_ok = syscall(__NR_rt_sigaction, SIGSEGV, &sa, NULL, 8) == 0 &&
		    syscall(__NR_rt_sigaction, SIGBUS, &sa, NULL, 8) == 0;
#endif
	return ufault_ok;
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
	return UF_OTHER;
}

static inline int uload(const unsigned long *p, unsigned long *out)
{
	(void)p;
	(void)out;
	return UF_OTHER;
}
#endif

#endif
