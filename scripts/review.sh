#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# review.sh - the checks a maintainer's tooling (and the 0-day robot) runs
# on a series, per patch, counting only what the patch adds:
#   checkpatch  scripts/checkpatch.pl --strict on the patch file (the
#               accepted exceptions: patches/checkpatch-ignore);
#               REVIEW_CHECKPATCH=read takes the checkpatch stage's
#               verdicts from the same gate run instead;
#   kernel-doc  scripts/kernel-doc -none -Wall on every .c/.h file the
#               patch touches that has kernel-doc comments, at the patch and
#               at its parent: warnings the parent does not have;
#   htmldocs    'make htmldocs SPHINXDIRS=<dir>' (Debian's Sphinx) for each
#               Documentation/<dir> the patch touches or whose kernel-doc
#               directives name a file whose kernel-doc comments the patch
#               changes (lines added in /** ... */ blocks): Sphinx warnings
#               the base does not have (line numbers dropped);
#   build       scripts/bisect.sh: the patch built alone, with sparse (C=1),
#               on the profiles it can break (the gate's rule); a sparse
#               warning the base does not have fails the build.
#               REVIEW_BISECT=read takes the verdicts of a bisect run that
#               has just happened (the gate's), =run (default) runs it;
#   W=1         (REVIEW_W1=1, default; the gate sets 0: "not run") the
#               objects the series changes that each boot profile's
#               (REVIEW_W1_PROFILES, default the five boot profiles) tip
#               build has, compiled with W=1 at the base and at the tip:
#               a new warning counts for each patch touching its file.
# Writes $RESULTS/review/summary.md (patch x check: ok, "-" when the check
# does not apply, or the count of findings) and one log per check; exits
# non-zero if any check found something.
. "$(dirname "$0")/lib.sh"

need git perl make
PATCHES=${PATCHES:-$TOP/patches}
REVIEW_BISECT=${REVIEW_BISECT:-run}
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse "$ref^{commit}")
[ -d "$WORK_TREE/.git" ] || die "no applied tree; run 'make apply' first"
mapfile -t list < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series")
mapfile -t commits < <(git -C "$WORK_TREE" rev-list --reverse "$base..$SERIES_BRANCH")
n=${#list[@]}
[ "${#commits[@]}" = "$n" ] ||
	die "the applied tree has ${#commits[@]} commit(s), the series $n; run 'make apply'"
command -v sphinx-build >/dev/null || [ -x /usr/bin/sphinx-build ] ||
	die "'sphinx-build' is not installed (python3-sphinx); run 'make setup'"

out=$RESULTS/review
rm -rf "$out"
mkdir -p "$out"
tree=$CACHE/review-tree
if [ ! -d "$tree/.git" ]; then
	log "review: cloning the applied tree into $tree"
	git clone -q --shared --no-checkout "$WORK_TREE" "$tree"
fi
git -C "$tree" fetch -q "$WORK_TREE" "$SERIES_BRANCH"
t() { git -C "$tree" "$@"; }
found=0

# --- checkpatch, per patch
declare -A cp kd hd bd
# REVIEW_CHECKPATCH=read: the verdicts of the checkpatch stage just run
# ("checkpatch: <file>: clean" or "...: N errors, N warnings, N checks")
i=0
for p in "${list[@]}"; do
	i=$((i + 1))
	if [ "${REVIEW_CHECKPATCH:-run}" = read ]; then
		v=$(sed -n "s/^\[[0-9:]*\] checkpatch: $p: //p" "$RESULTS/checkpatch.log" 2>/dev/null | tail -n 1)
		case "$v" in
		clean) cp[$i]=ok ;;
		'') cp[$i]="no verdict"; found=$((found + 1)) ;;
		*) cp[$i]=$(printf '%s' "$v" | sed 's/\([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks/\1E \2W \3C/')
		   found=$((found + 1)) ;;
		esac
		continue
	fi
	if "$TOP/scripts/checkpatch.sh" "$PATCHES/$p" > "$out/checkpatch-$i.log" 2>&1; then
		cp[$i]=ok
	else
		c=$(sed -n 's/.*: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks$/\1E \2W \3C/p' \
			"$out/checkpatch-$i.log" | tail -n 1)
		cp[$i]=${c:-error}
		found=$((found + 1))
	fi
done
log "review: checkpatch done"

# new_lines OLD NEW: lines of NEW not in OLD (as a multiset)
# (FILENAME, not NR == FNR: with an empty OLD that test holds for NEW too)
new_lines() {
	awk 'FILENAME == ARGV[1] { old[$0]++; next } { if (old[$0] > 0) old[$0]--; else print }' "$1" "$2"
}

# --- kernel-doc, per patch: touched files at the patch against its parent
kdoc() {	# kdoc COMMIT FILE: the warnings, no line numbers
	local d=$1 f=$2 tmp
	tmp=$(mktemp -d)
	mkdir -p "$tmp/$(dirname "$f")"
	t show "$d:$f" > "$tmp/$f" 2>/dev/null || { rm -rf "$tmp"; return 0; }
	grep -q '^/\*\*' "$tmp/$f" || { rm -rf "$tmp"; return 0; }
	(cd "$tmp" && PATH=/usr/bin:$PATH "$tree/scripts/kernel-doc" -none -Wall "$f" 2>&1) |
		sed -E 's/:[0-9]+(:| )/: /' | sort
	rm -rf "$tmp"
}
t checkout -q -f --detach "${commits[n - 1]}"
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	kd[$i]=-
	: > "$out/kernel-doc-$i.log"
	while read -r f; do
		grep -q '^/\*\*' <(t show "$c:$f" 2>/dev/null) || continue
		kdoc "$c" "$f" > "$out/kd.new"
		kdoc "$c~1" "$f" > "$out/kd.old"
		[ "${kd[$i]}" = - ] && kd[$i]=0
		new_lines "$out/kd.old" "$out/kd.new" >> "$out/kernel-doc-$i.log"
	done < <(t diff --name-only "$c~1" "$c" -- '*.c' '*.h')
	if [ "${kd[$i]}" != - ]; then
		k=$(grep -c . "$out/kernel-doc-$i.log" || true)
		if [ "$k" = 0 ]; then kd[$i]=ok; else kd[$i]=$k; found=$((found + 1)); fi
	fi
done
rm -f "$out/kd.new" "$out/kd.old"
log "review: kernel-doc done"

# --- htmldocs, per patch that touches a documentation directory or a file
# a kernel-doc directive there names
docs() {	# docs COMMIT DIRS: Sphinx warnings, no line numbers, sorted
	local c=$1 dirs=$2 o=$CACHE/build/review-docs
	t checkout -q -f --detach "$c"
	rm -rf "$o"
	mkdir -p "$o"
	PATH=/usr/bin:$PATH make -C "$tree" O="$o" SPHINXDIRS="$dirs" htmldocs \
		> "$o.log" 2>&1 || echo "htmldocs failed: $(tail -n 3 "$o.log" | tr '\n' ' ')"
	grep -E 'WARNING|ERROR' "$o.log" | sed -E -e "s|$tree/||g" -e 's/:[0-9]+(:| )/: /' | sort
}
declare -A base_docs
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	hd[$i]=-
	dirs=
	while read -r f; do
		case "$f" in
		Documentation/*/*) dirs="$dirs ${f#Documentation/}" ;;
		*)	# only if the patch adds or changes kernel-doc comment lines
			grep -qE '^\+(/\*\*| \*)' <(t diff "$c~1" "$c" -- "$f") || continue
			dirs="$dirs $( { t grep -l "kernel-doc:: $f" "$c" -- Documentation 2>/dev/null || true; } |
			sed 's|^[^:]*:Documentation/||' | xargs -r)" ;;
		esac
	done < <(t diff --name-only "$c~1" "$c")
	dirs=$(for d in $dirs; do echo "${d%%/*}"; done | sort -u | xargs)
	[ -n "$dirs" ] || continue
	if [ -z "${base_docs[$dirs]:-}" ]; then
		docs "$base" "$dirs" > "$out/htmldocs-base-${dirs// /_}.txt"
		base_docs[$dirs]=$out/htmldocs-base-${dirs// /_}.txt
	fi
	docs "$c" "$dirs" > "$out/htmldocs-$i.all"
	new_lines "${base_docs[$dirs]}" "$out/htmldocs-$i.all" > "$out/htmldocs-$i.log"
	rm -f "$out/htmldocs-$i.all"
	k=$(grep -c . "$out/htmldocs-$i.log" || true)
	if [ "$k" = 0 ]; then hd[$i]="ok ($dirs)"; else hd[$i]="$k ($dirs)"; found=$((found + 1)); fi
done
log "review: htmldocs done"

# --- W=1 at the tip against the base, on the boot profiles (REVIEW_W1=1):
# the objects the series changes that the profile's tip build has,
# compiled with kbuild's W=1 in their own build directories at the base
# and at the tip; a warning the base does not have (file and message, no
# line numbers) counts for every patch that touches that file.
declare -A wd
for i in $(seq 1 "$n"); do wd[$i]=-; done
if [ "${REVIEW_W1:-1}" = 1 ]; then
	: > "$out/w1-new.txt"
	: > "$out/w1-files.txt"
	changed=$(t diff --name-only "$base" "${commits[n - 1]}" -- '*.c')
	for p in ${REVIEW_W1_PROFILES:-$ALL_ARCHES}; do
		load_arch "$p"
		tipb=$(build_dir "$p")
		[ -f "$tipb/vmlinux" ] || die "W=1: no tip build of $p to take the object list from; run 'make build ARCH=$p'"
		objs=$(printf '%s\n' "$changed" | built_objects "$(srcarch)" "$tipb" | xargs)
		[ -n "$objs" ] || continue
		for x in $objs; do printf '%s\n' "${x%.o}.c"; done >> "$out/w1-files.txt"
		for side in base tip; do
			if [ "$side" = base ]; then c=$base; else c=${commits[n - 1]}; fi
			t checkout -q -f --detach "$c"
			o=
			for x in $objs; do [ -f "$tree/${x%.o}.c" ] && o="$o $x"; done
			SRC=$tree BUILD_TAG=w1-$side BUILD_W=1 BUILD_WARN=log KUNIT_LENIENT=1 \
				MAKE_TARGETS="prepare$o" "$TOP/scripts/build.sh" "$p" >> "$out/w1-build.log" 2>&1 ||
				die "W=1: the $side build of $p failed (see $out/w1-build.log)"
			grep -E '(^|: )warning:' "$LOG_ROOT/build-w1-$side-$p.log" |
				sed -E -e "s|$tree/||" -e 's|^\./||' -e 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' |
				sort > "$out/w1-$side-$p.txt" || true
		done
		new_lines "$out/w1-base-$p.txt" "$out/w1-tip-$p.txt" | sed "s/^/$p: /" >> "$out/w1-new.txt"
	done
	t checkout -q -f --detach "${commits[n - 1]}"
	i=0
	for c in "${commits[@]}"; do
		i=$((i + 1))
		files=$(t diff --name-only "$c~1" "$c" -- '*.c' '*.h')
		[ -n "$files" ] || continue
		# "-": none of its C files was compiled with W=1 and it touches
		# no header (another arch's files, say)
		printf '%s\n' $files | grep -q '\.h$' ||
			printf '%s\n' $files | grep -qxF -f "$out/w1-files.txt" || continue
		k=0
		for f in $files; do
			k=$((k + $(grep -cF ": $f: " "$out/w1-new.txt" || true)))
		done
		if [ "$k" = 0 ]; then wd[$i]=ok; else wd[$i]=$k; found=$((found + 1)); fi
	done
	log "review: W=1 done ($(grep -c . "$out/w1-new.txt" || true) new warning(s) in all)"
else
	for i in $(seq 1 "$n"); do wd[$i]="not run"; done
fi

# --- build with sparse, per patch (the gate's bisect)
vfile=$RESULTS/bisect-gate-patches.tsv
if [ "$REVIEW_BISECT" = run ]; then
	BISECT_MODE=gate "$TOP/scripts/bisect.sh" > "$out/bisect.log" 2>&1 || true
fi
[ -s "$vfile" ] || die "no per-patch build verdicts in $vfile (REVIEW_BISECT=$REVIEW_BISECT)"
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	okp=$(awk -F'\t' -v i="$i" '$1 == i && $3 == "ok" { print $2 }' "$vfile" | sort -u | xargs)
	badp=$(awk -F'\t' -v i="$i" '$1 == i && $3 == "FAIL" { print $2 }' "$vfile" | sort -u | xargs)
	none=$(awk -F'\t' -v i="$i" '$1 == i && $3 == "none"' "$vfile")
	if [ -n "$badp" ]; then
		bd[$i]="FAIL: $badp"
		found=$((found + 1))
	elif [ -n "$okp" ]; then
		bd[$i]="ok: $okp"
	elif [ -n "$none" ]; then
		bd[$i]="- (no profile can break it)"
	else
		bd[$i]="not built"
		found=$((found + 1))
	fi
done

{
	printf '| patch | checkpatch | kernel-doc | htmldocs | W=1 | build + sparse |\n'
	printf '|---|---|---|---|---|---|\n'
	i=0
	for p in "${list[@]}"; do
		i=$((i + 1))
		printf '| %d %s | %s | %s | %s | %s | %s |\n' "$i" \
			"$(t log -1 --format=%s "${commits[i - 1]}" | cut -c1-48)" \
			"${cp[$i]}" "${kd[$i]}" "${hd[$i]}" "${wd[$i]}" "${bd[$i]}"
	done
} > "$out/summary.md"
t checkout -q -f --detach "${commits[n - 1]}"
cat "$out/summary.md"
log "review: logs in $out"
[ "$found" = 0 ] || die "review: $found finding(s)"
log "review: nothing new"
