#!/usr/bin/env bash
# The map: building the graph and laying out 1,000 endpoints on 20 bridges (target: under 50 ms), measured
# inside the process (`plumb map --from FILE --print-timing`, median of RUNS), and the whole command from a
# saved snapshot beside `plumb diff` of the same file with itself (both decode the same JSON once or twice).
# Changes nothing on the machine: the snapshot is generated (bench/map-snapshot.py).
source "$(dirname "$0")/lib.sh"
SNAP="$OUT/map-1000x20.json"
python3 "$(dirname "$0")/map-snapshot.py" 1000 20 > "$SNAP"
times=()
for i in $(seq 1 "${RUNS:-5}"); do
  t=$("$PLUMB" map --from "$SNAP" --width 200 --expand --print-timing 2>&1 >/dev/null | sed -E 's/.*build ([0-9.]+) ms, layout and render ([0-9.]+) ms/\1 \2/')
  times+=("$(echo "$t" | awk '{print $1 + $2}')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '%-34s plumb %9.1f ms   (build + layout + text of 1,000 endpoints on 20 bridges; target: < 50 ms)\n' \
  "map-layout-1000x20" "$median" | tee -a "$OUT/summary.txt"
compare map-text-1000x20 "report" "$PLUMB map --from $SNAP --width 200 >/dev/null" "$PLUMB diff $SNAP $SNAP >/dev/null"
