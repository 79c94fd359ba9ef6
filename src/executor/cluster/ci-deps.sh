#!/usr/bin/env bash
# PostgreSQL's server binaries for test/cluster (called by .ci/run): the test
# starts its own throwaway server on loopback in a temp dir, so only the binaries
# are needed. Debian's package would also create and start a "main" server on
# port 5432; createcluster.conf stops that, since nothing uses it.
# Non-interactive; uses sudo only when not already root. Safe to run repeatedly.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "ci-deps: PostgreSQL present ($(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' '))"
  exit 0
fi

source "$(dirname "$0")/../../../.ci/apt.sh"
as_root mkdir -p /etc/postgresql-common
[ -e /etc/postgresql-common/createcluster.conf ] ||
  echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
apt_install postgresql

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "ci-deps: initdb still missing after installing postgresql" >&2; exit 1; }
echo "ci-deps: $(ls -d /usr/lib/postgresql/*/bin)"
