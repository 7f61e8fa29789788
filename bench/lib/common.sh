# Shared helpers for bench scripts: a fresh dev broker, timing, peak RSS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v kcat >/dev/null || { echo "kcat is required (apt-get install kcat)" >&2; exit 1; }
[ -f "$ROOT/dist/broker/main.js" ] || (cd "$ROOT" && npm run build >/dev/null)

now_ns() { date +%s%N; }

# start_broker: sets BROKER_PID, PORT, WORK; stops and cleans up on exit.
start_broker() {
  WORK=$(mktemp -d)
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  node "$ROOT/dist/broker/main.js" --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "log.dirs=$WORK/data" "$@" >"$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  trap 'kill $BROKER_PID 2>/dev/null || true; wait $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 200); do grep -q 'listening on' "$WORK/broker.log" && return 0; sleep 0.05; done
  echo "broker did not start" >&2; cat "$WORK/broker.log" >&2; exit 1
}

# keyed_lines N SIZE FILE: N lines "key:value", key + value = SIZE bytes.
keyed_lines() {
  node -e '
const [n, size, file] = [+process.argv[1], +process.argv[2], process.argv[3]];
const fd = require("fs").openSync(file, "w");
for (let i = 0; i < n; i += 10000) {
  let chunk = "";
  for (let j = i; j < Math.min(n, i + 10000); j++) {
    const k = "k" + String(j).padStart(9, "0");
    chunk += k + ":" + "v".repeat(Math.max(1, size - k.length)) + "\n";
  }
  require("fs").writeSync(fd, chunk);
}' "$1" "$2" "$3"
}

# measure CMD...: runs it, sets ELAPSED_MS and PEAK_RSS_MB (via GNU time when present).
measure() {
  local t0 t1 rssfile
  rssfile=$(mktemp)
  t0=$(now_ns)
  if [ -x /usr/bin/time ]; then /usr/bin/time -f '%M' -o "$rssfile" "$@"; else "$@"; fi
  t1=$(now_ns)
  ELAPSED_MS=$(( (t1 - t0) / 1000000 ))
  PEAK_RSS_MB=$(( $(cat "$rssfile" 2>/dev/null || echo 0) / 1024 ))
  rm -f "$rssfile"
}

rate() { echo $(( $1 * 1000 / ($2 > 0 ? $2 : 1) )); }
