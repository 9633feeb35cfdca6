/*
 * test_routing_lsa.c - the link-state advertisement: its byte layout, round
 * trips with 0, 1 and LSA_LINKS_MAX links, every truncation, and every rule
 * of the decoder and the encoder.
 */
#include "lsa.h"
#include "tap.h"

#include <errno.h>

static struct lsa sample(void)
{
    struct lsa l = {.origin = 0x0102030405060708ull, .seqno = 0x1112131415161718ull};

    l.n_links = 2;
    l.links[0] = (struct lsa_link){.addr = 0xa1, .metric = 10};
    l.links[1] = (struct lsa_link){.addr = 0xb2, .metric = 0x123456, .down = true};
    return l;
}

static void test_layout(void)
{
    struct lsa l = sample(), o;
    uint8_t b[LSA_LEN_MAX];
    int n;

    is(lsa_len(0), 20, "an LSA without links: 20 bytes");
    n = lsa_encode(&l, b, sizeof(b));
    is(n, 52, "two links: 20 + 2 * 16 bytes");
    ok(b[0] == 1 && b[1] == 0 && b[2] == 0 && b[3] == 2, "bytes 0-3: version 1, 0, 2 links");
    ok(b[4] == 1 && b[11] == 8, "bytes 4-11: the origin, big-endian");
    ok(b[12] == 0x11 && b[19] == 0x18, "bytes 12-19: the sequence number");
    ok(b[27] == 0xa1 && b[31] == 10 && b[32] == 0, "first link: address, metric, no flag");
    ok(b[43] == 0xb2 && b[45] == 0x12 && b[47] == 0x56 && b[48] == LSA_LINK_DOWN &&
           b[49] == 0 && b[51] == 0,
       "second link: address, metric, the down flag, reserved zero");
    is(lsa_decode(b, (size_t)n, &o), 0, "decodes");
    ok(o.origin == l.origin && o.seqno == l.seqno && o.n_links == 2 &&
           o.links[0].addr == 0xa1 && o.links[0].metric == 10 && !o.links[0].down &&
           o.links[1].addr == 0xb2 && o.links[1].metric == 0x123456 && o.links[1].down,
       "every field comes back");
    ok(lsa_find(&o, 0xb2) == &o.links[1] && lsa_find(&o, 0xc3) == NULL, "lsa_find");
    is(lsa_encode(&l, b, 51), -EMSGSIZE, "a buffer one byte short: -EMSGSIZE");
}

static void test_sizes(void)
{
    struct lsa l = {.origin = 1, .seqno = 0}, o;
    uint8_t b[LSA_LEN_MAX + 16];
    int bad = 0;

    is(lsa_encode(&l, b, sizeof(b)), 20, "no links: encodes");
    is(lsa_decode(b, 20, &o), 0, "... decodes");
    is(o.n_links, 0, "... with no links");
    l.n_links = LSA_LINKS_MAX;
    for (size_t i = 0; i < LSA_LINKS_MAX; i++)
        l.links[i] = (struct lsa_link){.addr = 100 + i, .metric = (uint32_t)i + 1};
    is(lsa_encode(&l, b, sizeof(b)), (int)LSA_LEN_MAX, "LSA_LINKS_MAX links: encodes");
    is(lsa_decode(b, LSA_LEN_MAX, &o), 0, "... decodes");
    for (size_t i = 0; i < LSA_LINKS_MAX; i++)
        bad += o.links[i].addr != 100 + i || o.links[i].metric != i + 1;
    is(bad, 0, "... every link comes back in order");
    for (size_t n = 0; n < LSA_LEN_MAX; n++)
        bad += lsa_decode(b, n, &o) != -EBADMSG;
    is(bad, 0, "every truncation of it is refused");
    l.n_links = LSA_LINKS_MAX + 1;
    is(lsa_encode(&l, b, sizeof(b)), -EINVAL, "LSA_LINKS_MAX + 1 links: -EINVAL");
    lsa_encode(&(struct lsa){.origin = 1}, b, sizeof(b));
    b[3] = LSA_LINKS_MAX + 1;
    memset(b + 20, 0, (LSA_LINKS_MAX + 1) * 16);
    is(lsa_decode(b, lsa_len(LSA_LINKS_MAX + 1), &o), -EBADMSG,
       "a count over LSA_LINKS_MAX (with the bytes to match): refused");
}

/* Encode sample(), break it with fn, expect the decoder to refuse. */
static void refused(const char *what, void (*fn)(uint8_t *b, size_t *n))
{
    struct lsa l = sample(), o;
    uint8_t b[LSA_LEN_MAX + 16];
    size_t n = (size_t)lsa_encode(&l, b, sizeof(b));

    fn(b, &n);
    is(lsa_decode(b, n, &o), -EBADMSG, "refused: %s", what);
}

static void add1(uint8_t *b, size_t *n)
{
    b[(*n)++] = 0;
}
static void cut_link(uint8_t *b, size_t *n)
{
    (void)b;
    *n -= 16;
}
static void version2(uint8_t *b, size_t *n)
{
    (void)n;
    b[0] = 2;
}
static void reserved_hdr(uint8_t *b, size_t *n)
{
    (void)n;
    b[1] = 1;
}
static void count3(uint8_t *b, size_t *n)
{
    (void)n;
    b[3] = 3;
}
static void origin0(uint8_t *b, size_t *n)
{
    (void)n;
    memset(b + 4, 0, 8);
}
static void nb0(uint8_t *b, size_t *n)
{
    (void)n;
    memset(b + 20, 0, 8);
}
static void nb_self(uint8_t *b, size_t *n)
{
    (void)n;
    memcpy(b + 20, b + 4, 8);
}
static void nb_twice(uint8_t *b, size_t *n)
{
    (void)n;
    memcpy(b + 36, b + 20, 8);
}
static void metric0(uint8_t *b, size_t *n)
{
    (void)n;
    memset(b + 28, 0, 4);
}
static void metric_big(uint8_t *b, size_t *n)
{
    (void)n;
    b[28] = 1;
}
static void flag2(uint8_t *b, size_t *n)
{
    (void)n;
    b[32] = 2;
}
static void reserved_link(uint8_t *b, size_t *n)
{
    (void)n;
    b[51] = 1;
}

static void test_rules(void)
{
    struct lsa l = sample();
    uint8_t b[LSA_LEN_MAX];

    refused("one byte too many", add1);
    refused("one link's bytes missing", cut_link);
    refused("version 2", version2);
    refused("a reserved header byte set", reserved_hdr);
    refused("a count of 3 with 2 links' bytes", count3);
    refused("origin 0", origin0);
    refused("neighbour 0", nb0);
    refused("the origin as its own neighbour", nb_self);
    refused("a neighbour listed twice", nb_twice);
    refused("metric 0", metric0);
    refused("a metric over LSA_METRIC_MAX", metric_big);
    refused("an unknown link flag", flag2);
    refused("a reserved link byte set", reserved_link);

    l.links[1].metric = 0;
    is(lsa_encode(&l, b, sizeof(b)), -EINVAL, "the encoder keeps the rules: metric 0");
    l = sample();
    l.links[1].addr = l.links[0].addr;
    is(lsa_encode(&l, b, sizeof(b)), -EINVAL, "... a neighbour twice");
    l = sample();
    l.origin = 0;
    is(lsa_encode(&l, b, sizeof(b)), -EINVAL, "... origin 0");
}

int main(void)
{
    plan(11 + 9 + 16);
    test_layout();
    test_sizes();
    test_rules();
    return done();
}
