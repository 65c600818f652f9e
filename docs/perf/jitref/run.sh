#!/usr/bin/env bash
# lgw's BenchmarkSchedule (queued=31, 1000, 10000) side by side with the
# reference: the packet forwarder's JIT queue and libloragw from a checkout
# of Semtech's sx1302_hal (V2.1.0 measured), driven by bench.c. The two run
# alternately, PAIRS times (default 3), so that both see the same load.
#   docs/perf/jitref/run.sh SX1302_HAL_DIR [PAIRS]
# e.g. after `git clone https://github.com/Lora-net/sx1302_hal`.
# The checkout is copied to a scratch folder; nothing of it enters lgw.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: $0 SX1302_HAL_DIR [PAIRS]}
pairs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src"/. "$work/hal"
make -s -C "$work/hal/libtools" >/dev/null 2>&1
make -s -C "$work/hal/libloragw" libloragw.a >/dev/null 2>&1
gcc -O2 -w -o "$work/jitbench" "$here/bench.c" "$work/hal/packet_forwarder/src/jitqueue.c" \
	-I"$work/hal/packet_forwarder/inc" -I"$work/hal/libloragw/inc" -I"$work/hal/libloragw" -I"$work/hal/libtools/inc" \
	-L"$work/hal/libloragw" -L"$work/hal/libtools" -lloragw -ltinymt32 -lparson -lbase64 -lm -lpthread -lrt
(cd "$here/../../.." && go test -c -o "$work/sched.test" ./scheduler/)
for _ in $(seq "$pairs"); do
	echo "load $(cut -d' ' -f1 /proc/loadavg)"
	"$work/jitbench"
	(cd "$here/../../../scheduler" && "$work/sched.test" -test.run xxx -test.bench 'Schedule/' -test.benchmem) | grep '^Benchmark'
done
