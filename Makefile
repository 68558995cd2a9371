# SPDX-License-Identifier: GPL-2.0
#
# The one entry point. Every target is a script in scripts/; arch
# differences are data in arch/<arch>/.
#
#   make                 main job: setup, fetch, apply, build + KUnit + boot
#                        ARCH (default: x86_64 and x86_64-xen, the Xen PV
#                        dom0), results table
#   make test            the gate (CI): checkpatch, apply, post; arm64,
#                        powerpc, sparc64, s390, x86_64 as the Xen PV dom0
#                        and s390-debug built, KUnit-tested and booted;
#                        each patch built with sparse on the profiles it
#                        can break, riscv compiled at the tip, the
#                        opaque-type check, script self-tests;
#                        ends with "N passed, N failed"
#   make test-all        the full matrix: also x86_64 booted natively, the
#                        other five debug profiles, every patch on every
#                        profile, build-only profiles linked, make
#                        compare's mechanism on arm64, and make base
#   make setup           install Debian packages (root) or print the command
#   make fetch           base tree into the cache (or check KERNEL_SRC)
#   make apply           the series onto a fresh branch from the base
#   make build|kunit|boot ARCH=<arch>[,<arch>...]|all
#   make base [ARCH=...]  the base tree (mainline's suite) built, KUnit-tested
#                        and booted with the same profiles (default: the
#                        six boot profiles); a failure of the base that a profile
#                        expects (BASE_XFAIL: the bug, matched in the log)
#                        passes, and the base with the fix (BASE_FIXES)
#                        must pass
#   make checkpatch      checkpatch.pl --strict over the series
#   make bisect          each patch built on top of its predecessors
#   make opaque          the opaque-type check (arm64 with a pointer state)
#   make soak [ARCH=...] [SOAK_SECONDS=600] [SOAK_SEED=N]  the stress
#                        (mm_stress) alone for a time, from a seed, on
#                        the built kernel of each arch
#   make selftest        the workbench's own failure-path tests
#   make planted         each planted bug (not-posted/planted-*/expect) makes
#                        its KUnit cases and its userspace programs fail
#   make measure [ARCH=...]  code size of the series against the base, per arch
#   make disasm          instructions of the mode's hot callers, base against
#                        series (x86_64-prod: PARAVIRT_XXL, -O2, no DEBUG_VM)
#   make compare [ARCH=all]  run-time figures, base against series, per arch
#                        (its -prod profile): guest instructions (QEMU
#                        -icount) and flushes counted by never-posted
#                        instrumentation, of mprotect/fork/madvise/mremap/
#                        munmap over 64 MiB (mm/bench/flush_bench.c), and
#                        the vmlinux size
#   make profile [ARCH=x86_64,arm64,powerpc,s390]  after make compare: guest
#                        instructions per kernel function inside the
#                        benchmark's system calls, base against series
#                        (QEMU's execution log): the cause behind a ratio
#   make review          per patch: checkpatch --strict, kernel-doc -Wall and
#                        htmldocs warnings the patch adds, the patch built
#                        alone with sparse (bisect); a table in
#                        $(cache)/results/review/summary.md
#   make post            the mbox that would be sent (nothing is sent):
#                        [PATCH vN m/M] subjects, base-commit, To/Cc from
#                        get_maintainer.pl; applied with git am and b4 am
#                        onto the base, identical to the tested commits;
#                        range-diff against versions/v<N-1>
#   make export-series TREE=...  regenerate patches/ from a kernel tree (format-patch)
#   make clean           drop build directories (keeps base tree and ccache)
#
# Caches live in ${XDG_CACHE_HOME:-$HOME/.cache}/lazy-mmu.

# make with no ARCH: x86_64 natively and as a Xen PV dom0 (where its lazy
# MMU mode does something); every other target: x86_64
MAIN_ARCH := $(if $(filter undefined,$(origin ARCH)),x86_64 x86_64-xen,$(ARCH))
ARCH ?= x86_64
S := scripts

.PHONY: all run test test-all setup fetch apply base build kunit boot soak checkpatch bisect opaque selftest planted measure disasm compare profile review post export-series clean help

all: run

run:
	@bash $(S)/main.sh $(subst $(comma), ,$(MAIN_ARCH))

test:
	@bash $(S)/test.sh

test-all:
	@bash $(S)/test-all.sh

setup:
	@bash $(S)/setup.sh

fetch:
	@bash $(S)/fetch.sh

apply: fetch
	@bash $(S)/apply.sh

build kunit boot soak:
	@bash $(S)/$@.sh $(subst $(comma), ,$(ARCH))

checkpatch bisect opaque selftest disasm review post:
	@bash $(S)/$@.sh

# make base [ARCH=...]: default the gate's boot arches
base: fetch
	@bash $(S)/base.sh $(if $(filter command line,$(origin ARCH)),$(subst $(comma), ,$(ARCH)))

# make measure [ARCH=...]: default the five arches with a lazy MMU mode
measure:
	@bash $(S)/measure.sh $(if $(filter command line,$(origin ARCH)),$(subst $(comma), ,$(ARCH)))

# make compare [ARCH=all]: the -prod profile of each arch (as a distribution kernel is built)
compare:
	@bash $(S)/compare.sh $(if $(filter command line,$(origin ARCH)),$(ARCH),all)

# make profile [ARCH=...]: after make compare of the same arches
profile:
	@bash $(S)/profile.sh $(if $(filter command line,$(origin ARCH)),$(ARCH))

# make planted [NAME="nested-leave-ends-mode ..."]
planted:
	@bash $(S)/planted.sh $(NAME)

clean:
	@bash -c '. $(S)/lib.sh; rm -rf "$$BUILD_ROOT" "$$RESULTS"'

help:
	@sed -n '3,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

comma := ,

# make export-series TREE=/path/to/linux [BRANCH=dev]: patches/ from a tree
export-series:
	@bash $(S)/export.sh "$(TREE)" $(BRANCH)
