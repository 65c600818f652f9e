/*
 * Side-by-side reference for lgw's BenchmarkSchedule (scheduler package):
 * the JIT queue of Semtech's packet forwarder (sx1302_hal,
 * packet_forwarder/src/jitqueue.c), which this file does not contain; run.sh
 * builds it from a checkout of sx1302_hal and links this driver to it.
 *
 * What it times is what BenchmarkSchedule/queued=31 times in lgw: with 31
 * class A downlinks queued, admit one more (SF7BW500, 20 bytes, 923.3 MHz)
 * between two of them, then take it out again (find its index,
 * jit_dequeue). The JIT queue reserves 41.5 ms before each start (TX start
 * and JIT delays), so its downlinks are 200 ms apart and the new one 100 ms
 * after one of them (lgw's benchmark: 100 ms and 50 ms). One run of at
 * least one second; ns per enqueue + dequeue pair.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "loragw_hal.h"
#include "jitqueue.h"

#define QUEUED 31

static struct lgw_pkt_tx_s downlink(uint32_t count_us) {
    struct lgw_pkt_tx_s p;
    memset(&p, 0, sizeof p);
    p.freq_hz = 923300000;
    p.tx_mode = TIMESTAMPED;
    p.count_us = count_us;
    p.rf_chain = 0;
    p.rf_power = 20;
    p.modulation = MOD_LORA;
    p.bandwidth = BW_500KHZ;
    p.datarate = DR_LORA_SF7;
    p.coderate = CR_LORA_4_5;
    p.invert_pol = true;
    p.preamble = 8;
    p.no_crc = true;
    p.size = 20;
    return p;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void) {
    static struct jit_queue_s q;
    const uint32_t now = 1000000;
    jit_queue_init(&q);
    for (int i = 0; i < QUEUED; i++) {
        struct lgw_pkt_tx_s p = downlink(now + 1000000 + i * 200000);
        if (jit_enqueue(&q, now, &p, JIT_PKT_TYPE_DOWNLINK_CLASS_A) != JIT_ERROR_OK) {
            fprintf(stderr, "setup enqueue %d refused\n", i);
            return 1;
        }
    }
    long n = 0;
    double t0 = now_ns(), t1;
    do {
        for (int k = 0; k < 10000; k++, n++) {
            uint32_t at = now + 1000000 + (uint32_t)(n % QUEUED) * 200000 + 100000;
            struct lgw_pkt_tx_s p = downlink(at), out;
            enum jit_pkt_type_e type;
            if (jit_enqueue(&q, now, &p, JIT_PKT_TYPE_DOWNLINK_CLASS_A) != JIT_ERROR_OK) {
                fprintf(stderr, "enqueue at %u refused\n", at);
                return 1;
            }
            int idx = 0;
            while (idx < q.num_pkt && q.nodes[idx].pkt.count_us != at) idx++;
            if (idx == q.num_pkt || jit_dequeue(&q, idx, &out, &type) != JIT_ERROR_OK) {
                fprintf(stderr, "dequeue at %u failed\n", at);
                return 1;
            }
        }
        t1 = now_ns();
    } while (t1 - t0 < 1e9);
    printf("BenchmarkJITEnqueueDequeue/queued=%d\t%ld\t%.0f ns/op (reference)\n", QUEUED, n, (t1 - t0) / n);
    return 0;
}
