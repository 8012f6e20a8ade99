#!/usr/bin/env bash
# Two builds of Plumb side by side on the same state, one hyperfine run per row (a refactor must keep every
# row within 5%): snapshot of 500 namespaces, the host alone, `ns ls`, the 20,000-rule firewall and the
# 100-namespace firewall, and the networks benchmark's phases (bulk: 10 x net create, 10 x bulk net connect of 20,
# one net rm --force; per call: net connect --new-ns / ns rm --force, one endpoint each), each build run in turn,
# alternating which goes first.
# usage: [SECTIONS="snapshot firewall networks percall"] bench/compare-builds.sh OLD_PLUMB NEW_PLUMB
#        (RUNS=15 hyperfine runs, ROUNDS=5 networks rounds, PC=10 endpoints per per-call round by default)
source "$(dirname "$0")/lib.sh"
OLD=$(realpath "$1"); NEW=$(realpath "$2"); R=${RUNS:-15}
SECTIONS=${SECTIONS:-snapshot firewall networks percall}
trap 'bench_cleanup; networks_cleanup' EXIT
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
ab() {
  local name=$1; shift
  hyperfine -N --style none --warmup 2 --runs "$R" --export-json "$OUT/ab-$name.json" \
    -n old "$OLD $*" -n new "$NEW $*" >/dev/null
  printf '%-16s old %8.2f ms   new %8.2f ms   new/old %.3f\n' "$name" \
    "$(jq '.results[0].mean*1000' "$OUT/ab-$name.json")" "$(jq '.results[1].mean*1000' "$OUT/ab-$name.json")" \
    "$(jq '.results[1].mean/.results[0].mean' "$OUT/ab-$name.json")" | tee -a "$OUT/summary.txt"
}
if has snapshot; then
  # The state of bench/snapshot.sh (500 namespaces on 10 bridges), kept for the rows below.
  PLUMB=$NEW RUNS=2 "$(dirname "$0")/snapshot.sh" --keep >/dev/null
  ab snapshot-500ns snapshot --json --no-firewall
  ab snapshot-host snapshot host --json --no-firewall
  ab ns-ls-500 ns ls --json
  bench_cleanup
fi
if has firewall; then
  # The state of bench/firewall.sh: 20,000 rules in one namespace, then 100 namespaces of 20 rules.
  fw_one_namespace
  ab fw-20k-rules fw pt-bench-fw --json
  ip netns del pt-bench-fw
  fw_hundred_namespaces
  ab fw-100ns fw --json
  bench_cleanup
fi
# Medians of "a:b:c..." rows by their first field, printed old vs new per field.
median_row() { printf '%s\n' "$@" | sort -t: -k1,1n | sed -n "$(( ($# + 1) / 2 ))p"; }
abrow() {  # NAME OLD_MS NEW_MS
  printf '%-16s old %8.2f ms   new %8.2f ms   new/old %.3f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)" | tee -a "$OUT/summary.txt"
}
ROUNDS=${ROUNDS:-5}
if has networks || has percall; then networks_cleanup; networks_state; fi
if has networks; then
  # bench/networks.sh's Plumb run (200 endpoints on 10 networks), ROUNDS times per build, alternating.
  old_runs=() new_runs=()
  for r in $(seq 1 "$ROUNDS"); do
    for b in $([ $((r % 2)) = 1 ] && echo "old new" || echo "new old"); do
      bin=$([ "$b" = old ] && echo "$OLD" || echo "$NEW")
      networks_plumb_run "$bin" "$OUT/ab-networks-$b"
      row="$P_TOTAL:$P_CREATE:$P_CONNECT:$P_TEARDOWN"
      if [ "$b" = old ]; then old_runs+=("$row"); else new_runs+=("$row"); fi
    done
  done
  echo "networks rounds (total:create:connect:teardown ms): old ${old_runs[*]} / new ${new_runs[*]}" >> "$OUT/summary.txt"
  IFS=: read -r ot oc on orm <<< "$(median_row "${old_runs[@]}")"
  IFS=: read -r nt nc nn nrm <<< "$(median_row "${new_runs[@]}")"
  abrow net-bulk-total "$ot" "$nt"; abrow "  net create x10" "$oc" "$nc"; abrow "  net connect x10" "$on" "$nn"
  abrow "  net rm --force" "$orm" "$nrm"
fi
if has percall; then
  # bench/networks.sh's one-step per-call row: PC endpoints, `net connect NET --new-ns X` then `ns rm X --force`.
  PC=${PC:-10}
  old_runs=() new_runs=()
  for r in $(seq 1 "$ROUNDS"); do
    for b in $([ $((r % 2)) = 1 ] && echo "old new" || echo "new old"); do
      bin=$([ "$b" = old ] && echo "$OLD" || echo "$NEW")
      networks_percall_run "$bin" "$OUT/ab-percall-$b" one "$PC"
      row="$((PC_CREATE + PC_DELETE)):$PC_CREATE:$PC_DELETE"
      if [ "$b" = old ]; then old_runs+=("$row"); else new_runs+=("$row"); fi
    done
  done
  echo "per-call rounds ($PC endpoints, total:create:delete ms): old ${old_runs[*]} / new ${new_runs[*]}" >> "$OUT/summary.txt"
  IFS=: read -r ot oc od <<< "$(median_row "${old_runs[@]}")"
  IFS=: read -r nt nc nd <<< "$(median_row "${new_runs[@]}")"
  abrow "per-call connect" "$(echo "$oc / $PC" | bc -l)" "$(echo "$nc / $PC" | bc -l)"
  abrow "per-call ns rm" "$(echo "$od / $PC" | bc -l)" "$(echo "$nd / $PC" | bc -l)"
fi
