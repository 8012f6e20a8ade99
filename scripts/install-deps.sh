#!/usr/bin/env bash
# Installs the Debian packages given as arguments that are not installed yet. Idempotent and quiet:
# when everything is present it runs no apt command at all.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "plumb: missing packages: ${missing[*]} — run 'make deps' as root (or apt-get install them)" >&2
  exit 77
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
