/*
 * evq_set.c - a process's event queues in one shared-memory object.
 */
#include "evq_set.h"

#include "shm_object.h"

#include <errno.h>
#include <string.h>

struct evq_set_hdr {
    uint32_t magic;
    uint32_t count;
    uint32_t slots;
    int32_t pid;
    uint8_t pad[48];
};

static size_t stride_of(uint32_t slots)
{
    return (evq_size(slots) + 63) & ~(size_t)63;
}

size_t evq_set_size(uint32_t count, uint32_t slots)
{
    return sizeof(struct evq_set_hdr) + (size_t)count * stride_of(slots);
}

static void fill(struct evq_set *s, void *base, size_t len, uint32_t count, uint32_t slots)
{
    s->base = base;
    s->len = len;
    s->count = count;
    s->slots = slots;
    s->stride = stride_of(slots);
}

int evq_set_create(struct evq_set *s, const char *name, uint32_t count, uint32_t slots,
                   mode_t mode, pid_t pid)
{
    size_t len = evq_set_size(count, slots);
    struct evq_set_hdr *h;
    void *base;
    int err;

    if (count == 0 || count > 1024)
        return -EINVAL;
    err = shm_object_create(name, len, mode, &base);
    if (err < 0)
        return err;
    fill(s, base, len, count, slots);
    for (uint32_t i = 0; i < count; i++) {
        err = evq_init(evq_set_queue(s, i), slots);
        if (err < 0) {
            shm_object_unmap(base, len);
            shm_object_unlink(name);
            return err;
        }
    }
    h = base;
    h->count = count;
    h->slots = slots;
    h->pid = pid;
    __atomic_store_n(&h->magic, EVQ_SET_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

int evq_set_attach(struct evq_set *s, const char *name)
{
    struct evq_set_hdr *h;
    size_t len;
    void *base;
    int err;

    err = shm_object_attach(name, &base, &len);
    if (err < 0)
        return err;
    h = base;
    if (len < sizeof(*h) || __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != EVQ_SET_MAGIC ||
        h->count == 0 || h->count > 1024 || evq_set_size(h->count, h->slots) != len)
        goto bad;
    fill(s, base, len, h->count, h->slots);
    for (uint32_t i = 0; i < h->count; i++)
        if (evq_check(evq_set_queue(s, i), s->stride) < 0)
            goto bad;
    return 0;
bad:
    shm_object_unmap(base, len);
    return -EPROTO;
}

void evq_set_detach(struct evq_set *s)
{
    if (s->base != NULL)
        shm_object_unmap(s->base, s->len);
    memset(s, 0, sizeof(*s));
}

struct evq *evq_set_queue(const struct evq_set *s, uint32_t i)
{
    if (s->base == NULL || i >= s->count)
        return NULL;
    return (struct evq *)((uint8_t *)s->base + sizeof(struct evq_set_hdr) + i * s->stride);
}
