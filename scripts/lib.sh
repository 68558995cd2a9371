# SPDX-License-Identifier: GPL-2.0
# Common helpers for the workbench scripts; sourced, never run.
#
# Every script sources this file, so paths, logging and the arch profile
# loader exist exactly once.

set -o errexit -o nounset -o pipefail
# errexit ends a script at the first failing command: say which, so that a
# stage never fails without a message.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR

# Called from the top-level Makefile: its ARCH=... must not leak into the
# kernel's make through MAKEFLAGS.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LAZY_MMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazy-mmu}
BASE_REPO=$CACHE/base		# git repo made from the Debian package
WORK_TREE=$CACHE/tree		# where the series is applied
BUILD_ROOT=$CACHE/build		# make O= directories, one per arch/variant
LOG_ROOT=${LOG_DIR:-$CACHE/logs}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# ccache's depend mode: a miss compiles once (kbuild's -Wp,-MMD gives the
# dependencies) instead of running the preprocessor first to hash its output,
# which made a cold build about 40% slower than one without ccache.
export CCACHE_DEPEND=${CCACHE_DEPEND:-1}
SERIES_BRANCH=lazy-mmu-series
ALL_ARCHES="x86_64 arm64 powerpc sparc64 s390"
# every boot profile: the five, and x86_64 as the Xen PV dom0 that its
# lazy MMU mode is for (make test-all and make base boot them all)
BOOT_ARCHES="$ALL_ARCHES x86_64-xen"
# what the gate (make test) builds, KUnit-tests and boots: x86 only as the
# dom0, where its mode does something (natively it does nothing; make
# test-all boots that kernel too), to keep a cold gate within its hour
GATE_ARCHES="arm64 powerpc sparc64 s390 x86_64-xen"
# the arches among those whose full tip build is the per-patch walk's
# reference of what each builds (scripts/bisect.sh); x86_64 is compiled
# at the tip with whole directories instead, in every mode
BISECT_TIP_BUILT="arm64 powerpc sparc64 s390"
# The debug variant of each boot profile (arch/<profile>-debug: PREEMPT,
# lockdep (not on powerpc), DEBUG_ATOMIC_SLEEP, DEBUG_PREEMPT, DEBUG_PAGEALLOC, and what the
# arch has of KASAN, KFENCE, PAGE_TABLE_CHECK and DEBUG_VM_PGTABLE): the
# gate runs GATE_DEBUG, make test-all every one
DEBUG_ARCHES="x86_64-debug arm64-debug powerpc-debug sparc64-debug s390-debug x86_64-xen-debug"
GATE_DEBUG="s390-debug"
START_TIME=${START_TIME:-$(date +%s)}
export START_TIME

log() {
	local now=$(( $(date +%s) - START_TIME ))
	printf '[%02d:%02d] %s\n' $((now / 60)) $((now % 60)) "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "'$t' is not installed; run 'make setup' (or scripts/setup.sh)"
	done
}

# The pinned Debian package version of linux-source-7.3.
base_version() {
	sed -n '1{s/[[:space:]]*$//;p}' "$TOP/patches/base-version"
}

# Git tag for a package version: 7.3.4-1~bpo13+1 -> debian/7.3.4-1_bpo13+1
base_tag() {
	local v=${1:-$(base_version)}
	printf 'debian/%s\n' "$(printf '%s' "$v" | tr '~:' '_%')"
}

# The repository the series applies to: KERNEL_SRC or the package repo.
# Prints "<repo> <ref>".
base_ref() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC does not exist"
		git -C "$KERNEL_SRC" rev-parse --git-dir >/dev/null 2>&1 ||
			die "KERNEL_SRC=$KERNEL_SRC is not a git tree"
		printf '%s %s\n' "$KERNEL_SRC" "${KERNEL_REF:-HEAD}"
	else
		[ -f "$BASE_REPO/.base-tag" ] ||
			die "no base tree in $BASE_REPO; run 'make fetch' first"
		printf '%s %s\n' "$BASE_REPO" "$(cat "$BASE_REPO/.base-tag")"
	fi
}

# The mirror comes from the machine's own apt sources, never from this repo.
mirror_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ {u=$2} /^Suites:/ && u != "" && $0 !~ /security/ {print u; exit}' "$f"
	done
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list
	return 0
}
# private_apt DIR URI SUITE: an apt configuration of our own in DIR (lists,
# cache, an empty dpkg status) for one suite of the machine's own mirror,
# so that single packages can be downloaded without touching the system's
# apt state. Sets APTOPTS for apt-get/apt-cache.
private_apt() {
	local d=$1 uri=$2 suite=$3
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/etc/preferences.d"
	: > "$d/status"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$uri" "$suite" > "$d/etc/sources.list"
	APTOPTS=(-o "Dir::Etc::SourceList=$d/etc/sources.list"
		 -o "Dir::Etc::SourceParts=/nonexistent"
		 -o "Dir::Etc::Preferences=/nonexistent"
		 -o "Dir::Etc::PreferencesParts=$d/etc/preferences.d"
		 -o "Dir::State::Lists=$d/lists"
		 -o "Dir::State::status=$d/status"
		 -o "Dir::Cache=$d"
		 -o "APT::Architecture=amd64" -o "APT::Architectures=amd64"
		 -o "Debug::NoLocking=1")
}

private_apt_update() {
	apt-get "${APTOPTS[@]}" -q update >"$1/update.log" 2>&1 ||
		die "apt-get update failed; see $1/update.log"
}

# Load an arch profile (data only) into the environment.
load_arch() {
	local arch=$1 f=$TOP/arch/$1/profile
	case "$arch" in
	''|*/*|.*) die "unknown arch '$arch' (known: $(known_arches))" ;;
	esac
	[ -f "$f" ] || die "unknown arch '$arch' (known: $(known_arches))"
	# nothing of a previously loaded profile may leak into this one
	unset BASE_FIXES BASE_KUNIT_SUITES BASE_XFAIL BASE_XFAIL_MATCH BASE_XFAIL_WHY BISECT_DIRS BOOT BOOT_EXPECT BOOT_TIMEOUT_DEFAULT COMPARE_FEWER COMPARE_ICOUNT COMPARE_NESTED COMPARE_SLACK \
		COMPARE_SUMS CONFIG_FRAGMENTS CONSOLE \
		CROSS_COMPILE CROSS_SUFFIX XEN_ARGS XEN_IMAGE \
		PROFILE_SYSCALL PROFILE_WINDOW_END PROFILE_TEXT_OFFSET \
		KARCH KERNEL_IMAGE KSELFTESTS_LEAVE_OUT KUNIT_CONFIG KUNIT_NO_SKIP KUNIT_SUITES PACKAGES QEMU QEMU_ARGS \
		SHUTDOWN
	# A profile may build on another one (BASE_PROFILE), which may build on
	# a third: the settings of the first in the chain first, ours last.
	PROFILE_CHAIN=$arch
	local p=$arch base n=0
	while base=$(sed -n 's/^BASE_PROFILE=//p' "$TOP/arch/$p/profile" | tr -d '"' | tail -n 1) &&
	      [ -n "$base" ]; do
		[ -f "$TOP/arch/$base/profile" ] ||
			die "arch/$p/profile: BASE_PROFILE=$base does not exist"
		n=$((n + 1))
		[ "$n" -le 4 ] || die "arch/$arch/profile: BASE_PROFILE chain too long (a loop?)"
		PROFILE_CHAIN="$base $PROFILE_CHAIN"
		p=$base
	done
	for p in $PROFILE_CHAIN; do
		# shellcheck disable=SC1090
		. "$TOP/arch/$p/profile"
	done
	BASE_PROFILE=${PROFILE_CHAIN% *}
	BASE_PROFILE=${BASE_PROFILE##* }
	[ "$BASE_PROFILE" != "$PROFILE_CHAIN" ] || BASE_PROFILE=
	ARCH_NAME=$arch
	ARCH_DIR=$TOP/arch/$arch
	local frag
	for frag in ${CONFIG_FRAGMENTS:-}; do
		[ -f "$TOP/arch/$frag.config" ] ||
			die "arch/$arch/profile: CONFIG_FRAGMENTS names arch/$frag.config, which does not exist"
	done
}

# The kernel's source directory under arch/ for the loaded profile (the
# top-level Makefile's SRCARCH).
srcarch() {
	case "$KARCH" in
	x86_64|i386) echo x86 ;;
	sparc64) echo sparc ;;
	*) echo "$KARCH" ;;
	esac
}

# The config fragments of the loaded profile after arch/common.config: the
# shared ones it names in CONFIG_FRAGMENTS (arch/<name>.config), then those
# of its chain of base profiles, the first base first, its own last.
profile_configs() {
	local f
	for f in ${CONFIG_FRAGMENTS:-}; do
		printf '%s\n' "$TOP/arch/$f.config"
	done
	for f in $PROFILE_CHAIN; do
		[ ! -f "$TOP/arch/$f/config" ] || printf '%s\n' "$TOP/arch/$f/config"
	done
}

# xen_image: for a profile with XEN_IMAGE (the hypervisor a Debian package
# installs, gzipped), the image QEMU boots: its multiboot loader does not
# decompress, so the image is unpacked into the cache once.
xen_image() {
	local out=$CACHE/xen/${XEN_IMAGE##*/}
	out=${out%.gz}
	[ -f "$XEN_IMAGE" ] || die "$ARCH_NAME: no Xen hypervisor at $XEN_IMAGE; run 'make setup'"
	if [ ! -s "$out" ] || [ "$XEN_IMAGE" -nt "$out" ]; then
		mkdir -p "${out%/*}"
		gzip -dc "$XEN_IMAGE" > "$out.tmp" && mv "$out.tmp" "$out" ||
			die "$ARCH_NAME: cannot decompress $XEN_IMAGE"
	fi
	printf '%s\n' "$out"
}

# xen_modules KERNEL CMDLINE [INITRD]: the -initrd argument for Xen.
# qemu_kernel_args KERNEL CMDLINE [INITRD]: sets QEMU_KERNEL_ARGS to the QEMU
# arguments that boot KERNEL with CMDLINE and INITRD: directly, or for a
# profile with XEN_IMAGE, Xen with XEN_ARGS and the kernel as its dom0 (the
# multiboot modules go in -initrd, comma-separated, each with its command
# line, where a literal comma is written twice).
xen_modules() {
	printf '%s %s%s\n' "$1" "${2//,/,,}" "${3:+,$3}"
}

qemu_kernel_args() {
	local kernel=$1 cmdline=$2 initrd=${3:-}
	if [ -n "${XEN_IMAGE:-}" ]; then
		QEMU_KERNEL_ARGS=(-kernel "$(xen_image)" -append "${XEN_ARGS:-}"
				  -initrd "$(xen_modules "$kernel" "$cmdline" "$initrd")")
	else
		QEMU_KERNEL_ARGS=(-kernel "$kernel" -append "$cmdline")
		[ -z "$initrd" ] || QEMU_KERNEL_ARGS+=(-initrd "$initrd")
	fi
}

known_arches() {
	local d out=
	for d in "$TOP"/arch/*/profile; do
		d=${d%/profile}
		out="$out ${d##*/}"
	done
	printf '%s\n' "${out# }"
}

# in_list WORD LIST: WORD is one of the words of LIST
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

# Expand "all" and comma/space separated lists, validating each name.
arch_list() {
	local a list=${*:-x86_64}
	[ "$list" = all ] && list=$ALL_ARCHES
	for a in ${list//,/ }; do
		[ -f "$TOP/arch/$a/profile" ] ||
			die "unknown arch '$a' (known: $(known_arches))"
		printf '%s\n' "$a"
	done
}

# prod_profiles ARCH...: arch_list, each arch replaced by its "-prod"
# profile where it has one (make compare and make profile measure those).
prod_profiles() {
	local a list
	list=$(arch_list "$@") || exit 1
	for a in $list; do
		case "$a" in
		*-prod) ;;
		*) [ ! -f "$TOP/arch/$a-prod/profile" ] || a=$a-prod ;;
		esac
		printf '%s\n' "$a"
	done
}

# Directory that holds cross-compiler shims (e.g. sparc64-linux-gnu-gcc
# for Debian's gcc-12-sparc64-linux-gnu, whose binaries end in -12).
# The QEMU shims point at the qemu-accel of the checkout that ran setup; a
# clone elsewhere (CI's) may have made them, so point them at this one.
shim_path() {
	local d=$CACHE/bin f
	mkdir -p "$d"
	for f in "$d"/qemu-system-*; do
		[ -L "$f" ] && [ "$(readlink "$f")" != "$TOP/scripts/qemu-accel" ] &&
			ln -sf "$TOP/scripts/qemu-accel" "$f"
	done
	printf '%s\n' "$d"
}

# Console lines that fail a boot whatever the tests said.
# Xen's own: a panic of the hypervisor, a dom0 that died, a failed multicall.
# The kernel's own report lines: WARN (also lockdep's "WARNING: possible
# circular locking dependency detected" and RCU's "WARNING: suspicious RCU
# usage", which print no "cut here"), BUG (KASAN, KFENCE, sleeping in
# atomic context, page table check), UBSAN, stalls and hung tasks, panics,
# and Xen's; a kernel line, not a test program's "# WARNING" or Xen's
# "(XEN) WARNING".
BAD_LOG='(-+\[ cut here \]-+|^(\[[ 0-9.]+\] )?WARNING: |WARNING: CPU:|WARNING: at |BUG: |kernel BUG at|Oops|Kernel panic|Unable to handle kernel|Call [Tt]race:|Internal error:|Unhandled fault|Kernel stack overflow|UBSAN: |rcu: INFO: .*detected stall|blocked for more than [0-9]+ seconds|\(XEN\) Panic on CPU|Hardware Dom0 crashed|multicall\(s\) failed)'

# console_problems LOG [earlier-problems]: prints the problems found in a
# console log (WARN/BUG/Oops/panic lines, a missing BOOT_EXPECT line).
console_problems() {
	local f=$1 out=${2:-}
	if grep -Eq "$BAD_LOG" "$f"; then
		grep -En -m 5 "$BAD_LOG" "$f" >&2
		out="${out:+$out; }the console log has a WARN/BUG/Oops/panic"
	fi
	if [ -n "${BOOT_EXPECT:-}" ] && ! grep -qF "$BOOT_EXPECT" "$f"; then
		out="${out:+$out; }boot log lacks '$BOOT_EXPECT'"
	fi
	printf '%s\n' "$out"
}

# base_xfail WHAT TAG CMD... (scripts/base.sh): run a stage's command (WHAT:
# kunit or boot, of the build TAG); where the loaded profile lists WHAT in
# BASE_XFAIL, it must fail, its console log must show the bug
# (BASE_XFAIL_MATCH), and every report in that log must be the bug's.
base_xfail() {
	local what=$1 tag=$2 console
	shift 2
	if [[ " ${BASE_XFAIL:-} " != *" $what "* ]]; then
		"$@"
		return
	fi
	[ -n "${BASE_XFAIL_MATCH:-}" ] ||
		die "arch/$ARCH_NAME/profile: BASE_XFAIL without BASE_XFAIL_MATCH"
	console=$LOG_ROOT/$what-$tag-$ARCH_NAME.console.log
	rm -f "$console"
	if "$@"; then
		printf 'error: %s\n' "$ARCH_NAME: the base's $what passed, but arch/$ARCH_NAME/profile says it fails ($BASE_XFAIL_WHY): drop it from BASE_XFAIL"
		return 1
	fi
	if ! grep -Eq -- "$BASE_XFAIL_MATCH" "$console" 2>/dev/null; then
		printf 'error: %s\n' "$ARCH_NAME: the base's $what failed, but not as arch/$ARCH_NAME/profile expects: no match for '$BASE_XFAIL_MATCH' in $console"
		return 1
	fi
	# and nothing else went wrong: every report in the log is the bug's
	local other
	other=$(grep -E '^(\[[ 0-9.]+\] )?(WARNING|BUG): |kernel BUG at|Oops|Kernel panic|UBSAN: ' "$console" |
		grep -Ev -- "$BASE_XFAIL_MATCH" | head -n 3) || true
	if [ -n "$other" ]; then
		printf 'error: %s\n%s\n' "$ARCH_NAME: the base's $what failed as arch/$ARCH_NAME/profile expects, but the log has other reports too ($console):" "$other"
		return 1
	fi
	log "$ARCH_NAME: the base's $what failed as expected: $BASE_XFAIL_WHY ($(grep -Em1 -- "$BASE_XFAIL_MATCH" "$console" | sed 's/^ *//'))"
}

# sparse new enough for the base tree (see scripts/setup.sh): its wrapper.
SPARSE_BIN=$CACHE/tools/sparse/sparse

build_dir() {
	printf '%s\n' "$BUILD_ROOT/${BUILD_TAG:+$BUILD_TAG-}$1"
}

# built_objects SRCARCH DIR...: C files (paths in the tree) on stdin, the
# objects of those that one of the build directories DIR has built on
# stdout: what a profile compiles of them (other arches' files, tools/,
# scripts/ and files this configuration does not build are dropped).
built_objects() {
	local sa=$1 f o d
	shift
	while IFS= read -r f; do
		case "$f" in
		arch/"$sa"/*) ;;
		arch/*|tools/*|scripts/*|samples/*|Documentation/*|usr/*) continue ;;
		esac
		o=${f%.c}.o
		for d in "$@"; do
			if [ -f "$d/$o" ]; then
				printf '%s\n' "$o"
				break
			fi
		done
	done
}

# --- stages with a verdict, for main.sh and test.sh -------------------------
RESULTS=$CACHE/results
PASSED=0
FAILED=0

# stage NAME CMD...: run one stage, its output in $RESULTS/NAME.log, its
# progress lines on stderr; count and record the verdict. Never exits.
stage() {
	local name=$1 t0 rc f
	shift
	mkdir -p "$RESULTS"
	f=$RESULTS/$name.log
	t0=$(date +%s)
	set +o errexit
	{ "$@" 2>&1; echo "$?" > "$f.rc"; } | tee "$f" |
		grep --line-buffered -E '^\[[0-9]+:[0-9]{2}\] |^error: ' >&2 || true
	rc=$(cat "$f.rc" 2>/dev/null || echo 1)
	set -o errexit
	if [ "$rc" = 0 ]; then
		PASSED=$((PASSED + 1))
		printf '%s\tok\t%s\n' "$name" $(( $(date +%s) - t0 )) >> "$RESULTS/stages.tsv"
		return 0
	fi
	FAILED=$((FAILED + 1))
	printf '%s\tFAIL\t%s\n' "$name" $(( $(date +%s) - t0 )) >> "$RESULTS/stages.tsv"
	log "FAILED: $name (log: $f)"
	return 1
}

# stage_skip NAME WHY: a stage that cannot run counts as failed.
stage_skip() {
	FAILED=$((FAILED + 1))
	mkdir -p "$RESULTS"
	printf '%s\n' "$2" > "$RESULTS/$1.log"
	printf '%s\tFAIL\t0\n' "$1" >> "$RESULTS/stages.tsv"
	log "FAILED: $1 ($2)"
}

stage_reset() {
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	: > "$RESULTS/stages.tsv"
}

# arch_stages ARCH [VAR=VALUE...]: build, KUnit and userspace boot of one
# arch, as three stages; the variables go to the KUnit run and the boot.
arch_stages() {
	local a=$1
	shift
	if stage "build-$a" "$TOP/scripts/build.sh" "$a"; then
		stage "kunit-$a" env "$@" "$TOP/scripts/kunit.sh" "$a" || true
		stage "boot-$a" env "$@" "$TOP/scripts/boot.sh" "$a" || true
	else
		stage_skip "kunit-$a" "not run: the build failed"
		stage_skip "boot-$a" "not run: the build failed"
	fi
}

# The results table (markdown) for the arches given, from the stage records.
results_table() {
	local a st t cell col
	printf '| arch | build | KUnit | userspace boot |\n|---|---|---|---|\n'
	for a in "$@"; do
		printf '| %s ' "$a"
		for col in build kunit boot; do
			st=$(awk -F'\t' -v n="$col-$a" '$1 == n {print $2}' "$RESULTS/stages.tsv" | tail -n 1)
			t=$(awk -F'\t' -v n="$col-$a" '$1 == n {print $3}' "$RESULTS/stages.tsv" | tail -n 1)
			cell=${st:--}
			case "$col" in
			build) [ -z "$st" ] || cell="$st (${t} s)" ;;
			kunit) [ -f "$(build_dir "$a")/kunit.summary" ] && [ -n "$st" ] &&
				cell="$st: $(cut -f2 "$(build_dir "$a")/kunit.summary" | sed 's/Testing complete. //')" ;;
			boot) [ -f "$(build_dir "$a")/userspace/summary" ] && [ -n "$st" ] &&
				cell="$st: $(cut -f2 "$(build_dir "$a")/userspace/summary" | sed 's/Testing complete. //')" ;;
			esac
			printf '| %s ' "$cell"
		done
		printf '|\n'
	done
}

# for_each_arch FN [ARCH...]: run FN for each arch named (default: x86_64),
# after checking every name.
for_each_arch() {
	local fn=$1 a arches
	shift
	[ $# -gt 0 ] || set -- x86_64
	mkdir -p "$LOG_ROOT"
	arches=$(arch_list "$@") || exit 1
	for a in $arches; do
		"$fn" "$a"
	done
}
