/*
 * fuzz_directory_routes.c - libFuzzer target for the directory's reader of
 * routing's routes file: any bytes. Nothing crashes; what it keeps is
 * non-zero, not our own address, without duplicates, within its bounds.
 */
#include "routes_read.h"

#include <stdint.h>
#include <stdlib.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const uint64_t *v, size_t n, uint64_t self)
{
    CHECK(n <= ROUTES_READ_MAX);
    for (size_t i = 0; i < n; i++) {
        CHECK(v[i] != 0 && v[i] != self);
        for (size_t j = 0; j < i; j++)
            CHECK(v[i] != v[j]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct routes_read r;
    int bad = routes_read_parse((const char *)data, size, &r);

    CHECK(bad >= 0 && (size_t)bad <= size);
    check_list(r.nbrs, r.n_nbrs, r.self);
    check_list(r.others, r.n_others, r.self);
    for (size_t i = 0; i < r.n_others; i++)
        for (size_t j = 0; j < r.n_nbrs; j++)
            CHECK(r.others[i] != r.nbrs[j]);
    return 0;
}
