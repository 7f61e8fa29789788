#!/usr/bin/env bash
# Ingest and fetch rates of kcat -P / kcat -C -e against the dev broker, and the
# broker's peak RSS. Usage: bench/broker.sh [records] [record-bytes]
source "$(dirname "$0")/lib/common.sh"
N=${1:-1000000}
SIZE=${2:-100}
start_broker
keyed_lines "$N" "$SIZE" "$WORK/input.txt"
B="127.0.0.1:$PORT"
measure sh -c "kcat -b $B -P -t bench -K: -X linger.ms=5 -X batch.num.messages=10000 < $WORK/input.txt"
in_ms=$ELAPSED_MS
measure sh -c "kcat -b $B -C -t bench -o beginning -e -q -f '\n' > $WORK/out.txt"
out_ms=$ELAPSED_MS
count=$(wc -l < "$WORK/out.txt")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$BROKER_PID/status")
echo "records:          $N x ${SIZE} bytes"
echo "ingest (kcat -P): $(rate "$N" "$in_ms") records/s   ($in_ms ms)"
echo "fetch (kcat -C):  $(rate "$count" "$out_ms") records/s   ($out_ms ms, $count records read)"
echo "broker peak RSS:  $(( rss_kb / 1024 )) MB"
[ "$count" -eq "$N" ] || { echo "read $count records, expected $N" >&2; exit 1; }
