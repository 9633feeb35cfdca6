/*
 * eth_sock.c - the Ethernet shim's raw socket: opened unbound so it queues
 * nothing, then bound to one interface and protocol, with large buffers
 * and without copies of our own outgoing frames.
 */
#include "eth_sock.h"

#include "eth_link.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define RCVBUF (8 << 20)
#define SNDBUF (2 << 20)

int eth_sock_probe(void)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return errno == EPERM || errno == EACCES ? -EPERM : -errno;
    close(fd);
    return 0;
}

static uint16_t sock_proto(const struct eth_fmt *fmt)
{
    return htons(fmt->framing == ETH_FRAMING_LLC ? ETH_P_802_2 : fmt->ethertype);
}

static int if_info(struct eth_sock *s)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, s->dev, sizeof(ifr.ifr_name));
    if (ioctl(s->fd, SIOCGIFINDEX, &ifr) < 0)
        return -errno;
    s->ifindex = ifr.ifr_ifindex;
    if (ioctl(s->fd, SIOCGIFHWADDR, &ifr) < 0)
        return -errno;
    memcpy(s->mac, ifr.ifr_hwaddr.sa_data, ETH_MAC_LEN);
    if (ioctl(s->fd, SIOCGIFMTU, &ifr) < 0)
        return -errno;
    s->mtu = (uint32_t)ifr.ifr_mtu;
    return 0;
}

static void set_buffers(int fd)
{
    int rcv = RCVBUF, snd = SNDBUF, one = 1;
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};

    /* FORCE passes the system's limit (we have CAP_NET_ADMIN as root). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
    /* A send never blocks the send thread for long: it can stop. */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
        log_warn("PACKET_IGNORE_OUTGOING: %s (kernel < 4.20?): our own frames come back "
                 "and are dropped as for another host",
                 strerror(errno));
}

int eth_sock_open(struct eth_sock *s, const char *dev, const struct eth_fmt *fmt)
{
    struct sockaddr_ll sa;
    int err;

    memset(s, 0, sizeof(*s));
    s->fmt = *fmt;
    if (dev == NULL || dev[0] == '\0' || strlen(dev) >= sizeof(s->dev)) {
        log_err("no valid network interface given (dev)");
        s->fd = -1;
        return -ENODEV;
    }
    strcpy(s->dev, dev);
    /* Protocol 0: nothing is queued before the bind below. */
    s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        err = -errno;
        if (err == -EPERM || err == -EACCES) {
            log_err("raw Ethernet sockets need CAP_NET_RAW: run as root or give the "
                    "binary the capability (setcap cap_net_raw+ep)");
            return -EPERM;
        }
        log_err("cannot open a raw socket: %s", strerror(-err));
        return err;
    }
    err = if_info(s);
    if (err < 0) {
        log_err("interface %s: %s", dev, strerror(-err));
        goto fail;
    }
    set_buffers(s->fd);
    memset(&sa, 0, sizeof(sa));
    sa.sll_family = AF_PACKET;
    sa.sll_protocol = sock_proto(fmt);
    sa.sll_ifindex = s->ifindex;
    if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err = -errno;
        log_err("cannot bind a raw socket to %s: %s", dev, strerror(-err));
        goto fail;
    }
    return 0;
fail:
    close(s->fd);
    s->fd = -1;
    return err == -ENXIO || err == -ENOENT ? -ENODEV : err;
}

void eth_sock_close(struct eth_sock *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

int eth_sock_send(const struct eth_sock *s, const void *frame, size_t len)
{
    ssize_t n = send(s->fd, frame, len, MSG_NOSIGNAL);

    if (n < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EIO;
}

int eth_sock_link(const struct eth_sock *s, bool *up, uint32_t *mtu)
{
    struct eth_link st = {.up = false, .mtu = s->mtu};
    int err = eth_link_get(s->ifindex, &st);

    if (err < 0)
        return err;
    *up = st.up;
    *mtu = st.mtu;
    return 0;
}
