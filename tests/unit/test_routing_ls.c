/*
 * test_routing_ls.c - the link-state process of three IPCPs in a line
 * (1 - 2 - 3), wired by a queue the test pumps: adjacencies come up, the
 * LSAs flood, the forwarding tables and the routes files follow; a
 * withdrawal cuts the far end off; a stale adjacency's end changes
 * nothing; an LSA of our own with a higher seqno makes us jump past it; an
 * older LSA is answered with the newer copy.
 */
#include "ls.h"
#include "lsa.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NODES 3
#define QMAX  4096

struct node {
    int idx;
    struct ls *ls;
    struct pff *pff;
    char path[256];
    int peer_of[2];    /* adjacency id -> node index */
    int id_at_peer[2]; /* adjacency id -> our id at that node */
};

struct msg {
    int from, id;
    uint8_t buf[LSA_LEN_MAX];
    size_t len;
};

static struct node N[NODES];
static struct msg Q[QMAX];
static size_t qn;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;

static int enqueue(void *arg, int id, const uint8_t *lsa, size_t len)
{
    struct node *n = arg;

    pthread_mutex_lock(&qlock);
    if (qn < QMAX && len <= LSA_LEN_MAX) {
        Q[qn] = (struct msg){.from = n->idx, .id = id, .len = len};
        memcpy(Q[qn].buf, lsa, len);
        qn++;
    }
    pthread_mutex_unlock(&qlock);
    return 0;
}

/* Deliver what was sent, until nothing more is: how many. */
static size_t pump(void)
{
    size_t total = 0;

    for (int round = 0; round < 100; round++) {
        struct msg *m = malloc(sizeof(*m) * QMAX);
        size_t k;

        pthread_mutex_lock(&qlock);
        k = qn;
        memcpy(m, Q, k * sizeof(*m));
        qn = 0;
        pthread_mutex_unlock(&qlock);
        for (size_t i = 0; i < k; i++) {
            struct node *from = &N[m[i].from];
            int to = from->peer_of[m[i].id];
            if (to >= 0)
                ls_recv(N[to].ls, from->id_at_peer[m[i].id], m[i].buf, m[i].len);
        }
        free(m);
        total += k;
        if (k == 0)
            break;
    }
    return total;
}

/* Wait (pumping) until a lookup at node x for dst gives want: bool. */
static bool wait_lookup(int x, uint64_t dst, int want)
{
    for (int i = 0; i < 200; i++) {
        pump();
        if (pff_lookup(N[x].pff, QOS_CUBE_BE, dst, 7) == want &&
            pff_lookup(N[x].pff, QOS_CUBE_VOICE, dst, 7) == want)
            return true;
        usleep(10000);
    }
    return false;
}

static bool file_has(const char *path, const char *line)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    bool has = false;

    while (f != NULL && !has && fgets(buf, sizeof(buf), f) != NULL)
        has = strcmp(buf, line) == 0;
    if (f != NULL)
        fclose(f);
    return has;
}

/* The last queued LSA node x sent of origin o, into *out: bool. */
static bool sent_of(int x, uint64_t o, struct lsa *out)
{
    bool found = false;

    pthread_mutex_lock(&qlock);
    for (size_t i = 0; i < qn; i++) {
        struct lsa l;
        if (Q[i].from == x && lsa_decode(Q[i].buf, Q[i].len, &l) == 0 && l.origin == o) {
            *out = l;
            found = true;
        }
    }
    pthread_mutex_unlock(&qlock);
    return found;
}

int main(void)
{
    char dir[] = "/tmp/test-routing-ls-XXXXXX";
    struct lsa mine, old = {.origin = 1, .seqno = 1}, got;
    uint8_t buf[LSA_LEN_MAX];
    int len;

    plan(13);
    if (mkdtemp(dir) == NULL)
        bail_out("no temporary folder");
    for (int i = 0; i < NODES; i++) {
        struct ls_conf c = {.self = (uint64_t)i + 1,
                            .policy = GRAPH_SIMPLE,
                            .t_recalc_ms = 1000000,
                            .t_update_ms = 1000000,
                            .t_timeo_ms = 3000000};
        N[i].idx = i;
        N[i].peer_of[0] = N[i].peer_of[1] = -1;
        snprintf(N[i].path, sizeof(N[i].path), "%s/routes.%d", dir, i + 1);
        c.routes_path = N[i].path;
        N[i].pff = pff_new();
        N[i].ls = ls_new(&c, N[i].pff, enqueue, &N[i]);
        if (N[i].pff == NULL || N[i].ls == NULL)
            bail_out("no ls");
    }
    ok(file_has(N[0].path, "address 1\n") && file_has(N[0].path, "neighbours\n"),
       "a lone IPCP writes its routes file: its address, no neighbours");
    /* 1 (id 0) <-> (id 0) 2 (id 1) <-> (id 0) 3 */
    N[0].peer_of[0] = 1, N[0].id_at_peer[0] = 0;
    N[1].peer_of[0] = 0, N[1].id_at_peer[0] = 0;
    N[1].peer_of[1] = 2, N[1].id_at_peer[1] = 0;
    N[2].peer_of[0] = 1, N[2].id_at_peer[0] = 1;
    ls_adj_up(N[0].ls, 0, 2);
    ls_adj_up(N[1].ls, 0, 1);
    ls_adj_up(N[1].ls, 1, 3);
    ls_adj_up(N[2].ls, 0, 2);
    ok(wait_lookup(0, 3, 0) && wait_lookup(0, 2, 0), "1 reaches 2 and 3 over its adjacency 0");
    ok(wait_lookup(1, 1, 0) && wait_lookup(1, 3, 1), "2 reaches 1 over 0 and 3 over 1");
    ok(wait_lookup(2, 1, 0), "3 reaches 1 over its adjacency 0");
    usleep(300000);
    ok(file_has(N[0].path, "route 3 via 2 cost 2\n") && file_has(N[0].path, "neighbours 2\n"),
       "1's routes file: 3 via 2 at cost 2");
    ok(ls_knows(N[0].ls, 3) && ls_knows(N[0].ls, 1) && !ls_knows(N[0].ls, 99),
       "1 knows 3 (and itself), not 99");

    ls_adj_down(N[0].ls, 5, 2); /* an adjacency 1 no longer routes over */
    usleep(300000);
    pump();
    is(pff_lookup(N[0].pff, QOS_CUBE_BE, 3, 7), 0,
       "the end of a stale adjacency changes nothing");

    ls_adj_down(N[1].ls, 1, 3);
    ls_adj_down(N[2].ls, 0, 2);
    ok(wait_lookup(0, 3, -EHOSTUNREACH), "2 withdraws its link to 3: 1 no longer reaches 3");
    ok(wait_lookup(0, 2, 0), "but still 2");
    usleep(300000);
    ok(!file_has(N[0].path, "route 3 via 2 cost 2\n"), "3 left 1's routes file");

    /* Our own LSA from before a restart, with a higher seqno. */
    pump();
    mine = (struct lsa){.origin = 1, .seqno = UINT64_MAX / 2, .n_links = 0};
    len = lsa_encode(&mine, buf, sizeof(buf));
    ls_recv(N[0].ls, 0, buf, (size_t)len);
    ok(sent_of(0, 1, &got) && got.seqno == UINT64_MAX / 2 + 1,
       "an LSA of ours with a higher seqno: we jump past it");
    pump();

    /* An older LSA of 1 reaching 2: 2 answers with its copy. */
    len = lsa_encode(&old, buf, sizeof(buf));
    ls_recv(N[1].ls, 0, buf, (size_t)len);
    ok(sent_of(1, 1, &got) && got.seqno == UINT64_MAX / 2 + 1,
       "an older LSA is answered with the newer copy");
    pump();
    for (int i = 0; i < NODES; i++) {
        ls_destroy(&N[i].ls);
        pff_destroy(&N[i].pff);
        unlink(N[i].path);
    }
    rmdir(dir);
    ok(N[0].ls == NULL, "ls_destroy NULLs the pointer");
    return done();
}
