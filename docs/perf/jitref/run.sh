#!/usr/bin/env bash
# Builds docs/perf/jitref/bench.c against the packet forwarder's JIT queue
# and libloragw from a checkout of Semtech's sx1302_hal (V2.1.0 measured),
# then runs it: the reference figure beside lgw's BenchmarkSchedule/queued=31.
#   docs/perf/jitref/run.sh SX1302_HAL_DIR
# e.g. after `git clone https://github.com/Lora-net/sx1302_hal`.
# The checkout is copied to a scratch folder; nothing of it enters lgw.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: $0 SX1302_HAL_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src"/. "$work/hal"
make -s -C "$work/hal/libtools" >/dev/null
make -s -C "$work/hal/libloragw" libloragw.a >/dev/null
gcc -O2 -o "$work/jitbench" "$here/bench.c" "$work/hal/packet_forwarder/src/jitqueue.c" \
	-I"$work/hal/packet_forwarder/inc" -I"$work/hal/libloragw/inc" -I"$work/hal/libloragw" -I"$work/hal/libtools/inc" \
	-L"$work/hal/libloragw" -L"$work/hal/libtools" -lloragw -ltinymt32 -lparson -lbase64 -lm -lpthread -lrt
"$work/jitbench"
