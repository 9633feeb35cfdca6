/*
 * test_shim_eth_link.c - the Ethernet shim's link state: rtnetlink link
 * messages built here parsed for one interface (flags, MTU, removal, several
 * per datagram, cut short), and a real netlink socket opened.
 */
#include "eth_link.h"
#include "tap.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* Append a link message for ifindex with flags (and an MTU attribute when
 * mtu != 0) at buf + *at. */
static void add_msg(uint8_t *buf, size_t *at, uint16_t type, int ifindex, unsigned int flags,
                    uint32_t mtu)
{
    struct nlmsghdr *h = (struct nlmsghdr *)(buf + *at);
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    size_t len = NLMSG_LENGTH(sizeof(*ifi));

    memset(h, 0, NLMSG_SPACE(sizeof(*ifi)) + RTA_SPACE(4));
    h->nlmsg_type = type;
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = flags;
    if (mtu != 0) {
        struct rtattr *a = (struct rtattr *)((uint8_t *)h + NLMSG_ALIGN(len));
        a->rta_type = IFLA_MTU;
        a->rta_len = RTA_LENGTH(4);
        memcpy(RTA_DATA(a), &mtu, 4);
        len = NLMSG_ALIGN(len) + RTA_SPACE(4);
    }
    h->nlmsg_len = (uint32_t)len;
    *at += NLMSG_ALIGN(len);
}

int main(void)
{
    uint8_t buf[1024] __attribute__((aligned(4)));
    struct eth_link st = {.up = false, .mtu = 1500};
    size_t n = 0;
    int fd;

    plan(13);
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_UP | IFF_RUNNING, 9000);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && st.up && st.mtu == 9000,
       "up and running, MTU 9000");
    is(eth_link_parse(buf, n, 4, &st), 0, "another interface: not ours");

    n = 0;
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_UP, 0);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && !st.up && st.mtu == 9000,
       "up without carrier: down; no MTU attribute: MTU kept");

    n = 0;
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_UP | IFF_LOWER_UP, 0);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && st.up,
       "up with a carrier, before the link watch says running: up");

    n = 0;
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_RUNNING, 1500);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && !st.up && st.mtu == 1500,
       "administratively down: down");

    n = 0;
    add_msg(buf, &n, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING, 0);
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_UP | IFF_RUNNING, 0);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && st.up, "the second message of a datagram");

    n = 0;
    add_msg(buf, &n, RTM_DELLINK, 3, IFF_UP | IFF_RUNNING, 0);
    ok(eth_link_parse(buf, n, 3, &st) == 1 && !st.up, "removed: down");

    n = 0;
    add_msg(buf, &n, RTM_NEWADDR, 3, IFF_UP | IFF_RUNNING, 0);
    st.up = false;
    ok(eth_link_parse(buf, n, 3, &st) == 0 && !st.up, "an address message: ignored");

    n = 0;
    add_msg(buf, &n, RTM_NEWLINK, 3, IFF_UP | IFF_RUNNING, 1400);
    ok(eth_link_parse(buf, n - 4, 3, &st) == 0, "a message cut short: ignored");
    ((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_LENGTH(4);
    ok(eth_link_parse(buf, n, 3, &st) == 0, "too short for a link message: ignored");

    st.mtu = 0;
    fd = eth_link_get(1, &st);
    ok(fd == 0 && st.up && st.mtu > 0, "the loopback asked for: up, MTU %u", st.mtu);
    is(eth_link_get(999999, &st), -ENODEV, "no such interface");

    fd = eth_link_open();
    ok(fd >= 0, "a netlink socket for link changes");
    if (fd >= 0)
        close(fd);
    return done();
}
