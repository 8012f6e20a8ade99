#!/usr/bin/env bash
# Checks the one thing it cannot install (a Swift 6 toolchain), then installs the Debian packages given as
# arguments that are not installed yet. Idempotent and quiet: when everything is present it runs no apt command.
set -euo pipefail

# Swift is not a Debian 12 package: the toolchain comes from swift.org. `make` passes its $(SWIFT) here.
swift=${SWIFT:-swift}
swift_major=$("$swift" --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9]*\)\..*/\1/p' | head -n 1 || true)
if [ -z "$swift_major" ] || [ "$swift_major" -lt 6 ]; then
  found=${swift_major:+"Swift $swift_major"}
  cat >&2 <<MSG
plumb: needs a Swift 6 toolchain (swift 6.0 or newer); found ${found:-no '$swift' command}.
Install it from swift.org with swiftly, as the user who builds Plumb (it asks before changing anything):
  curl -O "https://download.swift.org/swiftly/linux/swiftly-\$(uname -m).tar.gz"
  tar zxf "swiftly-\$(uname -m).tar.gz" && ./swiftly init
  . ~/.local/share/swiftly/env.sh      # puts swift on PATH in this shell
or unpack a Swift 6 tarball for Debian 12 from https://www.swift.org/install/linux/ and put its usr/bin on PATH.
Then run make again (make SWIFT=/path/to/swift ... to use a toolchain that is not on PATH).
MSG
  exit 1
fi

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
