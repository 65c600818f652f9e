#!/usr/bin/env bash
# Idle CPU of `lgw run` on the sx1302-emulated board against a bare 10 ms C
# poller (a loop of 10 ms nanosleeps doing nothing) and a bare Go program
# waiting on a 40 ms timer (docs/perf/gotimer), over the same window.
# CPU time is the scheduler's own account (/proc/<pid>/task/*/schedstat,
# nanoseconds on a CPU, all threads), not the 10 ms ticks of utime/stime.
# Needs gcc and mosquitto (an idle MQTT broker on 127.0.0.1:18830).
#   docs/perf/idle-cpu.sh [LGW_BINARY] [WINDOW_SECONDS]
# GOMAXPROCS and GODEBUG in the environment reach lgw and gotimer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
lgw=${1:-$work/lgw}
window=${2:-60}
[ -x "$lgw" ] || (cd "$here/../.." && go build -o "$lgw" ./cmd/lgw)
(cd "$here/../.." && go build -o "$work/gotimer" ./docs/perf/gotimer)
gcc -O2 -o "$work/poller" "$here/poller.c"
cat > "$work/lgw.toml" <<TOML
[gateway]
region = "EU868"
[concentrator]
board = "sx1302-emulated"
firmware_dir = "$work/no-firmware"
[mqtt]
server = "tcp://127.0.0.1:18830"
[storage]
dir = "$work/state"
[control]
socket = "$work/lgw.sock"
TOML
mosquitto -p 18830 >/dev/null 2>&1 &
sleep 0.5
"$lgw" run --config "$work/lgw.toml" >/dev/null 2>&1 &
lgwpid=$!
"$work/poller" &
cpoll=$!
"$work/gotimer" &
gotimer=$!
sleep 3 # past start-up
cpu() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {print s}'; } # ns on CPU
b_l=$(cpu $lgwpid) b_c=$(cpu $cpoll) b_g=$(cpu $gotimer)
load0=$(cut -d' ' -f1 /proc/loadavg)
sleep "$window"
a_l=$(cpu $lgwpid) a_c=$(cpu $cpoll) a_g=$(cpu $gotimer)
load1=$(cut -d' ' -f1 /proc/loadavg)
awk -v w="$window" -v l="$((a_l - b_l))" -v c="$((a_c - b_c))" -v g="$((a_g - b_g))" \
	-v l0="$load0" -v l1="$load1" -v mp="${GOMAXPROCS:-default}" 'BEGIN {
	printf "window %d s, load %s -> %s, GOMAXPROCS %s\n", w, l0, l1, mp
	printf "C 10 ms poller:      %6.1f ms CPU\n", c / 1e6
	printf "Go 40 ms timer loop: %6.1f ms CPU (%.2fx the poller)\n", g / 1e6, g / c
	printf "lgw run:             %6.1f ms CPU (%.2fx the poller)\n", l / 1e6, l / c
}'
