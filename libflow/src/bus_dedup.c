/*
 * bus_dedup.c - a ring of recorded replies in a file-backed mmap. Stores
 * reach the page cache at once, so they outlive a kill -9 of the server.
 */
#include "bus_dedup.h"

#include "log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEDUP_MAGIC     "OBDEDUP"
#define DEDUP_VERSION   1
#define DEDUP_HDR_SIZE  64
#define DEDUP_SLOTS_MAX 65536

/*
 * The file: a header, then the slots.
 *
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | magic "OBDEDUP\0"                     |
 *   +-------------------+-------------------+
 *   | version           | slots             |
 *   +-------------------+-------------------+
 *   | slot size         | (zero to 64)      |
 *   +-------------------+-------------------+
 *
 * A slot (host byte order: the file never leaves the host):
 *
 *   +---------------------------------------+
 *   | seq               insertion number; 0 = empty or being written
 *   | check             SipHash of the slot with check = 0
 *   | client epoch      |
 *   | request id        |
 *   | status (i32) | identity len (u16) | body len (u16)
 *   | identity          255 bytes + pad
 *   | body              1024 bytes
 *   +---------------------------------------+
 *
 * A writer clears seq, writes the rest, then stores seq last (release). A
 * slot is valid only if seq != 0, the check matches and the lengths fit, so
 * one torn by a crash (or by pages written back out of order) is ignored.
 */
struct dedup_file_hdr {
    char magic[8];
    uint32_t version;
    uint32_t slots;
    uint32_t slot_size;
    uint8_t zero[DEDUP_HDR_SIZE - 20];
};

struct dedup_slot {
    uint64_t seq;
    uint64_t check;
    uint64_t client_epoch;
    uint64_t request_id;
    int32_t status;
    uint16_t identity_len;
    uint16_t body_len;
    uint8_t identity[BUS_DEDUP_IDENTITY_MAX + 1];
    uint8_t body[BUS_DEDUP_BODY_MAX];
    uint8_t pad[24]; /* to a multiple of 64 bytes */
};

_Static_assert(sizeof(struct dedup_file_hdr) == DEDUP_HDR_SIZE, "dedup header size");
_Static_assert(sizeof(struct dedup_slot) % 64 == 0, "dedup slot size");

struct bus_dedup {
    int fd;
    uint8_t *map;
    size_t map_len;
    uint32_t slots;
    uint32_t cursor;   /* next slot to write: the oldest */
    uint64_t next_seq; /* seq of the next entry */
    size_t count;
};

/* Integrity, not secrecy: a fixed key. */
static const uint8_t check_key[crypto_shorthash_KEYBYTES] = "ourobus dedup k1";

static struct dedup_slot *slot_at(const struct bus_dedup *d, uint32_t i)
{
    return (struct dedup_slot *)(d->map + DEDUP_HDR_SIZE +
                                 (size_t)i * sizeof(struct dedup_slot));
}

static uint64_t slot_check(const struct dedup_slot *s)
{
    struct dedup_slot tmp;
    uint8_t out[crypto_shorthash_BYTES];
    uint64_t v;

    memcpy(&tmp, s, sizeof(tmp));
    tmp.check = 0;
    crypto_shorthash(out, (const uint8_t *)&tmp, sizeof(tmp), check_key);
    memcpy(&v, out, sizeof(v));
    return v;
}

static bool slot_valid(const struct dedup_slot *s)
{
    if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == 0)
        return false;
    if (s->identity_len == 0 || s->identity_len > BUS_DEDUP_IDENTITY_MAX ||
        s->body_len > BUS_DEDUP_BODY_MAX)
        return false;
    return slot_check(s) == s->check;
}

static void hdr_fill(struct dedup_file_hdr *h, uint32_t slots)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->magic, DEDUP_MAGIC, sizeof(DEDUP_MAGIC));
    h->version = DEDUP_VERSION;
    h->slots = slots;
    h->slot_size = (uint32_t)sizeof(struct dedup_slot);
}

/* Size the file and write a fresh header (all slots empty). */
static int file_format(int fd, size_t len, uint32_t slots)
{
    struct dedup_file_hdr h;

    hdr_fill(&h, slots);
    if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)len) < 0)
        return -errno;
    if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
        return -EIO;
    return 0;
}

/* Keep the valid slots, clear the others, find the oldest. */
static void table_load(struct bus_dedup *d)
{
    uint64_t max_seq = 0;
    uint32_t max_at = d->slots - 1;

    d->count = 0;
    for (uint32_t i = 0; i < d->slots; i++) {
        struct dedup_slot *s = slot_at(d, i);

        if (!slot_valid(s)) {
            if (s->seq != 0)
                log_warn("dedup: slot %u is torn, ignored", i);
            __atomic_store_n(&s->seq, 0, __ATOMIC_RELEASE);
            continue;
        }
        d->count++;
        if (s->seq > max_seq) {
            max_seq = s->seq;
            max_at = i;
        }
    }
    d->next_seq = max_seq + 1;
    d->cursor = (max_at + 1) % d->slots;
}

struct bus_dedup *bus_dedup_open(const char *path, uint32_t slots)
{
    struct dedup_file_hdr want;
    struct dedup_file_hdr have;
    struct bus_dedup *d;
    struct stat st;
    size_t len;
    int err;

    assert(path);
    assert(slots > 0 && slots <= DEDUP_SLOTS_MAX);

    if (sodium_init() < 0) {
        errno = ENOSYS;
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->slots = slots;
    len = DEDUP_HDR_SIZE + (size_t)slots * sizeof(struct dedup_slot);

    d->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (d->fd < 0) {
        err = -errno;
        log_err("dedup: cannot open %s: %s", path, strerror(errno));
        goto fail_open;
    }
    if (fstat(d->fd, &st) < 0) {
        err = -errno;
        goto fail_format;
    }
    hdr_fill(&want, slots);
    if ((size_t)st.st_size != len || pread(d->fd, &have, sizeof(have), 0) != sizeof(have) ||
        memcmp(&have, &want, sizeof(want)) != 0) {
        if (st.st_size != 0)
            log_warn("dedup: %s has another layout, starting afresh", path);
        err = file_format(d->fd, len, slots);
        if (err < 0) {
            log_err("dedup: cannot format %s: %s", path, strerror(-err));
            goto fail_format;
        }
    }
    d->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
    if (d->map == MAP_FAILED) {
        err = -errno;
        log_err("dedup: cannot map %s: %s", path, strerror(errno));
        goto fail_format;
    }
    d->map_len = len;
    table_load(d);
    return d;

fail_format:
    close(d->fd);
fail_open:
    free(d);
    errno = -err;
    return NULL;
}

void bus_dedup_destroy(struct bus_dedup **p)
{
    struct bus_dedup *d;

    assert(p);
    d = *p;
    if (d == NULL)
        return;
    munmap(d->map, d->map_len);
    close(d->fd);
    free(d);
    *p = NULL;
}

static bool key_matches(const struct dedup_slot *s, const struct bus_dedup_key *k)
{
    return s->request_id == k->request_id && s->client_epoch == k->client_epoch &&
           s->identity_len == k->client_len &&
           memcmp(s->identity, k->client, k->client_len) == 0;
}

int bus_dedup_lookup(struct bus_dedup *d, const struct bus_dedup_key *k, int *status,
                     void *body, size_t cap, size_t *len)
{
    assert(d);
    assert(k);
    assert(status);
    assert(body || cap == 0);
    assert(len);

    for (uint32_t i = 0; i < d->slots; i++) {
        const struct dedup_slot *s = slot_at(d, i);

        if (s->seq == 0 || !key_matches(s, k))
            continue;
        if (s->body_len > cap)
            return -EMSGSIZE;
        *status = s->status;
        if (s->body_len > 0)
            memcpy(body, s->body, s->body_len);
        *len = s->body_len;
        return 1;
    }
    return 0;
}

int bus_dedup_insert(struct bus_dedup *d, const struct bus_dedup_key *k, int status,
                     const void *body, size_t len)
{
    struct dedup_slot tmp;
    struct dedup_slot *s;

    assert(d);
    assert(k);
    assert(body || len == 0);

    if (len > BUS_DEDUP_BODY_MAX)
        return -EMSGSIZE;
    if (k->client == NULL || k->client_len == 0 || k->client_len > BUS_DEDUP_IDENTITY_MAX)
        return -EINVAL;

    memset(&tmp, 0, sizeof(tmp));
    tmp.seq = d->next_seq;
    tmp.client_epoch = k->client_epoch;
    tmp.request_id = k->request_id;
    tmp.status = status;
    tmp.identity_len = (uint16_t)k->client_len;
    tmp.body_len = (uint16_t)len;
    memcpy(tmp.identity, k->client, k->client_len);
    if (len > 0)
        memcpy(tmp.body, body, len);
    tmp.check = slot_check(&tmp);

    s = slot_at(d, d->cursor);
    if (s->seq == 0)
        d->count++;
    /* Invalidate, write, then commit: seq is stored last. */
    __atomic_store_n(&s->seq, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy((uint8_t *)s + sizeof(s->seq), (const uint8_t *)&tmp + sizeof(tmp.seq),
           sizeof(tmp) - sizeof(tmp.seq));
    __atomic_store_n(&s->seq, tmp.seq, __ATOMIC_RELEASE);

    d->next_seq++;
    d->cursor = (d->cursor + 1) % d->slots;
    return 0;
}

size_t bus_dedup_count(const struct bus_dedup *d)
{
    assert(d);
    return d->count;
}
