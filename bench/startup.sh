#!/usr/bin/env bash
# Start-up of topics --list, --help and --version beside bare `node -e 0`.
exec node "$(dirname "$0")/run.mjs" startup
