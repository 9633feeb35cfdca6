/*
 * test_ipcp_config_msg.c - struct ipcp_config to its control message and
 * back, for every IPCP type, through nanopb's encoder and decoder; messages
 * out of range are refused.
 */
#include "ipcp_config_msg.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pb_decode.h>
#include <pb_encode.h>

/* conf -> message -> bytes -> message -> conf */
static int round_trip(const struct ipcp_config *in, struct ipcp_config *out)
{
    static irm_ipcp_config_t m, back;
    static uint8_t buf[16384];
    pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
    pb_istream_t is;

    ipcp_config_to_msg(in, &m);
    if (!pb_encode(&os, IRM_IPCP_CONFIG_FIELDS, &m))
        return -EPROTO;
    is = pb_istream_from_buffer(buf, os.bytes_written);
    memset(&back, 0, sizeof(back));
    if (!pb_decode(&is, IRM_IPCP_CONFIG_FIELDS, &back))
        return -EPROTO;
    memset(out, 0xa5, sizeof(*out));
    return ipcp_config_from_msg(&back, out);
}

static void udp4(struct ipcp_config *c)
{
    ipcp_config_default(c, IPCP_UDP4);
    snprintf(c->layer_info.name, sizeof(c->layer_info.name), "udp");
    inet_pton(AF_INET, "10.0.0.1", &c->udp.ip.v4);
    c->udp.port = 4000;
    c->udp.n_peers = 2;
    snprintf(c->udp.peers[0].name, sizeof(c->udp.peers[0].name), "server");
    inet_pton(AF_INET, "10.0.0.2", &c->udp.peers[0].ip.v4);
    snprintf(c->udp.peers[1].name, sizeof(c->udp.peers[1].name), "other");
    inet_pton(AF_INET, "10.0.0.3", &c->udp.peers[1].ip.v4);
    c->udp.peers[1].port = 5000;
}

static void test_udp(void)
{
    static struct ipcp_config c, o;
    static irm_ipcp_config_t m;

    udp4(&c);
    is(round_trip(&c, &o), 0, "udp4 with two peers and no DNS");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");

    ipcp_config_default(&c, IPCP_UDP6);
    snprintf(c.layer_info.name, sizeof(c.layer_info.name), "udp6");
    inet_pton(AF_INET6, "fd00::1", &c.udp.ip.v6);
    inet_pton(AF_INET6, "fd00::53", &c.udp.dns.v6);
    c.udp.n_peers = UDP_PEERS_MAX;
    for (int i = 0; i < UDP_PEERS_MAX; i++) {
        memset(c.udp.peers[i].name, 'a' + i % 26, NAME_SIZE);
        c.udp.peers[i].name[0] = (char)('0' + i / 10);
        c.udp.peers[i].name[1] = (char)('0' + i % 10);
        inet_pton(AF_INET6, "fd00::2", &c.udp.peers[i].ip.v6);
        c.udp.peers[i].port = (uint16_t)(1000 + i);
    }
    is(round_trip(&c, &o), 0, "udp6 with a DNS server and 32 peers of 255-character names");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");

    udp4(&c);
    ipcp_config_to_msg(&c, &m);
    m.peers[1].ip.size = 16;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a peer's IPv6 address in a udp4 layer: refused");
    ipcp_config_to_msg(&c, &m);
    m.peers[0].port = 70000;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a peer's port over 65535: refused");
    ipcp_config_to_msg(&c, &m);
    memset(m.peers[0].name, 'x', sizeof(m.peers[0].name));
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a peer's name without its end: refused");
    ipcp_config_to_msg(&c, &m);
    snprintf(m.peers[1].name, sizeof(m.peers[1].name), "server");
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "one name, two peers: refused");
    ipcp_config_to_msg(&c, &m);
    m.peers[0].name[0] = '\0';
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a peer without a name: refused");
    ipcp_config_to_msg(&c, &m);
    m.ip.size = 0;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "no address to bind to: refused");
    ipcp_config_to_msg(&c, &m);
    m.port = 0;
    is(ipcp_config_from_msg(&m, &o), 0, "no port: the default");
    is(o.udp.port, 3435, "  ... 3435");
    ipcp_config_to_msg(&c, &m);
    m.dir_hash_algo = DIR_HASH_SHA3_256;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a UDP layer with SHA3: refused");
    ipcp_config_to_msg(&c, &m);
    m.type = (irm_ipcp_type_t)99;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "an unknown type: refused");
}

static void test_others(void)
{
    static struct ipcp_config c, o;
    static irm_ipcp_config_t m;

    ipcp_config_default(&c, IPCP_UNICAST);
    snprintf(c.layer_info.name, sizeof(c.layer_info.name), "uni");
    c.unicast.dt.addr_size = 8;
    c.unicast.dt.routing = ROUTING_ECMP;
    c.unicast.cong_avoid = CA_NONE;
    c.unicast.dht.k = 20;
    is(round_trip(&c, &o), 0, "unicast");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");
    ipcp_config_to_msg(&c, &m);
    m.max_ttl = 256;
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "a TTL of 256: refused");

    ipcp_config_default(&c, IPCP_ETH_DIX);
    snprintf(c.layer_info.name, sizeof(c.layer_info.name), "eth");
    snprintf(c.eth.dev, sizeof(c.eth.dev), "veth0");
    c.eth.ethertype = 0xa001;
    is(round_trip(&c, &o), 0, "eth-dix");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");

    ipcp_config_default(&c, IPCP_ETH_LLC);
    snprintf(c.layer_info.name, sizeof(c.layer_info.name), "llc");
    snprintf(c.eth.dev, sizeof(c.eth.dev), "eth1");
    is(round_trip(&c, &o), 0, "eth-llc");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");

    ipcp_config_default(&c, IPCP_LOCAL);
    snprintf(c.layer_info.name, sizeof(c.layer_info.name), "local");
    is(round_trip(&c, &o), 0, "local");
    ok(memcmp(&c, &o, sizeof(c)) == 0, "  ... comes back field for field");
    ipcp_config_to_msg(&c, &m);
    m.layer[0] = '\0';
    is(ipcp_config_from_msg(&m, &o), -EINVAL, "no layer name: refused");
}

int main(void)
{
    plan(24);
    test_udp();
    test_others();
    return tap_failed != 0;
}
