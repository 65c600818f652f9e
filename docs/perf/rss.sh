#!/usr/bin/env bash
# Resident set of `lgw run` with 10,000 queued downlinks
# (docs/performance.md, "Memory with 10,000 queued downlinks"): builds lgw
# as the packages ship it (CGO_ENABLED=0, -trimpath, -s -w) and runs
# docs/perf/rssload against it: idle, right after the burst, and in the
# steady state after the runtime's periodic collection (about 3 minutes).
#   docs/perf/rss.sh [LGW_BINARY] [rssload flags...]
# GOGC, GOMEMLIMIT, GOMAXPROCS and GODEBUG in the environment reach lgw.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lgw=$work/lgw
if [ $# -gt 0 ] && [ -x "$1" ]; then
	lgw=$1
	shift
else
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$lgw" ./cmd/lgw)
fi
(cd "$root" && go build -o "$work/rssload" ./docs/perf/rssload)
ls -l "$lgw" | awk '{printf "binary %s: %d bytes\n", $9, $5}'
"$work/rssload" -lgw "$lgw" "$@"
