#!/usr/bin/env bash
# The map: building the graph and laying out 1,000 endpoints on 20 bridges (target: under 50 ms), measured
# inside the process (`plumb map --from FILE --print-timing`, median of RUNS), and the whole command from a
# saved snapshot beside `plumb diff` of the same file with itself (both decode the same JSON once or twice).
# Changes nothing on the machine: the snapshot is generated (bench/map-snapshot.py).
source "$(dirname "$0")/lib.sh"
SNAP="$OUT/map-1000x20.json"
python3 "$(dirname "$0")/map-snapshot.py" 1000 20 > "$SNAP"
times=() cpus=()
for i in $(seq 1 "${RUNS:-5}"); do
  line=$("$PLUMB" map --from "$SNAP" --width 200 --expand --print-timing 2>&1 >/dev/null)
  # Wall time (the first pair) and the thread's CPU time (the "cpu" pair): on a loaded machine the wall time
  # counts the time other programs ran.
  times+=("$(echo "$line" | sed -E 's/.*edges; build ([0-9.]+) ms, layout and render ([0-9.]+) ms.*/\1 \2/' | awk '{print $1 + $2}')")
  cpus+=("$(echo "$line" | sed -E 's/.*cpu build ([0-9.]+) ms, layout and render ([0-9.]+) ms.*/\1 \2/' | awk '{print $1 + $2}')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-34s plumb %9.1f ms   (build + layout + text of 1,000 endpoints on 20 bridges, wall; target: < 50 ms)\n' \
  "map-layout-1000x20" "$(median "${times[@]}")" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %9.1f ms   (the same, CPU time of the thread; load %s)\n' \
  "map-layout-1000x20-cpu" "$(median "${cpus[@]}")" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/summary.txt"
compare map-text-1000x20 "report" "$PLUMB map --from $SNAP --width 200 >/dev/null" "$PLUMB diff $SNAP $SNAP >/dev/null"
