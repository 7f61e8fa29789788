#!/usr/bin/env bash
# Ingest and fetch rates of kcat -P / kcat -C -e against the dev broker, and the
# broker's peak RSS. Usage: bench/broker.sh [records] [record-bytes]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SIZE=${2:-100}
command -v kcat >/dev/null || { echo "kcat is required (apt-get install kcat)" >&2; exit 1; }
[ -f dist/broker/main.js ] || npm run build >/dev/null

work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node dist/broker/main.js --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$work/data" >"$work/broker.log" 2>&1 &
bpid=$!
trap 'kill $bpid 2>/dev/null || true; wait $bpid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/broker.log" && break; sleep 0.05; done

# N keyed lines whose key + value is SIZE bytes.
node -e '
const n = +process.argv[1], size = +process.argv[2];
const out = require("fs").createWriteStream(process.argv[3]);
let i = 0;
(function write() {
  let ok = true;
  while (i < n && ok) {
    const key = "k" + String(i).padStart(9, "0");
    let chunk = "";
    for (let j = 0; j < 1000 && i < n; j++, i++) {
      const k = "k" + String(i).padStart(9, "0");
      chunk += k + ":" + "v".repeat(Math.max(1, size - k.length)) + "\n";
    }
    ok = out.write(chunk);
  }
  if (i < n) out.once("drain", write); else out.end();
})();' "$N" "$SIZE" "$work/input.txt"

now() { date +%s%N; }
t0=$(now)
kcat -b "127.0.0.1:$port" -P -t bench -K: -X linger.ms=5 -X batch.num.messages=10000 < "$work/input.txt"
t1=$(now)
count=$(kcat -b "127.0.0.1:$port" -C -t bench -o beginning -e -q -f '\n' | wc -l)
t2=$(now)
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$bpid/status")

ingest=$(( N * 1000000000 / (t1 - t0) ))
fetch=$(( count * 1000000000 / (t2 - t1) ))
echo "records:          $N x ${SIZE} bytes"
echo "ingest (kcat -P): $ingest records/s   ($(( (t1 - t0) / 1000000 )) ms)"
echo "fetch (kcat -C):  $fetch records/s   ($(( (t2 - t1) / 1000000 )) ms, $count records read)"
echo "broker peak RSS:  $(( rss_kb / 1024 )) MB"
[ "$count" -eq "$N" ] || { echo "read $count records, expected $N" >&2; exit 1; }
