#!/usr/bin/env bash
# BenchmarkRealTimeHandoff (scheduler) as issue 15 asks for it: downlinks
# 20 ms and 60 ms apart with the default 80 ms hand-off lead, quiet and
# with two CPU-bound processes beside it (started by this script, so in its
# own session and scheduling group), at the daemon's GOMAXPROCS (1) and at
# the host's. One line per run (22 s each). Other sessions' work competes
# as a whole group (autogroup): measure on an otherwise idle host.
#   docs/perf/handoff.sh [RUNS]     # RUNS per combination, default 1
# LOADS="quiet" or LOADS="two-cpu-bound" runs only one half.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-1}
work=$(mktemp -d)
burners=()
stop_burners() { [ ${#burners[@]} -eq 0 ] || kill "${burners[@]}" 2>/dev/null || true; burners=(); }
trap 'stop_burners; rm -rf "$work"' EXIT
(cd "$here/../.." && go test -c -o "$work/sched.test" ./scheduler/)
cd "$here/../../scheduler"
for load in ${LOADS:-quiet two-cpu-bound}; do
	if [ "$load" = two-cpu-bound ]; then
		sh -c 'while :; do :; done' & burners+=($!)
		sh -c 'while :; do :; done' & burners+=($!)
		sleep 1
	fi
	for cpu in 1 "$(nproc)"; do
		for spacing in 20ms 60ms; do
			for _ in $(seq "$runs"); do
				l0=$(cut -d' ' -f1 /proc/loadavg)
				line=$("$work/sched.test" -test.run xxx -test.benchtime 1x -test.cpu "$cpu" \
					-test.bench "RealTimeHandoff/spacing=$spacing/handoff=80ms\$" | grep '^Benchmark')
				l1=$(cut -d' ' -f1 /proc/loadavg)
				echo "$load cpu=$cpu load=$l0->$l1 $line" | awk '{
					split($4, name, "/"); printf "%-14s %-6s %-16s %s", $1, $2, $3, name[2]
					for (i = 8; i < NF; i += 2) printf " %s=%s", $(i+1), $i
					printf "\n" }'
			done
		done
	done
	stop_burners
done
