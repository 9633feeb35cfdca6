/*
 * fa_alloc.c - the initiator's side of an allocation, off the bus loop: a
 * thread per FA_ALLOC asks the directory for the name's address, makes the
 * flow's entry and sends the first FLOW_REQ (the ticking thread resends
 * it, the receiving thread hears the reply). A failure ends here, in
 * routing's FLOW_ALLOC_REPLY with the error.
 */
#include "fa.h"

#include "deadline.h"
#include "directory.pb.h"
#include "fa_policy.h"
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct alloc_job {
    struct fa *fa;
    uint32_t flow_id;
    uint8_t hash[FA_HASH_MAX];
    size_t hash_len;
    qosspec_t qos;
    uint64_t deadline;
};

/* The first address of the name: 0 or -errno (-ENAME: none). */
static int resolve(struct alloc_job *j, uint64_t *addr)
{
    dir_query_t q = DIR_QUERY_INIT_ZERO;
    dir_addrs_t a = DIR_ADDRS_INIT_ZERO;
    int64_t left = deadline_left_ms(j->deadline);
    struct bus_client *bc;
    int err;

    if (left <= 0)
        return -ETIMEDOUT;
    memcpy(q.hash.bytes, j->hash, j->hash_len);
    q.hash.size = (pb_size_t)j->hash_len;
    q.timeout_ms = (uint32_t)left;
    bc = fa_client(j->fa, j->fa->dir_ep, "dir");
    if (bc == NULL)
        return -ENOMEM;
    err = bus_client_call_pb(bc, DIR_METHOD_DIR_QUERY, DIR_QUERY_FIELDS, &q, DIR_ADDRS_FIELDS,
                             &a, (int)left);
    bus_client_destroy(&bc);
    if (err < 0)
        return err;
    for (pb_size_t i = 0; i < a.addrs_count; i++) {
        if (a.addrs[i] != 0) {
            *addr = a.addrs[i];
            return 0;
        }
    }
    return -ENAME;
}

/* Make the entry, send the FLOW_REQ, schedule its resends: 0 or -errno. */
static int request(struct alloc_job *j, uint64_t addr)
{
    struct fa *fa = j->fa;
    uint64_t now = now_ns();
    struct fa_msg m = {.type = FA_FLOW_REQ};
    uint8_t buf[FA_RESEND_LEN_MAX];
    struct fa_flow *f;
    int len, err;

    pthread_mutex_lock(&fa->lock);
    err = fa_table_open(fa->table, addr, j->flow_id, &j->qos, FA_MAX_SDU, j->deadline, &f);
    if (err < 0)
        goto out;
    m.req_id = f->req_id;
    m.s_addr = atomic_load(&fa->addr);
    m.s_eid = f->eid;
    m.max_sdu = FA_MAX_SDU;
    m.qos = j->qos;
    m.hash = j->hash;
    m.hash_len = j->hash_len;
    len = fa_msg_encode(&m, buf, sizeof(buf));
    if (len < 0) {
        err = len;
        fa_forget(fa, f, now);
        goto out;
    }
    mgmt_link_send(&fa->link, addr, buf, (size_t)len);
    err = fa_resend_add(fa->resend, f->eid, addr, buf, (size_t)len, now + FA_REQ_RESEND_NS,
                        FA_REQ_RESEND_NS, 0, j->deadline);
    if (err < 0)
        fa_forget(fa, f, now);
    else
        log_dbg("flow %" PRIu32 ": FLOW_REQ to addr %" PRIu64 " from eid %" PRIu64, j->flow_id,
                addr, m.s_eid);
out:
    pthread_mutex_unlock(&fa->lock);
    return err;
}

static void *alloc_main(void *arg)
{
    struct alloc_job *j = arg;
    struct fa *fa = j->fa;
    uint64_t addr = 0;
    int err;

    err = resolve(j, &addr);
    if (err == 0) {
        pthread_mutex_lock(&fa->lock);
        dir_cache_put(fa->addrs, j->hash, j->hash_len, &addr, 1, now_ns() / 1000000);
        pthread_mutex_unlock(&fa->lock);
        err = request(j, addr);
    }
    if (err < 0) {
        struct bus_client *bc = fa_client(fa, fa->routing_ep, "alloc");

        log_info("flow %" PRIu32 " not allocated: %s", j->flow_id,
                 err == -ENAME ? "the name has no address" : strerror(-err));
        if (bc != NULL)
            fa_routing_reply(bc, j->flow_id, err, 0, 0, 0, 0);
        bus_client_destroy(&bc);
    }
    free(j);
    pthread_mutex_lock(&fa->lock);
    fa->allocs--;
    pthread_cond_broadcast(&fa->cond);
    pthread_mutex_unlock(&fa->lock);
    return NULL;
}

int fa_alloc_start(struct fa *fa, uint32_t flow_id, const uint8_t *hash, size_t hash_len,
                   const qosspec_t *qos, uint32_t timeout_ms)
{
    struct alloc_job *j;
    pthread_attr_t at;
    pthread_t t;
    int err;

    if (hash_len == 0 || hash_len > FA_HASH_MAX)
        return -EINVAL;
    j = calloc(1, sizeof(*j));
    if (j == NULL)
        return -ENOMEM;
    j->fa = fa;
    j->flow_id = flow_id;
    memcpy(j->hash, hash, hash_len);
    j->hash_len = hash_len;
    j->qos = *qos;
    j->deadline = deadline_after_ms(timeout_ms);
    /* A name resolved a moment ago: the FLOW_REQ goes now, from here. */
    {
        uint64_t addrs[DIR_CACHE_ADDRS];
        size_t n;

        pthread_mutex_lock(&fa->lock);
        n = dir_cache_get(fa->addrs, hash, hash_len, now_ns() / 1000000, addrs);
        pthread_mutex_unlock(&fa->lock);
        if (n > 0 && request(j, addrs[0]) == 0) {
            free(j);
            return 0;
        }
    }
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&fa->lock);
    fa->allocs++;
    pthread_mutex_unlock(&fa->lock);
    err = -pthread_create(&t, &at, alloc_main, j);
    pthread_attr_destroy(&at);
    if (err < 0) {
        pthread_mutex_lock(&fa->lock);
        fa->allocs--;
        pthread_mutex_unlock(&fa->lock);
        free(j);
        log_warn("flow %" PRIu32 ": no thread to allocate it: %s", flow_id, strerror(-err));
    }
    return err;
}
