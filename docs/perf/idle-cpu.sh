#!/usr/bin/env bash
# Idle CPU of `lgw run` on the sx1302-emulated board against a bare 10 ms C
# poller (a loop of 10 ms nanosleeps doing nothing), over the same minute.
# Needs gcc and mosquitto (an idle MQTT broker on 127.0.0.1:18830).
#   docs/perf/idle-cpu.sh [LGW_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
lgw=${1:-$work/lgw}
[ -x "$lgw" ] || (cd "$here/../.." && go build -o "$lgw" ./cmd/lgw)
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
pid=$!
sleep 3 # past start-up
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, clock ticks
hz=$(getconf CLK_TCK)
before=$(cpu $pid)
start=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$work/poller.time" "$work/poller"
end=$(date +%s.%N)
after=$(cpu $pid)
uptime
awk -v t0="$start" -v t1="$end" -v b="$before" -v a="$after" -v hz="$hz" -v p="$(cat "$work/poller.time")" 'BEGIN {
	split(p, pt, " "); pc = pt[1] + pt[2]; lc = (a - b) / hz; w = t1 - t0
	printf "window %.1f s\nC 10 ms poller: %.2f s CPU\nlgw run: %.2f s CPU (%.1fx the poller)\n", w, pc, lc, (pc > 0 ? lc / pc : 0)
}'
