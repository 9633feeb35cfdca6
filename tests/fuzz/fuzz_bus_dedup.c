/*
 * fuzz_bus_dedup.c - libFuzzer target for the dedup file loader: whatever a
 * crash or a stranger left in <service>.dedup, opening it must not crash.
 *
 * Input: [mode][bytes]. Mode even: the bytes are the whole file. Mode odd:
 * a valid header of 2 slots, the bytes over the slots.
 */
#include "bus_dedup.h"
#include "log.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 2

/* Checked in every build (NDEBUG removes assert). */
#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static uint8_t *image; /* a freshly formatted file of SLOTS slots */
static size_t image_len;

static void image_make(void)
{
    struct bus_dedup *d = bus_dedup_open(path, SLOTS);
    FILE *f;

    CHECK(d != NULL);
    bus_dedup_destroy(&d);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    image_len = (size_t)ftell(f);
    rewind(f);
    image = malloc(image_len);
    CHECK(image != NULL && fread(image, 1, image_len, f) == image_len);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    snprintf(path, sizeof(path), "/tmp/fuzz_bus_dedup.%d", (int)getpid());
    log_set_level(LOG_LVL_ERR);
    image_make();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bus_dedup_key k = {(const uint8_t *)"c", 1, 1, 1};
    struct bus_dedup *d;
    uint8_t body[BUS_DEDUP_BODY_MAX];
    size_t len;
    int status;
    int fd;

    if (size < 1)
        return 0;
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    if (data[0] & 1) {
        size_t over = size - 1 < image_len - 64 ? size - 1 : image_len - 64;
        uint8_t *copy = malloc(image_len);

        memcpy(copy, image, image_len);
        memcpy(copy + 64, data + 1, over);
        if (write(fd, copy, image_len) < 0)
            abort();
        free(copy);
    } else if (write(fd, data + 1, size - 1) < 0) {
        abort();
    }
    close(fd);

    d = bus_dedup_open(path, SLOTS);
    CHECK(d != NULL);
    CHECK(bus_dedup_count(d) <= SLOTS);
    bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len);
    CHECK(bus_dedup_insert(d, &k, 7, "x", 1) == 0);
    CHECK(bus_dedup_lookup(d, &k, &status, body, sizeof(body), &len) == 1 && status == 7);
    bus_dedup_destroy(&d);
    unlink(path);
    return 0;
}
