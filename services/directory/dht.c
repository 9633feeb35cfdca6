/*
 * dht.c - the DHT node: routing table, value store and lookups (dht_op.c)
 * behind the message handlers, the timers and the calls of its user.
 */
#include "dht_node.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void dht_params_default(struct dht_params *p)
{
    assert(p);
    *p = (struct dht_params){
        .id_len = 32,
        .k = 8,
        .alpha = 3,
        .max_values = 8,
        .t_expire = 86400,
        .t_refresh = 900,
        .t_replicate = 900,
        .t_response = 2000,
    };
}

/* xorshift64*: cookies and refresh targets need to be unpredictable enough
 * to tell requests apart, not secret. */
static uint64_t rnd(struct dht *d)
{
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * 0x2545f4914f6cdd1dull;
}

static bool cookie_used(const struct dht *d, uint32_t c)
{
    if (c == 0 || c == d->boot_cookie)
        return true;
    for (const struct op *o = d->ops; o != NULL; o = o->next) {
        if (o->cookie == c)
            return true;
    }
    for (size_t i = 0; i < PINGS_MAX; i++) {
        if (d->pings[i].cookie == c)
            return true;
    }
    return false;
}

uint32_t dht_new_cookie(struct dht *d)
{
    uint32_t c;

    do {
        c = (uint32_t)(rnd(d) >> 32);
    } while (cookie_used(d, c)); /* ends: at most 161 cookies are in use */
    return c;
}

struct dht *dht_new(const struct dht_params *p, const uint8_t *my_id, uint64_t my_addr,
                    dht_send_fn send, void *ctx)
{
    struct dht *d;

    assert(p && my_id && send);
    if (my_addr == 0 || p->max_values == 0 || p->max_values > DHT_MSG_MAX_VALUES ||
        p->alpha == 0 || p->alpha > DHT_LOOKUP_ALPHA_MAX || p->t_response == 0 ||
        p->t_expire == 0 || p->t_replicate == 0 || p->t_refresh == 0)
        return NULL;
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->p = *p;
    memcpy(d->id, my_id, p->id_len <= DHT_ID_MAX ? p->id_len : 0);
    d->addr = my_addr;
    d->send = send;
    d->ctx = ctx;
    d->kb = kbucket_new(p->id_len, p->k, my_id);
    if (d->kb == NULL)
        goto fail_kb;
    d->st = dht_store_new(p->id_len, p->max_values);
    if (d->st == NULL)
        goto fail_st;
    d->rng = my_addr * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < p->id_len; i++)
        d->rng = (d->rng ^ my_id[i]) * 0x100000001b3ull;
    if (d->rng == 0)
        d->rng = 1;
    return d;

fail_st:
    kbucket_destroy(&d->kb);
fail_kb:
    free(d);
    return NULL;
}

void dht_destroy(struct dht **p)
{
    struct dht *d;

    assert(p);
    d = *p;
    if (d == NULL)
        return;
    while (d->ops != NULL) {
        struct op *o = d->ops;

        d->ops = o->next;
        dht_op_free(o);
    }
    dht_store_destroy(&d->st);
    kbucket_destroy(&d->kb);
    free(d);
    *p = NULL;
}

static void ping_start(struct dht *d, const struct dht_contact *c, uint64_t now)
{
    struct ping *free_slot = NULL;
    struct dht_msg m;

    for (size_t i = 0; i < PINGS_MAX; i++) {
        if (d->pings[i].cookie == 0) {
            free_slot = free_slot ? free_slot : &d->pings[i];
            continue;
        }
        if (memcmp(d->pings[i].c.id, c->id, d->p.id_len) == 0)
            return;
    }
    if (free_slot == NULL)
        return; /* enough checks in flight; the candidate waits for the next */
    free_slot->cookie = dht_new_cookie(d);
    free_slot->c = *c;
    free_slot->sent = now;
    /* A ping is a FIND_NODE for the contact's own id: any answer will do. */
    dht_prepare_msg(d, &m, DHT_FIND_NODE_REQ, free_slot->cookie, c->id);
    dht_send_msg(d, c->addr, &m);
}

static void heard_from(struct dht *d, const struct dht_contact *c, uint64_t now)
{
    struct dht_contact lru;

    if (kbucket_seen(d->kb, c, now, &lru) == KBUCKET_FULL)
        ping_start(d, &lru, now);
}

int dht_bootstrap(struct dht *d, uint64_t addr, uint64_t now)
{
    struct dht_msg m;

    assert(d);
    if (addr == 0 || addr == d->addr)
        return -EINVAL;
    d->boot_cookie = 0;
    d->boot_cookie = dht_new_cookie(d);
    d->boot_addr = addr;
    d->boot_sent = now;
    d->boot_tries = 1;
    dht_prepare_msg(d, &m, DHT_FIND_NODE_REQ, d->boot_cookie, d->id);
    dht_send_msg(d, addr, &m);
    return 0;
}

static void answer_find(struct dht *d, const struct dht_msg *req, uint64_t from, uint64_t now)
{
    struct dht_msg m;
    struct dht_stored v[DHT_MSG_MAX_VALUES];
    size_t nv = 0;
    bool value = req->code == DHT_FIND_VALUE_REQ;

    dht_prepare_msg(d, &m, value ? DHT_FIND_VALUE_RSP : DHT_FIND_NODE_RSP, req->cookie,
                    req->key);
    if (value)
        nv = dht_store_get(d->st, req->key, now, v, DHT_MSG_MAX_VALUES);
    for (size_t i = 0; i < nv; i++) {
        uint64_t left = (v[i].expire - now + 999) / 1000;

        m.values[i].addr = v[i].addr;
        m.values[i].ttl = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
    }
    m.n_values = nv;
    m.n_contacts = kbucket_closest(d->kb, req->key, d->p.k, m.contacts);
    dht_send_msg(d, from, &m);
}

static void take_store(struct dht *d, const struct dht_msg *msg, uint64_t now)
{
    uint64_t period = (uint64_t)d->p.t_replicate * 1000;

    for (size_t i = 0; i < msg->n_values; i++) {
        uint32_t ttl = msg->values[i].ttl;

        if (ttl > d->p.t_expire)
            ttl = d->p.t_expire;
        /* A refused value (tombstone, full key) is the sender's problem. */
        (void)dht_store_put(d->st, msg->key, msg->values[i].addr, now + (uint64_t)ttl * 1000,
                            now + period, false);
    }
}

static void take_remove(struct dht *d, const struct dht_msg *msg, uint64_t now)
{
    uint64_t until = now + (uint64_t)d->p.t_expire * 1000;

    for (size_t i = 0; i < msg->n_values; i++) {
        /* Only a publisher withdraws, and only its own address. */
        if (msg->values[i].addr == msg->src_addr)
            (void)dht_store_remove(d->st, msg->key, msg->values[i].addr, until);
    }
}

/* The contacts of a response worth asking: one claiming our address is
 * lying or stale. How many went to out. */
static size_t usable_contacts(const struct dht *d, const struct dht_msg *msg,
                              struct dht_contact *out)
{
    size_t n = 0;

    for (size_t i = 0; i < msg->n_contacts; i++) {
        if (msg->contacts[i].addr != d->addr)
            out[n++] = msg->contacts[i];
    }
    return n;
}

static void take_response(struct dht *d, const struct dht_msg *msg, uint64_t now)
{
    struct dht_contact contacts[DHT_MSG_MAX_CONTACTS];
    size_t n = usable_contacts(d, msg, contacts);
    struct op *o;

    if (d->boot_cookie != 0 && msg->cookie == d->boot_cookie &&
        msg->code == DHT_FIND_NODE_RSP) {
        o = dht_op_start(d, OP_JOIN, DHT_LOOKUP_NODE, d->id);
        if (o == NULL)
            return; /* asked again at the next tick */
        d->boot_cookie = 0;
        dht_lookup_seed(o->lk, contacts, n);
        dht_op_pump(d, o, now);
        return;
    }
    for (size_t i = 0; i < PINGS_MAX; i++) {
        if (d->pings[i].cookie != 0 && d->pings[i].cookie == msg->cookie &&
            memcmp(d->pings[i].c.id, msg->src_id, d->p.id_len) == 0) {
            d->pings[i].cookie = 0; /* heard_from already refreshed it */
            return;
        }
    }
    o = dht_op_find(d, msg->cookie);
    if (o == NULL)
        return;
    if ((msg->code == DHT_FIND_VALUE_RSP) != (dht_lookup_get_kind(o->lk) == DHT_LOOKUP_VALUE))
        return;
    if (memcmp(msg->key, dht_lookup_key(o->lk), d->p.id_len) != 0)
        return;
    if (dht_lookup_response(o->lk, msg->src_id, contacts, n, msg->values, msg->n_values) < 0)
        return;
    dht_op_pump(d, o, now);
}

int dht_recv(struct dht *d, const uint8_t *buf, size_t len, uint64_t from, uint64_t now)
{
    struct dht_msg msg;
    struct dht_contact sender;

    assert(d && (buf || len == 0));
    d->stats.msgs_recv++;
    if (len == 0 || dht_msg_decode(buf, len, d->p.id_len, &msg) < 0 || msg.src_addr != from ||
        from == d->addr || memcmp(msg.src_id, d->id, d->p.id_len) == 0) {
        d->stats.msgs_bad++;
        return -EBADMSG;
    }
    sender.addr = from;
    memcpy(sender.id, msg.src_id, d->p.id_len);
    heard_from(d, &sender, now);
    switch (msg.code) {
    case DHT_STORE:
        take_store(d, &msg, now);
        break;
    case DHT_REMOVE:
        take_remove(d, &msg, now);
        break;
    case DHT_FIND_NODE_REQ:
    case DHT_FIND_VALUE_REQ:
        answer_find(d, &msg, from, now);
        break;
    default:
        take_response(d, &msg, now);
        break;
    }
    return 0;
}

struct push_ctx {
    struct dht *d;
    uint64_t now;
};

/* Our own values: refresh their lifetime and store them again at the key's
 * closest nodes, found anew (the network may have changed). */
static void republish_key(void *ctx, const uint8_t *key, const struct dht_stored *v, size_t n)
{
    struct push_ctx *pc = ctx;
    struct dht *d = pc->d;
    struct op *o = dht_op_start(d, OP_PUBLISH, DHT_LOOKUP_NODE, key);
    uint64_t expire = pc->now + (uint64_t)d->p.t_expire * 1000;

    for (size_t i = 0; i < n; i++) {
        (void)dht_store_put(d->st, key, v[i].addr, expire, v[i].due, true);
        if (o != NULL)
            o->values[o->n_values++] = (struct dht_value){v[i].addr, d->p.t_expire};
    }
    if (o != NULL)
        dht_op_pump(d, o, pc->now);
}

/* Other nodes' values: push them to the closest nodes we know, with the
 * lifetime they have left (a copy never outlives its original). */
static void replicate_key(void *ctx, const uint8_t *key, const struct dht_stored *v, size_t n)
{
    struct push_ctx *pc = ctx;
    struct dht *d = pc->d;
    struct dht_contact to[KBUCKET_K_MAX];
    struct dht_value val[DHT_MSG_MAX_VALUES];
    size_t n_to = kbucket_closest(d->kb, key, d->p.k, to);
    size_t n_val = 0;

    /* Rounded down: a chain of copies must not creep past the original. */
    for (size_t i = 0; i < n; i++) {
        uint64_t left = (v[i].expire - pc->now) / 1000;

        if (left > 0)
            val[n_val++] = (struct dht_value){v[i].addr, (uint32_t)left};
    }
    dht_send_values(d, DHT_STORE, key, val, n_val, to, n_to);
}

static void tick_requests(struct dht *d, uint64_t now)
{
    struct dht_contact failed[DHT_LOOKUP_SHORTLIST];
    struct op *o, *next;
    struct dht_msg m;

    for (size_t i = 0; i < PINGS_MAX; i++) {
        struct ping *p = &d->pings[i];

        if (p->cookie == 0 || now < p->sent + d->p.t_response)
            continue;
        p->cookie = 0;
        d->stats.timeouts++;
        (void)kbucket_failed(d->kb, p->c.id);
    }
    if (d->boot_cookie != 0 && now >= d->boot_sent + d->p.t_response) {
        d->stats.timeouts++;
        if (d->boot_tries >= BOOT_TRIES) {
            d->boot_cookie = 0;
        } else {
            d->boot_tries++;
            d->boot_sent = now;
            dht_prepare_msg(d, &m, DHT_FIND_NODE_REQ, d->boot_cookie, d->id);
            dht_send_msg(d, d->boot_addr, &m);
        }
    }
    for (o = d->ops; o != NULL; o = next) {
        size_t n = dht_lookup_expire(o->lk, now, failed, DHT_LOOKUP_SHORTLIST);

        next = o->next;
        d->stats.timeouts += n;
        for (size_t i = 0; i < n; i++)
            (void)kbucket_failed(d->kb, failed[i].id);
        dht_op_pump(d, o, now); /* may free o */
    }
}

void dht_refresh_buckets(struct dht *d, uint64_t now)
{
    uint8_t rand_id[DHT_ID_MAX], target[DHT_ID_MAX];
    uint64_t period = (uint64_t)d->p.t_refresh * 1000;

    /* Half the lookup slots at most: refreshes must not starve queries. */
    for (size_t i = 0; i < 8 * DHT_ID_MAX && d->n_ops < DHT_OPS_MAX / 2; i++) {
        struct op *o;

        for (size_t j = 0; j < d->p.id_len; j++)
            rand_id[j] = (uint8_t)rnd(d);
        if (kbucket_refresh_due(d->kb, now, period, rand_id, target) < 0)
            break;
        o = dht_op_start(d, OP_REFRESH, DHT_LOOKUP_NODE, target);
        if (o != NULL)
            dht_op_pump(d, o, now);
    }
}

void dht_tick(struct dht *d, uint64_t now)
{
    struct push_ctx pc = {d, now};
    uint64_t period = (uint64_t)d->p.t_replicate * 1000;

    assert(d);
    tick_requests(d, now);
    dht_store_expire(d->st, now);
    dht_store_republish(d->st, now, period, republish_key, &pc);
    dht_store_replicate(d->st, now, period, replicate_key, &pc);
    dht_refresh_buckets(d, now);
}

int dht_publish(struct dht *d, const uint8_t *key, uint64_t addr, uint64_t now)
{
    uint64_t period = (uint64_t)d->p.t_replicate * 1000;
    struct op *o;
    int rc;

    assert(d && key);
    if (addr == 0)
        return -EINVAL;
    if (d->n_ops >= DHT_OPS_MAX)
        return -EBUSY;
    rc = dht_store_put(d->st, key, addr, now + (uint64_t)d->p.t_expire * 1000, now + period,
                       true);
    if (rc < 0)
        return rc;
    o = dht_op_start(d, OP_PUBLISH, DHT_LOOKUP_NODE, key);
    if (o == NULL)
        return -ENOMEM; /* kept here; republished at the next period */
    o->values[0] = (struct dht_value){addr, d->p.t_expire};
    o->n_values = 1;
    dht_op_pump(d, o, now);
    return 0;
}

int dht_unpublish(struct dht *d, const uint8_t *key, uint64_t now)
{
    struct dht_stored v[DHT_MSG_MAX_VALUES];
    struct dht_value own[DHT_MSG_MAX_VALUES];
    uint64_t until = now + (uint64_t)d->p.t_expire * 1000;
    size_t n, n_ours = 0, n_own = 0;
    struct op *o;

    assert(d && key);
    if (d->n_ops >= DHT_OPS_MAX)
        return -EBUSY;
    n = dht_store_get(d->st, key, now, v, DHT_MSG_MAX_VALUES);
    for (size_t i = 0; i < n; i++) {
        if (!v[i].mine)
            continue;
        n_ours++;
        (void)dht_store_remove(d->st, key, v[i].addr, until);
        /* REMOVE is honoured for the sender's own address only; copies of
         * other addresses we published expire. */
        if (v[i].addr == d->addr)
            own[n_own++] = (struct dht_value){v[i].addr, 0};
    }
    if (n_ours == 0)
        return -ENOENT;
    if (n_own == 0)
        return 0;
    o = dht_op_start(d, OP_UNPUBLISH, DHT_LOOKUP_NODE, key);
    if (o == NULL)
        return -ENOMEM; /* the copies expire at the latest after t_expire */
    memcpy(o->values, own, n_own * sizeof(*own));
    o->n_values = n_own;
    dht_op_pump(d, o, now);
    return 0;
}

int dht_query(struct dht *d, const uint8_t *key, uint64_t now, dht_query_fn cb, void *cb_ctx)
{
    struct dht_stored v[DHT_MSG_MAX_VALUES];
    struct dht_value out[DHT_MSG_MAX_VALUES];
    size_t n;
    struct op *o;

    assert(d && key && cb);
    n = dht_store_get(d->st, key, now, v, DHT_MSG_MAX_VALUES);
    if (n > 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = (struct dht_value){v[i].addr, (uint32_t)((v[i].expire - now) / 1000)};
        d->stats.queries_local++;
        cb(cb_ctx, key, 0, out, n);
        return 0;
    }
    if (d->n_ops >= DHT_OPS_MAX)
        return -EBUSY;
    o = dht_op_start(d, OP_QUERY, DHT_LOOKUP_VALUE, key);
    if (o == NULL)
        return -ENOMEM;
    o->cb = cb;
    o->cb_ctx = cb_ctx;
    dht_op_pump(d, o, now);
    return 0;
}

void dht_get_stats(const struct dht *d, struct dht_stats *s)
{
    assert(d && s);
    *s = d->stats;
}

size_t dht_contacts(const struct dht *d)
{
    assert(d);
    return kbucket_count(d->kb);
}

size_t dht_pending(const struct dht *d)
{
    assert(d);
    return d->n_ops;
}
