#!/usr/bin/env bash
# Build the production image without a daemon: buildah, on a Debian base made by debootstrap.
#
#   .ci/container.sh base          make the base image (skipped when it is already in buildah's store)
#   .ci/container.sh build [TAG]   the base, then the Dockerfile into TAG (default localhost/toxicity:latest)
#
# Needs root, buildah and debootstrap. The base image is cached in buildah's store
# under a tag derived from its recipe, so changing the recipe below makes a new one;
# `buildah rmi "$(.ci/container.sh base-name)"` forces a fresh one (e.g. for security updates).
# TOXICITY_BASE_IMAGE=IMAGE builds on another base instead; DEBIAN_MIRROR picks the mirror.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # debootstrap is in /usr/sbin, not always on PATH
cd "$(dirname "$0")/.."

SUITE=bookworm  # Debian 12: python3 is 3.11, the version the locks and the shipped model are made for
PACKAGES=python3,python3-venv,ca-certificates  # python3-venv brings ensurepip, so the venv gets its own pip
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
RECIPE_TAG=$(printf '%s %s minbase v1' "$SUITE" "$PACKAGES" | sha256sum | cut -c1-12)
BASE=${TOXICITY_BASE_IMAGE:-localhost/$SUITE-python:$RECIPE_TAG}

log() { printf 'container.sh: %s\n' "$*" >&2; }

have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }

make_base() {
  if have_image "$BASE"; then
    log "base image $BASE is cached"
    return
  fi
  log "debootstrapping $SUITE from $MIRROR into $BASE"
  local ctr mnt
  # buildah 1.28 (Debian 12) has no `import`: debootstrap straight into the mounted
  # root of an empty working container and commit that, without a tarball in between.
  ctr=$(buildah from scratch)
  # shellcheck disable=SC2064 # expand $ctr now: it is local to this function
  trap "buildah umount '$ctr' >/dev/null 2>&1 || true; buildah rm '$ctr' >/dev/null 2>&1 || true" EXIT
  mnt=$(buildah mount "$ctr")
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$mnt" "$MIRROR" >&2
  # Downloaded .debs, package lists and the build host's identity do not belong in an image.
  rm -rf "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/lib/apt/lists/* "$mnt"/var/log/* "$mnt"/tmp/*
  : >"$mnt/etc/resolv.conf"
  : >"$mnt/etc/hostname"
  buildah umount "$ctr" >/dev/null
  buildah config --env LANG=C.UTF-8 --cmd /bin/bash \
    --label "org.opencontainers.image.description=Debian $SUITE minbase with $PACKAGES" "$ctr"
  buildah commit --rm --quiet "$ctr" "$BASE" >/dev/null
  trap - EXIT
  log "made $BASE"
}

build() {
  local tag=${1:-localhost/toxicity:latest}
  # A base named in TOXICITY_BASE_IMAGE (e.g. python:3.11-slim-bookworm) is used as it is.
  if [ -z "${TOXICITY_BASE_IMAGE:-}" ]; then make_base; fi
  local args=(
    --isolation chroot   # no nested namespaces or OCI runtime needed: works inside CI's own sandbox
    --layers             # reuse the dependency layer while requirements.lock is unchanged
    --format docker      # OCI image config has no HEALTHCHECK; the Docker format keeps it
    --pull=false         # the base is local; never ask a registry for it
    --build-arg "BASE_IMAGE=$BASE"
    --tag "$tag"
  )
  # pip inside the build trusts only the base's CA bundle. Where a proxy re-signs TLS,
  # hand it the host's bundle as a build secret: used by the pip step, never stored in a layer.
  local ca=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
  if [ -s "$ca" ]; then args+=(--secret "id=pip_cert,src=$ca"); fi
  log "building $tag on $BASE"
  buildah bud "${args[@]}" .
}

case "${1:-}" in
  base) make_base ;;
  base-name) echo "$BASE" ;;
  build) shift; build "$@" ;;
  *) echo "usage: $0 base | base-name | build [TAG]" >&2; exit 2 ;;
esac
