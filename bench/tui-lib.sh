# Shared by bench/tui.sh and bench/tui-map.sh: the 500-namespace state, CPU sampling of a pid, and link flapping.
# Source after lib.sh.

# tui_state N: N namespaces pt-bench-sI, each with a veth (host end ptbvI) into one of 10 host bridges ptbbr0-9.
tui_state() {
  local n=$1 b i
  {
    for b in $(seq 0 9); do echo "link add ptbbr$b type bridge"; echo "link set ptbbr$b up"; done
    for i in $(seq 1 "$n"); do
      echo "netns add pt-bench-s$i"
      echo "link add ptbv$i type veth peer name eth0 netns pt-bench-s$i"
      echo "link set ptbv$i master ptbbr$((i % 10)) up"
    done
  } | ip -batch -
  for i in $(seq 1 "$n"); do ip -n "pt-bench-s$i" link set eth0 up; done
}

# tui_quiet N: the same state without IPv6 on its links (its own namespaces' and its host bridges and veth ends
# only), so that nothing is dropped: with IPv6, the 500 namespaces' router solicitations and MLD reports are
# flooded by the bridges to every port and dropped there, in bursts of thousands a second for minutes.
tui_quiet() {
  local n=$1 b i
  for i in $(seq 1 "$n"); do ip netns exec "pt-bench-s$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
  for b in $(seq 0 9); do sysctl -qw "net.ipv6.conf.ptbbr$b.disable_ipv6=1"; done
  for i in $(seq 1 "$n"); do sysctl -qw "net.ipv6.conf.ptbv$i.disable_ipv6=1"; done
}

# drops_per_second SECONDS: packets the kernel dropped per second, host-wide, as `plumb drops` counts them.
drops_per_second() {
  timeout $(( $1 + 10 )) "$PLUMB" drops --for "$1" --json | jq -r "(.total / $1) | floor"
}

cpu_of() {  # utime+stime+cutime+cstime ticks of a pid: its threads and the children it reaped
  awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"
}
measure_cpu() {  # pid seconds -> percent of one core
  local pid=$1 secs=$2 a b hz
  hz=$(getconf CLK_TCK); a=$(cpu_of "$pid"); sleep "$secs"; b=$(cpu_of "$pid")
  echo "scale=2; ($b - $a) * 100 / ($hz * $secs)" | bc -l
}
measure_cpu_pair() {  # pid pid seconds -> "percent percent": both over the same seconds
  local a=$1 b=$2 secs=$3 a0 b0 a1 b1 hz
  hz=$(getconf CLK_TCK); a0=$(cpu_of "$a"); b0=$(cpu_of "$b"); sleep "$secs"; a1=$(cpu_of "$a"); b1=$(cpu_of "$b")
  echo "$(echo "scale=2; ($a1 - $a0) * 100 / ($hz * $secs)" | bc -l) $(echo "scale=2; ($b1 - $b0) * 100 / ($hz * $secs)" | bc -l)"
}
flap_start() {  # 50 link state changes per second (25 links down, 25 up), through one `ip -batch` process
  # A fifo between the loop and ip, so both are ended by their own pids (never by name: other programs on the
  # machine may run `ip -batch` too).
  rm -f "$OUT/flap.fifo"; mkfifo "$OUT/flap.fifo"
  ip -force -batch - < "$OUT/flap.fifo" 2>/dev/null &
  FLAP_IP=$!
  ( while true; do
      for st in down up; do
        for i in $(seq 1 50); do echo "link set ptbv$i $st"; sleep 0.02; done
      done
    done > "$OUT/flap.fifo" ) &
  FLAPPER=$!
}
flap_stop() {
  kill "$FLAPPER" "$FLAP_IP" 2>/dev/null || true
  wait "$FLAPPER" "$FLAP_IP" 2>/dev/null || true
  rm -f "$OUT/flap.fifo"
  for i in $(seq 1 50); do ip link set "ptbv$i" up; done
}
