/*
 * fuzz_shim_udp_dns.c - libFuzzer target for the UDP shim's DNS answer
 * parser: any bytes from the network (compression pointers, counts,
 * lengths) parse or are refused without reading past them or looping.
 *
 * Input: [qtype bit][bytes]: the answer to a query for "abc" with id 0x4242
 * of type A (bit 0) or AAAA (bit 1).
 */
#include "dns_msg.h"

#include <errno.h>
#include <ourobus/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_answer a;
    uint8_t *d;
    int r;

    if (size < 1)
        return 0;
    d = malloc(size - 1 ? size - 1 : 1);
    CHECK(d != NULL);
    memcpy(d, data + 1, size - 1);
    r = dns_answer_parse(d, size - 1, 0x4242, "abc", data[0] & 1 ? DNS_TYPE_A : DNS_TYPE_AAAA,
                         &a);
    CHECK(r == 0 || r == -EBADMSG || r == -ENAME || r == -EAGAIN);
    CHECK(r != 0 || a.ttl <= 0x7fffffff);
    free(d);
    return 0;
}
