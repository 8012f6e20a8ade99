#!/usr/bin/env bash
# docs/screenshots/map.txt and map.svg: `plumb map` of a recorded fixture (no root, nothing read from this host).
#   scripts/map-screenshots.sh [PLUMB] [FIXTURE]     (default: the demo lab, Tests/PlumbMapTests/Fixtures/demo-lab.json)
set -euo pipefail
cd "$(dirname "$0")/.."
PLUMB=$(realpath "${1:-.build/release/plumb}")
FIXTURE=${2:-Tests/PlumbMapTests/Fixtures/demo-lab.json}
"$PLUMB" map --from "$FIXTURE" --width 100 > docs/screenshots/map.txt
"$PLUMB" map --from "$FIXTURE" --width 100 --format svg > docs/screenshots/map.svg
echo "wrote docs/screenshots/map.txt and map.svg from $FIXTURE"
