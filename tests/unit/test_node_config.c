/*
 * test_node_config.c - the node file: a full valid one loads into the right
 * structs (and deploy/'s examples load), and each broken one is refused
 * with its own line, column and message.
 */
#include "node_config.h"
#include "tap.h"

#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>

static int load(const char *yaml, struct node_config **cfg, char *err, size_t len)
{
    return node_config_load_data("node.yaml", yaml, strlen(yaml), cfg, err, len);
}

/* The file is refused with exactly this line. */
static void broken(const char *what, const char *yaml, const char *want)
{
    struct node_config *cfg = NULL;
    char err[NODE_CONFIG_ERR_MAX];
    int r = load(yaml, &cfg, err, sizeof(err));

    ok(r == -EINVAL && cfg == NULL && strcmp(err, want) == 0, "broken: %s", what);
    if (r != -EINVAL || strcmp(err, want) != 0)
        diag("  got %d '%s'\n#   expected '%s'", r, err, want);
    node_config_destroy(&cfg);
}

static const char full[] = "log:\n"
                           "  level: debug\n"
                           "pool:\n"
                           "  classes:\n"
                           "    - {block: 1KiB, count: 100}\n"
                           "    - {block: 4096, count: 50}\n"
                           "names:\n"
                           "  - name: oping\n"
                           "    programs:\n"
                           "      - path: /usr/bin/oping\n"
                           "        auto: yes\n"
                           "        args: [--listen, -d, \"a b\"]\n"
                           "      - path: /opt/ping2\n"
                           "  - name: oecho\n"
                           "    lb: spillover\n"
                           "ipcps:\n"
                           "  - name: udp.a\n"
                           "    type: udp4\n"
                           "    layer: udp\n"
                           "    bootstrap: true\n"
                           "    ip: 10.1.2.3\n"
                           "    port: 7000\n"
                           "    dns: 10.0.0.53\n"
                           "    register: [net.a, net]\n"
                           "    peers:\n"
                           "      - {name: srv, ip: 10.1.2.4}\n"
                           "      - name: other\n"
                           "        ip: 10.1.2.5\n"
                           "        port: 7001\n"
                           "  - name: six\n"
                           "    type: udp6\n"
                           "    layer: udp6\n"
                           "    bootstrap: on\n"
                           "    ip: fd00::1\n"
                           "  - name: eth.a\n"
                           "    type: eth-dix\n"
                           "    layer: lan\n"
                           "    bootstrap: true\n"
                           "    dev: veth0\n"
                           "    ethertype: 0xa001\n"
                           "    hash: SHA3_384\n"
                           "  - name: net.a\n"
                           "    type: unicast\n"
                           "    layer: net\n"
                           "    bootstrap: true\n"
                           "    autobind: true\n"
                           "    addr_size: 8\n"
                           "    max_ttl: 30\n"
                           "    routing: link_state\n"
                           "    ls_t_update: 10\n"
                           "    ls_t_timeo: 30\n"
                           "    congestion: none\n"
                           "    dht_k: 16\n"
                           "    register: [oping]\n"
                           "  - name: net.b\n"
                           "    type: unicast\n"
                           "    enroll: net.a\n"
                           "    connect:\n"
                           "      - dst: net.a\n"
                           "      - {dst: net.c, component: mgmt, qos: voice}\n"
                           "  - name: spare\n"
                           "    type: local\n";

static void test_full(void)
{
    struct node_config *cfg = NULL;
    char err[NODE_CONFIG_ERR_MAX] = "";
    const struct node_ipcp *p;
    struct in_addr a4;
    struct in6_addr a6;

    is(load(full, &cfg, err, sizeof(err)), 0, "a full node file loads (%s)", err);
    if (cfg == NULL) {
        skip(19, "no configuration");
        return;
    }
    ok(cfg->log_set && cfg->log_level == LOG_LVL_DBG, "log level debug");
    ok(cfg->pool.nclasses == 2 && cfg->pool.cls[0].blk_size == 1024 &&
           cfg->pool.cls[0].count == 100 && cfg->pool.cls[1].blk_size == 4096 &&
           cfg->pool.cls[1].count == 50,
       "two pool classes, sizes with units");
    ok(cfg->nnames == 2 && strcmp(cfg->names[0].info.name, "oping") == 0 &&
           cfg->names[0].info.pol_lb == LB_RR && cfg->names[1].info.pol_lb == LB_SPILL,
       "names with their load balancing (round-robin by default)");
    ok(cfg->names[0].nprogs == 2 && cfg->names[0].progs[0].auto_start &&
           cfg->names[0].progs[0].argc == 3 &&
           strcmp(cfg->names[0].progs[0].argv[2], "a b") == 0 &&
           !cfg->names[0].progs[1].auto_start && cfg->names[0].progs[1].argc == 0,
       "programs: path, auto, arguments");
    is(cfg->nipcps, 6, "six IPCPs, in order");
    p = &cfg->ipcps[0];
    inet_pton(AF_INET, "10.1.2.3", &a4);
    ok(p->mode == NODE_IPCP_BOOTSTRAP && p->type == IPCP_UDP4 &&
           strcmp(p->conf.layer_info.name, "udp") == 0 && p->conf.udp.af == AF_INET &&
           p->conf.udp.ip.v4.s_addr == a4.s_addr && p->conf.udp.port == 7000 &&
           p->conf.udp.dns.v4.s_addr != 0 && p->conf.layer_info.dir_hash_algo == DIR_HASH_MD5,
       "udp4: bootstrap with address, port, DNS, MD5");
    ok(p->nregs == 2 && strcmp(p->regs[1], "net") == 0, "udp4: register list");
    inet_pton(AF_INET, "10.1.2.5", &a4);
    ok(p->conf.udp.n_peers == 2 && strcmp(p->conf.udp.peers[0].name, "srv") == 0 &&
           p->conf.udp.peers[0].port == 0 && strcmp(p->conf.udp.peers[1].name, "other") == 0 &&
           p->conf.udp.peers[1].ip.v4.s_addr == a4.s_addr && p->conf.udp.peers[1].port == 7001,
       "udp4: static peers with their addresses, port 0 (the layer's) by default");
    p = &cfg->ipcps[1];
    inet_pton(AF_INET6, "fd00::1", &a6);
    ok(p->conf.udp.af == AF_INET6 && memcmp(&p->conf.udp.ip.v6, &a6, 16) == 0 &&
           p->conf.udp.port == 3435 && p->mode == NODE_IPCP_BOOTSTRAP,
       "udp6: 'on' is true, IPv6 address, port 3435 by default");
    p = &cfg->ipcps[2];
    ok(strcmp(p->conf.eth.dev, "veth0") == 0 && p->conf.eth.ethertype == 0xa001 &&
           p->conf.layer_info.dir_hash_algo == DIR_HASH_SHA3_384,
       "eth-dix: device, hex ethertype, hash");
    p = &cfg->ipcps[3];
    ok(p->autobind && p->conf.unicast.dt.addr_size == 8 && p->conf.unicast.dt.eid_size == 8 &&
           p->conf.unicast.dt.max_ttl == 30 &&
           p->conf.unicast.dt.routing == ROUTING_LINK_STATE &&
           p->conf.unicast.dt.ls_t_recalc == 4 && p->conf.unicast.dt.ls_t_update == 10 &&
           p->conf.unicast.dt.ls_t_timeo == 30 && p->conf.unicast.cong_avoid == CA_NONE &&
           p->conf.unicast.dht.k == 16 && p->conf.unicast.dht.alpha == 3 &&
           p->conf.unicast.dht.t_expire == 86400,
       "unicast: given parameters, the reference's defaults for the rest");
    p = &cfg->ipcps[4];
    ok(p->mode == NODE_IPCP_ENROLL && strcmp(p->dst, "net.a") == 0 &&
           p->conf.layer_info.name[0] == '\0' && p->nconns == 2,
       "unicast: enroll through net.a, two connections");
    ok(p->conns[0].component == NULL && p->conns[0].qos.loss == qos_raw.loss &&
           strcmp(p->conns[1].component, "mgmt") == 0 &&
           p->conns[1].qos.delay == qos_voice.delay,
       "connections: both components and raw by default; mgmt with voice");
    p = &cfg->ipcps[5];
    ok(p->mode == NODE_IPCP_CREATE && p->type == IPCP_LOCAL, "local: only created");
    node_config_destroy(&cfg);
    ok(cfg == NULL, "destroy NULLs the pointer");
    node_config_destroy(&cfg);
    ok(true, "destroy accepts NULL");
}

static void test_pool_and_empty(void)
{
    struct node_config *cfg = NULL;
    char err[NODE_CONFIG_ERR_MAX];
    struct pool_cfg def;
    const char *why;

    pool_cfg_default(&def);
    is(load("pool:\n  size: 64MiB\n", &cfg, err, sizeof(err)), 0, "pool size 64MiB");
    ok(cfg != NULL && cfg->pool.nclasses == def.nclasses &&
           cfg->pool.cls[1].count > def.cls[1].count && pool_cfg_check(&cfg->pool, &why) == 0,
       "... the default classes scaled up, and usable");
    ok(cfg != NULL && pool_cfg_bytes(&cfg->pool) > (60u << 20) &&
           pool_cfg_bytes(&cfg->pool) < (72u << 20),
       "... about 64 MiB (%zu)", cfg ? pool_cfg_bytes(&cfg->pool) : 0);
    node_config_destroy(&cfg);
    is(load("", &cfg, err, sizeof(err)), 0, "an empty file is an empty node");
    ok(cfg != NULL && cfg->nipcps == 0 && !cfg->log_set && cfg->pool.nclasses == def.nclasses,
       "... default pool, nothing else");
    node_config_destroy(&cfg);
    is(load("# only comments\n", &cfg, err, sizeof(err)), 0, "comments only");
    node_config_destroy(&cfg);
}

static void test_examples(void)
{
    char *self = realpath("/proc/self/exe", NULL);
    const char *top = getenv("OUROBUS_TOP");
    const char *files[] = {"deploy/node.yaml", "deploy/node-minimal.yaml"};
    char dir[PATH_MAX];

    if (top != NULL)
        snprintf(dir, sizeof(dir), "%s", top);
    else
        snprintf(dir, sizeof(dir), "%s/../../..", self ? dirname(self) : ".");
    free(self);
    for (int i = 0; i < 2; i++) {
        struct node_config *cfg = NULL;
        char err[NODE_CONFIG_ERR_MAX] = "";
        char path[PATH_MAX + 64];

        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (access(path, R_OK) != 0) {
            skip(1, "the example is not beside the build");
            continue;
        }
        ok(node_config_load_file(path, &cfg, err, sizeof(err)) == 0 && cfg->nipcps > 0,
           "%s loads (%s)", files[i], err);
        node_config_destroy(&cfg);
    }
    {
        struct node_config *cfg = NULL;
        char err[NODE_CONFIG_ERR_MAX];

        ok(node_config_load_file("/nonexistent/node.yaml", &cfg, err, sizeof(err)) == -ENOENT &&
               strcmp(err, "/nonexistent/node.yaml: No such file or directory") == 0,
           "a missing file: -ENOENT and its name (%s)", err);
    }
}

static void test_broken(void)
{
    char long_name[400];

    broken("unknown IPCP type",
           "ipcps:\n  - name: a\n    type: udp4\n  - {name: b, layer: x, type: shim-xyz}\n",
           "node.yaml:4:31: unknown IPCP type 'shim-xyz' (expected unicast, broadcast, local, "
           "udp4, udp6, eth-llc or eth-dix)");
    broken("a typo in a key",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 127.0.0.1\n    prot: 7000\n",
           "node.yaml:7:5: unknown key 'prot' in an IPCP (did you mean 'port'?)");
    broken("an unknown top-level key", "log:\n  level: info\nnodes: []\n",
           "node.yaml:3:1: unknown key 'nodes' in the node file (did you mean 'names'?)");
    broken("a port out of range",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 127.0.0.1\n    port: 70000\n",
           "node.yaml:7:11: 'port' is from 1 to 65535, not 70000");
    broken("a port that is no number", "ipcps:\n  - name: a\n    type: udp4\n    port: abc\n",
           "node.yaml:4:11: 'port' is a whole number from 0 to 4294967295, not 'abc'");
    broken("an ethertype of 802.3 lengths",
           "ipcps:\n  - name: e\n    type: eth-dix\n    layer: l\n    bootstrap: true\n"
           "    dev: eth0\n    ethertype: 0x0500\n",
           "node.yaml:7:16: 'ethertype' is from 0x0600 to 0xffff (lower values are 802.3 "
           "lengths), not 0x0500");
    broken("an IPCP declared twice",
           "ipcps:\n  - name: a\n    type: local\n  - name: b\n    type: local\n"
           "  - name: a\n    type: unicast\n",
           "node.yaml:6:11: IPCP 'a' is declared twice (first at line 2)");
    broken("a name declared twice", "names:\n  - name: x\n  - name: y\n  - name: x\n",
           "node.yaml:4:11: name 'x' is declared twice (first at line 2)");
    broken("a missing type", "ipcps:\n  - name: a\n    layer: x\n",
           "node.yaml:2:5: missing key 'type' in IPCP 'a'");
    broken("a missing name", "names:\n  - lb: spillover\n",
           "node.yaml:2:5: missing key 'name' in a name");
    broken("YAML syntax", "ipcps:\n  - name: [a\n    type: local\n",
           "node.yaml:3:9: YAML syntax: did not find expected ',' or ']' (while parsing a flow "
           "sequence at 2:11)");
    broken("bootstrap and enroll",
           "ipcps:\n  - name: a\n    type: unicast\n    layer: n\n    bootstrap: true\n"
           "    enroll: b\n",
           "node.yaml:6:5: an IPCP bootstraps a layer or enrolls in one, not both");
    broken("a parameter of another type",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 10.0.0.1\n    dht_k: 4\n",
           "node.yaml:7:5: 'dht_k' does not apply to a udp4 IPCP");
    broken(
        "a udp4 IPCP without an address",
        "ipcps:\n  - name: udp.a\n    type: udp4\n    layer: u\n    bootstrap: true\n",
        "node.yaml:5:5: udp4 IPCP 'udp.a' needs 'ip': the IP address to bind to is required");
    broken("a peer with an IPv6 address in a udp4 layer",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 10.0.0.1\n    peers:\n      - {name: x, ip: 'fd00::1'}\n",
           "node.yaml:8:23: 'ip' is an IPv4 address, not 'fd00::1'");
    broken("a peer given twice",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 10.0.0.1\n    peers:\n      - {name: x, ip: 10.0.0.2}\n"
           "      - {name: x, ip: 10.0.0.3}\n",
           "node.yaml:9:16: peer 'x' is given twice");
    broken("a peer's port out of range",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 10.0.0.1\n    peers:\n      - {name: x, ip: 10.0.0.2, port: 0}\n",
           "node.yaml:8:39: 'port' is from 1 to 65535, not 0");
    broken("a peer without an address",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 10.0.0.1\n    peers:\n      - {name: x}\n",
           "node.yaml:8:9: missing key 'ip' in peer 'x'");
    broken("peers of a unicast IPCP",
           "ipcps:\n  - name: a\n    type: unicast\n    layer: u\n    bootstrap: true\n"
           "    peers:\n      - {name: x, ip: 10.0.0.2}\n",
           "node.yaml:6:5: 'peers' does not apply to a unicast IPCP");
    broken("a bad IPv4 address",
           "ipcps:\n  - name: a\n    type: udp4\n    layer: u\n    bootstrap: true\n"
           "    ip: 300.1.1.1\n",
           "node.yaml:6:9: 'ip' is an IPv4 address, not '300.1.1.1'");
    broken(
        "a pool size without a unit it knows", "pool:\n  size: 64 megs\n",
        "node.yaml:2:9: 'size' is a size such as 64MiB (a number and B, KiB, MiB, GiB or TiB), "
        "not '64 megs'");
    broken("a pool with a size and classes",
           "pool:\n  size: 64MiB\n  classes:\n    - {block: 512, count: 10}\n",
           "node.yaml:3:3: give the pool a 'size' or its 'classes', not both");
    broken(
        "pool classes out of order",
        "pool:\n  classes:\n    - {block: 4KiB, count: 10}\n    - {block: 2KiB, count: 10}\n",
        "node.yaml:4:15: the classes go from small blocks to big ones: '2KiB' is not bigger "
        "than the class above");
    broken("a pool block that is no power of two",
           "pool:\n  classes:\n    - {block: 1000, count: 10}\n",
           "node.yaml:3:15: 'block' is a power of two from 512 to 1GiB, not '1000'");
    broken("seven pool classes",
           "pool:\n  classes:\n    - {block: 512, count: 1}\n    - {block: 1K, count: 1}\n"
           "    - {block: 2K, count: 1}\n    - {block: 4K, count: 1}\n"
           "    - {block: 8K, count: 1}\n    - {block: 16K, count: 1}\n"
           "    - {block: 32K, count: 1}\n",
           "node.yaml:9:7: 'classes' has at most 6 entries");
    broken("a key given twice",
           "ipcps:\n  - name: a\n    type: udp4\n    port: 1\n    port: 2\n",
           "node.yaml:5:5: 'port' is given twice in an IPCP (first at line 4)");
    broken("a boolean that is not one",
           "ipcps:\n  - name: a\n    type: local\n    layer: l\n    bootstrap: maybe\n",
           "node.yaml:5:16: 'bootstrap' is true or false, not 'maybe'");
    broken("an unknown load-balancing policy", "names:\n  - name: x\n    lb: random\n",
           "node.yaml:3:9: unknown load-balancing policy 'random' (expected round-robin or "
           "spillover)");
    broken("a relative program path",
           "names:\n  - name: x\n    programs:\n      - path: bin/oping\n",
           "node.yaml:4:15: 'path' is the program's absolute path (the daemon starts it), not "
           "'bin/oping'");
    broken("arguments without auto",
           "names:\n  - name: x\n    programs:\n      - path: /bin/x\n        args: [-l]\n",
           "node.yaml:5:9: 'args' are for a program the daemon starts: add 'auto: true'");
    broken("register that is no list",
           "ipcps:\n  - name: a\n    type: unicast\n    enroll: n\n    register: oping\n",
           "node.yaml:5:15: 'register' is a list ([a, b] or lines starting with '- ')");
    broken(
        "an enrollment through a later IPCP",
        "ipcps:\n  - name: b\n    type: unicast\n    enroll: a\n"
        "  - name: a\n    type: unicast\n    layer: n\n    bootstrap: true\n",
        "node.yaml:4:13: 'b' enrolls through 'a', which comes later in the file: IPCPs start "
        "in the file's order");
    broken("an alias", "names:\n  - &n\n    name: x\n  - *n\n",
           "node.yaml:4:5: aliases (*n) are not supported here: write the value out");
    broken("two documents", "names: []\n---\nipcps: []\n",
           "node.yaml:2:1: a second YAML document: the file holds one");
    broken("link timeout shorter than updates",
           "ipcps:\n  - name: a\n    type: unicast\n    layer: n\n    bootstrap: true\n"
           "    ls_t_timeo: 10\n",
           "node.yaml:6:17: 'ls_t_timeo': a link times out only after more than one update "
           "period (ls_t_timeo > ls_t_update)");
    broken("a shim that enrolls", "ipcps:\n  - name: a\n    type: udp4\n    enroll: b\n",
           "node.yaml:4:5: a udp4 IPCP does not enroll (only unicast and broadcast ones do): "
           "give it 'bootstrap: true'");
    broken("a parameter of an IPCP that does not bootstrap",
           "ipcps:\n  - name: a\n    type: unicast\n    enroll: n\n    routing: lfa\n",
           "node.yaml:5:5: 'routing' is a bootstrap parameter and IPCP 'a' does not bootstrap "
           "(it learns the layer's when it enrolls)");
    broken("an unknown log level", "log:\n  level: verbose\n",
           "node.yaml:2:10: unknown log level 'verbose' (expected err, warn, info or debug)");
    broken(
        "a list at the top", "- name: x\n",
        "node.yaml:1:1: a node file is a mapping of keys (log, pool, names, ipcps) to values");
    broken("a layer bootstrapped twice",
           "ipcps:\n  - {name: a, type: local, layer: l, bootstrap: true}\n"
           "  - {name: b, type: local, layer: l, bootstrap: true}\n",
           "node.yaml:3:35: layer 'l' is bootstrapped twice on this node (first by IPCP 'a'); "
           "the others enroll");
    broken("a bootstrap without a layer",
           "ipcps:\n  - name: a\n    type: unicast\n    bootstrap: true\n",
           "node.yaml:4:5: a bootstrap needs the 'layer' it makes");
    broken("a list where a value goes", "ipcps:\n  - name: [a, b]\n    type: local\n",
           "node.yaml:2:11: 'name' is a single value, not a list or a mapping");
    memset(long_name, 'x', sizeof(long_name));
    memcpy(long_name, "names:\n  - name: ", 17);
    long_name[17 + 256] = '\n';
    long_name[17 + 257] = '\0';
    broken("a name of 256 characters", long_name,
           "node.yaml:2:11: 'name' is longer than 255 characters");
    broken("autobind on a shim",
           "ipcps:\n  - {name: a, type: udp4, layer: u, bootstrap: true, ip: 1.2.3.4, "
           "autobind: true}\n",
           "node.yaml:2:67: 'autobind' is for unicast and broadcast IPCPs, not udp4");
    broken("an unknown connection QoS",
           "ipcps:\n  - name: a\n    type: unicast\n    enroll: n\n    connect:\n"
           "      - {dst: b, qos: gold}\n",
           "node.yaml:6:23: unknown QoS 'gold' (expected raw, best, video, voice or data)");
}

int main(void)
{
    test_full();
    test_pool_and_empty();
    test_examples();
    test_broken();
    return done();
}
