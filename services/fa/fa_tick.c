/*
 * fa_tick.c - the ticking thread: attach to routing's management rings
 * (and wait for the IPCP's address), notice a restarted routing, re-learn
 * the flows routing carries, resend FLOW_REQs and FLOW_DEALLOCs, and end
 * the allocations whose time ran out.
 */
#include "fa.h"

#include "bus_frame.h"
#include "deadline.h"
#include "fa_restore.h"
#include "log.h"
#include "routing.pb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TICK_NS      (100 * FA_MS)
#define ATTACH_NS    (500 * FA_MS)
#define HEARTBEAT_NS (2000 * FA_MS)
#define RESYNC_NS    (3000 * FA_MS)

struct timed_out {
    uint32_t *ids;
    size_t n, cap;
    struct fa *fa;
};

static void on_epoch(void *arg, uint64_t old_epoch, uint64_t new_epoch)
{
    struct fa *fa = arg;

    (void)old_epoch;
    (void)new_epoch;
    log_info("routing restarted: re-learning its flows");
    atomic_store(&fa->resync, true);
}

static void set_link(struct fa *fa, uint64_t addr, uint32_t eid_size, uint32_t hash_len)
{
    if (addr != 0 && atomic_exchange(&fa->addr, addr) != addr)
        log_info("address %" PRIu64, addr);
    if (eid_size != 0)
        atomic_store(&fa->eid_size, eid_size);
    if (hash_len != 0)
        atomic_store(&fa->hash_len, hash_len);
}

static void attach(struct fa *fa, bool *said)
{
    struct mgmt_link l;
    int err = mgmt_link_attach(&l, fa->node, fa->name, FA_EID, "fa", 500);

    if (err < 0) {
        if (!*said)
            log_info("waiting for routing.%s: %s", fa->name, strerror(-err));
        *said = true;
        return;
    }
    pthread_mutex_lock(&fa->lock);
    fa->link = l;
    pthread_mutex_unlock(&fa->lock);
    set_link(fa, l.self, l.eid_size, l.hash_len);
    err = -pthread_create(&fa->rx, NULL, fa_rx_main, fa);
    if (err < 0) {
        log_err("cannot start the receiving thread: %s", strerror(-err));
        return;
    }
    fa->rx_on = true;
    atomic_store(&fa->attached, true);
    atomic_store(&fa->resync, true);
    log_info("attached to routing.%s (endpoint %u)", fa->name, FA_EID);
}

static void refresh(struct fa *fa)
{
    struct mgmt_link l;

    pthread_mutex_lock(&fa->lock);
    l = fa->link;
    pthread_mutex_unlock(&fa->lock);
    if (mgmt_link_refresh(&l, fa->node, fa->name, "fa", 500) == 0)
        set_link(fa, l.self, l.eid_size, l.hash_len);
}

/* The rings again on our own client: the cheapest call routing serves,
 * and one that tells a restarted routing by its epoch. */
static void heartbeat(struct fa *fa, struct bus_client *bc)
{
    routing_mgmt_attach_t req = {.eid = FA_EID};
    routing_mgmt_rings_t rep = ROUTING_MGMT_RINGS_INIT_ZERO;

    if (bus_client_call_pb(bc, ROUTING_METHOD_MGMT_ATTACH, ROUTING_MGMT_ATTACH_FIELDS, &req,
                           ROUTING_MGMT_RINGS_FIELDS, &rep, 1000) == 0)
        set_link(fa, rep.addr, rep.eid_size, rep.hash_len);
}

/* Add the flows of bs the table lacks: the number added, or -errno. */
static int merge(struct fa *fa, const struct fa_binding *bs, size_t n)
{
    uint64_t now = now_ns();
    struct fa_table *t = NULL;
    uint8_t *snap = NULL, *out = NULL;
    size_t added = 0, len;
    long sl, ol;
    int err = -ENOMEM;

    pthread_mutex_lock(&fa->lock);
    len = fa_table_export_len(fa->table);
    snap = malloc(len);
    out = malloc(fa_restore_len(len, n));
    if (snap == NULL || out == NULL)
        goto out;
    sl = fa_table_export(fa->table, snap, len);
    ol = sl < 0
             ? sl
             : fa_restore_merge(snap, (size_t)sl, bs, n, out, fa_restore_len(len, n), &added);
    err = (int)ol;
    if (ol < 0 || added == 0)
        goto out;
    t = fa_table_new(FA_FLOWS_MAX, fa_rand_eid, fa);
    err = t == NULL ? -ENOMEM : fa_table_import(t, out, (size_t)ol);
    if (err < 0) {
        fa_table_destroy(&t);
        goto out;
    }
    /* kept replies and the quarantine stay behind: fa_restore.h */
    fa_table_destroy(&fa->table);
    fa->table = t;
    for (size_t i = 0; i < n; i++)
        if (fa_table_by_eid(t, bs[i].local_eid) != NULL)
            fa_side_get(fa, bs[i].local_eid, now);
out:
    pthread_mutex_unlock(&fa->lock);
    free(snap);
    free(out);
    return err < 0 ? err : (int)added;
}

/* Ask routing for its flows and add those we lack: 0 or -errno. */
static int resync(struct fa *fa, struct bus_client *bc)
{
    routing_flows_t *rf = calloc(1, sizeof(*rf));
    uint8_t *body = malloc(BUS_BODY_MAX);
    struct fa_binding *bs = NULL;
    size_t len = 0;
    int err = -ENOMEM;

    if (rf == NULL || body == NULL)
        goto out;
    /* an empty request: bus_client_call_pb wants a message to encode */
    err = bus_client_call(bc, ROUTING_METHOD_FLOWS, NULL, 0, body, BUS_BODY_MAX, &len,
                          FA_CALL_MS);
    if (err >= 0 &&
        bus_body_decode(&(struct bus_part){body, len}, ROUTING_FLOWS_FIELDS, rf) < 0)
        err = -EBADMSG;
    if (err < 0)
        goto out;
    bs = calloc(rf->flows_count + 1, sizeof(*bs));
    err = -ENOMEM;
    if (bs == NULL)
        goto out;
    for (pb_size_t i = 0; i < rf->flows_count; i++) {
        bs[i].flow_id = rf->flows[i].flow_id;
        bs[i].local_eid = rf->flows[i].local_eid;
        bs[i].peer_addr = rf->flows[i].peer_addr;
        bs[i].peer_eid = rf->flows[i].peer_eid;
        bs[i].cube = (uint8_t)rf->flows[i].cube;
    }
    err = merge(fa, bs, rf->flows_count);
    if (err > 0)
        log_info("re-learned %d flow(s) of %u routing carries", err, (unsigned)rf->flows_count);
    else if (err < 0)
        log_warn("cannot re-learn routing's flows: %s", strerror(-err));
out:
    free(bs);
    free(body);
    free(rf);
    return err < 0 ? err : 0;
}

static void resend(void *arg, uint64_t dst, const uint8_t *buf, size_t len)
{
    struct fa *fa = arg;

    mgmt_link_send(&fa->link, dst, buf, len);
}

static void expired(void *arg, struct fa_flow *f)
{
    struct timed_out *to = arg;

    fa_resend_cancel(to->fa->resend, f->eid);
    fa_side_drop(to->fa, f->eid);
    if (!f->outbound || f->state != FA_PENDING)
        return;
    if (to->n == to->cap) {
        size_t cap = to->cap == 0 ? 8 : to->cap * 2;
        uint32_t *ids = realloc(to->ids, cap * sizeof(*ids));

        if (ids == NULL)
            return; /* routing's own timeout ends that one */
        to->ids = ids;
        to->cap = cap;
    }
    to->ids[to->n++] = f->flow_id;
}

void *fa_tick_main(void *arg)
{
    struct fa *fa = arg;
    struct bus_client *bc = fa_client(fa, fa->routing_ep, "tick");
    uint64_t next_attach = 0, next_hb = 0, next_sync = 0;
    struct timed_out to = {.fa = fa};
    bool said = false;

    if (bc == NULL) {
        log_err("cannot make a bus client: the fa cannot attach");
        return NULL;
    }
    bus_client_on_epoch(bc, on_epoch, fa);
    while (!atomic_load(&fa->stop)) {
        uint64_t now = now_ns();
        struct timespec ts;

        if (!atomic_load(&fa->attached) && now >= next_attach) {
            attach(fa, &said);
            next_attach = now_ns() + ATTACH_NS;
        } else if (atomic_load(&fa->attached)) {
            if (atomic_load(&fa->addr) == 0 && now >= next_attach) {
                refresh(fa);
                next_attach = now_ns() + ATTACH_NS;
            }
            if (now >= next_hb) {
                heartbeat(fa, bc);
                next_hb = now_ns() + HEARTBEAT_NS;
            }
            /* routing may not serve FLOWS yet: "no flows", ask again later */
            if (atomic_load(&fa->resync) && now >= next_sync) {
                if (resync(fa, bc) == 0)
                    atomic_store(&fa->resync, false);
                next_sync = now_ns() + RESYNC_NS;
            }
        }

        now = now_ns();
        to.n = 0;
        pthread_mutex_lock(&fa->lock);
        if (atomic_load(&fa->attached))
            fa_resend_due(fa->resend, now, resend, fa);
        fa_table_expire(fa->table, now, expired, &to);
        pthread_mutex_unlock(&fa->lock);
        for (size_t i = 0; i < to.n; i++) {
            log_info("flow %" PRIu32 " not allocated: no reply in time", to.ids[i]);
            fa_routing_reply(bc, to.ids[i], -ETIMEDOUT, 0, 0, 0, 0);
        }

        now = now_ns() + TICK_NS;
        ts.tv_sec = (time_t)(now / 1000000000ull);
        ts.tv_nsec = (long)(now % 1000000000ull);
        pthread_mutex_lock(&fa->lock);
        if (!atomic_load(&fa->stop))
            pthread_cond_timedwait(&fa->cond, &fa->lock, &ts);
        pthread_mutex_unlock(&fa->lock);
    }
    free(to.ids);
    bus_client_destroy(&bc);
    return NULL;
}
