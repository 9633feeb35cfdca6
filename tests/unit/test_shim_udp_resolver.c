/*
 * test_shim_udp_resolver.c - where the UDP shim finds a name: the cache
 * (positive and negative answers, expiry, least recently used out), the
 * static peers of the layer, and a DNS server (a fake one on 127.0.0.1
 * answers A records, NXDOMAIN, or nothing); the DNS messages at their bytes.
 */
#include "dir_cache.h"
#include "dns_client.h"
#include "dns_msg.h"
#include "hash.h"
#include "resolver.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ourobus/errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define S 1000000000ull

static void test_cache(void)
{
    struct dir_cache *c = dir_cache_new(3);
    uint8_t h[4][16];
    struct udp_addr a, o;
    struct in_addr ip;

    for (int i = 0; i < 4; i++)
        memset(h[i], 'a' + i, 16);
    inet_pton(AF_INET, "10.0.0.1", &ip);
    udp_addr_set(&a, AF_INET, &ip, 3435);
    is(dir_cache_get(c, h[0], 16, 0, &o), -ENOENT, "empty: not cached");
    dir_cache_put(c, h[0], 16, &a, 10 * S);
    is(dir_cache_get(c, h[0], 16, 1 * S, &o), 0, "a positive answer");
    ok(udp_addr_equal(&o, &a), "... with its address");
    is(dir_cache_get(c, h[0], 16, 10 * S, &o), -ENOENT, "... gone once expired");
    dir_cache_put(c, h[1], 16, NULL, 10 * S);
    is(dir_cache_get(c, h[1], 16, 1 * S, &o), -ENAME, "a negative answer: -ENAME");
    is(dir_cache_get(c, h[1], 15, 1 * S, &o), -ENOENT, "another length is another hash");
    dir_cache_put(c, h[0], 16, &a, 20 * S);
    dir_cache_put(c, h[2], 16, &a, 20 * S);
    dir_cache_get(c, h[1], 16, 1 * S, &o); /* h[1] used last but one, h[0] least */
    dir_cache_get(c, h[2], 16, 1 * S, &o);
    dir_cache_put(c, h[3], 16, &a, 20 * S);
    is(dir_cache_count(c), 3, "full at 3");
    is(dir_cache_get(c, h[0], 16, 1 * S, &o), -ENOENT, "the least recently used went");
    is(dir_cache_get(c, h[1], 16, 1 * S, &o), -ENAME, "the others stay");
    dir_cache_forget(c, h[1], 16);
    is(dir_cache_get(c, h[1], 16, 1 * S, &o), -ENOENT, "forget");
    dir_cache_destroy(&c);
    ok(c == NULL, "destroy NULLs the pointer");
}

/* ---- a fake DNS server: answers per the first label of the name ---- */

struct fake_dns {
    int fd;
    uint16_t port;
    _Atomic int queries;
    _Atomic int stop;
    pthread_t th;
};

static size_t answer(const uint8_t *q, size_t n, uint8_t *a)
{
    size_t qend = 12;
    const char *first = (const char *)q + 13;
    int kind;

    while (qend < n && q[qend] != 0)
        qend += 1u + q[qend];
    qend += 5; /* the 0, QTYPE, QCLASS */
    memcpy(a, q, qend);
    a[2] = 0x81; /* QR, RD */
    a[3] = 0x80; /* RA */
    kind = first[0];
    if (kind == 'n') { /* NXDOMAIN */
        a[3] |= 3;
        return qend;
    }
    if (kind == 'f') { /* SERVFAIL */
        a[3] |= 2;
        return qend;
    }
    if (kind == 'e') { /* exists, no record */
        return qend;
    }
    /* One CNAME (to the question's name by pointer), then the A record. */
    a[7] = 2;
    {
        uint8_t rr[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0,  30, 0, 2,  0xc0, 12, 0xc0,
                        12,   0,  1, 0, 1, 0, 0, 1, 44, 0,  4, 10, 9,    8,  7};
        memcpy(a + qend, rr, sizeof(rr));
        return qend + sizeof(rr);
    }
}

static void *fake_main(void *arg)
{
    struct fake_dns *f = arg;
    uint8_t q[512], a[600];

    while (!atomic_load(&f->stop)) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(f->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);

        if (n < 13)
            continue;
        atomic_fetch_add(&f->queries, 1);
        if (q[13] == 's') /* silent */
            continue;
        if (q[13] == 'w') { /* first a stray answer with another id */
            size_t m = answer(q, (size_t)n, a);

            a[0] ^= 0xff;
            sendto(f->fd, a, m, 0, (struct sockaddr *)&from, fl);
            a[0] ^= 0xff;
            sendto(f->fd, a, m, 0, (struct sockaddr *)&from, fl);
            continue;
        }
        sendto(f->fd, a, answer(q, (size_t)n, a), 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static int fake_start(struct fake_dns *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof(sa);
    struct timeval tv = {0, 100000};

    f->fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(f->fd, (struct sockaddr *)&sa, &l) < 0)
        return -1;
    setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    f->port = ntohs(sa.sin_port);
    return pthread_create(&f->th, NULL, fake_main, f) == 0 ? 0 : -1;
}

static void fake_stop(struct fake_dns *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->th, NULL);
    close(f->fd);
}

static void test_dns_msg(void)
{
    uint8_t b[512], a[600];
    struct dns_answer out;
    int n;

    n = dns_query_build(0x1234, "ab.c", DNS_TYPE_AAAA, b, sizeof(b));
    is(n, 12 + 6 + 4, "a query: header, 2 ab 1 c 0, type, class");
    ok(b[0] == 0x12 && b[1] == 0x34 && b[2] == 0x01 && b[5] == 1 && b[12] == 2 &&
           b[13] == 'a' && b[15] == 1 && b[17] == 0 && b[19] == 28 && b[21] == 1,
       "... at its bytes (RD, one question, AAAA, IN)");
    is(dns_query_build(1, "a..b", DNS_TYPE_A, b, sizeof(b)), -EINVAL,
       "an empty label: -EINVAL");
    memset(a, 'x', 64);
    a[64] = '\0';
    is(dns_query_build(1, (char *)a, DNS_TYPE_A, b, sizeof(b)), -EINVAL,
       "a 64-character label: -EINVAL");
    is(dns_query_build(1, "abc", DNS_TYPE_A, b, 18), -EMSGSIZE, "a short buffer: -EMSGSIZE");

    n = dns_query_build(7, "okname", DNS_TYPE_A, b, sizeof(b));
    n = (int)answer(b, (size_t)n, a);
    is(dns_answer_parse(a, (size_t)n, 7, "okname", DNS_TYPE_A, &out), 0,
       "an answer with a CNAME, then the A record");
    ok(out.addr[0] == 10 && out.addr[3] == 7 && out.ttl == 300, "... 10.9.8.7, TTL 300");
    is(dns_answer_parse(a, (size_t)n, 7, "OKNAME.", DNS_TYPE_A, &out), 0,
       "names compare without case, with the root's dot");
    is(dns_answer_parse(a, (size_t)n, 8, "okname", DNS_TYPE_A, &out), -EBADMSG,
       "another id: not our answer");
    is(dns_answer_parse(a, (size_t)n, 7, "other", DNS_TYPE_A, &out), -EBADMSG,
       "another question: not our answer");
    is(dns_answer_parse(a, (size_t)n, 7, "okname", DNS_TYPE_AAAA, &out), -EBADMSG,
       "another type asked: not our answer");
    for (int cut = 0; cut < n; cut++)
        if (dns_answer_parse(a, (size_t)cut, 7, "okname", DNS_TYPE_A, &out) != -EBADMSG &&
            dns_answer_parse(a, (size_t)cut, 7, "okname", DNS_TYPE_A, &out) != -ENAME) {
            ok(false, "an answer cut at %d bytes", cut);
            break;
        } else if (cut == n - 1) {
            ok(true, "an answer cut anywhere: refused or no record, never read past");
        }
    a[n - 15] = 0xc0; /* the A record's name: a pointer to itself */
    a[n - 14] = (uint8_t)(n - 15);
    ok(dns_answer_parse(a, (size_t)n, 7, "okname", DNS_TYPE_A, &out) != 0,
       "a pointer loop ends");
    n = dns_query_build(9, "nx", DNS_TYPE_A, b, sizeof(b));
    n = (int)answer(b, (size_t)n, a);
    is(dns_answer_parse(a, (size_t)n, 9, "nx", DNS_TYPE_A, &out), -ENAME, "NXDOMAIN: -ENAME");
    n = dns_query_build(9, "exists", DNS_TYPE_A, b, sizeof(b));
    n = (int)answer(b, (size_t)n, a);
    is(dns_answer_parse(a, (size_t)n, 9, "exists", DNS_TYPE_A, &out), -ENAME,
       "no record of the type: -ENAME");
    n = dns_query_build(9, "fail", DNS_TYPE_A, b, sizeof(b));
    n = (int)answer(b, (size_t)n, a);
    is(dns_answer_parse(a, (size_t)n, 9, "fail", DNS_TYPE_A, &out), -EAGAIN,
       "SERVFAIL: -EAGAIN");
}

static void test_dns_client(void)
{
    struct fake_dns f = {0};
    struct dns_answer out;
    struct udp_addr srv;
    struct in_addr lo;
    uint64_t t0;

    if (fake_start(&f) < 0) {
        skip(5, "no fake DNS server");
        return;
    }
    inet_pton(AF_INET, "127.0.0.1", &lo);
    udp_addr_set(&srv, AF_INET, &lo, f.port);
    is(dns_client_lookup(&srv, "good", AF_INET, 1000, &out), 0, "a look-up");
    ok(out.addr[0] == 10 && out.addr[3] == 7, "... its address");
    is(dns_client_lookup(&srv, "nope", AF_INET, 1000, &out), -ENAME, "NXDOMAIN: -ENAME");
    is(dns_client_lookup(&srv, "wrongid", AF_INET, 1000, &out), 0,
       "a stray answer first: ignored, the right one taken");
    atomic_store(&f.queries, 0);
    t0 = (uint64_t)time(NULL);
    is(dns_client_lookup(&srv, "silent", AF_INET, 400, &out), -ETIMEDOUT,
       "no answer: -ETIMEDOUT");
    is(atomic_load(&f.queries), 2, "... after asking twice");
    (void)t0;
    fake_stop(&f);
}

static void test_resolver(void)
{
    struct udp_config c = {.af = AF_INET, .port = 4000};
    struct fake_dns f = {0};
    struct resolver *r;
    struct udp_addr o;
    uint8_t h[HASH_MAX];
    char hex[2 * HASH_MAX + 1];

    inet_pton(AF_INET, "10.0.0.1", &c.ip.v4);
    c.n_peers = 2;
    snprintf(c.peers[0].name, sizeof(c.peers[0].name), "server");
    inet_pton(AF_INET, "10.0.0.2", &c.peers[0].ip.v4);
    snprintf(c.peers[1].name, sizeof(c.peers[1].name), "other");
    inet_pton(AF_INET, "10.0.0.3", &c.peers[1].ip.v4);
    c.peers[1].port = 5000;
    if (fake_start(&f) < 0) {
        skip(9, "no fake DNS server");
        return;
    }
    inet_pton(AF_INET, "127.0.0.1", &c.dns.v4);
    r = resolver_new(&c, DIR_HASH_MD5);
    ok(r != NULL, "a resolver with two static peers and a DNS server");
    resolver_set_dns_port(r, f.port);
    hash_name(DIR_HASH_MD5, "server", h);
    is(resolver_known(r, h, 16, &o), 0, "a static peer is known at once");
    ok(udp_addr_port(&o) == 4000 && o.v4.sin_addr.s_addr == c.peers[0].ip.v4.s_addr,
       "... at its address and the layer's port");
    hash_name(DIR_HASH_MD5, "other", h);
    is(resolver_lookup(r, h, 16, 100, &o), 0, "another static peer");
    is(udp_addr_port(&o), 5000, "... at its own port");
    is(atomic_load(&f.queries), 0, "static peers ask no DNS");

    /* The fake server answers per the first letter of the hex hash. */
    for (int i = 0; i < 1000; i++) {
        char name[16];

        snprintf(name, sizeof(name), "n%d", i);
        hash_name(DIR_HASH_MD5, name, h);
        hash_hex(h, 16, hex);
        if (hex[0] >= 'a' && hex[0] != 'e' && hex[0] != 'f')
            break;
    }
    is(resolver_known(r, h, 16, &o), -ENOENT, "a name of DNS: not known yet (%s)", hex);
    is(resolver_lookup(r, h, 16, 1000, &o), 0, "... looked up");
    ok(udp_addr_port(&o) == 4000 && ((uint8_t *)&o.v4.sin_addr)[0] == 10,
       "... its address, the layer's port");
    is(resolver_known(r, h, 16, &o), 0, "... then cached");
    is(atomic_load(&f.queries), 1, "... one DNS query in all");
    resolver_forget(r, h, 16);
    is(resolver_known(r, h, 16, &o), -ENOENT, "forgotten: not known");
    resolver_destroy(&r);

    /* A name the server does not have: cached as such. */
    c.n_peers = 0;
    r = resolver_new(&c, DIR_HASH_MD5);
    resolver_set_dns_port(r, f.port);
    atomic_store(&f.queries, 0);
    memset(h, 0, sizeof(h));
    h[0] = 0xee; /* hex "ee...": the fake server says no record */
    is(resolver_lookup(r, h, 16, 1000, &o), -ENAME, "a name without an address: -ENAME");
    is(resolver_lookup(r, h, 16, 1000, &o), -ENAME, "... again");
    is(atomic_load(&f.queries), 1, "... the second time from the cache");
    is(resolver_lookup(r, h, 15, 1000, &o), -ENAME, "a hash of another length: -ENAME");
    resolver_destroy(&r);
    ok(r == NULL, "destroy NULLs the pointer");
    fake_stop(&f);
}

int main(void)
{
    plan(11 + 16 + 6 + 17);
    test_cache();
    test_dns_msg();
    test_dns_client();
    test_resolver();
    return tap_failed != 0;
}
