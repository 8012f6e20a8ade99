#!/usr/bin/env bash
# Runs the whole suite. Integration tests change the kernel (namespaces, links, rules named pt*), so they run
# serially, as root; each test cleans up after itself, and this script removes any pt* leftovers of a crashed run.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "make test must run as root: the integration tests create namespaces and links" >&2
  exit 77
fi
export PLUMB_TEST_BINARY="$PWD/.build/debug/plumb"
swift test --skip-build
rc=$?
./scripts/clean-test-residue.sh
exit $rc
