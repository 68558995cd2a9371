#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh - make the pinned base tree: Debian's linux-source-7.3 package,
# downloaded with a private apt configuration, unpacked into the cache and
# turned into a git repository with one reproducible commit and a tag.
#
# With KERNEL_SRC=/path/to/linux set, the user's own tree is checked instead.
. "$(dirname "$0")/lib.sh"

PKG=linux-source-7.3
APT=$CACHE/apt

if [ -n "${KERNEL_SRC:-}" ]; then
	read -r repo ref < <(base_ref)
	mk=$(git -C "$repo" show "$ref:Makefile" 2>/dev/null) ||
		die "KERNEL_SRC=$repo: no Makefile at $ref"
	v=$(printf '%s\n' "$mk" | sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p' | paste -sd.)
	[ "$v" = 7.3 ] || die "KERNEL_SRC=$repo is Linux $v at $ref, the series needs 7.3"
	log "using KERNEL_SRC=$repo at $ref ($(git -C "$repo" rev-parse --short "$ref"))"
	exit 0
fi

version=$(base_version)
[ -n "$version" ] || die "patches/base-version is empty"
tag=$(base_tag "$version")

if [ -f "$BASE_REPO/.base-tag" ] && [ "$(cat "$BASE_REPO/.base-tag")" = "$tag" ] &&
   git -C "$BASE_REPO" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
	log "base tree $tag already in $BASE_REPO"
	exit 0
fi

need apt-get dpkg-deb git xz tar

uri=$(mirror_uri | head -n 1 || true)
[ -n "$uri" ] || die "cannot find a Debian mirror URI in /etc/apt/sources.list{,.d/}"

mkdir -p "$CACHE/debs"
private_apt "$APT" "$uri" trixie-backports
aptopts=("${APTOPTS[@]}")

deb=$(ls "$CACHE/debs/${PKG}_${version/:/%3a}_all.deb" 2>/dev/null || true)
if [ -z "$deb" ]; then
	log "fetch: apt-get update (private configuration, trixie-backports)"
	private_apt_update "$APT"
	offered=$(apt-cache "${aptopts[@]}" madison "$PKG" | awk -F'|' '{gsub(/ /,"",$2); print $2}')
	[ -n "$offered" ] || die "$PKG is not offered by trixie-backports at $uri"
	if ! printf '%s\n' "$offered" | grep -qxF "$version"; then
		newest=$(printf '%s\n' "$offered" | sort -V | tail -n 1)
		cat >&2 <<WARN
################################################################
# WARNING: pinned $PKG $version is no longer offered.
# Using the newest offered version instead: $newest
# Update patches/base-version once the series is checked on it.
################################################################
WARN
		version=$newest
		tag=$(base_tag "$version")
	fi
	log "fetch: downloading $PKG=$version"
	(cd "$CACHE/debs" && apt-get "${aptopts[@]}" -q download "$PKG=$version") \
		>"$APT/download.log" 2>&1 || die "apt-get download failed; see $APT/download.log"
	deb=$(ls "$CACHE/debs/${PKG}_"*"_all.deb" | grep -F "$(printf '%s' "${version#*:}")" | head -n 1 || true)
fi
[ -f "$deb" ] || die "downloaded package not found in $CACHE/debs"

log "fetch: unpacking $(basename "$deb")"
rm -rf "$BASE_REPO.tmp"
mkdir -p "$BASE_REPO.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
	tar -xJ -C "$BASE_REPO.tmp" --strip-components=1
[ -f "$BASE_REPO.tmp/Makefile" ] || die "package did not contain a kernel tree"
mk=$(sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p' "$BASE_REPO.tmp/Makefile" | paste -sd.)
[ "$mk" = 7.3 ] || die "package holds Linux $mk, not 7.3"

# One reproducible commit: fixed identity and date, so that every machine
# gets the same base-commit id for the same package version.
log "fetch: creating git repository (forced add: Debian's .gitignore ignores /*)"
export GIT_AUTHOR_NAME="linux-source package" GIT_AUTHOR_EMAIL="linux-source@packages.debian"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2026-01-01T00:00:00+0000" GIT_COMMITTER_DATE="2026-01-01T00:00:00+0000"
(
	cd "$BASE_REPO.tmp"
	git init -q -b base
	git config core.autocrlf false
	git add -A -f
	git commit -q --no-verify -m "$PKG $version" -m "Unpacked from Debian's $PKG $version (/usr/src/$PKG.tar.xz)."
	git tag "$tag"
	printf '%s\n' "$tag" > .git/../.base-tag.tmp
)
mv "$BASE_REPO.tmp/.base-tag.tmp" "$BASE_REPO.tmp/.base-tag"
# keep .base-tag out of git status without touching the tree's .gitignore
echo .base-tag >> "$BASE_REPO.tmp/.git/info/exclude"
rm -rf "$BASE_REPO"
mv "$BASE_REPO.tmp" "$BASE_REPO"
log "fetch: base $tag = $(git -C "$BASE_REPO" rev-parse HEAD)"
