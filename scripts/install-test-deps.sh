#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine (run as root), and nothing else:
#   - rabbitmq-server: the suites start their own private RabbitMQ nodes on free loopback ports.
#   - openssl: the TLS suite makes a throw-away CA and server certificate.
# Debian would start the packaged broker as a system service on install; the tests must not depend
# on (or collide with) a shared broker, so service start-up is blocked during the install.
# Idempotent: on a machine that has everything, it only checks.
set -euo pipefail

need=()
dpkg -s rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
dpkg -s openssl >/dev/null 2>&1 || need+=(openssl)   # test certificates for the TLS suite

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
fi

# The packaged service must not be running: tests start private nodes with their own names.
if command -v rabbitmqctl >/dev/null && pgrep -f 'beam.*-sname rabbit@' >/dev/null 2>&1; then
  echo "install-test-deps: note: a system RabbitMQ node is running; the tests do not use it"
fi
echo "install-test-deps: ok ($(dpkg-query -W -f='${Package} ${Version}' rabbitmq-server))"
