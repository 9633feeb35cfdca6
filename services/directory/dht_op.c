/*
 * dht_op.c - the lookups a DHT node runs ("ops"): each is started with a
 * purpose, driven by answers and timeouts, and acts when its lookup ends:
 * STORE or REMOVE at the closest nodes found, or a query's answer.
 */
#include "dht_node.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dht_prepare_msg(const struct dht *d, struct dht_msg *m, uint8_t code, uint32_t cookie,
                     const uint8_t *key)
{
    m->code = code;
    m->cookie = cookie;
    m->src_addr = d->addr;
    m->id_len = d->p.id_len;
    memcpy(m->src_id, d->id, d->p.id_len);
    memcpy(m->key, key, d->p.id_len);
    m->n_values = 0;
    m->n_contacts = 0;
}

void dht_send_msg(struct dht *d, uint64_t to, const struct dht_msg *m)
{
    uint8_t buf[DHT_MSG_MAX];
    int n = dht_msg_encode(m, buf, sizeof(buf));

    assert(n > 0); /* we only build messages that keep the rules */
    d->stats.msgs_sent++;
    d->send(d->ctx, to, buf, (size_t)n);
}

void dht_send_values(struct dht *d, uint8_t code, const uint8_t *key, const struct dht_value *v,
                     size_t n, const struct dht_contact *to, size_t n_to)
{
    struct dht_msg m;

    if (n == 0)
        return;
    dht_prepare_msg(d, &m, code, 0, key);
    m.n_values = n;
    memcpy(m.values, v, n * sizeof(*v));
    for (size_t i = 0; i < n_to; i++)
        dht_send_msg(d, to[i].addr, &m);
}

void dht_op_free(struct op *o)
{
    dht_lookup_destroy(&o->lk);
    free(o);
}

struct op *dht_op_start(struct dht *d, enum op_kind kind, enum dht_lookup_kind lkind,
                        const uint8_t *key)
{
    struct dht_contact seeds[KBUCKET_K_MAX];
    size_t n;
    struct op *o;

    if (d->n_ops >= DHT_OPS_MAX)
        return NULL;
    o = calloc(1, sizeof(*o));
    if (o == NULL)
        return NULL;
    o->lk = dht_lookup_new(lkind, key, d->p.id_len, d->p.k, d->p.alpha, d->p.t_response, d->id);
    if (o->lk == NULL) {
        free(o);
        return NULL;
    }
    n = kbucket_closest(d->kb, key, d->p.k, seeds);
    dht_lookup_seed(o->lk, seeds, n);
    o->kind = kind;
    o->cookie = dht_new_cookie(d);
    o->next = d->ops;
    d->ops = o;
    d->n_ops++;
    return o;
}

static void op_finish(struct dht *d, struct op *o, uint64_t now)
{
    struct dht_contact closest[KBUCKET_K_MAX];
    struct dht_value v[DHT_MSG_MAX_VALUES];
    struct dht_lookup_stats ls;
    size_t n = dht_lookup_closest(o->lk, closest, d->p.k);
    size_t nv;

    d->stats.lookups++;
    kbucket_touch(d->kb, dht_lookup_key(o->lk), now);
    switch (o->kind) {
    case OP_JOIN:
        /* Make ourselves known farther away too, as Kademlia's join does. */
        kbucket_refresh_all(d->kb);
        dht_refresh_buckets(d, now);
        break;
    case OP_REFRESH:
        break;
    case OP_PUBLISH:
        dht_send_values(d, DHT_STORE, dht_lookup_key(o->lk), o->values, o->n_values, closest,
                        n);
        break;
    case OP_UNPUBLISH:
        dht_send_values(d, DHT_REMOVE, dht_lookup_key(o->lk), o->values, o->n_values, closest,
                        n);
        break;
    case OP_QUERY:
        nv = dht_lookup_values(o->lk, v, DHT_MSG_MAX_VALUES);
        dht_lookup_get_stats(o->lk, &ls);
        if (nv > 0) {
            d->stats.queries++;
            d->stats.query_hops += ls.hops;
            if (ls.hops > d->stats.query_hops_max)
                d->stats.query_hops_max = ls.hops;
        } else {
            d->stats.queries_failed++;
        }
        o->cb(o->cb_ctx, dht_lookup_key(o->lk), nv > 0 ? 0 : -ENOENT, v, nv);
        break;
    }
}

/* Send what the lookup asks for; when it is done, act on it and free it. */
void dht_op_pump(struct dht *d, struct op *o, uint64_t now)
{
    struct dht_contact to;
    struct dht_msg m;
    uint8_t code =
        dht_lookup_get_kind(o->lk) == DHT_LOOKUP_VALUE ? DHT_FIND_VALUE_REQ : DHT_FIND_NODE_REQ;
    struct op **po;

    for (size_t i = 0; i < DHT_LOOKUP_SHORTLIST && dht_lookup_next(o->lk, now, &to) == 1; i++) {
        dht_prepare_msg(d, &m, code, o->cookie, dht_lookup_key(o->lk));
        dht_send_msg(d, to.addr, &m);
    }
    if (!dht_lookup_done(o->lk))
        return;
    for (po = &d->ops; *po != o; po = &(*po)->next)
        ;
    *po = o->next;
    d->n_ops--;
    op_finish(d, o, now);
    dht_op_free(o);
}

struct op *dht_op_find(struct dht *d, uint32_t cookie)
{
    for (struct op *o = d->ops; o != NULL; o = o->next) {
        if (o->cookie == cookie)
            return o;
    }
    return NULL;
}
