#!/usr/bin/env bash
# Time `ktool consumer-groups --describe --all-groups` for many groups over many
# partitions against the dev broker (the target: 100 groups over 1,000
# partitions in under 2 s, the whole process included).
#
# Usage: bench/groups.sh [groups] [topics] [partitions-per-topic] [runs]
# Each group commits offsets for every partition of one topic (group i -> topic
# i % topics), so with the defaults 100 groups cover 1,000 partitions and the
# describe prints 10,000 rows.
source "$(dirname "$0")/lib/common.sh"
GROUPS_N=${1:-100}
TOPICS=${2:-10}
PARTS=${3:-100}
RUNS=${4:-5}
start_broker
export ROOT
B="127.0.0.1:$PORT"
KTOOL=(node "$ROOT/bin/run.js")
export KAFKA_BOOTSTRAP_SERVERS=""

for t in $(seq 0 $((TOPICS - 1))); do
  "${KTOOL[@]}" topics --create --topic "bench.groups.$t" --partitions "$PARTS" --bootstrap-server "$B" >/dev/null
  # Some records on every partition (keys spread them), so the lag is not all zero.
  seq 1 $((PARTS * 20)) | sed 's/^/k/;s/$/:v/' | kcat -b "$B" -P -t "bench.groups.$t" -K: -X linger.ms=5
done

# Commits from outside any group (as kafka-consumer-groups.sh --reset-offsets --execute
# does), one OffsetCommit per group, with ktool's own protocol client.
node --input-type=module - "$B" "$GROUPS_N" "$TOPICS" "$PARTS" <<'EOF'
const [bootstrap, groups, topics, parts] = process.argv.slice(2)
const { ClusterClient } = await import(process.env.ROOT + '/dist/client/cluster.js')
const client = await ClusterClient.connect({ bootstrap: [bootstrap] })
await Promise.all(Array.from({ length: +groups }, async (_, g) => {
  const name = `bench.groups.${g % +topics}`
  const partitions = Array.from({ length: +parts }, (_, p) => ({
    partitionIndex: p, committedOffset: (g + p) % 7, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '',
  }))
  const res = await client.send(8, {
    groupId: `bench-group-${String(g).padStart(3, '0')}`, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    retentionTimeMs: -1, topics: [{ name, partitions }],
  })
  for (const t of res.topics) for (const p of t.partitions) if (p.errorCode !== 0) throw new Error(`commit failed: ${p.errorCode}`)
}))
client.close()
EOF

rows=$("${KTOOL[@]}" consumer-groups --describe --all-groups --bootstrap-server "$B" 2>/dev/null | grep -c '^bench-group-' || true)
expected=$((GROUPS_N * PARTS))
[ "$rows" -eq "$expected" ] || { echo "describe printed $rows rows, expected $expected" >&2; exit 1; }

times=()
for _ in $(seq "$RUNS"); do
  measure sh -c "node '$ROOT/bin/run.js' consumer-groups --describe --all-groups --bootstrap-server $B >/dev/null 2>&1"
  times+=("$ELAPSED_MS")
  rss=$PEAK_RSS_MB
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
measure sh -c "node '$ROOT/bin/run.js' consumer-groups --describe --all-groups --time-lag --bootstrap-server $B >/dev/null 2>&1"
timelag_ms=$ELAPSED_MS
echo "groups:                $GROUPS_N"
echo "partitions:            $((TOPICS * PARTS)) ($TOPICS topics x $PARTS)"
echo "rows described:        $rows"
echo "describe --all-groups: best ${best} ms, median ${median} ms over $RUNS runs (whole process, output to /dev/null)"
echo "with --time-lag:       ${timelag_ms} ms (one run; reads a record timestamp per lagging position)"
echo "peak RSS:              ${rss} MB"
[ "$median" -lt 2000 ] || { echo "slower than the 2 s target" >&2; exit 1; }
