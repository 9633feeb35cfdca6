/*
 * fa_ca.h - the sender side of MB-ECN congestion avoidance for one flow:
 * a pacing rate driven only by the receiver's FLOW_UPDATEs (its congestion
 * level) and by time, with no acknowledgements. Slow start, then additive
 * increase and multiplicative decrease per slot. docs/fa.md, "Congestion".
 */
#ifndef OUROBUS_FA_CA_H
#define OUROBUS_FA_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FA_CA_SLOT_NS   10000000ull   /* 10 ms: one decision per slot */
#define FA_CA_RATE_INIT (1ull << 20)  /* bytes/s at the start: 1 MiB/s */
#define FA_CA_RATE_MIN  (32ull << 10) /* bytes/s floor: 32 KiB/s */
#define FA_CA_RATE_MAX  (1ull << 32)  /* bytes/s ceiling: 4 GiB/s */
#define FA_CA_AI        (32ull << 10) /* bytes/s added per uncongested slot (3.2 MiB/s/s) */
#define FA_CA_ECE_FULL  4096u         /* a level this high halves the rate per slot */
#define FA_CA_ECE_TTL   8u            /* slots, and ... */
#define FA_CA_ECE_PKTS  32u           /* ... packets, after which a silent level is 0 */
#define FA_CA_BURST_MIN (16ull << 10) /* bytes the pacer lets go at once at least */
#define FA_CA_CATCH_UP  64u           /* slots run at most when time jumps */

struct fa_ca {
    uint64_t rate;        /* bytes/s the flow may send */
    uint64_t slot_start;  /* ns: the current slot began */
    uint64_t slot_bytes;  /* sent in the current slot */
    uint64_t last_update; /* ns: the last FLOW_UPDATE */
    uint32_t pkts_since;  /* packets sent since that update */
    uint16_t ece;         /* the receiver's last congestion level */
    bool slow_start;
    int64_t tokens; /* pacer: bytes that may go now (may dip below 0) */
    uint64_t tokens_at;
    uint64_t decreases; /* slots that ended with a decrease */
    uint64_t increases; /* ... with an increase */
};

/* Start a flow's congestion avoidance at now (ns). */
void fa_ca_init(struct fa_ca *c, uint64_t now);

/* A FLOW_UPDATE with congestion level ece arrived at now. */
void fa_ca_update(struct fa_ca *c, uint16_t ece, uint64_t now);

/* May a packet of len bytes go at now? 0: yes, and it is counted; else
 * the ns to wait before asking again. */
uint64_t fa_ca_send(struct fa_ca *c, size_t len, uint64_t now);

/* Let time pass without sending (ends the slots that are over). */
void fa_ca_tick(struct fa_ca *c, uint64_t now);

/* The pacing rate, bytes/s. */
uint64_t fa_ca_rate(const struct fa_ca *c);

/* The bytes the flow may send per slot at its rate. */
uint64_t fa_ca_window(const struct fa_ca *c);

#endif
