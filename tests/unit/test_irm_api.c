/*
 * test_irm_api.c - the management API (ourobus/irm.h) against a fake IRM
 * daemon: each call sends the right message, returns the daemon's status
 * and data, reads lists page by page, and refuses bad input locally.
 *
 *   test --irm API--> ipc://<tmp>/apitest/irmd.ctl <-- fake daemon (thread)
 */
#include "fake_irmd.h"
#include "irm.pb.h"
#include "log.h"
#include "proc.h"
#include "tap.h"

#include <arpa/inet.h>
#include <ourobus/irm.h>

#define NODE "apitest"

static struct fake_irmd *F;

static void stop_fake(void)
{
    fake_irmd_stop(&F);
}

static void test_no_daemon(void)
{
    struct name_info *names = (void *)1;

    is(irm_use_node("bad/node"), -EINVAL, "use_node: a bad node name is -EINVAL");
    is(irm_use_node(NODE), 0, "use_node: a good one is taken");
    is(irm_list_names(&names), -EIRMD, "no daemon yet: -EIRMD");
    ok(names == NULL, "no daemon: no list either");
    is(irm_create_ipcp("x", IPCP_UNICAST), -EIRMD, "no daemon: create_ipcp is -EIRMD");
}

/* Every bad input is refused before any request. */
static void test_bad_input(void)
{
    char long_name[300];
    char *argv[20];
    struct name_info info = {.pol_lb = LB_RR};
    struct ipcp_config conf;
    int before = fake_calls(F);

    memset(long_name, 'n', sizeof(long_name));
    long_name[256] = '\0';
    for (int i = 0; i < 20; i++)
        argv[i] = "a";

    is(irm_create_ipcp(NULL, IPCP_UNICAST), -EINVAL, "create_ipcp: NULL name");
    is(irm_create_ipcp("", IPCP_UNICAST), -EINVAL, "create_ipcp: empty name");
    is(irm_create_ipcp(long_name, IPCP_UNICAST), -EINVAL, "create_ipcp: 256-character name");
    is(irm_create_ipcp("x", IPCP_INVALID), -EINVAL, "create_ipcp: IPCP_INVALID");
    is(irm_create_ipcp("x", (enum ipcp_type) - 1), -EINVAL, "create_ipcp: a negative type");
    is(irm_destroy_ipcp(0), -EINVAL, "destroy_ipcp: pid 0");
    is(irm_list_ipcps(NULL), -EINVAL, "list_ipcps: NULL");
    is(irm_bootstrap_ipcp(100, NULL), -EINVAL, "bootstrap: NULL config");
    ipcp_config_default(&conf, IPCP_UNICAST);
    is(irm_bootstrap_ipcp(100, &conf), -EINVAL, "bootstrap: no layer name");
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "net");
    conf.unicast.dt.addr_size = 3;
    is(irm_bootstrap_ipcp(100, &conf), -EINVAL, "bootstrap: a 3-byte address");
    ipcp_config_default(&conf, IPCP_UDP4);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "udp");
    is(irm_bootstrap_ipcp(100, &conf), -EINVAL, "bootstrap: udp4 without an IP address");
    ipcp_config_default(&conf, IPCP_ETH_DIX);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "eth");
    is(irm_bootstrap_ipcp(100, &conf), -EINVAL, "bootstrap: eth-dix without a device");
    is(irm_bootstrap_ipcp(-1, &conf), -EINVAL, "bootstrap: negative pid");
    is(irm_enroll_ipcp(100, NULL), -EINVAL, "enroll: NULL destination");
    is(irm_enroll_ipcp(100, long_name), -EINVAL, "enroll: long destination");
    is(irm_connect_ipcp(100, "b", "routing", qos_raw), -EINVAL, "connect: unknown component");
    is(irm_connect_ipcp(100, "", "dt", qos_raw), -EINVAL, "connect: empty destination");
    is(irm_disconnect_ipcp(0, "b", NULL), -EINVAL, "disconnect: pid 0");
    is(irm_bind_program(NULL, "n", 0, 0, NULL), -EINVAL, "bind_program: NULL program");
    is(irm_bind_program("/bin/sh", NULL, 0, 0, NULL), -EINVAL, "bind_program: NULL name");
    is(irm_bind_program("/bin/sh", "n", 0x80, 0, NULL), -EINVAL,
       "bind_program: unknown option");
    is(irm_bind_program("/bin/sh", "n", 0, 17, argv), -EINVAL, "bind_program: 17 arguments");
    is(irm_bind_program("/bin/sh", "n", 0, 2, NULL), -EINVAL, "bind_program: argv NULL");
    argv[1] = long_name;
    is(irm_bind_program("/bin/sh", "n", 0, 2, argv), -EINVAL,
       "bind_program: an argument over 255 characters");
    is(irm_bind_program("no-such-program-zz9", "n", 0, 0, NULL), -ENOENT,
       "bind_program: a program not in PATH is -ENOENT");
    is(irm_bind_program("/etc", "n", 0, 0, NULL), -EACCES, "bind_program: a folder");
    is(irm_bind_program("/bin/", "n", 0, 0, NULL), -EISDIR, "bind_program: a path ending in /");
    is(irm_unbind_program("", NULL), -EINVAL, "unbind_program: empty program");
    is(irm_unbind_program("/bin/sh", ""), -EINVAL, "unbind_program: empty name (NULL is all)");
    is(irm_bind_process(0, "n"), -EINVAL, "bind_process: pid 0");
    is(irm_unbind_process(5, long_name), -EINVAL, "unbind_process: long name");
    is(irm_create_name(NULL), -EINVAL, "create_name: NULL");
    is(irm_create_name(&info), -EINVAL, "create_name: empty name");
    snprintf(info.name, sizeof(info.name), "n");
    info.pol_lb = LB_INVALID;
    is(irm_create_name(&info), -EINVAL, "create_name: LB_INVALID");
    is(irm_destroy_name(NULL), -EINVAL, "destroy_name: NULL");
    is(irm_list_names(NULL), -EINVAL, "list_names: NULL");
    is(irm_reg_name("n", 0), -EINVAL, "reg_name: pid 0");
    is(irm_unreg_name(long_name, 5), -EINVAL, "unreg_name: long name");
    is(fake_calls(F), before, "none of these reached the daemon");
}

static void test_ipcps(void)
{
    irm_ipcp_create_t cr = IRM_IPCP_CREATE_INIT_ZERO;
    irm_ipcp_ref_t ref = IRM_IPCP_REF_INIT_ZERO;
    struct ipcp_list_info *l = NULL;
    pid_t pid;
    ssize_t n;
    bool good = true;

    fake_reset(F);
    pid = irm_create_ipcp("uni.a", IPCP_UNICAST);
    is(pid, FAKE_FIRST_PID, "create_ipcp returns the daemon's pid");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_CREATE, IRM_IPCP_CREATE_FIELDS, &cr) &&
           strcmp(cr.name, "uni.a") == 0 && cr.type == IRM_IPCP_TYPE_UNICAST,
       "create_ipcp sends the name and the type");
    is(irm_create_ipcp("uni.a", IPCP_UNICAST), -EEXIST, "create_ipcp: the daemon's -EEXIST");
    fake_force(F, IRM_METHOD_IPCP_CREATE, 0);
    is(irm_create_ipcp("x", IPCP_LOCAL), -EPROTO, "create_ipcp: a reply without a pid");

    is(irm_destroy_ipcp(pid), 0, "destroy_ipcp");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_DESTROY, IRM_IPCP_REF_FIELDS, &ref) && ref.pid == pid,
       "destroy_ipcp sends the pid");
    is(irm_destroy_ipcp(pid), -ENOENT, "destroy_ipcp: the daemon's -ENOENT");

    /* 40 IPCPs: two pages of up to 32. */
    pthread_mutex_lock(&F->lock);
    F->nipcps = 0;
    for (int i = 0; i < 40; i++) {
        char name[32];

        snprintf(name, sizeof(name), "ipcp-%02d", i);
        fake_add_ipcp(F, name, (irm_ipcp_type_t)(i % 7), i % 2 ? "layer" : NULL);
    }
    pthread_mutex_unlock(&F->lock);
    fake_reset(F);
    n = irm_list_ipcps(&l);
    is(n, 40, "list_ipcps: all 40");
    is(fake_count(F, IRM_METHOD_IPCP_LIST), 2, "list_ipcps: in two pages");
    for (ssize_t i = 0; l != NULL && i < n; i++) {
        char name[32];

        snprintf(name, sizeof(name), "ipcp-%02d", (int)i);
        good = good && strcmp(l[i].name, name) == 0 && l[i].type == (enum ipcp_type)(i % 7) &&
               l[i].pid == F->ipcps[i].pid && strcmp(l[i].layer, i % 2 ? "layer" : "") == 0 &&
               l[i].state == (i % 2 ? IPCP_STATE_OPERATIONAL : IPCP_STATE_BOOT);
    }
    ok(l != NULL && good, "list_ipcps: pid, name, type, layer and state of each, in order");
    free(l);
    fake_force(F, IRM_METHOD_IPCP_LIST, -EPERM);
    l = (void *)1;
    is(irm_list_ipcps(&l), -EPERM, "list_ipcps: the daemon's error");
    ok(l == NULL, "list_ipcps: no array on error");
}

static void test_bootstrap(void)
{
    irm_ipcp_bootstrap_t b = IRM_IPCP_BOOTSTRAP_INIT_ZERO;
    struct ipcp_config conf;
    uint8_t v4[4] = {127, 0, 0, 1};
    struct in6_addr v6;

    fake_reset(F);
    ipcp_config_default(&conf, IPCP_UNICAST);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "net");
    conf.unicast.dt.routing = ROUTING_ECMP;
    conf.unicast.dht.k = 16;
    conf.unicast.cong_avoid = CA_NONE;
    fake_force(F, IRM_METHOD_IPCP_BOOTSTRAP, 0);
    is(irm_bootstrap_ipcp(4100, &conf), 0, "bootstrap unicast");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &b) &&
           b.pid == 4100 && b.has_conf && strcmp(b.conf.layer, "net") == 0 &&
           b.conf.type == IRM_IPCP_TYPE_UNICAST && b.conf.dir_hash_algo == DIR_HASH_SHA3_256 &&
           b.conf.addr_size == 4 && b.conf.eid_size == 8 && b.conf.max_ttl == 60 &&
           b.conf.routing == ROUTING_ECMP && b.conf.ls_t_recalc == 4 &&
           b.conf.ls_t_update == 15 && b.conf.ls_t_timeo == 60 && b.conf.dht_alpha == 3 &&
           b.conf.dht_k == 16 && b.conf.dht_t_expire == 86400 && b.conf.dht_t_refresh == 900 &&
           b.conf.dht_t_replicate == 900 && b.conf.cong_avoid == CA_NONE &&
           b.conf.ip.size == 0 && b.conf.dev[0] == '\0',
       "bootstrap unicast: every field of the configuration");

    ipcp_config_default(&conf, IPCP_UDP4);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "udp");
    memcpy(&conf.udp.ip.v4, v4, 4);
    conf.udp.port = 7000;
    is(irm_bootstrap_ipcp(4101, &conf), 0, "bootstrap udp4");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &b) &&
           b.conf.type == IRM_IPCP_TYPE_UDP4 && b.conf.ip.size == 4 &&
           memcmp(b.conf.ip.bytes, v4, 4) == 0 && b.conf.dns.size == 0 && b.conf.port == 7000 &&
           b.conf.dir_hash_algo == DIR_HASH_MD5,
       "bootstrap udp4: address in network order, no DNS, port, MD5");

    ipcp_config_default(&conf, IPCP_UDP6);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "udp6");
    inet_pton(AF_INET6, "::1", &v6);
    conf.udp.ip.v6 = v6;
    inet_pton(AF_INET6, "fd00::53", &conf.udp.dns.v6);
    is(irm_bootstrap_ipcp(4102, &conf), 0, "bootstrap udp6");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &b) &&
           b.conf.ip.size == 16 && memcmp(b.conf.ip.bytes, &v6, 16) == 0 &&
           b.conf.dns.size == 16 && b.conf.dns.bytes[15] == 0x53 && b.conf.port == 3435,
       "bootstrap udp6: 16-byte address and DNS server, default port");

    ipcp_config_default(&conf, IPCP_ETH_DIX);
    snprintf(conf.layer_info.name, sizeof(conf.layer_info.name), "eth");
    snprintf(conf.eth.dev, sizeof(conf.eth.dev), "veth0");
    conf.eth.ethertype = 0xA001;
    is(irm_bootstrap_ipcp(4103, &conf), 0, "bootstrap eth-dix");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &b) &&
           strcmp(b.conf.dev, "veth0") == 0 && b.conf.ethertype == 0xA001 &&
           b.conf.type == IRM_IPCP_TYPE_ETH_DIX,
       "bootstrap eth-dix: device and ethertype");
    fake_force(F, IRM_METHOD_IPCP_BOOTSTRAP, -EIPCPSTATE);
    is(irm_bootstrap_ipcp(4103, &conf), -EIPCPSTATE, "bootstrap: the daemon's -EIPCPSTATE");
}

static void test_enroll_connect(void)
{
    irm_ipcp_enroll_t e = IRM_IPCP_ENROLL_INIT_ZERO;
    irm_ipcp_connect_t c = IRM_IPCP_CONNECT_INIT_ZERO;

    fake_reset(F);
    fake_force(F, IRM_METHOD_IPCP_ENROLL, 0);
    is(irm_enroll_ipcp(4200, "net.a"), 0, "enroll");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_ENROLL, IRM_IPCP_ENROLL_FIELDS, &e) && e.pid == 4200 &&
           strcmp(e.dst, "net.a") == 0,
       "enroll sends the pid and the destination");
    fake_force(F, IRM_METHOD_IPCP_ENROLL, -ETIMEDOUT);
    is(irm_enroll_ipcp(4200, "net.a"), -ETIMEDOUT, "enroll: the daemon's -ETIMEDOUT");

    is(irm_connect_ipcp(4200, "net.b", "dt", qos_data), 0, "connect");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_CONNECT, IRM_IPCP_CONNECT_FIELDS, &c) && c.pid == 4200 &&
           strcmp(c.dst, "net.b") == 0 && strcmp(c.component, "dt") == 0 && c.has_qos &&
           c.qos.loss == 0 && c.qos.in_order == 1 && c.qos.delay == 1000 &&
           c.qos.max_gap == 2000 && c.qos.timeout == QOS_DEFAULT_TIMEOUT,
       "connect sends the destination, the component and the QoS");
    is(irm_connect_ipcp(4200, "net.b", NULL, qos_raw), 0, "connect both components");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_CONNECT, IRM_IPCP_CONNECT_FIELDS, &c) &&
           c.component[0] == '\0' && c.qos.loss == 1,
       "connect: no component means both");
    is(irm_disconnect_ipcp(4200, "net.b", "mgmt"), 0, "disconnect");
    ok(fake_req(F, -1, IRM_METHOD_IPCP_DISCONNECT, IRM_IPCP_CONNECT_FIELDS, &c) &&
           strcmp(c.component, "mgmt") == 0 && !c.has_qos && c.pid == 4200,
       "disconnect sends the component, no QoS");
    fake_force(F, IRM_METHOD_IPCP_DISCONNECT, -ENOTCONN);
    is(irm_disconnect_ipcp(4200, "net.b", ""), -ENOTCONN, "disconnect: the daemon's error");
}

static void test_bindings(void)
{
    irm_bind_program_t *b = calloc(1, sizeof(*b));
    irm_bind_process_t p = IRM_BIND_PROCESS_INIT_ZERO;
    char *argv[] = {"-c", "echo hi"};
    const char *sh;

    fake_reset(F);
    is(irm_bind_program("sh", "shell", BIND_AUTO, 2, argv), 0, "bind_program by PATH name");
    ok(fake_req(F, -1, IRM_METHOD_BIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, b) &&
           b->prog[0] == '/' && (sh = strrchr(b->prog, '/')) != NULL &&
           strcmp(sh, "/sh") == 0 && access(b->prog, X_OK) == 0 &&
           strcmp(b->name, "shell") == 0 && b->auto_start && b->args_count == 2 &&
           strcmp(b->args[1], "echo hi") == 0,
       "bind_program: absolute path found in PATH, name, auto, arguments (%s)", b->prog);
    is(irm_bind_program("/bin/../bin/sh", "shell", 0, 0, NULL), 0, "bind_program by path");
    ok(fake_req(F, -1, IRM_METHOD_BIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, b) &&
           strstr(b->prog, "..") == NULL && !b->auto_start && b->args_count == 0,
       "bind_program: the folder is made canonical (%s)", b->prog);
    is(irm_unbind_program("/opt/gone/prog", NULL), 0, "unbind_program of a program now gone");
    ok(fake_req(F, -1, IRM_METHOD_UNBIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, b) &&
           strcmp(b->prog, "/opt/gone/prog") == 0 && b->name[0] == '\0',
       "unbind_program: the path as given, no name means every name");
    fake_force(F, IRM_METHOD_BIND_PROGRAM, -ENAME);
    is(irm_bind_program("/bin/sh", "nope", 0, 0, NULL), -ENAME,
       "bind_program: daemon's -ENAME");

    is(irm_bind_process(1234, "srv"), 0, "bind_process");
    ok(fake_req(F, -1, IRM_METHOD_BIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &p) && p.pid == 1234 &&
           strcmp(p.name, "srv") == 0,
       "bind_process sends the pid and the name");
    is(irm_unbind_process(1234, NULL), 0, "unbind_process from every name");
    ok(fake_req(F, -1, IRM_METHOD_UNBIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &p) &&
           p.pid == 1234 && p.name[0] == '\0',
       "unbind_process: an empty name");
    fake_force(F, IRM_METHOD_BIND_PROCESS, -ESRCH);
    is(irm_bind_process(99999, "srv"), -ESRCH, "bind_process: the daemon's -ESRCH");
    free(b);
}

static void test_names(void)
{
    irm_name_info_t ni = IRM_NAME_INFO_INIT_ZERO;
    irm_name_t nm = IRM_NAME_INIT_ZERO;
    irm_name_reg_t r = IRM_NAME_REG_INIT_ZERO;
    struct name_info info = {.name = "oping", .pol_lb = LB_SPILL};
    struct name_info *l = NULL;
    ssize_t n;
    bool good = true;
    int32_t ipcp;

    pthread_mutex_lock(&F->lock);
    F->nnames = 0;
    pthread_mutex_unlock(&F->lock);
    fake_reset(F);
    is(irm_create_name(&info), 0, "create_name");
    ok(fake_req(F, -1, IRM_METHOD_NAME_CREATE, IRM_NAME_INFO_FIELDS, &ni) &&
           strcmp(ni.name, "oping") == 0 && ni.lb == IRM_LB_SPILL,
       "create_name sends the name and spill-over");
    is(irm_create_name(&info), -EEXIST, "create_name: the daemon's -EEXIST");
    is(irm_destroy_name("oping"), 0, "destroy_name");
    ok(fake_req(F, -1, IRM_METHOD_NAME_DESTROY, IRM_NAME_FIELDS, &nm) &&
           strcmp(nm.name, "oping") == 0,
       "destroy_name sends the name");
    is(irm_destroy_name("oping"), -ENAME, "destroy_name: the daemon's -ENAME");

    /* 250 names: three pages of up to 96. */
    pthread_mutex_lock(&F->lock);
    for (int i = 0; i < 250; i++) {
        char name[32];

        snprintf(name, sizeof(name), "name-%03d", i);
        fake_add_name(F, name, i % 3 ? IRM_LB_RR : IRM_LB_SPILL);
    }
    pthread_mutex_unlock(&F->lock);
    fake_reset(F);
    n = irm_list_names(&l);
    is(n, 250, "list_names: all 250");
    is(fake_count(F, IRM_METHOD_NAME_LIST), 3, "list_names: in three pages");
    for (ssize_t i = 0; l != NULL && i < n; i++) {
        char name[32];

        snprintf(name, sizeof(name), "name-%03d", (int)i);
        good =
            good && strcmp(l[i].name, name) == 0 && l[i].pol_lb == (i % 3 ? LB_RR : LB_SPILL);
    }
    ok(l != NULL && good, "list_names: every name and policy, in order");
    free(l);

    /* The list grows while it is read: read again, one snapshot. */
    fake_reset(F);
    pthread_mutex_lock(&F->lock);
    F->grow_names = 2;
    pthread_mutex_unlock(&F->lock);
    n = irm_list_names(&l);
    is(n, 252, "list_names: a list that grew while read comes whole");
    good = l != NULL;
    for (ssize_t i = 0; good && i < n; i++)
        for (ssize_t j = i + 1; good && j < n; j++)
            good = strcmp(l[i].name, l[j].name) != 0;
    ok(good, "list_names: no name twice");
    ok(fake_count(F, IRM_METHOD_NAME_LIST) > 3, "list_names: read again (%d pages)",
       fake_count(F, IRM_METHOD_NAME_LIST));
    free(l);

    fake_reset(F);
    pthread_mutex_lock(&F->lock);
    F->bogus_total = (1u << 20) + 1;
    pthread_mutex_unlock(&F->lock);
    is(irm_list_names(&l), -EPROTO, "list_names: an absurd total is -EPROTO");

    fake_reset(F);
    pthread_mutex_lock(&F->lock);
    F->nnames = 0;
    pthread_mutex_unlock(&F->lock);
    l = (void *)1;
    is(irm_list_names(&l), 0, "list_names: an empty list");
    ok(l == NULL, "list_names: NULL for an empty list");

    pthread_mutex_lock(&F->lock);
    fake_add_name(F, "srv", IRM_LB_RR);
    ipcp = fake_add_ipcp(F, "reg.ipcp", IRM_IPCP_TYPE_UNICAST, "net");
    pthread_mutex_unlock(&F->lock);
    is(irm_reg_name("srv", ipcp), 0, "reg_name");
    ok(fake_req(F, -1, IRM_METHOD_NAME_REG, IRM_NAME_REG_FIELDS, &r) &&
           strcmp(r.name, "srv") == 0 && r.ipcp_pid == ipcp,
       "reg_name sends the name and the IPCP's pid");
    is(irm_reg_name("nosuch", ipcp), -ENAME, "reg_name: the daemon's -ENAME");
    is(irm_unreg_name("srv", ipcp), 0, "unreg_name");
    ok(fake_req(F, -1, IRM_METHOD_NAME_UNREG, IRM_NAME_REG_FIELDS, &r) && r.ipcp_pid == ipcp,
       "unreg_name sends the pid");
    is(irm_unreg_name("srv", 1), -EIPCP, "unreg_name: the daemon's -EIPCP");
}

int main(void)
{
    log_init("test_irm_api", NODE);
    log_set_level(LOG_LVL_ERR);
    proc_tmp_dir("irmapi");
    atexit(stop_fake);

    test_no_daemon();
    F = fake_irmd_start(NODE);
    if (F == NULL)
        bail_out("the fake IRM daemon did not start");
    test_bad_input();
    test_ipcps();
    test_bootstrap();
    test_enroll_connect();
    test_bindings();
    test_names();
    fake_irmd_stop(&F); /* before czmq's own exit handler */
    return done();
}
