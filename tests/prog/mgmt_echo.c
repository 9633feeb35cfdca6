/*
 * mgmt_echo - a test companion of ourobus-routing: it attaches to the
 * management rings of endpoint id EID_TEST (MGMT_ATTACH on routing's bus)
 * and either echoes every request to the address written inside it, or
 * sends numbered requests to an address and counts the echoes.
 *
 *   mgmt_echo --node N --ipcp NAME [--eid E] echo [SECONDS]
 *   mgmt_echo --node N --ipcp NAME [--eid E] send DST_ADDR COUNT
 *
 * send prints "mgmt_echo sent S received R lost L max_rtt_us M" and exits
 * 0 when every echo came back. echo runs until killed (or SECONDS).
 *
 * A message after the mgmt prefix: kind (0 request, 1 echo), 3 zero
 * bytes, the sequence number (32 bits), the sender's address (64 bits,
 * big-endian), the send time (64 bits, the sender's clock).
 */
#include "bus_client.h"
#include "deadline.h"
#include "mgmt_msg.h"
#include "pool.h"
#include "ring_shm.h"
#include "routing.pb.h"
#include "run_folder.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EID_TEST 4u /* docs/unicast.md */
#define MSG_LEN  24u
#define WINDOW   16u   /* requests in flight */
#define QUIET_MS 3000  /* no echo that long: the rest are lost */
#define SEND_MS  60000 /* the whole run at most */
#define SEQ_MAX  1000000u

struct comp {
    struct pool *pool;
    struct ring_map tx, rx;
    uint64_t self;
};

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static int attach(struct comp *c, const char *node, const char *ipcp, uint64_t eid)
{
    routing_mgmt_attach_t req = {.eid = eid};
    routing_mgmt_rings_t rep = ROUTING_MGMT_RINGS_INIT_ZERO;
    struct run_folder rf;
    char ep[RUN_PATH_MAX + 128], file[300], ident[64];
    struct bus_client *bc;
    int err;

    err = run_folder_for_client(&rf, node);
    snprintf(file, sizeof(file), "routing.%s.ctl", ipcp);
    if (err == 0)
        err = run_folder_endpoint(&rf, file, ep, sizeof(ep));
    if (err < 0)
        return err;
    snprintf(ident, sizeof(ident), "mgmt_echo.%d", (int)getpid());
    bc = bus_client_new(ep, ident);
    if (bc == NULL)
        return -ENOMEM;
    err = bus_client_call_pb(bc, ROUTING_METHOD_MGMT_ATTACH, ROUTING_MGMT_ATTACH_FIELDS, &req,
                             ROUTING_MGMT_RINGS_FIELDS, &rep, 3000);
    bus_client_destroy(&bc);
    if (err < 0)
        return err;
    c->self = rep.addr;
    err = pool_attach(rep.pool, &c->pool);
    if (err == 0)
        err = ring_shm_attach(&c->tx, rep.tx);
    if (err == 0)
        err = ring_shm_attach(&c->rx, rep.rx);
    return err;
}

/* One message to dst: 0, or -EAGAIN (pool or ring full). */
static int send_msg(struct comp *c, uint64_t dst, const uint8_t *msg)
{
    uint64_t off;
    uint8_t *p;
    int err;

    err = pool_alloc(c->pool, MGMT_PREFIX_LEN + MSG_LEN, &off);
    if (err < 0)
        return -EAGAIN;
    p = pool_blk_data(c->pool, off);
    mgmt_prefix_encode(dst, p, MGMT_PREFIX_LEN);
    memcpy(p + MGMT_PREFIX_LEN, msg, MSG_LEN);
    pool_blk_give(c->pool, off, c->tx.ring->tag);
    err = ring_push(c->tx.ring, off);
    if (err < 0) {
        pool_blk_take(c->pool, off);
        pool_free(c->pool, off);
    }
    return err;
}

/* One message from the rx ring into msg (waiting until deadline): 0, or
 * -ETIMEDOUT; short messages are dropped. */
static int recv_msg(struct comp *c, uint8_t *msg, uint64_t deadline)
{
    struct spin sp;

    spin_init(&sp, spin_default_ns());
    for (int i = 0; i < 1000000; i++) {
        uint64_t off;
        int err = ring_pop_wait(c->rx.ring, &off, deadline, &sp);

        if (err < 0)
            return err == -EAGAIN ? -ETIMEDOUT : err;
        if (!pool_blk_valid(c->pool, off))
            continue;
        pool_blk_take(c->pool, off);
        if (pool_blk_len(c->pool, off) >= MSG_LEN) {
            memcpy(msg, pool_blk_data(c->pool, off), MSG_LEN);
            pool_free(c->pool, off);
            return 0;
        }
        pool_free(c->pool, off);
    }
    return -ETIMEDOUT;
}

static int do_echo(struct comp *c, int secs)
{
    uint64_t end = secs > 0 ? deadline_after_ms((int64_t)secs * 1000) : DEADLINE_NONE;
    uint64_t n = 0;

    printf("mgmt_echo echoing (address %" PRIu64 ")\n", c->self);
    fflush(stdout);
    while (now_ns() < end) {
        uint8_t msg[MSG_LEN];
        uint64_t to = deadline_after_ms(500);
        int err = recv_msg(c, msg, to < end ? to : end);

        if (err == -ETIMEDOUT)
            continue;
        if (err < 0)
            break;
        if (msg[0] != 0)
            continue;
        msg[0] = 1;
        for (int i = 0; i < 1000 && send_msg(c, get64(msg + 8), msg) == -EAGAIN; i++)
            usleep(100);
        n++;
    }
    printf("mgmt_echo echoed %" PRIu64 "\n", n);
    return 0;
}

static int do_send(struct comp *c, uint64_t dst, uint32_t count)
{
    uint8_t *got = calloc(count + 1u, 1);
    uint64_t end = deadline_after_ms(SEND_MS), last = now_ns(), max_rtt = 0;
    uint32_t sent = 0, received = 0;

    if (got == NULL)
        return 1;
    while (received < count && now_ns() < end && now_ns() - last < QUIET_MS * 1000000ull) {
        uint8_t msg[MSG_LEN];

        while (sent < count && sent - received < WINDOW) {
            memset(msg, 0, sizeof(msg));
            msg[4] = (uint8_t)(sent >> 24);
            msg[5] = (uint8_t)(sent >> 16);
            msg[6] = (uint8_t)(sent >> 8);
            msg[7] = (uint8_t)sent;
            put64(msg + 8, c->self);
            put64(msg + 16, now_ns());
            if (send_msg(c, dst, msg) < 0)
                break;
            sent++;
        }
        if (recv_msg(c, msg, deadline_after_ms(100)) == 0 && msg[0] == 1) {
            uint32_t seq = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 |
                           (uint32_t)msg[6] << 8 | msg[7];
            uint64_t rtt = now_ns() - get64(msg + 16);

            if (seq < count && !got[seq]) {
                got[seq] = 1;
                received++;
                last = now_ns();
                if (rtt > max_rtt)
                    max_rtt = rtt;
            }
        }
    }
    printf("mgmt_echo sent %" PRIu32 " received %" PRIu32 " lost %" PRIu32
           " max_rtt_us %" PRIu64 "\n",
           sent, received, sent - received, max_rtt / 1000);
    fflush(stdout);
    free(got);
    return received == count ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"node", required_argument, NULL, 'n'},
                                         {"ipcp", required_argument, NULL, 'i'},
                                         {"eid", required_argument, NULL, 'e'},
                                         {NULL, 0, NULL, 0}};
    const char *node = NULL, *ipcp = NULL;
    uint64_t eid = EID_TEST;
    struct comp c = {0};
    int ch, err, ret = 2;

    while ((ch = getopt_long(argc, argv, "n:i:e:", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            node = optarg;
            break;
        case 'i':
            ipcp = optarg;
            break;
        case 'e':
            eid = strtoull(optarg, NULL, 10);
            break;
        default:
            return 2;
        }
    }
    if (ipcp == NULL || optind >= argc) {
        fprintf(stderr, "usage: mgmt_echo --node N --ipcp NAME [--eid E] echo [SECONDS]\n"
                        "       mgmt_echo --node N --ipcp NAME [--eid E] send DST COUNT\n");
        return 2;
    }
    err = attach(&c, node_name_default(node), ipcp, eid);
    if (err < 0) {
        fprintf(stderr, "mgmt_echo: cannot attach to the rings of %s: %d\n", ipcp, err);
        ret = 1;
    } else if (strcmp(argv[optind], "echo") == 0) {
        ret = do_echo(&c, optind + 1 < argc ? atoi(argv[optind + 1]) : 0);
    } else if (strcmp(argv[optind], "send") == 0 && optind + 2 < argc) {
        unsigned long n = strtoul(argv[optind + 2], NULL, 10);
        ret = do_send(&c, strtoull(argv[optind + 1], NULL, 10),
                      (uint32_t)(n > SEQ_MAX ? SEQ_MAX : n));
    }
    if (c.rx.ring != NULL)
        ring_shm_detach(&c.rx);
    if (c.tx.ring != NULL)
        ring_shm_detach(&c.tx);
    pool_detach(&c.pool);
    return ret;
}
