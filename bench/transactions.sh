#!/usr/bin/env bash
# A transactional producer committing every 1,000 records next to a plain idempotent one
# (confluent-kafka / librdkafka against the dev broker), in one run, interleaved, medians.
# Usage: bench/transactions.sh [records] [record-bytes] [commit-every] [rounds]
source "$(dirname "$0")/lib/common.sh"
N=${1:-200000}
SIZE=${2:-100}
EVERY=${3:-1000}
ROUNDS=${4:-3}
start_broker
/usr/bin/python3 "$(dirname "$0")/transactions.py" "127.0.0.1:$PORT" "$N" "$SIZE" "$EVERY" "$ROUNDS"
