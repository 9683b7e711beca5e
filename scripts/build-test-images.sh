#!/usr/bin/env bash
# Builds the Docker images the integration suites run their SSH hosts and RabbitMQ brokers in,
# without any image registry (none is reachable from the test machines): a Debian bookworm root
# filesystem made by debootstrap from the machine's own apt mirror, imported with `docker import`.
# Run as root, with a Docker engine answering (scripts/install-test-deps.sh does both).
#
# One root filesystem serves both roles; it is imported once and tagged twice:
#   warren-test/ssh-host:<hash>   sshd, a JRE 17 for worker JVMs, user warren (uid 1000), zsh and tcsh
#                                 for the login-shell tests
#   warren-test/rabbitmq:<hash>   Debian's rabbitmq-server (3.10)
# Two separate images would cost a second debootstrap (~30 s) and more disk: the broker's Erlang
# adds about 60 MB to the SSH host's ~500 MB, while two images would duplicate the Debian base.
# The two names let a suite ask for a role; they can be split later without touching the tests.
#
# <hash> is the first 12 hex digits of this script's SHA-256: a changed recipe gets a new tag and
# is rebuilt; an unchanged one is found by `docker image inspect` and not rebuilt. The Java side
# (io.warren.testing.TestImages) computes the same hash from this same file, so nothing needs to
# be written anywhere for the tests to find the tags. Images of older recipes are removed.
#
# The mirror is read at run time from the machine's apt sources (deb822 debian.sources, else
# sources.list); none is named here. WARREN_DEBIAN_MIRROR overrides it.
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
hash=$(sha256sum "$script" | cut -c1-12)
SSH_TAG="warren-test/ssh-host:$hash"
RABBIT_TAG="warren-test/rabbitmq:$hash"
LABEL=io.warren.test-image   # on every image this script makes: how old ones are found
SUITE=bookworm
PACKAGES=openssh-server,openjdk-17-jre-headless,procps,coreutils,rabbitmq-server,zsh,tcsh
DEB_CACHE=/var/cache/warren-test-images/debs

log() { printf 'build-test-images: %s\n' "$*"; }

have() { docker image inspect "$1" >/dev/null 2>&1; }

if have "$SSH_TAG" && have "$RABBIT_TAG"; then
  log "cached: $SSH_TAG $RABBIT_TAG"
  exit 0
fi
if have "$SSH_TAG"; then   # one image, two names: only a name was lost
  docker tag "$SSH_TAG" "$RABBIT_TAG"
  log "cached: $SSH_TAG, tagged $RABBIT_TAG"
  exit 0
fi

for tool in debootstrap docker; do
  command -v "$tool" >/dev/null || { log "$tool is missing: run scripts/install-test-deps.sh"; exit 1; }
done

# The first URI of an entry for the plain suite (not -updates, not -security).
mirror() {
  if [ -n "${WARREN_DEBIAN_MIRROR:-}" ]; then
    echo "$WARREN_DEBIAN_MIRROR"
    return
  fi
  local file uri=
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # deb822: paragraphs separated by blank lines; take URIs of one whose Suites has the suite.
    uri=$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
        }
        if (ok && uris != "") { print uris; exit }
      }' "$file")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    # "deb [options] URI SUITE COMPONENTS..."
    uri=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list \
      | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }')
  fi
  if [ -z "$uri" ]; then
    log "no apt source for $SUITE in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list;"
    log "set WARREN_DEBIAN_MIRROR to a Debian mirror URI"
    exit 1
  fi
  echo "$uri"
}
MIRROR=$(mirror)

rootfs=$(mktemp -d /var/tmp/warren-rootfs.XXXXXX)
cleanup() {
  # A failed debootstrap can leave /proc or /sys mounted inside the root filesystem: unmount them
  # (deepest first) before deleting, or rm would walk into the machine's own /proc.
  local m
  for m in $(awk -v root="$rootfs" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

total=$SECONDS
step=$SECONDS
log "debootstrap $SUITE (minbase + ${PACKAGES//,/ }) into $rootfs"
# debootstrap blocks service starts in the target itself (its own policy-rc.d and a fake
# start-stop-daemon), so neither sshd nor the broker starts on the host network during the build.
# The downloaded packages are kept in a cache outside the image: a changed recipe rebuilds without
# downloading them again (on a fresh machine, downloading is most of the build's time).
mkdir -p "$DEB_CACHE"
if ! debootstrap --variant=minbase --cache-dir="$DEB_CACHE" --include="$PACKAGES" "$SUITE" "$rootfs" "$MIRROR" \
    > "$rootfs.log" 2>&1; then
  log "debootstrap failed; last lines of $rootfs.log:"
  tail -n 30 "$rootfs.log" | sed 's/^/  | /'
  exit 1
fi
rm -f "$rootfs.log"
log "debootstrap: $((SECONDS - step)) s"

step=$SECONDS
# The SSH login user. uid 1000, as on a typical workstation; the tests install its key.
chroot "$rootfs" useradd --create-home --uid 1000 --user-group --shell /bin/bash warren
# Host keys made by the package would be baked into the image and shared by every container:
# the tests bring a fresh key per host instead, and know it in advance.
rm -f "$rootfs"/etc/ssh/ssh_host_*
mkdir -p "$rootfs/run/sshd"
# Downloaded packages and package lists: about 200 MB nothing in a container reads.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
log "configure: $((SECONDS - step)) s"

step=$SECONDS
tar -C "$rootfs" --numeric-owner -c . \
  | docker import --change "LABEL $LABEL=$hash" --change 'CMD ["/bin/bash"]' - "$SSH_TAG" >/dev/null
docker tag "$SSH_TAG" "$RABBIT_TAG"
log "import: $((SECONDS - step)) s ($(docker image inspect -f '{{.Size}}' "$SSH_TAG" | awk '{ printf "%d MB", $1 / 1e6 }'))"

# Older recipes' images: unused disk. One still used by a container stays (rmi refuses).
docker images --filter "label=$LABEL" --format '{{.Repository}}:{{.Tag}}' \
  | grep -v ":$hash\$" | xargs -r docker rmi >/dev/null 2>&1 || true

log "built $SSH_TAG $RABBIT_TAG in $((SECONDS - total)) s"
