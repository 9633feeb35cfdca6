/*
 * fuzz_fa_snapshot.c - libFuzzer target for the flow table's snapshot
 * import: no input crashes it or leaks, a rejected one leaves the table
 * empty, and an accepted one exports back to the same bytes.
 *
 * Input: [mode][bytes]. mode odd: the checksum is recomputed first, so
 * the fuzzer reaches the per-flow checks behind it.
 */
#include "fa_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same FNV-1a 64 fa_table.c seals a snapshot with (docs/fa.md). */
static void reseal(uint8_t *b, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i + FA_SNAP_SUM_LEN < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++)
        b[len - 8 + i] = (uint8_t)(h >> (56 - 8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fa_table *t;
    uint8_t *d, *again;
    size_t n;
    int r;

    if (size < 1)
        return 0;
    n = size - 1;
    d = malloc(n ? n : 1);
    CHECK(d != NULL);
    memcpy(d, data + 1, n);
    if ((data[0] & 1) && n >= FA_SNAP_HDR_LEN + FA_SNAP_SUM_LEN)
        reseal(d, n);
    t = fa_table_new(64, NULL, NULL);
    CHECK(t != NULL);
    r = fa_table_import(t, d, n);
    if (r == 0) {
        again = malloc(n);
        CHECK(again != NULL);
        CHECK(fa_table_export_len(t) == n);
        CHECK(fa_table_export(t, again, n) == (long)n);
        CHECK(memcmp(again, d, n) == 0);
        free(again);
    } else {
        CHECK(fa_table_count(t) == 0);
    }
    fa_table_destroy(&t);
    free(d);
    return 0;
}
