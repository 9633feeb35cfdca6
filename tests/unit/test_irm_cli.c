/*
 * test_irm_cli.c - the irm command: parsing (prefixes, ambiguity, every
 * verb, help, bad input) without any daemon, then whole commands against a
 * fake IRM daemon: messages sent, tables printed, exit codes, one error
 * line per failure, and the real binary's output.
 *
 *   parse:   argv --irm_cmd_parse--> struct irm_cmd (no daemon)
 *   run:     irm_main() --bus--> fake daemon (thread)     node "clitest"
 *   binary:  build/tools/irm/irm --bus--> fake daemon (process)  node "clibin"
 */
#include "fake_irmd.h"
#include "irm_cmd.h"
#include "log.h"
#include "proc.h"
#include "tap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>

#define NODE     "clitest"
#define BIN_NODE "clibin"

static struct fake_irmd *F;

/* ---- helpers ------------------------------------------------------------ */

/* Split line at spaces into argv (argv[0] "irm"); the words live until the
 * next call. */
static int split(const char *line, char **argv, int max)
{
    static char buf[2048];
    int n = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    argv[n++] = "irm";
    for (char *w = strtok(buf, " "); w != NULL && n < max - 1; w = strtok(NULL, " "))
        argv[n++] = w;
    argv[n] = NULL;
    return n;
}

static int parse(struct irm_cmd *cmd, const char *line)
{
    static char *argv[80];
    int argc = split(line, argv, 80);

    return irm_cmd_parse(cmd, argc, argv);
}

/* The parse fails, and its message says what. */
static void bad(const char *line, const char *says)
{
    struct irm_cmd cmd;
    int r = parse(&cmd, line);

    ok(r == -EINVAL && strstr(cmd.error, says) != NULL, "usage error: irm %s", line);
    if (r != -EINVAL || strstr(cmd.error, says) == NULL)
        diag("  got %d '%s', expected '%s'", r, cmd.error, says);
}

struct result {
    int code;
    char out[16384];
    char err[2048];
};

/* Run the whole command in this process; stdout and stderr captured. */
static void run(struct result *res, const char *line)
{
    static char *argv[80];
    int argc = split(line, argv, 80);
    char *o = NULL, *e = NULL;
    size_t ol = 0, el = 0;
    FILE *out = open_memstream(&o, &ol);
    FILE *err = open_memstream(&e, &el);

    res->code = irm_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    snprintf(res->out, sizeof(res->out), "%s", o ? o : "");
    snprintf(res->err, sizeof(res->err), "%s", e ? e : "");
    free(o);
    free(e);
}

static int lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- parsing ------------------------------------------------------------ */

static void test_prefixes(void)
{
    struct irm_cmd c;

    is(parse(&c, "b prog oping n ping"), 0, "irm b prog oping n ping");
    ok(c.op == IRM_OP_BIND_PROGRAM && strcmp(c.prog, "oping") == 0 &&
           strcmp(c.name, "ping") == 0 && !c.auto_start,
       "... is irm bind program oping name ping");
    is(parse(&c, "bind program oping name ping"), 0, "the long form");
    ok(c.op == IRM_OP_BIND_PROGRAM && strcmp(c.name, "ping") == 0, "... the same request");
    is(parse(&c, "i b t udp4 n x l y ip 10.0.0.1"), 0,
       "irm i b t udp4 n x l y: name, layer and type win a shared prefix");
    ok(c.op == IRM_OP_IPCP_BOOTSTRAP && c.type == IPCP_UDP4 && strcmp(c.ipcp, "x") == 0 &&
           strcmp(c.layer, "y") == 0 && c.conf_ready,
       "... a udp4 bootstrap of x in layer y");
    is(parse(&c, "n r srv la 'net*'"), 0, "irm n r: name register");
    ok(c.op == IRM_OP_NAME_REGISTER && c.n_layers == 1, "... with a layer pattern");
    is(parse(&c, "ipcp l"), 0, "irm ipcp l: list");
    is(parse(&c, "ipcp bootstrap n x l y ty unicast ttl 9"), 0, "an exact word (ttl) wins");
    is(c.conf.unicast.dt.max_ttl, 9, "... ttl 9");
    is(parse(&c, "ipcp bootstrap n x l y ty unicast addr 2 addr_a flat"), 0,
       "addr (exact) and addr_a (prefix of addr_auth)");
    is(c.conf.unicast.dt.addr_size, 2, "... addr 2");
    is(parse(&c, "ipcp bootstrap n x l y ty unicast ei 8 max 30"), 0,
       "ei: eid and eid_size are one keyword; max: max_ttl");
    is(c.conf.unicast.dt.max_ttl, 30, "... max_ttl 30");
    bad("ipcp d", "ambiguous verb 'd': destroy or disconnect");
    bad("ipcp c", "ambiguous verb 'c': create or connect");
    bad("b p x n y", "ambiguous object 'p': program or process");
    bad("ipcp bootstrap n x l y d 5", "ambiguous keyword 'd': directory, dht_alpha");
    bad("ipcp bootstrap n x l y ty unicast dht_t 5",
        "dht_t_expire, dht_t_refresh or dht_t_replicate");
    bad("ipcp bootstrap n x l y ty unicast ls 5", "ambiguous keyword 'ls': ls_t_recalc");
    bad("ipcp bootstrap n x l y ty unicast l 5", "'layer' given twice");
    bad("ipcp frob", "unknown verb 'frob' (expected create, destroy, bootstrap");
    bad("frob", "unknown command 'frob'");
}

static void test_bootstrap(void)
{
    struct irm_cmd c;
    struct in_addr v4;
    struct in6_addr v6;

    is(parse(&c, "ipcp bootstrap name a layer net type unicast addr 8 eid 8 ttl 100 "
                 "addr_auth flat directory DHT dht_alpha 4 dht_k 12 dht_t_expire 1000 "
                 "dht_t_refresh 100 dht_t_replicate 200 routing ecmp ls_t_recalc 2 "
                 "ls_t_update 10 ls_t_timeo 40 congestion none hash SHA3_512 autobind"),
       0, "bootstrap unicast with every parameter");
    ok(c.conf_ready && c.conf.type == IPCP_UNICAST &&
           strcmp(c.conf.layer_info.name, "net") == 0 && c.conf.unicast.dt.addr_size == 8 &&
           c.conf.unicast.dt.max_ttl == 100 && c.conf.unicast.dht.alpha == 4 &&
           c.conf.unicast.dht.k == 12 && c.conf.unicast.dht.t_expire == 1000 &&
           c.conf.unicast.dht.t_refresh == 100 && c.conf.unicast.dht.t_replicate == 200 &&
           c.conf.unicast.dt.routing == ROUTING_ECMP && c.conf.unicast.dt.ls_t_recalc == 2 &&
           c.conf.unicast.dt.ls_t_update == 10 && c.conf.unicast.dt.ls_t_timeo == 40 &&
           c.conf.unicast.cong_avoid == CA_NONE &&
           c.conf.layer_info.dir_hash_algo == DIR_HASH_SHA3_512 && c.autobind,
       "... all in struct ipcp_config");
    is(parse(&c, "ipcp bootstrap name a layer net type unicast"), 0, "bootstrap unicast bare");
    ok(c.conf.unicast.dt.addr_size == 4 && c.conf.unicast.dt.eid_size == 8 &&
           c.conf.unicast.dt.max_ttl == 60 && c.conf.unicast.dt.routing == ROUTING_LINK_STATE &&
           c.conf.unicast.dt.ls_t_recalc == 4 && c.conf.unicast.dt.ls_t_update == 15 &&
           c.conf.unicast.dt.ls_t_timeo == 60 && c.conf.unicast.dht.alpha == 3 &&
           c.conf.unicast.dht.k == 8 && c.conf.unicast.dht.t_expire == 86400 &&
           c.conf.unicast.dht.t_refresh == 900 && c.conf.unicast.dht.t_replicate == 900 &&
           c.conf.unicast.cong_avoid == CA_MB_ECN &&
           c.conf.layer_info.dir_hash_algo == DIR_HASH_SHA3_256,
       "... the reference's defaults");
    is(parse(&c, "ipcp bootstrap name a layer net type unicast routing link_state"), 0,
       "the reference's spelling link_state");
    is(c.conf.unicast.dt.routing, ROUTING_LINK_STATE, "... is link-state");
    is(parse(&c,
             "ipcp bootstrap name u layer udp type udp4 ip 10.1.2.3 port 7000 dns 10.0.0.53"),
       0, "bootstrap udp4");
    inet_pton(AF_INET, "10.1.2.3", &v4);
    ok(c.conf.udp.af == AF_INET && c.conf.udp.ip.v4.s_addr == v4.s_addr &&
           c.conf.udp.port == 7000 && c.conf.udp.dns.v4.s_addr != 0 &&
           c.conf.layer_info.dir_hash_algo == DIR_HASH_MD5,
       "... address, port, DNS server, MD5");
    is(parse(&c, "ipcp bootstrap name u layer udp type udp6 ip fd00::1"), 0, "bootstrap udp6");
    inet_pton(AF_INET6, "fd00::1", &v6);
    ok(c.conf.udp.af == AF_INET6 && memcmp(&c.conf.udp.ip.v6, &v6, 16) == 0 &&
           c.conf.udp.port == 3435,
       "... IPv6 address, port 3435");
    is(parse(&c, "ipcp bootstrap name e layer eth type eth-dix dev eth0 ethertype 0xa001"), 0,
       "bootstrap eth-dix (dev for device)");
    ok(strcmp(c.conf.eth.dev, "eth0") == 0 && c.conf.eth.ethertype == 0xa001,
       "... device and ethertype");
    is(parse(&c, "ipcp bootstrap name e layer eth type eth-dix device eth0"), 0,
       "ethertype default");
    is(c.conf.eth.ethertype, 0xA000, "... 0xA000");
    is(parse(&c, "ipcp bootstrap name e layer eth type eth-llc device eth1 hash SHA3_224"), 0,
       "bootstrap eth-llc");
    is(c.conf.layer_info.dir_hash_algo, DIR_HASH_SHA3_224, "... with a hash");
    is(parse(&c, "ipcp bootstrap name l layer loc type local"), 0, "bootstrap local");
    is(parse(&c, "ipcp bootstrap name b layer bc type broadcast autobind"), 0,
       "bootstrap broadcast");
    is(parse(&c, "ipcp bootstrap name a layer net port 9"), 0,
       "no type: the parameters wait for the IPCP's type");
    ok(!c.conf_ready && c.boot[IRM_BP_PORT] != NULL, "... kept as given");
    is(irm_cmd_boot_config(&c, IPCP_UDP4), -EINVAL, "... and checked once it is known");
    ok(strstr(c.error, "'ip <address>' is required") != NULL, "... (%s)", c.error);

    bad("ipcp bootstrap name a type unicast", "'layer <layer name>' is required");
    bad("ipcp bootstrap layer x type unicast", "'name <IPCP name>' is required");
    bad("ipcp bootstrap name a layer n type shim",
        "unknown IPCP type 'shim' (expected unicast");
    bad("ipcp bootstrap name a layer n type unicast addr 3",
        "'addr': an address is 1, 2, 4 or 8");
    bad("ipcp bootstrap name a layer n type unicast addr x",
        "'addr' is a number from 1 to 255, not 'x'");
    bad("ipcp bootstrap name a layer n type unicast eid 4", "an endpoint id is 8 bytes");
    bad("ipcp bootstrap name a layer n type unicast ttl 0", "'ttl' is a number from 1 to 255");
    bad("ipcp bootstrap name a layer n type unicast routing ospf",
        "unknown routing policy 'ospf'");
    bad("ipcp bootstrap name a layer n type unicast congestion reno",
        "unknown congestion avoidance");
    bad("ipcp bootstrap name a layer n type unicast hash MD5", "MD5 is for UDP layers only");
    bad("ipcp bootstrap name a layer n type unicast ls_t_timeo 15", "ls_t_timeo > ls_t_update");
    bad("ipcp bootstrap name a layer n type unicast dht_k 0", "'dht_k' is a number from 1");
    bad("ipcp bootstrap name a layer n type unicast addr_auth random",
        "unknown address authority");
    bad("ipcp bootstrap name a layer n type unicast directory kad", "unknown directory 'kad'");
    bad("ipcp bootstrap name a layer n type udp4 ip 1.2.3", "'ip' needs an IPv4 address");
    bad("ipcp bootstrap name a layer n type udp6 ip 10.0.0.1", "'ip' needs an IPv6 address");
    bad("ipcp bootstrap name a layer n type udp4 ip 10.0.0.1 port 0",
        "'port' is a number from 1 to 65535");
    bad("ipcp bootstrap name a layer n type udp4 ip 10.0.0.1 port 70000",
        "from 1 to 65535, not '70000'");
    bad("ipcp bootstrap name a layer n type udp4 ip 10.0.0.1 hash SHA3_256",
        "'hash' does not apply to a udp4 IPCP");
    bad("ipcp bootstrap name a layer n type eth-dix", "'device <interface>' is required");
    bad("ipcp bootstrap name a layer n type eth-dix dev averyveryverylongname",
        "interface name of 1 to 15");
    bad("ipcp bootstrap name a layer n type eth-dix dev e0 ethertype 0x05dc",
        "an ethertype is from 0x0600");
    bad("ipcp bootstrap name a layer n type eth-llc dev e0 ethertype 0xa000",
        "'ethertype' does not apply to a eth-llc IPCP");
    bad("ipcp bootstrap name a layer n type local autobind",
        "'autobind' does not apply to a local");
    bad("ipcp bootstrap name a layer n type unicast port 7",
        "'port' does not apply to a unicast");
    bad("ipcp bootstrap name a layer n type broadcast hash SHA3_512",
        "'hash' does not apply to a broadcast IPCP");
    bad("ipcp bootstrap name a name b layer n", "'name' given twice");
    bad("ipcp bootstrap name a layer n type unicast addr 4 addr 8", "'addr' given twice");
    bad("ipcp bootstrap name a layer n type unicast type udp4", "'type' given twice");
    bad("ipcp bootstrap name a layer", "'layer' needs a layer name");
    bad("ipcp bootstrap name a layer n type unicast ttl", "'ttl' needs a value");
}

static void test_peers(void)
{
    struct irm_cmd c;
    struct in_addr v4;
    struct in6_addr v6;

    is(parse(&c, "ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer srv=10.0.0.2 "
                 "peer a=b=10.0.0.3:4000"),
       0, "bootstrap udp4 with two peers");
    inet_pton(AF_INET, "10.0.0.3", &v4);
    ok(c.conf.udp.n_peers == 2 && strcmp(c.conf.udp.peers[0].name, "srv") == 0 &&
           c.conf.udp.peers[0].port == 0 && strcmp(c.conf.udp.peers[1].name, "a=b") == 0 &&
           c.conf.udp.peers[1].ip.v4.s_addr == v4.s_addr && c.conf.udp.peers[1].port == 4000,
       "... names (up to the last '='), addresses, ports (0: the layer's)");
    is(parse(&c, "ipcp bootstrap name u layer udp type udp6 ip fd00::1 peer x=fd00::2 "
                 "peer y=[fd00::3]:7000"),
       0, "bootstrap udp6 with peers, one in brackets with a port");
    inet_pton(AF_INET6, "fd00::3", &v6);
    ok(c.conf.udp.n_peers == 2 && c.conf.udp.peers[0].port == 0 &&
           memcmp(&c.conf.udp.peers[1].ip.v6, &v6, 16) == 0 && c.conf.udp.peers[1].port == 7000,
       "... IPv6 addresses and the port after the brackets");
    is(parse(&c, "ipcp bootstrap name u layer udp peer x=10.0.0.2"), 0,
       "peers before the type is known: kept");
    is(irm_cmd_boot_config(&c, IPCP_UDP4), -EINVAL, "... checked against the type (no ip)");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer srv",
        "'peer' is NAME=ADDRESS[:PORT], not 'srv'");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer =10.0.0.2",
        "'peer' is NAME=ADDRESS[:PORT]");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer s=fd00::1",
        "needs an IPv4 address");
    bad("ipcp bootstrap name u layer udp type udp6 ip fd00::1 peer s=10.0.0.1",
        "needs an IPv6 address");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer s=10.0.0.2:0",
        "'peer port' is a number from 1 to 65535");
    bad("ipcp bootstrap name u layer udp type udp6 ip fd00::1 peer s=[fd00::2",
        "[ADDRESS]:PORT");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer s=10.0.0.2 peer "
        "s=10.0.0.3",
        "a name is given one peer address only");
    bad("ipcp bootstrap name u layer n type unicast peer s=10.0.0.2",
        "'peer' does not apply to a unicast IPCP");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 peer", "'peer' needs");
    bad("ipcp bootstrap name u layer udp type udp4 ip 10.0.0.1 p 9", "ambiguous keyword 'p'");
}

static void test_verbs(void)
{
    struct irm_cmd c;

    is(parse(&c, "ipcp create name a type eth-llc"), 0, "ipcp create");
    ok(c.op == IRM_OP_IPCP_CREATE && c.type == IPCP_ETH_LLC && strcmp(c.ipcp, "a") == 0,
       "... name and type");
    is(parse(&c, "ipcp destroy name a"), 0, "ipcp destroy");
    ok(c.op == IRM_OP_IPCP_DESTROY && strcmp(c.ipcp, "a") == 0, "... name");
    is(parse(&c, "ipcp enroll name b layer net"), 0, "ipcp enroll with a layer");
    ok(c.op == IRM_OP_IPCP_ENROLL && strcmp(c.dst, "net") == 0 && strcmp(c.layer, "net") == 0,
       "... dst defaults to the layer");
    is(parse(&c, "ipcp enrol name b dst a.net type broadcast autobind"), 0,
       "ipcp enrol (one l), a member, broadcast, autobind");
    ok(c.op == IRM_OP_IPCP_ENROLL && strcmp(c.dst, "a.net") == 0 && c.layer == NULL &&
           c.type == IPCP_BROADCAST && c.autobind,
       "... all of it");
    is(parse(&c, "ipcp connect name b dst a component dt qos voice"), 0, "ipcp connect");
    ok(c.op == IRM_OP_IPCP_CONNECT && strcmp(c.component, "dt") == 0 &&
           c.qos.delay == qos_voice.delay && c.qos.bandwidth == qos_voice.bandwidth,
       "... component dt, QoS voice");
    is(parse(&c, "ipcp connect name b dst a"), 0, "ipcp connect, both components");
    ok(c.component == NULL && c.qos.loss == qos_raw.loss && c.qos.ber == qos_raw.ber,
       "... no component, QoS raw");
    is(parse(&c, "ipcp disconnect name b dst a component mgmt"), 0, "ipcp disconnect");
    ok(c.op == IRM_OP_IPCP_DISCONNECT && strcmp(c.component, "mgmt") == 0, "... mgmt");
    is(parse(&c, "ipcp list name 'u*' layer net type udp4"), 0, "ipcp list with filters");
    ok(c.op == IRM_OP_IPCP_LIST && c.type_set && c.type == IPCP_UDP4 && c.layer != NULL,
       "... name, layer, type");
    is(parse(&c, "bind program oping name ping auto -- --listen -i 5"), 0,
       "bind program auto with arguments");
    ok(c.auto_start && c.argc == 3 && strcmp(c.argv[0], "--listen") == 0 &&
           strcmp(c.argv[2], "5") == 0,
       "... three arguments after --");
    is(parse(&c, "bind process 1234 name srv"), 0, "bind process");
    ok(c.op == IRM_OP_BIND_PROCESS && c.pid == 1234 && strcmp(c.name, "srv") == 0,
       "... pid, name");
    is(parse(&c, "bind ipcp uni.a name net"), 0, "bind ipcp");
    ok(c.op == IRM_OP_BIND_IPCP && strcmp(c.ipcp, "uni.a") == 0, "... by IPCP name");
    is(parse(&c, "bind list"), 0, "bind list");
    is(c.op, IRM_OP_BIND_LIST, "... op");
    is(parse(&c, "unbind program /usr/bin/oping"), 0, "unbind program from every name");
    ok(c.op == IRM_OP_UNBIND_PROGRAM && c.name == NULL, "... no name");
    is(parse(&c, "unbind process 77 name srv"), 0, "unbind process from a name");
    ok(c.op == IRM_OP_UNBIND_PROCESS && c.pid == 77 && strcmp(c.name, "srv") == 0,
       "... pid, name");
    is(parse(&c, "unbind ipcp uni.a"), 0, "unbind ipcp");
    is(c.op, IRM_OP_UNBIND_IPCP, "... op");
    is(parse(&c, "name create srv lb spillover"), 0, "name create with lb");
    ok(c.op == IRM_OP_NAME_CREATE && c.lb == LB_SPILL, "... spill-over");
    is(parse(&c, "name create srv lb spill"), 0, "lb spill: the reference's config word");
    is(parse(&c, "name create srv"), 0, "name create");
    is(c.lb, LB_RR, "... round-robin by default");
    is(parse(&c, "name destroy srv"), 0, "name destroy");
    is(parse(&c, "name register srv ipcp a ipcp b layer net"), 0, "name register");
    ok(c.n_ipcps == 2 && c.n_layers == 1 && strcmp(c.ipcps[1], "b") == 0,
       "... two IPCPs, a layer");
    is(parse(&c, "name unregister srv layer *"), 0, "name unregister");
    is(c.op, IRM_OP_NAME_UNREGISTER, "... op");
    is(parse(&c, "name list"), 0, "name list");
    is(parse(&c, "flow list"), 0, "flow list");
    is(c.op, IRM_OP_FLOW_LIST, "... op");
    is(parse(&c, "flow"), 0, "flow (list is the default)");
    is(parse(&c, "proc list"), 0, "proc list");
    is(c.op, IRM_OP_PROC_LIST, "... op");
    is(parse(&c, "--node n2 name list"), 0, "--node NAME");
    is_str(c.node, "n2", "... the node");
    is(parse(&c, "--node=n3 name list"), 0, "--node=NAME");
    is_str(c.node, "n3", "... the node");

    bad("ipcp create name a", "'type <type>' is required");
    bad("ipcp create type unicast", "'name <IPCP name>' is required");
    bad("ipcp create name a type unicast layer x",
        "unknown keyword 'layer' (expected name or type)");
    bad("ipcp enroll name b", "'dst <member>' or 'layer <layer>' is required");
    bad("ipcp enroll name b dst a type udp4", "only unicast and broadcast IPCPs enroll");
    bad("ipcp connect name b", "'dst <member of the layer>' is required");
    bad("ipcp connect name b dst a component routing", "unknown component 'routing'");
    bad("ipcp connect name b dst a qos gold", "unknown QoS 'gold'");
    bad("ipcp disconnect name b dst a qos raw", "unknown keyword 'qos'");
    bad("bind program", "'program' needs a program");
    bad("bind program oping", "'name <name>' is required");
    bad("bind program oping name x -- a", "add 'auto'");
    bad("bind program oping name x auto -- 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
        "at most 16 arguments");
    bad("bind process abc name x", "'process' needs a process id, not 'abc'");
    bad("bind process 0 name x", "needs a process id");
    bad("bind process 12 name x auto", "'auto' is for programs");
    bad("bind ipcp", "'ipcp' needs an IPCP name");
    bad("unbind list", "unknown object 'list' (expected program, process or ipcp)");
    bad("unbind program x auto", "unknown keyword 'auto' (expected name)");
    bad("name create", "a name is required");
    bad("name create x lb random",
        "unknown load-balancing policy 'random' (expected round-robin or spillover)");
    bad("name register x", "'ipcp <IPCP>' or 'layer <layer>' is required");
    bad("name destroy x y", "unexpected 'y'");
    bad("name list all", "unexpected 'all'");
    bad("flow list x", "unexpected 'x'");
    bad("--node bad/node name list", "bad node name 'bad/node'");
    bad("--frob name list", "unknown option '--frob'");
    bad("--node", "'--node' needs a node name");
    bad("", "a command is expected");
    {
        char line[400];

        snprintf(line, sizeof(line), "name create %0256d", 7);
        bad(line, "is longer than 255 characters");
    }
}

static void test_help(void)
{
    static const struct {
        const char *line;
        enum irm_topic topic;
    } h[] = {
        {"--help", IRM_TOPIC_MAIN},
        {"-h", IRM_TOPIC_MAIN},
        {"help", IRM_TOPIC_MAIN},
        {"ipcp --help", IRM_TOPIC_IPCP},
        {"ipcp help", IRM_TOPIC_IPCP},
        {"help ipcp", IRM_TOPIC_IPCP},
        {"ipcp bootstrap --help", IRM_TOPIC_IPCP_BOOTSTRAP},
        {"i b -h", IRM_TOPIC_IPCP_BOOTSTRAP},
        {"ipcp bootstrap name x --help", IRM_TOPIC_IPCP_BOOTSTRAP},
        {"help ipcp bootstrap", IRM_TOPIC_IPCP_BOOTSTRAP},
        {"help ipcp bootstrap name x", IRM_TOPIC_IPCP_BOOTSTRAP},
        {"ipcp create help", IRM_TOPIC_IPCP_CREATE},
        {"bind --help", IRM_TOPIC_BIND},
        {"bind program --help", IRM_TOPIC_BIND_PROGRAM},
        {"bind program oping --help", IRM_TOPIC_BIND_PROGRAM},
        {"unbind process --help", IRM_TOPIC_UNBIND_PROCESS},
        {"name --help", IRM_TOPIC_NAME},
        {"name register --help", IRM_TOPIC_NAME_REGISTER},
        {"flow --help", IRM_TOPIC_FLOW},
        {"help proc", IRM_TOPIC_PROC},
    };
    struct irm_cmd c;
    struct result res;

    for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        ok(parse(&c, h[i].line) == 0 && c.op == IRM_OP_HELP && c.topic == h[i].topic,
           "help: irm %s", h[i].line);
    run(&res, "ipcp bootstrap --help");
    ok(res.code == 0 && strstr(res.out, "dht_t_replicate S") != NULL && res.err[0] == '\0',
       "irm ipcp bootstrap --help prints its page, exit 0");
    run(&res, "--version");
    ok(res.code == 0 && strncmp(res.out, "irm (ourobus) ", 14) == 0, "irm --version");
    for (int t = 0; t < IRM_TOPIC_COUNT; t++) {
        char *o = NULL;
        size_t ol = 0;
        FILE *f = open_memstream(&o, &ol);

        irm_usage_print((enum irm_topic)t, f);
        fclose(f);
        if (o == NULL || strncmp(o, "Usage: ", 7) != 0)
            ok(false, "help page %d starts with Usage:", t);
        free(o);
    }
    ok(true, "every help page starts with 'Usage: '");
}

/* ---- whole commands against the fake daemon ------------------------------ */

static void test_run_names(void)
{
    struct result r;
    irm_name_info_t ni = IRM_NAME_INFO_INIT_ZERO;

    fake_reset(F);
    run(&r, "name create srv lb spillover");
    ok(r.code == 0 && r.err[0] == '\0' && r.out[0] == '\0', "name create: exit 0, silent");
    ok(fake_req(F, -1, IRM_METHOD_NAME_CREATE, IRM_NAME_INFO_FIELDS, &ni) &&
           strcmp(ni.name, "srv") == 0 && ni.lb == IRM_LB_SPILL,
       "... sent with spill-over");
    run(&r, "name create srv");
    ok(r.code == 1 && strcmp(r.err, "irm: name 'srv' exists\n") == 0,
       "name create again: exit 1, 'name exists' (%s)", r.err);
    run(&r, "name list");
    ok(r.code == 0 && strstr(r.out, "NAME") != NULL && strstr(r.out, "srv   spillover") != NULL,
       "name list: a table (%s)", r.out);
    run(&r, "name destroy nope");
    ok(r.code == 1 && strcmp(r.err, "irm: no such name 'nope'\n") == 0,
       "name destroy of an unknown name: exit 1, one line (%s)", r.err);
    run(&r, "name destroy srv");
    is(r.code, 0, "name destroy");
}

static void test_run_ipcps(void)
{
    irm_ipcp_bootstrap_t b = IRM_IPCP_BOOTSTRAP_INIT_ZERO;
    irm_bind_process_t bp = IRM_BIND_PROCESS_INIT_ZERO;
    struct result r;
    int32_t pid;

    fake_reset(F);
    run(&r, "ipcp bootstrap name uni.a layer net type unicast autobind");
    ok(r.code == 0 && r.err[0] == '\0', "bootstrap of a new IPCP: exit 0 (%s)", r.err);
    ok(fake_count(F, IRM_METHOD_IPCP_CREATE) == 1 &&
           fake_count(F, IRM_METHOD_BIND_PROCESS) == 2,
       "... created it, bound it to two names");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &b) &&
           strcmp(b.conf.layer, "net") == 0 && b.conf.type == IRM_IPCP_TYPE_UNICAST,
       "... then bootstrapped it in layer net");
    pthread_mutex_lock(&F->lock);
    ok(fake_name_find(F, "uni.a") >= 0 && fake_name_find(F, "net") >= 0,
       "... autobind created the names uni.a and net");
    pid = F->ipcps[F->nipcps - 1].pid;
    pthread_mutex_unlock(&F->lock);

    run(&r, "ipcp bootstrap name uni.a layer net type udp4 ip 10.0.0.1");
    ok(r.code == 1 && strstr(r.err, "IPCP 'uni.a' is a unicast IPCP, not udp4") != NULL,
       "bootstrap with another type: exit 1 (%s)", r.err);
    run(&r, "ipcp bootstrap name uni.a layer net addr 3");
    ok(r.code == 2 && strstr(r.err, "'addr': an address is 1, 2, 4 or 8") != NULL,
       "no type given: the IPCP's own checks the parameters, exit 2 (%s)", r.err);
    run(&r, "ipcp bootstrap name ghost layer net");
    ok(r.code == 1 && strstr(r.err, "no IPCP called 'ghost': give 'type TYPE'") != NULL,
       "bootstrap of an unknown IPCP without a type (%s)", r.err);

    fake_reset(F);
    fake_force(F, IRM_METHOD_IPCP_BOOTSTRAP, -EIPCPSTATE);
    run(&r, "ipcp bootstrap name udp.a layer udp type udp4 ip 127.0.0.1");
    ok(r.code == 1 && lines(r.err) == 1 &&
           strstr(r.err, "cannot bootstrap IPCP 'udp.a' in layer 'udp': the IPCP is in the "
                         "wrong state") != NULL,
       "a refused bootstrap: exit 1, one line (%s)", r.err);
    is(fake_count(F, IRM_METHOD_IPCP_DESTROY), 1, "... the IPCP it created is destroyed");

    fake_reset(F);
    run(&r, "ipcp enroll name uni.b dst net.x layer other");
    ok(r.code == 1 && strstr(r.err, "joined layer 'net' through 'net.x', not 'other'") != NULL,
       "enroll into another layer than asked: exit 1 (%s)", r.err);
    is(fake_count(F, IRM_METHOD_IPCP_DESTROY), 1, "... the new IPCP is removed again");
    run(&r, "ipcp enroll name uni.b layer net autobind");
    ok(r.code == 0 && fake_count(F, IRM_METHOD_IPCP_ENROLL) == 2, "enroll: exit 0 (%s)", r.err);

    run(&r, "ipcp connect name uni.b dst uni.a component dt qos data");
    ok(r.code == 0 && fake_count(F, IRM_METHOD_IPCP_CONNECT) == 1, "connect: exit 0");
    run(&r, "ipcp connect name udp.x dst uni.a");
    ok(r.code == 1 && strcmp(r.err, "irm: no IPCP called 'udp.x' (see 'irm ipcp list')\n") == 0,
       "connect of an unknown IPCP (%s)", r.err);

    run(&r, "ipcp create name loc type local");
    is(r.code, 0, "ipcp create");
    run(&r, "ipcp create name loc type local");
    ok(r.code == 1 && strcmp(r.err, "irm: an IPCP called 'loc' exists\n") == 0,
       "ipcp create again (%s)", r.err);
    run(&r, "ipcp list type unicast");
    ok(r.code == 0 && strstr(r.out, "uni.a") != NULL && strstr(r.out, "uni.b") != NULL &&
           strstr(r.out, "loc") == NULL && strstr(r.out, "operational") != NULL,
       "ipcp list type unicast (%s)", r.out);
    run(&r, "ipcp list name u*");
    ok(r.code == 0 && strstr(r.out, "uni.a") != NULL && strstr(r.out, "loc") == NULL,
       "ipcp list name u*");
    run(&r, "ipcp destroy name loc");
    is(r.code, 0, "ipcp destroy");
    run(&r, "ipcp destroy name loc");
    is(r.code, 1, "ipcp destroy of a gone IPCP: exit 1");

    fake_reset(F);
    run(&r, "bind ipcp uni.a name relay");
    ok(r.code == 0 && fake_req(F, -1, IRM_METHOD_BIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &bp) &&
           bp.pid == pid && strcmp(bp.name, "relay") == 0,
       "bind ipcp: the IPCP's pid bound to the name");
    run(&r, "unbind ipcp uni.a");
    ok(r.code == 0 &&
           fake_req(F, -1, IRM_METHOD_UNBIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &bp) &&
           bp.pid == pid && bp.name[0] == '\0',
       "unbind ipcp from every name");
}

static void test_run_bind_reg(void)
{
    irm_bind_program_t *bp = calloc(1, sizeof(*bp));
    irm_name_reg_t nr = IRM_NAME_REG_INIT_ZERO;
    struct result r;
    int32_t p1, p2;

    fake_reset(F);
    run(&r, "b prog sh n shell auto -- -c true");
    ok(r.code == 0 && fake_req(F, -1, IRM_METHOD_BIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, bp) &&
           bp->prog[0] == '/' && bp->auto_start && bp->args_count == 2 &&
           strcmp(bp->name, "shell") == 0,
       "bind program sh: an absolute path, auto, two arguments (%s)", bp->prog);
    run(&r, "bind program no-such-prog-zz9 name x");
    ok(r.code == 1 && strcmp(r.err, "irm: no program 'no-such-prog-zz9' in $PATH\n") == 0,
       "bind program not in PATH (%s)", r.err);
    run(&r, "bind program /etc/passwd name x");
    ok(r.code == 1 && strstr(r.err, "is not an executable file") != NULL,
       "bind program of a file that does not run (%s)", r.err);
    run(&r, "unbind program /opt/old/prog name x");
    ok(r.code == 0 && fake_req(F, -1, IRM_METHOD_UNBIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, bp) &&
           strcmp(bp->prog, "/opt/old/prog") == 0,
       "unbind program that is gone");

    pthread_mutex_lock(&F->lock);
    p1 = fake_add_ipcp(F, "reg.1", IRM_IPCP_TYPE_UNICAST, "regnet");
    p2 = fake_add_ipcp(F, "reg.2", IRM_IPCP_TYPE_UNICAST, "regnet");
    pthread_mutex_unlock(&F->lock);
    fake_reset(F);
    run(&r, "name register echo layer regn* ipcp reg.1");
    ok(r.code == 0 && fake_count(F, IRM_METHOD_NAME_REG) == 2,
       "name register: each matching IPCP once (%d)", fake_count(F, IRM_METHOD_NAME_REG));
    ok(fake_count(F, IRM_METHOD_NAME_CREATE) == 1, "... the name created first");
    ok(fake_req(F, -1, IRM_METHOD_NAME_REG, IRM_NAME_REG_FIELDS, &nr) &&
           (nr.ipcp_pid == p1 || nr.ipcp_pid == p2) && strcmp(nr.name, "echo") == 0,
       "... with the IPCPs' pids");
    fake_reset(F);
    run(&r, "name register echo layer nowhere");
    ok(r.code == 1 && strstr(r.err, "no IPCP in layer 'nowhere'") != NULL &&
           fake_count(F, IRM_METHOD_NAME_REG) == 0,
       "a layer no IPCP is in: exit 1, nothing registered (%s)", r.err);
    fake_force(F, IRM_METHOD_NAME_UNREG, -EIPCP);
    run(&r, "name unregister echo layer regnet");
    ok(r.code == 1 && lines(r.err) == 2 && fake_count(F, IRM_METHOD_NAME_UNREG) == 2,
       "refused by both IPCPs: both tried, two lines, exit 1 (%s)", r.err);
    free(bp);
}

static void test_run_lists(void)
{
    struct result r;

    pthread_mutex_lock(&F->lock);
    F->nflows = 150;
    for (int i = 0; i < F->nflows; i++) {
        irm_flow_entry_t *f = &F->flows[i];

        memset(f, 0, sizeof(*f));
        f->flow_id = (uint32_t)i + 1;
        snprintf(f->name, sizeof(f->name), "svc-%d", i);
        f->pid_a = 100 + i;
        f->pid_b = i % 2 ? 0 : 200 + i;
        snprintf(f->state, sizeof(f->state), "allocated");
        f->queued_ab = (uint32_t)i;
    }
    F->nprocs = 2;
    F->procs[0] = (irm_proc_entry_t){
        .pid = 321, .prog = "oping", .flows = 2, .names_count = 2, .names = {"ping", "pong"}};
    F->procs[1] = (irm_proc_entry_t){.pid = 322, .prog = "oecho"};
    F->nbinds = 2;
    memset(F->binds, 0, sizeof(F->binds[0]) * 2);
    snprintf(F->binds[0].name, sizeof(F->binds[0].name), "ping");
    snprintf(F->binds[0].prog, sizeof(F->binds[0].prog), "/usr/bin/oping");
    F->binds[0].auto_start = true;
    F->binds[0].args_count = 2;
    snprintf(F->binds[0].args[0], sizeof(F->binds[0].args[0]), "--listen");
    snprintf(F->binds[0].args[1], sizeof(F->binds[0].args[1]), "a b");
    snprintf(F->binds[1].name, sizeof(F->binds[1].name), "net");
    F->binds[1].pid = F->ipcps[0].pid;
    pthread_mutex_unlock(&F->lock);

    fake_reset(F);
    run(&r, "flow list");
    ok(r.code == 0 && lines(r.out) == 151 && fake_count(F, IRM_METHOD_FLOW_LIST) == 2,
       "flow list: header and 150 flows, read in two pages");
    ok(strstr(r.out, "svc-149") != NULL && strstr(r.out, "allocated") != NULL &&
           strstr(r.out, "QUEUED") != NULL,
       "... with names, states and queues");
    run(&r, "proc list");
    ok(r.code == 0 && strstr(r.out, "oping") != NULL && strstr(r.out, "ping,pong") != NULL &&
           lines(r.out) == 3,
       "proc list (%s)", r.out);
    run(&r, "bind list");
    ok(r.code == 0 && strstr(r.out, "program /usr/bin/oping") != NULL &&
           strstr(r.out, "--listen 'a b'") != NULL && strstr(r.out, "ipcp ") != NULL,
       "bind list: programs with their arguments, IPCPs by name (%s)", r.out);
    fake_force(F, IRM_METHOD_FLOW_LIST, -EPERM);
    run(&r, "flow list");
    ok(r.code == 1 &&
           strcmp(r.err, "irm: cannot list the flows: Operation not permitted\n") == 0,
       "a refused list: exit 1 (%s)", r.err);
}

static void test_run_errors(void)
{
    struct result r;
    int before = fake_calls(F);

    run(&r, "ipcp bootstrap name x layer y type unicast addr 3");
    run(&r, "bind program oping");
    run(&r, "i d");
    ok(r.code == 2 && lines(r.err) == 1 && fake_calls(F) == before,
       "usage errors: exit 2, one line, no request sent (%s)", r.err);
    run(&r, "--node nobody name list");
    ok(r.code == 1 && lines(r.err) == 1 &&
           strstr(r.err,
                  "irm: the IRM daemon of node 'nobody' is not running (no socket at ") ==
               r.err &&
           strstr(r.err, "/nobody/irmd.ctl)") != NULL,
       "no daemon: exit 1, says so (%s)", r.err);
}

/* ---- the real binary ---------------------------------------------------- */

static int role_daemon(const char *ready)
{
    struct fake_irmd *f = fake_irmd_start(BIN_NODE);
    sigset_t set;
    int sig;

    if (f == NULL)
        return 1;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    fake_add_name(f, "ping", IRM_LB_RR);
    close(open(ready, O_WRONLY | O_CREAT, 0600));
    sigwait(&set, &sig);
    fake_irmd_stop(&f);
    return 0;
}

static char bin[PATH_MAX];

/* Run the irm binary with line; exit code, and its output in files. */
static int run_bin(const char *dir, const char *line, char *out, char *err, size_t len)
{
    char *argv[80];
    char o[256], e[256];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int ws;
    FILE *f;
    size_t n;

    split(line, argv, 80);
    argv[0] = bin;
    snprintf(o, sizeof(o), "%s/out", dir);
    snprintf(e, sizeof(e), "%s/err", dir);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0)
        return -1;
    posix_spawn_file_actions_destroy(&fa);
    ws = proc_wait(pid, 10000);
    f = fopen(o, "r");
    n = f ? fread(out, 1, len - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
    f = fopen(e, "r");
    n = f ? fread(err, 1, len - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    return ws >= 0 && WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static void test_binary(const char *dir)
{
    const char *args[] = {"daemon", NULL, NULL};
    char ready[200], out[4096], err[4096];
    char *self = realpath("/proc/self/exe", NULL);
    pid_t d;

    snprintf(bin, sizeof(bin), "%s/../../tools/irm/irm", self ? dirname(self) : ".");
    free(self);
    if (access(bin, X_OK) != 0) {
        skip(5, "no irm binary beside the tests");
        return;
    }
    snprintf(ready, sizeof(ready), "%s/daemon.ready", dir);
    args[1] = ready;
    d = proc_spawn(NULL, args);
    if (!proc_wait_file(ready, 5000)) {
        skip(5, "the fake daemon did not start");
        return;
    }
    is(run_bin(dir, "--node " BIN_NODE " name list", out, err, sizeof(out)), 0,
       "irm name list: exit 0");
    ok(strstr(out, "ping") != NULL && err[0] == '\0', "... the table, nothing on stderr (%s)",
       err);
    is(run_bin(dir, "--node " BIN_NODE " name destroy nope", out, err, sizeof(out)), 1,
       "irm name destroy nope: exit 1");
    ok(strcmp(err, "irm: no such name 'nope'\n") == 0 && out[0] == '\0',
       "... exactly one line on stderr (%s)", err);
    ok(run_bin(dir, "--node nobody name list", out, err, sizeof(out)) == 1 && lines(err) == 1,
       "no daemon: exit 1, exactly one line (%s)", err);
    proc_stop(d, SIGTERM);
}

int main(int argc, char **argv)
{
    const char *dir;

    if (argc == 3 && strcmp(argv[1], "daemon") == 0)
        return role_daemon(argv[2]);
    log_init("test_irm_cli", NODE);
    log_set_level(LOG_LVL_ERR);
    dir = proc_tmp_dir("irmcli");
    setenv("OUROBUS_NODE", NODE, 1);

    test_prefixes();
    test_bootstrap();
    test_peers();
    test_verbs();
    test_help();
    F = fake_irmd_start(NODE);
    if (F == NULL)
        bail_out("the fake IRM daemon did not start");
    test_run_names();
    test_run_ipcps();
    test_run_bind_reg();
    test_run_lists();
    test_run_errors();
    fake_irmd_stop(&F);
    test_binary(dir);
    return done();
}
