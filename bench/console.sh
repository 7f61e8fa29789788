#!/usr/bin/env bash
# ktool's console tools next to kcat on the same work (see bench/lib/console-pairs.mjs).
exec node "$(dirname "$0")/run.mjs" console
