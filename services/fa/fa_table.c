/*
 * fa_table.c - flows in two chained hash tables (by our eid, by request)
 * and one list (for expiry and export); released eids in a ring.
 */
#include "fa_table.h"
#include "wire.h"

#include "fa_msg.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct quarantined {
    uint64_t eid;
    uint64_t since;
};

struct fa_table {
    size_t max_flows;
    size_t count;
    size_t mask; /* buckets - 1 */
    struct fa_flow **by_eid;
    struct fa_flow **by_req;
    struct fa_flow *all;
    fa_rand_fn rnd;
    void *rnd_arg;
    /* released eids, oldest at q_head; q_len of FA_QUARANTINE_MAX used */
    struct quarantined *q;
    size_t q_head;
    size_t q_len;
};

static int rand_os(void *arg, uint64_t *out)
{
    (void)arg;
    if (getrandom(out, sizeof(*out), 0) != (ssize_t)sizeof(*out))
        return -errno ? -errno : -EIO;
    return 0;
}

static size_t eid_bucket(const struct fa_table *t, uint64_t eid)
{
    /* Ids are random, but a snapshot or a poor source may not be. */
    return (size_t)((eid * 0x9e3779b97f4a7c15ull) >> 17) & t->mask;
}

static size_t req_bucket(const struct fa_table *t, uint64_t addr, uint64_t req_id, bool out)
{
    uint64_t h = (addr * 0xff51afd7ed558ccdull) ^ (req_id * 0x9e3779b97f4a7c15ull) ^ out;

    return (size_t)(h ^ (h >> 29)) & t->mask;
}

struct fa_table *fa_table_new(size_t max_flows, fa_rand_fn rnd, void *arg)
{
    struct fa_table *t;
    size_t buckets = 16;

    assert(max_flows > 0);
    while (buckets < max_flows && buckets < ((size_t)1 << 20))
        buckets <<= 1;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        goto fail_table;
    t->by_eid = calloc(buckets, sizeof(*t->by_eid));
    if (t->by_eid == NULL)
        goto fail_eid;
    t->by_req = calloc(buckets, sizeof(*t->by_req));
    if (t->by_req == NULL)
        goto fail_req;
    t->q = calloc(FA_QUARANTINE_MAX, sizeof(*t->q));
    if (t->q == NULL)
        goto fail_q;
    t->max_flows = max_flows;
    t->mask = buckets - 1;
    t->rnd = rnd != NULL ? rnd : rand_os;
    t->rnd_arg = arg;
    return t;

fail_q:
    free(t->by_req);
fail_req:
    free(t->by_eid);
fail_eid:
    free(t);
fail_table:
    return NULL;
}

static void flow_free(struct fa_flow *f)
{
    free(f->reply);
    free(f);
}

static void unlink_flow(struct fa_table *t, struct fa_flow *f)
{
    struct fa_flow **pp;

    for (pp = &t->by_eid[eid_bucket(t, f->eid)]; *pp != f; pp = &(*pp)->next_eid)
        ;
    *pp = f->next_eid;
    for (pp = &t->by_req[req_bucket(t, f->peer_addr, f->req_id, f->outbound)]; *pp != f;
         pp = &(*pp)->next_req)
        ;
    *pp = f->next_req;
    if (f->prev_all != NULL)
        f->prev_all->next_all = f->next_all;
    else
        t->all = f->next_all;
    if (f->next_all != NULL)
        f->next_all->prev_all = f->prev_all;
    t->count--;
}

static void link_flow(struct fa_table *t, struct fa_flow *f)
{
    size_t b = eid_bucket(t, f->eid);
    size_t r = req_bucket(t, f->peer_addr, f->req_id, f->outbound);

    f->next_eid = t->by_eid[b];
    t->by_eid[b] = f;
    f->next_req = t->by_req[r];
    t->by_req[r] = f;
    f->prev_all = NULL;
    f->next_all = t->all;
    if (t->all != NULL)
        t->all->prev_all = f;
    t->all = f;
    t->count++;
}

static void clear(struct fa_table *t)
{
    while (t->all != NULL) {
        struct fa_flow *f = t->all;

        unlink_flow(t, f);
        flow_free(f);
    }
}

void fa_table_destroy(struct fa_table **p)
{
    struct fa_table *t;

    assert(p != NULL);
    t = *p;
    if (t == NULL)
        return;
    clear(t);
    free(t->q);
    free(t->by_req);
    free(t->by_eid);
    free(t);
    *p = NULL;
}

size_t fa_table_count(const struct fa_table *t)
{
    assert(t != NULL);
    return t->count;
}

struct fa_flow *fa_table_by_eid(const struct fa_table *t, uint64_t eid)
{
    struct fa_flow *f;

    assert(t != NULL);
    for (f = t->by_eid[eid_bucket(t, eid)]; f != NULL; f = f->next_eid)
        if (f->eid == eid)
            return f;
    return NULL;
}

struct fa_flow *fa_table_by_req(const struct fa_table *t, uint64_t peer_addr, uint64_t req_id,
                                bool outbound)
{
    struct fa_flow *f;

    assert(t != NULL);
    for (f = t->by_req[req_bucket(t, peer_addr, req_id, outbound)]; f != NULL; f = f->next_req)
        if (f->peer_addr == peer_addr && f->req_id == req_id && f->outbound == outbound)
            return f;
    return NULL;
}

static bool quarantined(const struct fa_table *t, uint64_t eid)
{
    for (size_t i = 0; i < t->q_len; i++)
        if (t->q[(t->q_head + i) % FA_QUARANTINE_MAX].eid == eid)
            return true;
    return false;
}

static void quarantine(struct fa_table *t, uint64_t eid, uint64_t now)
{
    /* Full: the oldest one leaves first, as it would by age. */
    if (t->q_len == FA_QUARANTINE_MAX) {
        t->q_head = (t->q_head + 1) % FA_QUARANTINE_MAX;
        t->q_len--;
    }
    t->q[(t->q_head + t->q_len) % FA_QUARANTINE_MAX] = (struct quarantined){eid, now};
    t->q_len++;
}

/* A random eid that no live flow has and none released lately had. */
static int eid_fresh(struct fa_table *t, uint64_t *eid)
{
    for (int i = 0; i < FA_EID_TRIES; i++) {
        int r = t->rnd(t->rnd_arg, eid);

        if (r < 0)
            return r;
        if (*eid != 0 && fa_table_by_eid(t, *eid) == NULL && !quarantined(t, *eid))
            return 0;
    }
    return -EAGAIN;
}

static int flow_new(struct fa_table *t, uint64_t peer_addr, const qosspec_t *qos,
                    uint32_t max_sdu, uint64_t deadline, struct fa_flow **f)
{
    struct fa_flow *n;
    int r;

    if (t->count >= t->max_flows)
        return -ENOSPC;
    n = calloc(1, sizeof(*n));
    if (n == NULL)
        return -ENOMEM;
    r = eid_fresh(t, &n->eid);
    if (r < 0) {
        free(n);
        return r;
    }
    n->peer_addr = peer_addr;
    n->qos = *qos;
    n->max_sdu = max_sdu;
    n->deadline = deadline;
    n->state = FA_PENDING;
    *f = n;
    return 0;
}

int fa_table_open(struct fa_table *t, uint64_t peer_addr, uint32_t flow_id,
                  const qosspec_t *qos, uint32_t max_sdu, uint64_t deadline, struct fa_flow **f)
{
    struct fa_flow *n;
    int r;

    assert(t != NULL && qos != NULL && f != NULL && peer_addr != 0);
    r = flow_new(t, peer_addr, qos, max_sdu, deadline, &n);
    if (r < 0)
        return r;
    /* The request id is ours to pick: unique among our requests to that
     * peer, so its reply finds this flow and no other. */
    for (int i = 0; i < FA_EID_TRIES && n->req_id == 0; i++) {
        r = t->rnd(t->rnd_arg, &n->req_id);
        if (r < 0)
            break;
        if (fa_table_by_req(t, peer_addr, n->req_id, true) != NULL)
            n->req_id = 0;
    }
    if (n->req_id == 0) {
        free(n);
        return r < 0 ? r : -EAGAIN;
    }
    n->flow_id = flow_id;
    n->outbound = true;
    link_flow(t, n);
    *f = n;
    return 0;
}

int fa_table_arrive(struct fa_table *t, uint64_t peer_addr, uint64_t req_id, uint64_t peer_eid,
                    const qosspec_t *qos, uint32_t max_sdu, uint64_t deadline,
                    struct fa_flow **f)
{
    struct fa_flow *n;
    int r;

    assert(t != NULL && qos != NULL && f != NULL);
    if (peer_addr == 0 || req_id == 0 || peer_eid == 0)
        return -EINVAL;
    n = fa_table_by_req(t, peer_addr, req_id, false);
    if (n != NULL) {
        if (n->peer_eid != peer_eid)
            return -EINVAL;
        *f = n;
        return -EEXIST;
    }
    r = flow_new(t, peer_addr, qos, max_sdu, deadline, &n);
    if (r < 0)
        return r;
    n->req_id = req_id;
    n->peer_eid = peer_eid;
    link_flow(t, n);
    *f = n;
    return 0;
}

int fa_table_set_reply(struct fa_table *t, struct fa_flow *f, const uint8_t *reply, size_t len)
{
    uint8_t *copy;

    assert(t != NULL && f != NULL && reply != NULL && len > 0);
    copy = malloc(len);
    if (copy == NULL)
        return -ENOMEM;
    memcpy(copy, reply, len);
    free(f->reply);
    f->reply = copy;
    f->reply_len = len;
    return 0;
}

int fa_table_accept(struct fa_table *t, struct fa_flow *f)
{
    assert(t != NULL && f != NULL);
    if (f->outbound || f->state != FA_PENDING)
        return -EINVAL;
    f->state = FA_ALLOCATED;
    return 0;
}

int fa_table_reply(struct fa_table *t, uint64_t eid, uint64_t req_id, uint64_t peer_eid,
                   struct fa_flow **f)
{
    struct fa_flow *n = fa_table_by_eid(t, eid);

    assert(f != NULL);
    if (n == NULL || !n->outbound || n->req_id != req_id || peer_eid == 0)
        return -ENOENT;
    if (n->state == FA_ALLOCATED && n->peer_eid == peer_eid) {
        *f = n;
        return -EALREADY;
    }
    if (n->state != FA_PENDING)
        return -ENOENT;
    n->peer_eid = peer_eid;
    n->state = FA_ALLOCATED;
    *f = n;
    return 0;
}

void fa_table_dealloc(struct fa_table *t, struct fa_flow *f, uint64_t deadline)
{
    assert(t != NULL && f != NULL);
    f->state = FA_DEALLOCATING;
    f->deadline = deadline;
}

void fa_table_remove(struct fa_table *t, struct fa_flow *f, uint64_t now)
{
    assert(t != NULL && f != NULL);
    unlink_flow(t, f);
    quarantine(t, f->eid, now);
    flow_free(f);
}

size_t fa_table_expire(struct fa_table *t, uint64_t now,
                       void (*fn)(void *arg, struct fa_flow *f), void *arg)
{
    struct fa_flow *f, *next;
    size_t n = 0;

    assert(t != NULL);
    while (t->q_len > 0 && now - t->q[t->q_head].since >= FA_QUARANTINE_NS &&
           now >= t->q[t->q_head].since) {
        t->q_head = (t->q_head + 1) % FA_QUARANTINE_MAX;
        t->q_len--;
    }
    for (f = t->all; f != NULL; f = next) {
        next = f->next_all;
        if (f->state == FA_ALLOCATED || f->deadline > now)
            continue;
        if (fn != NULL)
            fn(arg, f);
        fa_table_remove(t, f, now);
        n++;
    }
    return n;
}

void fa_table_foreach(const struct fa_table *t, void (*fn)(void *arg, const struct fa_flow *f),
                      void *arg)
{
    assert(t != NULL && fn != NULL);
    for (const struct fa_flow *f = t->all; f != NULL; f = f->next_all)
        fn(arg, f);
}

/* ---- snapshot ---- */

/* FNV-1a, 64 bits: catches the bit flips and torn writes a structural
 * check lets through (a changed address or deadline). */
static uint64_t snap_sum(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

size_t fa_table_export_len(const struct fa_table *t)
{
    assert(t != NULL);
    return FA_SNAP_HDR_LEN + t->count * FA_SNAP_REC_LEN + FA_SNAP_SUM_LEN;
}

/*
 * A snapshot: a 16-byte header, 80 bytes per flow, an 8-byte checksum.
 *
 *    0: magic "OFAT" | 4: version 1 | 5-7: zero | 8: count u32 | 12-15: zero
 *
 * A flow:
 *    0: eid u64        8: peer_eid u64   16: peer_addr u64  24: req_id u64
 *   32: deadline u64  40: bandwidth u64  48: delay u32      52: loss u32
 *   56: ber u32       60: max_gap u32    64: timeout u32    68: max_sdu u32
 *   72: flow_id u32   76: state u8       77: outbound u8    78: availability u8
 *   79: in_order u8
 *
 * Then FNV-1a 64 of everything before it. Kept replies and the quarantine
 * are not saved: a restarted fa answers a repeated REQ of an accepted flow
 * from the flow itself, and its eids are random.
 */
static void rec_put(const struct fa_flow *f, uint8_t *r)
{
    wire_put64(r, f->eid);
    wire_put64(r + 8, f->peer_eid);
    wire_put64(r + 16, f->peer_addr);
    wire_put64(r + 24, f->req_id);
    wire_put64(r + 32, f->deadline);
    wire_put64(r + 40, f->qos.bandwidth);
    wire_put32(r + 48, f->qos.delay);
    wire_put32(r + 52, f->qos.loss);
    wire_put32(r + 56, f->qos.ber);
    wire_put32(r + 60, f->qos.max_gap);
    wire_put32(r + 64, f->qos.timeout);
    wire_put32(r + 68, f->max_sdu);
    wire_put32(r + 72, f->flow_id);
    r[76] = f->state;
    r[77] = f->outbound;
    r[78] = f->qos.availability;
    r[79] = f->qos.in_order;
}

/* One record into f (links zero): 0 or -EBADMSG. */
static int rec_get(const uint8_t *r, struct fa_flow *f)
{
    memset(f, 0, sizeof(*f));
    f->eid = wire_get64(r);
    f->peer_eid = wire_get64(r + 8);
    f->peer_addr = wire_get64(r + 16);
    f->req_id = wire_get64(r + 24);
    f->deadline = wire_get64(r + 32);
    f->qos.bandwidth = wire_get64(r + 40);
    f->qos.delay = wire_get32(r + 48);
    f->qos.loss = wire_get32(r + 52);
    f->qos.ber = wire_get32(r + 56);
    f->qos.max_gap = wire_get32(r + 60);
    f->qos.timeout = wire_get32(r + 64);
    f->max_sdu = wire_get32(r + 68);
    f->flow_id = wire_get32(r + 72);
    f->state = r[76];
    f->outbound = r[77] != 0;
    f->qos.availability = r[78];
    f->qos.in_order = r[79];
    if (f->eid == 0 || f->peer_addr == 0 || f->req_id == 0 || r[77] > 1)
        return -EBADMSG;
    if (f->state < FA_PENDING || f->state > FA_DEALLOCATING)
        return -EBADMSG;
    if (fa_msg_qos_check(&f->qos) < 0 || f->max_sdu < FA_SDU_MIN || f->max_sdu > FA_SDU_MAX)
        return -EBADMSG;
    /* The peer's eid is known unless we asked and have no answer yet. */
    if ((f->peer_eid == 0) != (f->outbound && f->state == FA_PENDING))
        return -EBADMSG;
    return 0;
}

long fa_table_export(const struct fa_table *t, uint8_t *buf, size_t len)
{
    size_t n = fa_table_export_len(t);
    uint8_t *r = buf + FA_SNAP_HDR_LEN;

    assert(buf != NULL);
    if (len < n)
        return -EMSGSIZE;
    memset(buf, 0, FA_SNAP_HDR_LEN);
    wire_put32(buf, FA_SNAP_MAGIC);
    buf[4] = FA_SNAP_VERSION;
    wire_put32(buf + 8, (uint32_t)t->count);
    for (const struct fa_flow *f = t->all; f != NULL; f = f->next_all) {
        rec_put(f, r);
        r += FA_SNAP_REC_LEN;
    }
    wire_put64(r, snap_sum(buf, (size_t)(r - buf)));
    return (long)n;
}

int fa_table_import(struct fa_table *t, const uint8_t *buf, size_t len)
{
    static const uint8_t zero[4];
    size_t count, body;
    int r = -EBADMSG;

    assert(t != NULL && (buf != NULL || len == 0));
    if (t->count > 0)
        return -EBUSY;
    if (len < FA_SNAP_HDR_LEN + FA_SNAP_SUM_LEN || wire_get32(buf) != FA_SNAP_MAGIC ||
        buf[4] != FA_SNAP_VERSION || memcmp(buf + 5, zero, 3) != 0 ||
        memcmp(buf + 12, zero, 4) != 0)
        return -EBADMSG;
    count = wire_get32(buf + 8);
    body = len - FA_SNAP_HDR_LEN - FA_SNAP_SUM_LEN;
    if (body % FA_SNAP_REC_LEN != 0 || body / FA_SNAP_REC_LEN != count)
        return -EBADMSG;
    if (wire_get64(buf + len - FA_SNAP_SUM_LEN) != snap_sum(buf, len - FA_SNAP_SUM_LEN))
        return -EBADMSG;
    if (count > t->max_flows)
        return -ENOSPC;
    /* Last record first: flows are linked at the head, so the table lists
     * them in the snapshot's order and exports the same bytes. */
    for (size_t i = count; i-- > 0;) {
        struct fa_flow *f = malloc(sizeof(*f));

        if (f == NULL) {
            r = -ENOMEM;
            goto fail;
        }
        if (rec_get(buf + FA_SNAP_HDR_LEN + i * FA_SNAP_REC_LEN, f) < 0 ||
            fa_table_by_eid(t, f->eid) != NULL ||
            fa_table_by_req(t, f->peer_addr, f->req_id, f->outbound) != NULL) {
            free(f);
            goto fail;
        }
        link_flow(t, f);
    }
    return 0;

fail:
    clear(t);
    return r;
}

const char *fa_state_str(uint8_t state)
{
    switch (state) {
    case FA_PENDING:
        return "pending";
    case FA_ALLOCATED:
        return "allocated";
    case FA_DEALLOCATING:
        return "deallocating";
    default:
        return "unknown";
    }
}
