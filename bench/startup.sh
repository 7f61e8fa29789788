#!/usr/bin/env bash
# Median wall time of `ktool topics --list` against a running dev broker, beside
# `kcat -L` and `node -e 0`. Usage: bench/startup.sh [runs]
source "$(dirname "$0")/lib/common.sh"
RUNS=${1:-15}
start_broker
B="127.0.0.1:$PORT"
echo x | kcat -b "$B" -P -t startup.topic
median_ms() {
  local times=()
  for _ in $(seq "$RUNS"); do measure "$@" >/dev/null; times+=("$ELAPSED_MS"); done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
printf '%-28s %6s ms\n' "ktool topics --list" "$(median_ms node "$ROOT/bin/run.js" topics --list --bootstrap-server "$B")"
printf '%-28s %6s ms\n' "kcat -L" "$(median_ms kcat -b "$B" -L)"
printf '%-28s %6s ms\n' "node -e 0" "$(median_ms node -e 0)"
