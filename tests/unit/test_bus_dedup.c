/*
 * test_bus_dedup.c - the dedup table: insert, lookup, replacement of the
 * oldest, reload from the file (also after kill -9), torn entries ignored.
 */
#include "bus_dedup.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char path[128];

static struct bus_dedup_key key(const char *client, uint64_t epoch, uint64_t id)
{
    return (struct bus_dedup_key){(const uint8_t *)client, strlen(client), epoch, id};
}

/* Insert request id with body "body-<id>" and status id. */
static int put(struct bus_dedup *d, uint64_t id)
{
    struct bus_dedup_key k = key("client/1", 1, id);
    char body[32];

    snprintf(body, sizeof(body), "body-%" PRIu64, id);
    return bus_dedup_insert(d, &k, (int)id, body, strlen(body));
}

/* 1 if request id is found with its status and body, 0 if absent, -1 if
 * found with the wrong contents. */
static int has(struct bus_dedup *d, uint64_t id)
{
    struct bus_dedup_key k = key("client/1", 1, id);
    char want[32];
    char body[BUS_DEDUP_BODY_MAX];
    size_t len = 0;
    int status = 0;
    int r;

    snprintf(want, sizeof(want), "body-%" PRIu64, id);
    r = bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len);
    if (r <= 0)
        return r;
    return status == (int)id && len == strlen(want) && memcmp(body, want, len) == 0 ? 1 : -1;
}

/* Flip one byte of the file where needle is. */
static bool file_corrupt(const char *needle)
{
    struct stat st;
    uint8_t *buf;
    uint8_t *at;
    bool done_ = false;
    int fd = open(path, O_RDWR);

    if (fd < 0 || fstat(fd, &st) < 0)
        return false;
    buf = malloc((size_t)st.st_size);
    if (buf != NULL && pread(fd, buf, (size_t)st.st_size, 0) == st.st_size) {
        at = memmem(buf, (size_t)st.st_size, needle, strlen(needle));
        if (at != NULL) {
            *at ^= 0x20;
            done_ = pwrite(fd, at, 1, at - buf) == 1;
        }
    }
    free(buf);
    close(fd);
    return done_;
}

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    struct bus_dedup *d;
    struct bus_dedup_key k;
    uint8_t big[BUS_DEDUP_BODY_MAX + 1] = {0};
    char body[16];
    size_t len;
    int status;
    pid_t pid;
    int ws;

    snprintf(dir, sizeof(dir), "/tmp/ourobus-dedup-XXXXXX");
    if (mkdtemp(dir) == NULL)
        bail_out("mkdtemp: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/svc.dedup", dir);
    atexit(cleanup);

    plan(32);

    d = bus_dedup_open(path, 4);
    ok(d != NULL, "open a new table");
    if (d == NULL)
        bail_out("cannot open %s", path);
    is(bus_dedup_count(d), 0, "it is empty");
    is(put(d, 1), 0, "insert request 1");
    is(has(d, 1), 1, "request 1 found with its status and body");
    is(bus_dedup_count(d), 1, "one entry");

    k = key("client/1", 1, 2);
    is(bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len), 0, "another id: not found");
    k = key("client/2", 1, 1);
    is(bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len), 0,
       "same id of another client: not found");
    k = key("client/1", 2, 1);
    is(bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len), 0,
       "same id of a restarted client (new epoch): not found");
    k = key("client/1", 1, 1);
    is(bus_dedup_lookup(d, &k, &status, body, 3, &len), -EMSGSIZE,
       "lookup into a small buffer");

    is(bus_dedup_insert(d, &k, 0, big, sizeof(big)), -EMSGSIZE, "body over 1 KiB refused");
    is(bus_dedup_insert(d, &k, 0, big, BUS_DEDUP_BODY_MAX), 0, "body of 1 KiB recorded");
    k = key("", 1, 9);
    is(bus_dedup_insert(d, &k, 0, NULL, 0), -EINVAL, "empty identity refused");
    k = (struct bus_dedup_key){big, BUS_DEDUP_IDENTITY_MAX + 1, 1, 9};
    is(bus_dedup_insert(d, &k, 0, NULL, 0), -EINVAL, "identity over 255 bytes refused");
    k = key("client/3", 7, 8);
    ok(bus_dedup_insert(d, &k, -EEXIST, NULL, 0) == 0 &&
           bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len) == 1 &&
           status == -EEXIST && len == 0,
       "an error status with no body is recorded too");

    /* 4 slots: 1, (1 again, 1 KiB), client/3 #8, then 2..6 push them out. */
    for (uint64_t id = 2; id <= 6; id++)
        put(d, id);
    is(bus_dedup_count(d), 4, "the table is bounded (4 slots)");
    ok(has(d, 1) == 0 && has(d, 2) == 0, "the oldest entries were replaced");
    ok(has(d, 3) == 1 && has(d, 4) == 1 && has(d, 5) == 1 && has(d, 6) == 1,
       "the newest four remain");

    bus_dedup_destroy(&d);
    ok(d == NULL, "destroy NULLs the pointer");
    bus_dedup_destroy(&d);

    d = bus_dedup_open(path, 4);
    ok(d != NULL && bus_dedup_count(d) == 4, "reopened: four entries reloaded");
    ok(has(d, 3) == 1 && has(d, 6) == 1, "reloaded entries found");
    put(d, 7);
    ok(has(d, 3) == 0 && has(d, 4) == 1 && has(d, 7) == 1,
       "after a reload, the oldest is still the one replaced");
    bus_dedup_destroy(&d);

    /* A process killed right after recording: the entry is in the file. */
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        struct bus_dedup *c = bus_dedup_open(path, 4);

        if (c != NULL)
            put(c, 100);
        raise(SIGKILL);
        _exit(1);
    }
    ok(waitpid(pid, &ws, 0) == pid && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL,
       "a writer killed with SIGKILL");
    d = bus_dedup_open(path, 4);
    is(has(d, 100), 1, "its last entry survived the kill");
    ok(has(d, 5) == 1, "entry 5 is there before corruption");
    bus_dedup_destroy(&d);

    ok(file_corrupt("body-5"), "one byte of entry 5 flipped in the file (a torn write)");
    d = bus_dedup_open(path, 4);
    is(has(d, 5), 0, "the torn entry is ignored");
    ok(has(d, 6) == 1 && has(d, 7) == 1 && has(d, 100) == 1, "the others are intact");
    is(bus_dedup_count(d), 3, "three valid entries");
    put(d, 8);
    is(bus_dedup_count(d), 4, "the torn slot was reusable");
    bus_dedup_destroy(&d);

    d = bus_dedup_open(path, 8);
    ok(d != NULL && bus_dedup_count(d) == 0, "another size: the table starts afresh");
    bus_dedup_destroy(&d);

    {
        int fd = open(path, O_WRONLY | O_TRUNC);
        uint8_t junk[4096];

        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (uint8_t)(i * 7 + 3);
        ok(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk), "file garbled");
        close(fd);
    }
    d = bus_dedup_open(path, 4);
    ok(d != NULL && bus_dedup_count(d) == 0 && put(d, 1) == 0 && has(d, 1) == 1,
       "a garbled file is reformatted and usable");
    bus_dedup_destroy(&d);

    return done();
}
