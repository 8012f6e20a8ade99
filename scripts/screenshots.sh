#!/usr/bin/env bash
# make screenshots: the real TUI on the demo lab, captured from tmux with colours (capture-pane -e), turned into
# HTML by aha and into PNG by headless Chromium. Everything here comes from Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PLUMB=$(realpath "${1:-.build/release/plumb}")
OUT=screenshots
SESSION=plumb-shots
mkdir -p "$OUT"
"$PLUMB" lab down >/dev/null 2>&1 || true
"$PLUMB" lab up
cleanup() { tmux kill-session -t "$SESSION" 2>/dev/null || true; "$PLUMB" lab down >/dev/null 2>&1 || true; }
trap cleanup EXIT
tmux new-session -d -s "$SESSION" -x 150 -y 42 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 4

shot() {
  local name=$1 html
  html=$(mktemp --suffix=.html)
  tmux capture-pane -e -p -t "$SESSION" | aha --black --title "plumb: $name" > "$html"
  # Monospace font and a tight page so the PNG is the terminal and nothing else.
  sed -i 's|<pre>|<pre style="font-family: DejaVu Sans Mono, monospace; font-size: 12px; line-height: 1.15; margin: 8px">|' "$html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1140,660 \
    --screenshot="$OUT/$name.png" "file://$html" >/dev/null 2>&1
  rm -f "$html"
  echo "wrote $OUT/$name.png"
}
keys() { tmux send-keys -t "$SESSION" "$@"; sleep 1.5; }

keys ':' 'ns host' Enter
keys ':' 'link pl-lab-front' Enter
shot topology
keys ':' 'ns lab-client' Enter
keys ':' 'link eth0' Enter
sleep 5
shot link-detail
keys ':' 'ns host' Enter
keys ':' 'chain PLUMB-FORWARD' Enter
sleep 2
shot firewall
keys Escape
keys ':' 'ns lab-client' Enter
keys ':' 'link eth0' Enter
keys c
sleep 4
shot capture
keys x
keys f
sleep 3
shot doctor
