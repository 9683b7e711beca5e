#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine (run as root), and nothing else:
#   - rabbitmq-server: the suites start their own private RabbitMQ nodes on free loopback ports.
#   - openssl: the TLS suite makes a throw-away CA and server certificate.
#   - docker.io, debootstrap: SSH hosts and brokers run in Docker containers (Testcontainers), from
#     images built here (scripts/build-test-images.sh): no image registry is reachable.
#   - openssh-client: ssh-keygen makes the test hosts' keys; the tests log in with ssh.
#   - openssh-server: the benchmark's shipping section and SftpStallIT start a private sshd on
#     loopback (PrivateSshd; SftpStallIT also runs its sftp-server, which it depends on); the
#     packaged service is not started (service start-up is blocked, see below).
#   - zsh, tcsh: login shells other than POSIX sh, which the farm's remote commands must survive
#     (LoginShellTest runs them here; the SSH host image has them too).
# Debian would start the packaged broker (and dockerd) as system services on install; the tests
# must not depend on (or collide with) a shared broker, so service start-up is blocked during the
# install. There is no init system here either: the Docker engine is started by
# scripts/start-docker.sh, in the background, with flags that suit this nested machine.
# Idempotent: on a machine that has everything, it only checks (and starts the engine if needed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS

need=()
dpkg -s rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
dpkg -s openssl >/dev/null 2>&1 || need+=(openssl)   # test certificates for the TLS suite
dpkg -s docker.io >/dev/null 2>&1 || need+=(docker.io)
dpkg -s debootstrap >/dev/null 2>&1 || need+=(debootstrap)
dpkg -s openssh-client >/dev/null 2>&1 || need+=(openssh-client)
dpkg -s openssh-server >/dev/null 2>&1 || need+=(openssh-server)
dpkg -s zsh >/dev/null 2>&1 || need+=(zsh)     # login shells the farm's commands are tested in
dpkg -s tcsh >/dev/null 2>&1 || need+=(tcsh)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ "$created_policy" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  echo "install-test-deps: packages: $((SECONDS - start)) s"
fi

# The packaged service must not be running: tests start private nodes with their own names.
if command -v rabbitmqctl >/dev/null && pgrep -f 'beam.*-sname rabbit@' >/dev/null 2>&1; then
  echo "install-test-deps: note: a system RabbitMQ node is running; the tests do not use it"
fi

# The Docker engine (started in the background if none answers), then the test images (built
# once per recipe; cached by tag). Either failing fails this script: the container suites must
# fail loudly, never skip. Testcontainers' own settings for this machine are environment
# variables in integration-tests/pom.xml (failsafe), so no ~/.testcontainers.properties is needed.
bash "$here/start-docker.sh"
bash "$here/build-test-images.sh"

echo "install-test-deps: ok ($(dpkg-query -W -f='${Package} ${Version}' rabbitmq-server);" \
  "docker $(docker version --format '{{.Server.Version}}'); $((SECONDS - start)) s)"
