#!/usr/bin/env bash
# Installs what Ingot needs from the system on a fresh Debian/Ubuntu machine: libzstd (linked
# through the CZstd system-library target), zlib, OpenSSL's libcrypto (SHA-256), snappy and lz4
# (Parquet pages), pkg-config, and
# the zstd/gzip commands the tests use to make compressed fixtures. Does nothing when they are
# already there.
set -euo pipefail

packages=(libzstd-dev zlib1g-dev libssl-dev libsnappy-dev liblz4-dev pkg-config zstd gzip)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
