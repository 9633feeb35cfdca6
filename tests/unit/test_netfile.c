/*
 * test_netfile.c - the network file: good ones load (deploy/examples too)
 * and give node files that the node file's own loader takes, with the
 * right addresses, peers, registrations and enrollments; each broken one
 * is refused with its own line, column and message.
 */
#include "netfile.h"
#include "node_config.h"
#include "tap.h"

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

static int load(const char *yaml, struct netfile **nf, char *err, size_t len)
{
    return netfile_load_data("net.yaml", yaml, strlen(yaml), nf, err, len);
}

/* The file is refused with exactly this line. */
static void broken(const char *what, const char *yaml, const char *want)
{
    struct netfile *nf = NULL;
    char err[NETFILE_ERR_MAX];
    int r = load(yaml, &nf, err, sizeof(err));

    ok(r == -EINVAL && nf == NULL && strcmp(err, want) == 0, "broken: %s", what);
    if (r != -EINVAL || strcmp(err, want) != 0)
        diag("  got %d '%s'\n#   expected '%s'", r, err, want);
    netfile_destroy(&nf);
}

static const char *const no_progs[] = {NULL};

/* node's node file loads as a node file; returns it (free it). */
static char *node_file(const struct netfile *nf, enum netfile_mode mode, const char *node,
                       const char *const *progs, struct node_config **cfg)
{
    char err[NODE_CONFIG_ERR_MAX] = "";
    char *text = netfile_node_file(nf, mode, node, progs);
    int r;

    if (text == NULL)
        return NULL;
    r = node_config_load_data("node.yaml", text, strlen(text), cfg, err, sizeof(err));
    ok(r == 0, "the node file of %s is a good node file", node);
    if (r != 0)
        diag("  %s\n%s", err, text);
    return text;
}

static const char three[] = "network: t\n"
                            "nodes:\n"
                            "  - name: a\n"
                            "  - name: b\n"
                            "    log: debug\n"
                            "    pool: 16MiB\n"
                            "    programs:\n"
                            "      - {path: oping, args: [-l], bind: [ping.b]}\n"
                            "      - {path: /bin/echo, auto: true, args: [x], bind: [e.b]}\n"
                            "  - name: c\n"
                            "links:\n"
                            "  - name: lo\n"
                            "    nodes:\n"
                            "      - {node: a, port: 5001}\n"
                            "      - {node: b, port: 5002}\n"
                            "      - {node: c, port: 5003}\n"
                            "layers:\n"
                            "  - name: u\n"
                            "    type: udp4\n"
                            "    link: lo\n"
                            "    register:\n"
                            "      - {node: b, names: [ping.b, e.b]}\n"
                            "      - {node: c, names: [ping.c]}\n";

static void test_three(void)
{
    const char *progs[] = {"/usr/bin/oping", "/bin/echo"};
    struct netfile *nf = NULL;
    struct node_config *cfg = NULL;
    char err[NETFILE_ERR_MAX] = "";
    char ip[64];
    char *text;

    ok(load(three, &nf, err, sizeof(err)) == 0, "three nodes over udp4 load");
    if (nf == NULL) {
        diag("  %s", err);
        return;
    }
    ok(nf->net->nodes_count == 3 && nf->net->layers_count == 1 && nf->prefix == 16 &&
           nf->base == 0x0a630000,
       "three nodes, one layer, the default range 10.99.0.0/16");
    ok(netfile_node(nf, "c") == 2 && netfile_node(nf, "d") == -1, "nodes by name");
    ok(netfile_node_ipcps(nf, "a") == 1, "one IPCP per node");
    netfile_link_ip(nf, NETFILE_PROCESSES, 0, "b", ip, sizeof(ip));
    is_str(ip, "127.0.0.1", "as processes, every end is on 127.0.0.1");
    netfile_link_ip(nf, NETFILE_NETNS, 0, "c", ip, sizeof(ip));
    is_str(ip, "10.99.1.3", "in namespaces, c is the third address of the link's /24");

    text = node_file(nf, NETFILE_PROCESSES, "a", no_progs, &cfg);
    ok(cfg != NULL && cfg->nipcps == 1 && strcmp(cfg->ipcps[0].name, "u.a") == 0 &&
           cfg->ipcps[0].conf.udp.port == 5001 && cfg->ipcps[0].conf.udp.n_peers == 3,
       "a: IPCP u.a on port 5001, peers for the 3 names of b and c");
    if (cfg != NULL && cfg->nipcps == 1) {
        const struct udp_config *u = &cfg->ipcps[0].conf.udp;

        ok(strcmp(u->peers[0].name, "ping.b") == 0 && u->peers[0].port == 5002 &&
               strcmp(u->peers[2].name, "ping.c") == 0 && u->peers[2].port == 5003,
           "a: ping.b at b's port, ping.c at c's");
    } else {
        ok(0, "a: peers");
    }
    node_config_destroy(&cfg);
    free(text);

    text = node_file(nf, NETFILE_PROCESSES, "b", progs, &cfg);
    ok(cfg != NULL && cfg->log_set && cfg->nnames == 2 && cfg->names[0].nprogs == 1 &&
           strcmp(cfg->names[0].progs[0].path, "/usr/bin/oping") == 0 &&
           !cfg->names[0].progs[0].auto_start && cfg->names[1].progs[0].auto_start &&
           cfg->names[1].progs[0].argc == 1,
       "b: its log level, oping bound to ping.b, an auto program with its args");
    ok(cfg != NULL && cfg->nipcps == 1 && cfg->ipcps[0].nregs == 2 &&
           cfg->ipcps[0].conf.udp.n_peers == 1,
       "b: registers ping.b and e.b, a peer for ping.c");
    node_config_destroy(&cfg);
    free(text);
    netfile_destroy(&nf);
    ok(nf == NULL, "netfile_destroy NULLs the pointer");
    netfile_destroy(&nf);
}

/* The layers of tomorrow: unicast over two shims, broadcast, Ethernet. */
static const char layered[] = "nodes: [{name: a}, {name: b}, {name: c}, {name: d}]\n"
                              "addresses: 172.16.0.0/12\n"
                              "links:\n"
                              "  - name: l6\n"
                              "    ip: ::1\n"
                              "    nodes: [{node: a, port: 6001}, {node: b, port: 6002}]\n"
                              "segments:\n"
                              "  - {name: lan, dev: eth0, nodes: [b, c, d]}\n"
                              "layers:\n"
                              "  - {name: up6, type: udp6, link: l6}\n"
                              "  - {name: eth, type: eth-dix, segment: lan, ethertype: 0xa001,"
                              " hash: SHA3_224}\n"
                              "  - name: net\n"
                              "    type: unicast\n"
                              "    over: [up6, eth]\n"
                              "    bootstrap: b\n"
                              "    members:\n"
                              "      - {node: a}\n"
                              "      - {node: c, enroll: a}\n"
                              "      - {node: d}\n"
                              "    connect:\n"
                              "      - {from: a, to: b}\n"
                              "      - {from: c, to: b, component: dt, qos: voice}\n"
                              "    routing: lfa\n"
                              "    addr_size: 8\n"
                              "    dht_k: 4\n"
                              "    register: [{node: d, names: [srv]}]\n"
                              "  - name: chat\n"
                              "    type: broadcast\n"
                              "    over: [net]\n"
                              "    bootstrap: d\n"
                              "    members: [{node: c}]\n";

static void test_layered(void)
{
    struct netfile *nf = NULL;
    struct node_config *cfg = NULL;
    char err[NETFILE_ERR_MAX] = "";
    char ip[64];
    char *text;

    ok(load(layered, &nf, err, sizeof(err)) == 0,
       "udp6, eth-dix, unicast and broadcast layers load");
    if (nf == NULL) {
        diag("  %s", err);
        return;
    }
    ok(netfile_node_ipcps(nf, "a") == 2 && netfile_node_ipcps(nf, "b") == 3 &&
           netfile_node_ipcps(nf, "d") == 3,
       "a node has an IPCP in each of its layers");
    netfile_link_ip(nf, NETFILE_NETNS, 0, "b", ip, sizeof(ip));
    is_str(ip, "fd99:1::2", "a udp6 link in namespaces takes fd99:<link>::<end>");
    netfile_segment_dev(nf, NETFILE_NETNS, 0, ip, sizeof(ip));
    is_str(ip, "s0", "a segment in namespaces is s<index>");

    text = node_file(nf, NETFILE_PROCESSES, "b", no_progs, &cfg);
    ok(cfg != NULL && cfg->nipcps == 3 && cfg->ipcps[2].mode == NODE_IPCP_BOOTSTRAP &&
           cfg->ipcps[2].type == IPCP_UNICAST &&
           cfg->ipcps[2].conf.unicast.dt.routing == ROUTING_LFA &&
           cfg->ipcps[2].conf.unicast.dt.addr_size == 8 &&
           cfg->ipcps[2].conf.unicast.dht.k == 4 && cfg->ipcps[2].autobind,
       "b bootstraps net with its parameters, autobound");
    ok(cfg != NULL && cfg->nipcps == 3 && cfg->ipcps[0].type == IPCP_UDP6 &&
           cfg->ipcps[0].nregs == 1 && strcmp(cfg->ipcps[0].regs[0], "net.b") == 0 &&
           cfg->ipcps[1].type == IPCP_ETH_DIX &&
           strcmp(cfg->ipcps[1].conf.eth.dev, "eth0") == 0 &&
           cfg->ipcps[1].conf.eth.ethertype == 0xa001,
       "b's shims: net.b registered in the udp6 layer, eth0 and the ethertype");
    node_config_destroy(&cfg);
    free(text);

    text = node_file(nf, NETFILE_NETNS, "c", no_progs, &cfg);
    ok(cfg != NULL && cfg->nipcps == 3 && cfg->ipcps[1].mode == NODE_IPCP_ENROLL &&
           strcmp(cfg->ipcps[1].dst, "net.a") == 0 && cfg->ipcps[1].nconns == 1 &&
           strcmp(cfg->ipcps[1].conns[0].dst, "net.b") == 0 &&
           strcmp(cfg->ipcps[0].conf.eth.dev, "s0") == 0,
       "c enrolls in net with a, connects to b, its segment is s0 in namespaces");
    ok(cfg != NULL && cfg->nipcps == 3 && cfg->ipcps[2].type == IPCP_BROADCAST &&
           strcmp(cfg->ipcps[2].dst, "chat.d") == 0,
       "c enrolls in chat with its bootstrap node d");
    node_config_destroy(&cfg);
    free(text);

    text = node_file(nf, NETFILE_PROCESSES, "a", no_progs, &cfg);
    ok(cfg != NULL && cfg->nipcps == 2 && cfg->ipcps[0].conf.udp.n_peers == 1 &&
           strcmp(cfg->ipcps[0].conf.udp.peers[0].name, "net.b") == 0 &&
           cfg->ipcps[0].conf.udp.peers[0].port == 6002,
       "a reaches net.b through the udp6 layer's peers map");
    node_config_destroy(&cfg);
    free(text);
    netfile_destroy(&nf);
}

static void test_examples(void)
{
    char *self = realpath("/proc/self/exe", NULL);
    const char *top = getenv("OUROBUS_TOP");
    char dir[PATH_MAX];
    char path[PATH_MAX + 64];
    struct netfile *nf = NULL;
    char err[NETFILE_ERR_MAX] = "";

    if (top != NULL)
        snprintf(dir, sizeof(dir), "%s", top);
    else
        snprintf(dir, sizeof(dir), "%s/../../..", self ? dirname(self) : ".");
    free(self);
    snprintf(path, sizeof(path), "%s/deploy/examples/demo.yaml", dir);
    if (access(path, R_OK) != 0) {
        skip(1, "the example is not beside the build");
        return;
    }
    ok(netfile_load_file(path, &nf, err, sizeof(err)) == 0 && nf->net->nodes_count >= 3,
       "deploy/examples/demo.yaml loads");
    if (nf == NULL)
        diag("  %s", err);
    netfile_destroy(&nf);
}

static void test_files(void)
{
    struct netfile *nf = NULL;
    char err[NETFILE_ERR_MAX];

    ok(netfile_load_file("/nonexistent/net.yaml", &nf, err, sizeof(err)) == -ENOENT &&
           strcmp(err, "/nonexistent/net.yaml: No such file or directory") == 0,
       "a missing file: its name and why");
    ok(netfile_load_file("/", &nf, err, sizeof(err)) == -EINVAL &&
           strcmp(err, "/: not a file") == 0,
       "a folder is not a file");
}

static void test_broken(void)
{
    broken("empty", "", "net.yaml:1:1: the network file is empty: it needs 'nodes'");
    broken("YAML syntax", "nodes: [a\n",
           "net.yaml:2:1: YAML syntax: did not find expected ',' or ']' (while parsing a flow "
           "sequence at 1:8)");
    broken("an alias", "x: &a 1\nnodes: *a\n",
           "net.yaml:2:8: aliases (*a) are not supported here: write the value out");
    broken("a typo in a top key", "nodse: []\n",
           "net.yaml:1:1: unknown key 'nodse' in the network file (did you mean 'nodes'?)");
    broken("no nodes", "links: []\n", "net.yaml:1:1: missing key 'nodes' in the network file");
    broken("a list of nodes is needed", "nodes: a\n",
           "net.yaml:1:8: 'nodes' is a list ([a, b] or lines starting with '- ')");
    broken("a node without a name", "nodes:\n  - pool: 1MiB\n",
           "net.yaml:2:5: missing key 'name' in a node");
    broken("a bad node name", "nodes: [{name: a/b}]\n",
           "net.yaml:1:16: a node's name is 1 to 32 letters, digits, '_', '.' or '-' (not "
           "first), not 'a/b'");
    broken("a node twice", "nodes:\n  - name: a\n  - name: a\n",
           "net.yaml:3:11: node 'a' is declared twice (first at line 2)");
    broken("an unknown log level", "nodes: [{name: a, log: loud}]\n",
           "net.yaml:1:24: unknown log level 'loud' (expected err, warn, info or debug)");
    broken("auto without bind",
           "nodes:\n  - name: a\n    programs:\n      - {path: x, auto: true}\n",
           "net.yaml:4:19: an 'auto' program is started by the node on a flow for one of its "
           "names: give it 'bind'");
    broken("a name bound twice",
           "nodes:\n  - name: a\n    programs:\n      - {path: x, bind: [n, n]}\n",
           "net.yaml:4:29: name 'n' is bound twice");
    broken("an unknown node in a link",
           "nodes: [{name: a}]\nlinks:\n  - name: l\n    nodes: [{node: z, port: 1}]\n",
           "net.yaml:4:20: unknown node 'z' in a link (not in 'nodes')");
    broken("a node twice on a link",
           "nodes: [{name: a}]\nlinks:\n  - name: l\n    nodes: [{node: a, port: 1}, {node: "
           "a, port: 2}]\n",
           "net.yaml:4:40: node 'a' is on link 'l' twice");
    broken("a port out of range",
           "nodes: [{name: a}]\nlinks:\n  - name: l\n    nodes: [{node: a, port: 70000}]\n",
           "net.yaml:4:29: 'port' is from 1 to 65535, not 70000");
    broken("a port clash",
           "nodes: [{name: a}, {name: b}]\nlinks:\n  - name: l\n    nodes: [{node: a, port: "
           "9}]\n  - name: m\n    nodes:\n      - {node: b, port: 9}\n",
           "net.yaml:7:25: port 9 is already taken by node 'a' on link 'l' (line 4)");
    broken("a link without ends", "nodes: [{name: a}]\nlinks:\n  - {name: l, nodes: []}\n",
           "net.yaml:3:22: 'nodes' needs at least 1 entry");
    broken("a bad link address",
           "nodes: [{name: a}]\nlinks:\n  - {name: l, ip: 1.2.3, nodes: [{node: a, port: "
           "1}]}\n",
           "net.yaml:3:19: 'ip' is an IPv4 or IPv6 address, not '1.2.3'");
    broken("a link twice",
           "nodes: [{name: a}]\nlinks:\n  - {name: l, nodes: [{node: a, port: 1}]}\n  - "
           "{name: l, nodes: [{node: a, port: 2}]}\n",
           "net.yaml:4:12: link 'l' is declared twice (first at line 3)");
    broken("an unknown node on a segment",
           "nodes: [{name: a}]\nsegments:\n  - {name: s, nodes: [a, q]}\n",
           "net.yaml:3:26: unknown node 'q' in a segment (not in 'nodes')");
    broken("a bad range", "nodes: [{name: a}]\naddresses: 10.0.0.0\n",
           "net.yaml:2:12: 'addresses' is an IPv4 range such as 10.99.0.0/16, not '10.0.0.0'");
    broken("a public range", "nodes: [{name: a}]\naddresses: 8.8.0.0/16\n",
           "net.yaml:2:12: 'addresses' is a private range (in 10.0.0.0/8, 172.16.0.0/12 or "
           "192.168.0.0/16), not '8.8.0.0/16'");
    broken("a small range", "nodes: [{name: a}]\naddresses: 10.1.2.0/24\n",
           "net.yaml:2:12: 'addresses' is a /8 to a /16 (each link and segment takes a /24 of "
           "it), not a /24");
    broken("a range not at its start", "nodes: [{name: a}]\naddresses: 10.1.2.0/16\n",
           "net.yaml:2:12: '10.1.2.0/16' has bits set after its /16: the range starts at its "
           "first address");
    broken("a bad network name", "network: a b\nnodes: [{name: a}]\n",
           "net.yaml:1:10: 'network' is 1 to 16 letters, digits, '_', '.' or '-', not 'a b'");
    broken("an unknown layer type", "nodes: [{name: a}]\nlayers:\n  - {name: x, type: local}\n",
           "net.yaml:3:21: unknown layer type 'local' (expected udp4, udp6, eth-dix, eth-llc, "
           "unicast or broadcast)");
    broken("a udp layer without a link",
           "nodes: [{name: a}]\nlayers:\n  - {name: x, type: udp4}\n",
           "net.yaml:3:5: udp4 layer 'x' needs 'link': the UDP link it runs on");
    broken("an unknown link",
           "nodes: [{name: a}]\nlayers:\n  - {name: x, type: udp4, link: nope}\n",
           "net.yaml:3:33: unknown link 'nope' (not in 'links')");
    broken("a link with two layers",
           "nodes: [{name: a}]\nlinks: [{name: l, nodes: [{node: a, port: 1}]}]\nlayers:\n  - "
           "{name: x, type: udp4, link: l}\n  - {name: y, type: udp4, link: l}\n",
           "net.yaml:5:33: link 'l' already carries layer 'x': a UDP link carries one layer "
           "(each end is one port)");
    broken("a udp6 layer on an IPv4 link",
           "nodes: [{name: a}]\nlinks: [{name: l, ip: 127.0.0.1, nodes: [{node: a, port: "
           "1}]}]\nlayers:\n  - {name: x, type: udp6, link: l}\n",
           "net.yaml:4:33: link 'l' has an IPv4 address (127.0.0.1) for a udp6 layer");
    broken("a key of another type",
           "nodes: [{name: a}]\nlinks: [{name: l, nodes: [{node: a, port: 1}]}]\nlayers:\n  - "
           "{name: x, type: udp4, link: l, ethertype: 0xa000}\n",
           "net.yaml:4:36: 'ethertype' is not for a udp4 layer ('x')");
    broken("an eth layer without a segment",
           "nodes: [{name: a}]\nlayers:\n  - {name: x, type: eth-llc}\n",
           "net.yaml:3:5: eth-llc layer 'x' needs 'segment': the Ethernet segment it runs on");
    broken("an ethertype out of range",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: x, "
           "type: eth-dix, segment: s, ethertype: 5}\n",
           "net.yaml:4:53: 'ethertype' is from 1536 to 65535, not 5");
    broken("a layer twice",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: x, "
           "type: eth-dix, segment: s}\n  - {name: x, type: eth-llc, segment: s}\n",
           "net.yaml:5:12: layer 'x' is declared twice (first at line 4)");

    /* unicast and broadcast */
    broken("a unicast layer without 'over'",
           "nodes: [{name: a}]\nlayers:\n  - {name: n, type: unicast, bootstrap: a}\n",
           "net.yaml:3:5: unicast layer 'n' needs 'over': the layers its members reach one "
           "another through");
    broken("a unicast layer with no bootstrap node",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: e, "
           "type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e]}\n",
           "net.yaml:5:5: unicast layer 'n' has no bootstrap node: give 'bootstrap', the node "
           "that makes it");
    broken("an unknown bootstrap node",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: e, "
           "type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e], bootstrap: "
           "x}\n",
           "net.yaml:5:52: unknown node 'x' in 'bootstrap' (not in 'nodes')");
    broken("a bootstrap node outside the lower layers",
           "nodes: [{name: a}, {name: b}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - "
           "{name: e, type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e], "
           "bootstrap: b}\n",
           "net.yaml:5:52: node 'b' is in none of the layers 'n' runs over");
    broken("a lower layer declared after",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: n, "
           "type: unicast, over: [e], bootstrap: a}\n  - {name: e, type: eth-llc, segment: "
           "s}\n",
           "net.yaml:4:37: layer 'n' runs over 'e', which must be declared before it");
    broken("an unknown lower layer",
           "nodes: [{name: a}]\nlayers:\n  - {name: n, type: broadcast, over: [q], bootstrap: "
           "a}\n",
           "net.yaml:3:39: unknown layer 'q' (not in 'layers')");
    broken("enrolling with a later member",
           "nodes: [{name: a}, {name: b}, {name: c}]\nsegments: [{name: s, nodes: [a, b, "
           "c]}]\nlayers:\n  - {name: e, type: eth-llc, segment: s}\n  - name: n\n    type: "
           "unicast\n    over: [e]\n    bootstrap: a\n    members:\n      - {node: b, "
           "enroll: c}\n      - {node: c}\n",
           "net.yaml:10:27: 'b' enrolls with 'c', which is not the bootstrap node or a member "
           "before it");
    broken("the bootstrap node as a member",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: e, "
           "type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e], bootstrap: a, "
           "members: [{node: a}]}\n",
           "net.yaml:5:72: node 'a' bootstraps layer 'n': it is not also a member that "
           "enrolls");
    broken("a connection to a non-member",
           "nodes: [{name: a}, {name: b}]\nsegments: [{name: s, nodes: [a, b]}]\nlayers:\n  - "
           "{name: e, type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e], "
           "bootstrap: a, connect: [{from: a, to: b}]}\n",
           "net.yaml:5:79: node 'b' is not a member of layer 'n'");
    broken("a unicast parameter on broadcast",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: e, "
           "type: eth-llc, segment: s}\n  - {name: n, type: broadcast, over: [e], bootstrap: "
           "a, routing: lfa}\n",
           "net.yaml:5:57: 'routing' is not for a broadcast layer ('n')");
    broken("an unknown routing policy",
           "nodes: [{name: a}]\nlayers:\n  - {name: n, type: unicast, routing: ospf}\n",
           "net.yaml:3:39: unknown routing policy 'ospf' (expected link-state, lfa or ecmp)");
    broken("max_ttl out of range",
           "nodes: [{name: a}]\nsegments: [{name: s, nodes: [a]}]\nlayers:\n  - {name: e, "
           "type: eth-llc, segment: s}\n  - {name: n, type: unicast, over: [e], bootstrap: a, "
           "max_ttl: 300}\n",
           "net.yaml:5:64: 'max_ttl' is from 1 to 255, not 300");

    /* registrations */
    broken("a registration on a non-member",
           "nodes: [{name: a}, {name: b}]\nlinks: [{name: l, nodes: [{node: a, port: "
           "1}]}]\nlayers:\n  - {name: x, type: udp4, link: l, register: [{node: b, names: "
           "[n]}]}\n",
           "net.yaml:4:54: node 'b' is not a member of layer 'x'");
    broken("a name registered twice in a layer",
           "nodes: [{name: a}, {name: b}]\nlinks: [{name: l, nodes: [{node: a, port: 1}, "
           "{node: b, port: 2}]}]\nlayers:\n  - name: x\n    type: udp4\n    link: l\n    "
           "register:\n      - {node: a, names: [n]}\n      - {node: b, names: [m, n]}\n",
           "net.yaml:9:30: name 'n' is registered twice in layer 'x' (on 'a' and 'b')");
    broken("a pool the node file refuses", "nodes:\n  - {name: a, pool: lots}\n",
           "net.yaml:2:21: node 'a': 'size' is a size such as 64MiB (a number and B, KiB, MiB, "
           "GiB or TiB), not 'lots'");
    broken("an unknown key with a suggestion",
           "nodes: [{name: a}]\nlinks: [{name: l, nodes: [{node: a, prot: 1}]}]\n",
           "net.yaml:2:37: unknown key 'prot' in an end of a link (did you mean 'port'?)");
}

int main(void)
{
    test_three();
    test_layered();
    test_examples();
    test_files();
    test_broken();
    return done();
}
