/*
 * dir_names.c - the names registered in this IPCP (DIR_REG, routing's
 * NAMES after a restart), published in the DHT under our address once it
 * exists, and again after a publish it refused.
 */
#include "directory.h"

#include "hash.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t dir_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *dir_hash_str(const uint8_t *hash, size_t len, char *buf)
{
    assert(hash && buf);
    hash_hex(hash, len < 4 ? len : 4, buf);
    return buf;
}

static struct dir_name_entry *name_find(struct directory *d, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; i < d->n_names; i++)
        if (d->names[i].len == len && memcmp(d->names[i].hash, hash, len) == 0)
            return &d->names[i];
    return NULL;
}

static void name_publish(struct directory *d, struct dir_name_entry *e, uint64_t now)
{
    char hex[9];
    int err;

    if (e->len != d->hash_len) {
        /* Registered before we knew the layer's hash length. */
        log_warn("name %s: a %zu-byte hash in a layer of %zu-byte hashes, not published",
                 dir_hash_str(e->hash, e->len, hex), e->len, d->hash_len);
        e->published = true;
        return;
    }
    err = dht_publish(d->dht, e->hash, d->self, now);
    if (err < 0) {
        log_dbg("name %s: publish deferred: %s", dir_hash_str(e->hash, e->len, hex),
                strerror(-err));
        return;
    }
    e->published = true;
    log_info("published name %s at %" PRIu64, dir_hash_str(e->hash, e->len, hex), d->self);
}

int dir_names_add(struct directory *d, const uint8_t *hash, size_t len, uint64_t now)
{
    struct dir_name_entry *e;

    assert(d && hash && len <= DHT_ID_MAX);
    e = name_find(d, hash, len);
    if (e == NULL) {
        e = realloc(d->names, (d->n_names + 1) * sizeof(*e));
        if (e == NULL)
            return -ENOMEM;
        d->names = e;
        e = &d->names[d->n_names++];
        memset(e, 0, sizeof(*e));
        e->len = len;
        memcpy(e->hash, hash, len);
    }
    e->withdraw = false; /* a withdrawal still to do is still published */
    if (d->dht != NULL && !e->published)
        name_publish(d, e, now);
    return 0;
}

/* Withdraw e from the DHT: true when done (or nothing to do). */
static bool name_withdraw(struct directory *d, struct dir_name_entry *e, uint64_t now)
{
    char hex[9];
    int err;

    if (d->dht == NULL || !e->published || e->len != d->hash_len)
        return true;
    err = dht_unpublish(d->dht, e->hash, now);
    if (err == -EBUSY)
        return false; /* still ours in the DHT: tried again within a second */
    if (err == 0)
        log_info("withdrew name %s", dir_hash_str(e->hash, e->len, hex));
    return true;
}

void dir_names_remove(struct directory *d, const uint8_t *hash, size_t len, uint64_t now)
{
    struct dir_name_entry *e;

    assert(d && hash);
    e = name_find(d, hash, len);
    if (e == NULL)
        return;
    if (name_withdraw(d, e, now))
        *e = d->names[--d->n_names];
    else
        e->withdraw = true;
}

void dir_names_publish(struct directory *d, uint64_t now)
{
    assert(d);
    if (d->dht == NULL)
        return;
    for (size_t i = 0; i < d->n_names;) {
        struct dir_name_entry *e = &d->names[i];

        if (e->withdraw && name_withdraw(d, e, now)) {
            *e = d->names[--d->n_names];
            continue;
        }
        if (!e->withdraw && !e->published)
            name_publish(d, e, now);
        i++;
    }
}
