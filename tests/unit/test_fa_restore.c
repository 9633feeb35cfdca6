/*
 * test_fa_restore.c - routing's bindings added to a flow table: a fresh
 * table learns them all, a table that has some learns the others, bad
 * bindings and duplicates are skipped, and a damaged snapshot is refused.
 */
#include "fa_restore.h"
#include "fa_table.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

static uint64_t next_rand = 1000;

static int rnd(void *arg, uint64_t *out)
{
    (void)arg;
    *out = next_rand++;
    return 0;
}

/* Merge b into t's flows and import into a new table (NULL on failure). */
static struct fa_table *merge(const struct fa_table *t, const struct fa_binding *b, size_t n,
                              size_t *added, long *ret)
{
    size_t len = fa_table_export_len(t), cap = fa_restore_len(len, n);
    uint8_t *snap = malloc(len), *out = malloc(cap);
    struct fa_table *nt = fa_table_new(64, rnd, NULL);
    long sl = fa_table_export(t, snap, len);

    *ret = fa_restore_merge(snap, (size_t)sl, b, n, out, cap, added);
    if (*ret < 0 || fa_table_import(nt, out, (size_t)*ret) < 0)
        fa_table_destroy(&nt);
    free(snap);
    free(out);
    return nt;
}

static void test_fresh(void)
{
    struct fa_table *t = fa_table_new(64, rnd, NULL), *nt;
    struct fa_binding b[] = {
        {.flow_id = 7, .local_eid = 0x1111, .peer_addr = 9, .peer_eid = 0x2222},
        {.flow_id = 8, .local_eid = 0x3333, .peer_addr = 10, .peer_eid = 0x4444},
    };
    const struct fa_flow *f;
    size_t added;
    long ret;

    nt = merge(t, b, 2, &added, &ret);
    ok(nt != NULL, "an empty table plus two bindings imports");
    is(added, 2, "both added");
    is(fa_table_count(nt), 2, "two flows");
    f = fa_table_by_eid(nt, 0x1111);
    ok(f != NULL, "found by its local eid");
    ok(f != NULL && f->state == FA_ALLOCATED && f->flow_id == 7 && f->peer_addr == 9 &&
           f->peer_eid == 0x2222 && f->max_sdu == FA_RESTORE_SDU,
       "allocated, with the binding's flow id, address and peer eid");
    ok(fa_table_by_eid(nt, 0x3333) != NULL, "the second too");
    fa_table_destroy(&nt);
    fa_table_destroy(&t);
}

static void test_partial(void)
{
    struct fa_table *t = fa_table_new(64, rnd, NULL), *nt;
    struct fa_flow *mine;
    struct fa_binding b[4];
    size_t added;
    long ret;

    fa_table_open(t, 5, 3, &qos_raw, 1400, 99, &mine);
    b[0] = (struct fa_binding){
        .flow_id = 3, .local_eid = mine->eid, .peer_addr = 5, .peer_eid = 0x77};
    b[1] = (struct fa_binding){
        .flow_id = 4, .local_eid = 0x5555, .peer_addr = 6, .peer_eid = 0x66};
    b[2] = b[1]; /* listed twice */
    b[3] = (struct fa_binding){
        .flow_id = 5, .local_eid = 0x8888, .peer_addr = 0, .peer_eid = 0x66}; /* no address */
    nt = merge(t, b, 4, &added, &ret);
    ok(nt != NULL, "our flows plus routing's import");
    is(added, 1, "only the flow we lacked is added");
    is(fa_table_count(nt), 2, "ours and that one");
    ok(fa_table_by_eid(nt, mine->eid) != NULL &&
           fa_table_by_eid(nt, mine->eid)->state == FA_PENDING,
       "ours stays as it was (pending)");
    ok(fa_table_by_eid(nt, 0x8888) == NULL, "a binding without an address is skipped");
    fa_table_destroy(&nt);
    fa_table_destroy(&t);
}

static void test_bad(void)
{
    struct fa_table *t = fa_table_new(64, rnd, NULL);
    struct fa_binding b = {.flow_id = 1, .local_eid = 0x99, .peer_addr = 1, .peer_eid = 2};
    uint8_t snap[64], out[256];
    size_t added = 9;
    long len = fa_table_export(t, snap, sizeof(snap));

    is(fa_restore_merge(snap, (size_t)len, &b, 1, out, 10, &added), -EMSGSIZE, "short buffer");
    snap[len - 1] ^= 1;
    is(fa_restore_merge(snap, (size_t)len, &b, 1, out, sizeof(out), &added), -EBADMSG,
       "a bad checksum");
    is(added, 0, "nothing added");
    is(fa_restore_merge(snap, 3, &b, 1, out, sizeof(out), &added), -EBADMSG, "too short");
    snap[len - 1] ^= 1;
    snap[0] ^= 1;
    is(fa_restore_merge(snap, (size_t)len, &b, 1, out, sizeof(out), &added), -EBADMSG,
       "a bad magic");
    fa_table_destroy(&t);
}

int main(void)
{
    test_fresh();
    test_partial();
    test_bad();
    return done();
}
