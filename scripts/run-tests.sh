#!/usr/bin/env bash
# Runs the whole suite. Integration tests change the kernel (namespaces, links, rules named pt*), so they run
# serially, as root; each test cleans up after itself, and this script removes any pt* leftovers of a crashed run.
# The last line is the run's count, `N passed, N failed` (scripts/test-summary.sh); the exit code is non-zero
# when a test failed or the count could not be read.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "make test must run as root: the integration tests create namespaces and links" >&2
  exit 77
fi
# The integration tests run this binary; a caller may name another build (e.g. one in --build-path DIR).
export PLUMB_TEST_BINARY="${PLUMB_TEST_BINARY:-$PWD/.build/debug/plumb}"
log=$(mktemp /tmp/plumb-test-log.XXXXXX)
trap 'rm -f "$log"' EXIT
swift test --skip-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
./scripts/clean-test-residue.sh
./scripts/test-summary.sh < "$log"
summary_rc=$?
# A non-zero swift test with a clean count (say, a crash after the last test) still fails the run.
[ "$summary_rc" -ne 0 ] && exit "$summary_rc"
exit "$rc"
