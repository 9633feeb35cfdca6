/*
 * fwd.c - the forwarding decision.
 */
#include "fwd.h"

#include <assert.h>
#include <stddef.h>

struct fwd_verdict fwd_decide(const struct dt_hdr *h, uint64_t self, const struct pff *p)
{
    struct fwd_verdict v = {.action = FWD_DROP, .reason = FWD_DROP_BADHDR, .nhop = -1};
    int nh;

    assert(h != NULL && p != NULL);
    if (h->dst == 0 || h->ttl == 0 || h->cube >= QOS_CUBE_MAX)
        return v;
    if (h->dst == self) {
        v.action = FWD_DELIVER;
        return v;
    }
    if (h->ttl <= 1) {
        v.reason = FWD_DROP_TTL;
        return v;
    }
    nh = pff_lookup(p, h->cube, h->dst, h->eid);
    if (nh < 0) {
        v.reason = FWD_DROP_NOROUTE;
        return v;
    }
    v.action = FWD_FORWARD;
    v.nhop = nh;
    return v;
}

const char *fwd_drop_name(enum fwd_drop reason)
{
    static const char *const names[FWD_DROP_REASONS] = {
        [FWD_DROP_BADHDR] = "badhdr", [FWD_DROP_TTL] = "ttl",   [FWD_DROP_NOROUTE] = "noroute",
        [FWD_DROP_NOEID] = "noeid",   [FWD_DROP_FULL] = "full", [FWD_DROP_NHOP] = "nhop",
    };

    return (unsigned)reason < FWD_DROP_REASONS ? names[reason] : "?";
}
