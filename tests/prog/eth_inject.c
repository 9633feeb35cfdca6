/*
 * eth_inject - send raw Ethernet frames from outside ourobus, for the tests
 * that feed a shim malformed frames (needs CAP_NET_RAW):
 *
 *   eth_inject IF DST_MAC HEX [COUNT]
 *
 * sends COUNT (default 1) frames to DST_MAC from IF's address: 12 bytes of
 * addresses, then the bytes written in HEX (ethertype or 802.3 length and
 * on). Prints "sent N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_mac(const char *s, unsigned char *mac)
{
    unsigned int b[6];

    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (unsigned char)b[i];
    return 0;
}

static int parse_hex(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;

    while (*s != '\0') {
        unsigned int v;
        if (*s == ' ' || *s == ':' || *s == '.') {
            s++;
            continue;
        }
        if (n == cap || sscanf(s, "%2x", &v) != 1 || s[1] == '\0')
            return -1;
        out[n++] = (unsigned char)v;
        s += 2;
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    unsigned char frame[9216];
    struct sockaddr_ll sa;
    struct ifreq ifr;
    int fd, n, count = 1, sent = 0;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: eth_inject IF DST_MAC HEX [COUNT]\n");
        return 2;
    }
    if (parse_mac(argv[2], frame) < 0) {
        fprintf(stderr, "eth_inject: bad MAC address '%s'\n", argv[2]);
        return 2;
    }
    n = parse_hex(argv[3], frame + 12, sizeof(frame) - 12);
    if (n < 0) {
        fprintf(stderr, "eth_inject: bad hex '%s'\n", argv[3]);
        return 2;
    }
    if (argc == 5)
        count = atoi(argv[4]);
    fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) {
        perror("eth_inject: socket");
        return 1;
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        perror("eth_inject: interface");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sll_family = AF_PACKET;
    sa.sll_ifindex = ifr.ifr_ifindex;
    sa.sll_halen = 6;
    memcpy(sa.sll_addr, frame, 6);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        perror("eth_inject: address");
        return 1;
    }
    memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
    for (int i = 0; i < count; i++) {
        if (sendto(fd, frame, (size_t)n + 12, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            perror("eth_inject: send");
            break;
        }
        sent++;
    }
    printf("sent %d\n", sent);
    close(fd);
    return sent == count ? 0 : 1;
}
