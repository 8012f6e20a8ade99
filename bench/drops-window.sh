#!/usr/bin/env bash
# The drops window's per-second cost under an IPv6 multicast storm (issue 18; what the idle TUI spends on drops
# while 500 namespaces drop router solicitations and MLD reports): bench/drops-window.swift built in release
# against this tree's PlumbModel (and, with OLD=<commit>, against that commit's, run in turn on the same
# machine), microseconds per storm-second, median of ROUNDS. "same": each detail's 5-tuple repeats every second;
# "churn": every 5-tuple is new each second. The digests must be equal between builds (the same events, rates,
# evidence and summary). Needs neither root nor the kernel.
# usage: [OLD=<commit>] [ROUNDS=7] bench/drops-window.sh
set -euo pipefail
cd "$(dirname "$0")"
OUT=${OUT:-$PWD/out}
ROUNDS=${ROUNDS:-7}
SWIFT=${SWIFT:-swift}
# make_build NAME: a scratch package of PlumbModel (this tree's, or $2's: a commit) and the benchmark.
make_build() {
  local dir="$OUT/drops-window/$1"
  rm -rf "$dir/Sources/PlumbModel"; mkdir -p "$dir/Sources/Bench"
  if [ -n "${2:-}" ]; then git -C .. archive "$2" Sources/PlumbModel | tar -x -C "$dir"; else cp -r ../Sources/PlumbModel "$dir/Sources/"; fi
  cp drops-window.swift "$dir/Sources/Bench/main.swift"
  cat > "$dir/Package.swift" <<'PKG'
// swift-tools-version: 6.0
import PackageDescription
let package = Package(name: "DropsWindowBench", targets: [
    .target(name: "PlumbModel"),
    .executableTarget(name: "Bench", dependencies: ["PlumbModel"], swiftSettings: [.swiftLanguageMode(.v5)]),
])
PKG
  (cd "$dir" && "$SWIFT" build -c release >/dev/null) && echo "$dir/.build/release/Bench"
}
new=$(make_build new)
old=""; [ -n "${OLD:-}" ] && old=$(make_build old "$OLD")
for mode in same churn; do
  n=$("$new" "$ROUNDS" "$mode")
  if [ -n "$old" ]; then
    o=$("$old" "$ROUNDS" "$mode")
    [ "${o##*digest }" = "${n##*digest }" ] && same="same outputs" || same="OUTPUTS DIFFER"
    printf '%-26s %s: old %s µs, new %s µs per storm-second (median of %d), %s   load %s\n' "drops window: storm" "$mode" \
      "$(echo "$o" | sed 's/.*: \([0-9]*\) µs.*/\1/')" "$(echo "$n" | sed 's/.*: \([0-9]*\) µs.*/\1/')" "$ROUNDS" "$same" \
      "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/summary.txt"
  else
    printf '%-26s %s: %s µs per storm-second (median of %d; 500 ns x 3 ifs x 2 reasons, ~10,000 drops/s)   load %s\n' \
      "drops window: storm" "$mode" "$(echo "$n" | sed 's/.*: \([0-9]*\) µs.*/\1/')" "$ROUNDS" \
      "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/summary.txt"
  fi
done
