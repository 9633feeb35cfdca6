/*
 * fa_restore.c - routing's bindings appended to a flow table snapshot
 * (layout in fa_table.c and docs/fa.md, "Snapshot").
 */
#include "fa_restore.h"

#include "fa_table.h"
#include "wire.h"

#include <assert.h>
#include <errno.h>
#include <ourobus/qos.h>
#include <stdbool.h>
#include <string.h>

static uint64_t snap_sum(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

size_t fa_restore_len(size_t snap_len, size_t n)
{
    return snap_len + n * FA_SNAP_REC_LEN;
}

/* Is eid the eid of one of the count records at recs? */
static bool has_eid(const uint8_t *recs, size_t count, uint64_t eid)
{
    for (size_t i = 0; i < count; i++)
        if (wire_get64(recs + i * FA_SNAP_REC_LEN) == eid)
            return true;
    return false;
}

static void rec_put(const struct fa_binding *b, uint8_t *r)
{
    const qosspec_t *q = &qos_best_effort;

    memset(r, 0, FA_SNAP_REC_LEN);
    wire_put64(r, b->local_eid);
    wire_put64(r + 8, b->peer_eid);
    wire_put64(r + 16, b->peer_addr);
    wire_put64(r + 24, b->local_eid); /* a request id unique among ours */
    wire_put64(r + 40, q->bandwidth);
    wire_put32(r + 48, q->delay);
    wire_put32(r + 52, q->loss);
    wire_put32(r + 56, q->ber);
    wire_put32(r + 60, q->max_gap);
    wire_put32(r + 64, q->timeout);
    wire_put32(r + 68, FA_RESTORE_SDU);
    wire_put32(r + 72, b->flow_id);
    r[76] = FA_ALLOCATED;
    r[77] = 1;
    r[78] = q->availability;
    r[79] = q->in_order;
}

long fa_restore_merge(const uint8_t *snap, size_t snap_len, const struct fa_binding *b,
                      size_t n, uint8_t *out, size_t cap, size_t *added)
{
    size_t count, total;
    uint8_t *recs;

    assert(snap != NULL && out != NULL && added != NULL && (b != NULL || n == 0));
    *added = 0;
    if (snap_len < FA_SNAP_HDR_LEN + FA_SNAP_SUM_LEN || wire_get32(snap) != FA_SNAP_MAGIC ||
        snap[4] != FA_SNAP_VERSION)
        return -EBADMSG;
    count = wire_get32(snap + 8);
    if (snap_len != FA_SNAP_HDR_LEN + count * FA_SNAP_REC_LEN + FA_SNAP_SUM_LEN ||
        wire_get64(snap + snap_len - FA_SNAP_SUM_LEN) !=
            snap_sum(snap, snap_len - FA_SNAP_SUM_LEN))
        return -EBADMSG;
    if (cap < fa_restore_len(snap_len, n))
        return -EMSGSIZE;
    memcpy(out, snap, snap_len - FA_SNAP_SUM_LEN);
    recs = out + FA_SNAP_HDR_LEN;
    total = count;
    for (size_t i = 0; i < n; i++) {
        if (b[i].local_eid == 0 || b[i].peer_eid == 0 || b[i].peer_addr == 0 ||
            has_eid(recs, total, b[i].local_eid))
            continue;
        rec_put(&b[i], recs + total * FA_SNAP_REC_LEN);
        total++;
    }
    wire_put32(out + 8, (uint32_t)total);
    total = FA_SNAP_HDR_LEN + total * FA_SNAP_REC_LEN;
    wire_put64(out + total, snap_sum(out, total));
    *added = (total - snap_len + FA_SNAP_SUM_LEN) / FA_SNAP_REC_LEN;
    return (long)(total + FA_SNAP_SUM_LEN);
}
