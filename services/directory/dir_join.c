/*
 * dir_join.c - joining the DHT through the addresses routing knows: every
 * second the loop reads routing's routes file if it changed and bootstraps
 * through one address not tried yet (neighbours first; others only while
 * the routing table is short of contacts). While it has fewer than
 * JOIN_FEW contacts, an address is tried again every 2 s, neighbours
 * first (their directory may have started after ours, or requests lost
 * while a link was cut evicted the contacts). Also the contacts and stats
 * lines of the log.
 */
#include "directory.h"

#include "log.h"
#include "routes_read.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOIN_MS       1000
#define JOIN_RETRY_MS 2000 /* few contacts: join through an address again */
#define JOIN_FILE_MAX (1 << 20)
#define JOIN_FEW      8  /* contacts under which non-neighbours are tried too */
#define STATS_EVERY   10 /* timer turns between stats lines */

static void join_add(struct directory *d, uint64_t addr, bool nbr)
{
    for (size_t i = 0; i < d->n_join; i++) {
        if (d->join[i].addr == addr) {
            d->join[i].nbr = d->join[i].nbr || nbr;
            return;
        }
    }
    if (d->n_join < DIR_JOIN_MAX)
        d->join[d->n_join++] = (struct dir_join_addr){.addr = addr, .nbr = nbr};
}

/* Read the routes file if it changed since the last time. */
static void routes_scan(struct directory *d)
{
    struct routes_read *r;
    struct stat st;
    char *text;
    ssize_t len;
    int fd, bad;

    if (stat(d->routes_path, &st) < 0)
        return; /* routing did not compute a table yet */
    if (st.st_mtim.tv_sec == d->routes_mtime.tv_sec &&
        st.st_mtim.tv_nsec == d->routes_mtime.tv_nsec && st.st_size == d->routes_size)
        return;
    fd = open(d->routes_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    text = malloc(JOIN_FILE_MAX);
    r = malloc(sizeof(*r));
    if (text == NULL || r == NULL) {
        free(text);
        free(r);
        close(fd);
        return;
    }
    /* Replaced by rename: what we opened is one whole table. */
    len = read(fd, text, JOIN_FILE_MAX);
    close(fd);
    if (len >= 0) {
        d->routes_mtime = st.st_mtim;
        d->routes_size = st.st_size;
        bad = routes_read_parse(text, (size_t)len, r);
        if (bad > 0)
            log_dbg("%s: %d lines not understood", d->routes_path, bad);
        for (size_t i = 0; i < r->n_nbrs; i++)
            join_add(d, r->nbrs[i], true);
        for (size_t i = 0; i < r->n_others; i++)
            join_add(d, r->others[i], false);
    }
    free(text);
    free(r);
}

/* The address to bootstrap through now, or NULL. */
static struct dir_join_addr *join_pick(struct directory *d, size_t contacts, uint64_t now)
{
    struct dir_join_addr *again = NULL;

    for (size_t i = 0; i < d->n_join; i++)
        if (d->join[i].nbr && d->join[i].tried == 0)
            return &d->join[i];
    if (contacts < JOIN_FEW) {
        for (size_t i = 0; i < d->n_join; i++)
            if (d->join[i].tried == 0)
                return &d->join[i];
    }
    /* Few contacts (a small layer, or requests lost while a link was cut
     * evicted them): join again through the address tried longest ago,
     * neighbours first. */
    if (contacts >= JOIN_FEW)
        return NULL;
    for (size_t i = 0; i < d->n_join; i++) {
        struct dir_join_addr *j = &d->join[i];

        if (now < j->tried + JOIN_RETRY_MS)
            continue;
        if (again == NULL || (j->nbr && !again->nbr) ||
            (j->nbr == again->nbr && j->tried < again->tried))
            again = j;
    }
    return again;
}

static void stats_log(struct directory *d, uint64_t now)
{
    struct bus_server_stats bs;
    struct dht_stats s;
    size_t contacts, pending, names;
    uint64_t send_fails;

    pthread_mutex_lock(&d->lock);
    dht_get_stats(d->dht, &s);
    contacts = dht_contacts(d->dht);
    pending = dht_pending(d->dht);
    names = d->n_names;
    send_fails = d->send_fails;
    pthread_mutex_unlock(&d->lock);
    bus_server_get_stats(service_bus(d->svc), &bs);
    log_dbg("stats: contacts %zu lookups %zu names %zu cached %zu waiting %zu; sent %" PRIu64
            " received %" PRIu64 " bad %" PRIu64 " timeouts %" PRIu64 " queries %" PRIu64
            " (local %" PRIu64 ", failed %" PRIu64 ", hops %" PRIu64 " max %" PRIu64
            ") not answered %" PRIu64 " send failures %" PRIu64 "; bus retries ignored %" PRIu64
            " replayed %" PRIu64,
            contacts, pending, names, dir_cache_count(d->cache, now), d->n_waits, s.msgs_sent,
            s.msgs_recv, s.msgs_bad, s.timeouts, s.queries, s.queries_local, s.queries_failed,
            s.query_hops, s.query_hops_max, d->lookups_failed, send_fails, bs.pending_retries,
            bs.dedup_hits);
}

static int on_join_timer(zloop_t *loop, int timer_id, void *arg)
{
    struct directory *d = arg;
    uint64_t now = dir_now_ms();
    struct dir_join_addr *j;
    size_t contacts;
    int err;

    (void)loop;
    (void)timer_id;
    pthread_mutex_lock(&d->lock);
    if (d->dht == NULL) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    contacts = dht_contacts(d->dht);
    /* Names published while we knew few nodes (at the start, before the
     * join) are stored only here and there: publish them again as the
     * table fills, up to JOIN_FEW contacts. */
    if (contacts > d->contacts_published && d->contacts_published < JOIN_FEW) {
        for (size_t i = 0; i < d->n_names; i++)
            if (!d->names[i].withdraw)
                d->names[i].published = false;
        d->contacts_published = contacts;
    }
    dir_names_publish(d, now); /* and those a busy DHT refused */
    pthread_mutex_unlock(&d->lock);
    if (contacts != d->contacts_logged) {
        log_info("%zu contacts in the DHT (were %zu)", contacts, d->contacts_logged);
        d->contacts_logged = contacts;
    }
    routes_scan(d);
    j = join_pick(d, contacts, now);
    if (j != NULL) {
        j->tried = now;
        pthread_mutex_lock(&d->lock);
        err = dht_bootstrap(d->dht, j->addr, now);
        pthread_mutex_unlock(&d->lock);
        if (err == 0)
            log_dbg("joining through %" PRIu64 "%s", j->addr, j->nbr ? " (neighbour)" : "");
    }
    if (++d->ticks % STATS_EVERY == 0)
        stats_log(d, now);
    return 0;
}

int dir_join_start(struct directory *d)
{
    char file[SERVICE_NAME_MAX + 32];

    assert(d && d->svc);
    snprintf(file, sizeof(file), "routing.%s.routes", d->ipcp);
    if (run_folder_file(service_run_folder(d->svc), file, d->routes_path,
                        sizeof(d->routes_path)) < 0)
        return -ENAMETOOLONG;
    if (zloop_timer(service_loop(d->svc), JOIN_MS, 0, on_join_timer, d) < 0)
        return -ENOMEM;
    return 0;
}
