/*
 * qos_msg.c - field by field: the message has no 8-bit integers.
 */
#include "qos_msg.h"

void qos_msg_from_spec(const qosspec_t *q, irm_qos_t *m)
{
    m->delay = q->delay;
    m->bandwidth = q->bandwidth;
    m->availability = q->availability;
    m->loss = q->loss;
    m->ber = q->ber;
    m->in_order = q->in_order;
    m->max_gap = q->max_gap;
    m->timeout = q->timeout;
}

void qos_msg_to_spec(const irm_qos_t *m, qosspec_t *q)
{
    q->delay = m->delay;
    q->bandwidth = m->bandwidth;
    q->availability = m->availability > UINT8_MAX ? UINT8_MAX : (uint8_t)m->availability;
    q->loss = m->loss;
    q->ber = m->ber;
    q->in_order = m->in_order != 0;
    q->max_gap = m->max_gap;
    q->timeout = m->timeout;
}
