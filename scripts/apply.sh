#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# apply.sh - a fresh branch (lazy-mmu-series) from the pinned base, then
# 'git am' of every patch in patches/series, in order. A patch that does not
# apply stops the run with its name and git's message; the work tree is left
# as it was before (the old branch is only moved on success).
#
# PATCHES=<dir> applies another series directory (used by the tests).
. "$(dirname "$0")/lib.sh"

PATCHES=${PATCHES:-$TOP/patches}
need git
read -r repo ref < <(base_ref)
base=$(git -C "$repo" rev-parse -q --verify "$ref^{commit}") ||
	die "base $ref not found in $repo"

[ -f "$PATCHES/series" ] || die "$PATCHES/series is missing"
mapfile -t list < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series")
for p in "${list[@]}"; do
	[ -f "$PATCHES/$p" ] || die "series lists '$p' but $PATCHES/$p does not exist"
done

if [ ! -d "$WORK_TREE/.git" ] ||
   [ "$(git -C "$WORK_TREE" config --get lazymmu.base-repo)" != "$repo" ]; then
	log "apply: cloning $repo into $WORK_TREE"
	rm -rf "$WORK_TREE"
	git clone -q --shared --no-checkout "$repo" "$WORK_TREE"
	git -C "$WORK_TREE" config lazymmu.base-repo "$repo"
fi

g() { git -C "$WORK_TREE" "$@"; }

# The same series on the same base, already applied and untouched: keep it
# as it is (re-applying would give every file a new mtime and make every
# build directory recompile).
key=$( { printf '%s %s\n' "$repo" "$base"; for p in "${list[@]}"; do cat "$PATCHES/$p"; done; } |
	sha1sum | cut -c1-40)
if [ "$(g config --get lazymmu.applied 2>/dev/null)" = "$key" ] &&
   [ "$(g rev-parse -q --verify HEAD)" = "$(g rev-parse -q --verify "refs/heads/$SERIES_BRANCH")" ] &&
   [ "$(g symbolic-ref -q HEAD)" = "refs/heads/$SERIES_BRANCH" ] &&
   [ -z "$(g status --porcelain --untracked-files=no)" ]; then
	log "apply: ${#list[@]} patch(es) already applied on $(g rev-parse --short "$base") -> $SERIES_BRANCH $(g rev-parse --short HEAD), tree clean"
	exit 0
fi
g config --unset lazymmu.applied || true
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-lazy-mmu workbench}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-workbench@lazy-mmu.invalid}

g am --abort >/dev/null 2>&1 || true
g checkout -q -f --detach "$base"
g clean -q -f -d -x

n=0
for p in "${list[@]}"; do
	n=$((n + 1))
	if ! out=$(g am -q --whitespace=error-all "$PATCHES/$p" 2>&1); then
		g am --abort >/dev/null 2>&1 || true
		if g rev-parse -q --verify "refs/heads/$SERIES_BRANCH" >/dev/null; then
			g checkout -q -f "$SERIES_BRANCH"
		else
			g checkout -q -f --detach "$base"
		fi
		printf '%s\n' "$out" >&2
		die "patch $n ($p) does not apply on $(git -C "$repo" rev-parse --short "$base"); tree left as before"
	fi
done
g checkout -q -B "$SERIES_BRANCH"
g config lazymmu.applied "$key"
log "apply: $n patch(es) applied on $(g rev-parse --short "$base") -> $SERIES_BRANCH $(g rev-parse --short HEAD)"
