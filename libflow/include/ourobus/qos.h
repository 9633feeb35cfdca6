/*
 * ourobus/qos.h - what a flow asks of the network: delay, bandwidth,
 * availability, loss, bit errors, in-order delivery, gaps, and how long the
 * peer may stay silent before the flow is declared dead. The presets are
 * the reference's.
 */
#ifndef OUROBUS_QOS_H
#define OUROBUS_QOS_H

#include <stdint.h>

typedef struct qos_spec {
    uint32_t delay;       /* ms; UINT32_MAX = no bound */
    uint64_t bandwidth;   /* bit/s; 0 = no need */
    uint8_t availability; /* class of nines */
    uint32_t loss;        /* 0 = no loss allowed: retransmission */
    uint32_t ber;         /* bit errors per 10^9 bits; 0 = checked */
    uint8_t in_order;     /* in-order delivery (FRCP) */
    uint32_t max_gap;     /* ms; UINT32_MAX = no bound */
    uint32_t timeout;     /* ms without a packet before the peer is dead; 0 = never */
} qosspec_t;

#define QOS_DEFAULT_TIMEOUT 120000 /* ms */

static const qosspec_t qos_raw = {
    .delay = UINT32_MAX,
    .bandwidth = 0,
    .availability = 0,
    .loss = 1,
    .ber = 1,
    .in_order = 0,
    .max_gap = UINT32_MAX,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

static const qosspec_t qos_raw_no_errors = {
    .delay = UINT32_MAX,
    .bandwidth = 0,
    .availability = 0,
    .loss = 1,
    .ber = 0,
    .in_order = 0,
    .max_gap = UINT32_MAX,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

static const qosspec_t qos_best_effort = {
    .delay = UINT32_MAX,
    .bandwidth = 0,
    .availability = 0,
    .loss = 1,
    .ber = 0,
    .in_order = 1,
    .max_gap = UINT32_MAX,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

static const qosspec_t qos_video = {
    .delay = 100,
    .bandwidth = UINT64_MAX,
    .availability = 3,
    .loss = 1,
    .ber = 0,
    .in_order = 1,
    .max_gap = 100,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

static const qosspec_t qos_voice = {
    .delay = 50,
    .bandwidth = 100000,
    .availability = 5,
    .loss = 1,
    .ber = 0,
    .in_order = 1,
    .max_gap = 50,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

static const qosspec_t qos_data = {
    .delay = 1000,
    .bandwidth = 0,
    .availability = 0,
    .loss = 0,
    .ber = 0,
    .in_order = 1,
    .max_gap = 2000,
    .timeout = QOS_DEFAULT_TIMEOUT,
};

#endif
