/*
 * fa_ca.c - per slot: a decrease in proportion to the congestion level if
 * the receiver reports one, else an increase (doubling in slow start,
 * FA_CA_AI after) if the flow used its window. A token bucket paces.
 */
#include "fa_ca.h"

#include <assert.h>

#define NS 1000000000ull

void fa_ca_init(struct fa_ca *c, uint64_t now)
{
    assert(c != NULL);
    *c = (struct fa_ca){
        .rate = FA_CA_RATE_INIT,
        .slot_start = now,
        .last_update = now,
        .slow_start = true,
        .tokens_at = now,
    };
    c->tokens = (int64_t)fa_ca_window(c);
}

uint64_t fa_ca_rate(const struct fa_ca *c)
{
    assert(c != NULL);
    return c->rate;
}

uint64_t fa_ca_window(const struct fa_ca *c)
{
    assert(c != NULL);
    return c->rate * (FA_CA_SLOT_NS / 1000) / (NS / 1000);
}

static uint64_t clamp(uint64_t r)
{
    return r < FA_CA_RATE_MIN ? FA_CA_RATE_MIN : r > FA_CA_RATE_MAX ? FA_CA_RATE_MAX : r;
}

static void slot_end(struct fa_ca *c, uint64_t end)
{
    /* Updates come while the receiver sees marks and one when they stop;
     * if that last one is lost, silence must not mean congestion. */
    if (c->ece > 0 && end - c->last_update >= FA_CA_ECE_TTL * FA_CA_SLOT_NS &&
        c->pkts_since >= FA_CA_ECE_PKTS)
        c->ece = 0;
    if (c->ece > 0) {
        uint64_t level = c->ece < FA_CA_ECE_FULL ? c->ece : FA_CA_ECE_FULL;

        c->rate = clamp(c->rate - c->rate * level / (2 * FA_CA_ECE_FULL));
        c->decreases++;
    } else if (2 * c->slot_bytes >= fa_ca_window(c)) {
        /* Only a flow that used half its window grows: an idle or
         * application-limited flow must not bank a rate it never tested. */
        c->rate = clamp(c->slow_start ? 2 * c->rate : c->rate + FA_CA_AI);
        c->increases++;
    }
    c->slot_bytes = 0;
}

/* End every slot that is over at now, at most FA_CA_CATCH_UP of them. */
static void advance(struct fa_ca *c, uint64_t now)
{
    uint32_t n = 0;

    if (now < c->slot_start)
        return;
    while (now - c->slot_start >= FA_CA_SLOT_NS && n < FA_CA_CATCH_UP) {
        c->slot_start += FA_CA_SLOT_NS;
        slot_end(c, c->slot_start);
        n++;
    }
    /* A long silence: the slots left had nothing sent, nothing to learn. */
    if (now - c->slot_start >= FA_CA_SLOT_NS)
        c->slot_start = now - (now - c->slot_start) % FA_CA_SLOT_NS;
}

void fa_ca_tick(struct fa_ca *c, uint64_t now)
{
    assert(c != NULL);
    advance(c, now);
}

void fa_ca_update(struct fa_ca *c, uint16_t ece, uint64_t now)
{
    assert(c != NULL);
    advance(c, now);
    if (ece > 0 && c->slow_start) {
        /* Slow start overshoots by up to its last doubling: undo it now,
         * the per-slot decrease does the rest. */
        c->slow_start = false;
        c->rate = clamp(c->rate / 2);
    }
    c->ece = ece;
    c->last_update = now;
    c->pkts_since = 0;
}

static void refill(struct fa_ca *c, uint64_t now)
{
    uint64_t burst = fa_ca_window(c), dt;

    if (burst < FA_CA_BURST_MIN)
        burst = FA_CA_BURST_MIN;
    if (now <= c->tokens_at)
        return;
    dt = now - c->tokens_at;
    if (dt > NS)
        dt = NS; /* keeps rate * dt in 64 bits; the burst caps it anyway */
    c->tokens += (int64_t)(c->rate * dt / NS);
    if (c->tokens > (int64_t)burst)
        c->tokens = (int64_t)burst;
    /* Keep the remainder of a fraction of a byte: advance by what paid. */
    c->tokens_at = dt == now - c->tokens_at ? now - (c->rate * dt % NS) / c->rate : now;
}

uint64_t fa_ca_send(struct fa_ca *c, size_t len, uint64_t now)
{
    assert(c != NULL);
    advance(c, now);
    refill(c, now);
    if (c->tokens < 0)
        return ((uint64_t)-c->tokens * NS + c->rate - 1) / c->rate;
    /* One packet may overdraw: a packet larger than the burst still goes. */
    c->tokens -= (int64_t)len;
    c->slot_bytes += len;
    if (c->pkts_since < UINT32_MAX)
        c->pkts_since++;
    return 0;
}
