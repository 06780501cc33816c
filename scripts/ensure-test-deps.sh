#!/usr/bin/env bash
# Installs the Debian packages the tests need (scripts/test-deps.txt) when their binary is missing:
# `apt-get update` + `apt-get install` as root; otherwise one clear message, and the tests that need
# them skip themselves (outside CI) with the reason.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing_bins=()
packages=()
while read -r bin pkgs; do
  [[ -z "$bin" || "$bin" == \#* ]] && continue
  if ! command -v "$bin" >/dev/null 2>&1; then
    missing_bins+=("$bin")
    read -r -a list <<<"$pkgs"
    packages+=("${list[@]}")
  fi
done <"$here/test-deps.txt"

[[ ${#packages[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: ${missing_bins[*]} missing; installing Debian packages: ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${packages[@]}" >/dev/null
  for bin in "${missing_bins[@]}"; do
    command -v "$bin" >/dev/null 2>&1 || { echo "ensure-test-deps: $bin still missing after installing ${packages[*]}" >&2; exit 1; }
  done
else
  echo "ensure-test-deps: ${missing_bins[*]} missing and not root (or no apt-get): the tests that need it will be skipped." >&2
  echo "ensure-test-deps: to run them, as root: apt-get update && apt-get install -y ${packages[*]}" >&2
fi
