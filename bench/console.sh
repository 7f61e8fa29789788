#!/usr/bin/env bash
# Pipes N 100-byte keyed lines through ktool console-producer and kcat -P into one dev
# broker, reads them back with ktool console-consumer and kcat -C -e, and prints
# records/s and peak RSS for each. Usage: bench/console.sh [records]
source "$(dirname "$0")/lib/common.sh"
N=${1:-1000000}
start_broker
keyed_lines "$N" 100 "$WORK/input.txt"
B="127.0.0.1:$PORT"
KTOOL="node $ROOT/bin/run.js"

measure sh -c "$KTOOL console-producer --bootstrap-server $B --topic ktool.in --property parse.key=true --property key.separator=: < $WORK/input.txt"
kp_ms=$ELAPSED_MS; kp_rss=$PEAK_RSS_MB
measure sh -c "kcat -b $B -P -t kcat.in -K: < $WORK/input.txt"
cp_ms=$ELAPSED_MS; cp_rss=$PEAK_RSS_MB
measure sh -c "$KTOOL console-consumer --bootstrap-server $B --topic ktool.in --from-beginning --until-end --property print.key=true > $WORK/ktool.out 2>/dev/null"
kc_ms=$ELAPSED_MS; kc_rss=$PEAK_RSS_MB
measure sh -c "kcat -b $B -C -t kcat.in -o beginning -e -q -f '%k\t%s\n' > $WORK/kcat.out"
cc_ms=$ELAPSED_MS; cc_rss=$PEAK_RSS_MB

kc_lines=$(wc -l < "$WORK/ktool.out"); cc_lines=$(wc -l < "$WORK/kcat.out")
printf '%-22s %12s %10s %12s\n' tool records/s "RSS MB" records
printf '%-22s %12s %10s %12s\n' "ktool console-producer" "$(rate "$N" "$kp_ms")" "$kp_rss" "$N"
printf '%-22s %12s %10s %12s\n' "kcat -P" "$(rate "$N" "$cp_ms")" "$cp_rss" "$N"
printf '%-22s %12s %10s %12s\n' "ktool console-consumer" "$(rate "$kc_lines" "$kc_ms")" "$kc_rss" "$kc_lines"
printf '%-22s %12s %10s %12s\n' "kcat -C -e" "$(rate "$cc_lines" "$cc_ms")" "$cc_rss" "$cc_lines"
[ "$kc_lines" -eq "$N" ] && [ "$cc_lines" -eq "$N" ] || { echo "record counts differ from $N" >&2; exit 1; }
