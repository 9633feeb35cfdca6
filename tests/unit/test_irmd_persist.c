/*
 * test_irmd_persist.c - the IRM registry written to the run folder and read
 * back by a new daemon: names and policies, program bindings with their
 * arguments, process bindings, processes (a dead one reaped on load), flows
 * (kept when their rings survive, dropped when not), IPCPs; torn writes.
 */
#include "irmd.h"
#include "shm_object.h"
#include "tap.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static struct run_folder rf;

static int rm_entry(const char *p, const struct stat *st, int f, struct FTW *w)
{
    (void)st;
    (void)f;
    (void)w;
    return remove(p);
}

/* A daemon context without a service: enough for the registry's files. */
static void ctx_init(struct irmd *d, struct pool_cfg *cfg)
{
    memset(d, 0, sizeof(*d));
    d->rf = &rf;
    d->loop = zloop_new();
    d->sweep_timer = -1;
    d->ring_slots = 16;
    d->shm_mode = 0600;
    reg_init(&d->reg);
    run_folder_shm_name(&rf, "pool", d->pool_name, sizeof(d->pool_name));
    if (pool_attach(d->pool_name, &d->pool) < 0)
        pool_create(d->pool_name, cfg, 0600, &d->pool);
    persist_init(d);
}

static void ctx_fini(struct irmd *d)
{
    struct reg_proc *p;

    for (p = zhashx_first(d->reg.procs); p != NULL; p = zhashx_next(d->reg.procs)) {
        if (p->pidfd >= 0)
            close(p->pidfd);
        evq_set_detach(&p->evq);
        shm_object_unlink(p->evq_name);
    }
    reg_fini(&d->reg);
    pool_detach(&d->pool);
    zloop_destroy(&d->loop);
}

int main(void)
{
    char dir[] = "/tmp/ourobus-persist-XXXXXX";
    char *args[] = {"-l", "two words"};
    struct pool_cfg cfg = {.nclasses = 1, .cls = {{512, 64}}};
    struct irmd a, b;
    struct reg_flow *f;
    struct reg_prog_bind *g;
    struct reg_ipcp *ip;
    struct ring_map keep[2];
    pid_t dead;
    int n;

    plan(16);
    mkdtemp(dir);
    setenv("OUROBUS_RUN_DIR", dir, 1);
    run_folder_for_daemon(&rf, "persist");
    snprintf(rf.shm_prefix, sizeof(rf.shm_prefix), "/ourobus.test-%d.", (int)getpid());
    run_folder_create(&rf);

    ctx_init(&a, &cfg);
    persist_name(&a, reg_name_add(&a.reg, "alpha", LB_SPILL), true);
    persist_name(&a, reg_name_add(&a.reg, "beta", LB_RR), true);
    reg_prog_bind(&a.reg, "alpha", "/bin/true", true, 2, args);
    reg_proc_bind(&a.reg, "beta", getpid());
    persist_binds(&a);
    persist_proc(&a, reg_proc_add(&a.reg, getpid(), "test"), true);
    dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    persist_proc(&a, reg_proc_add(&a.reg, dead, "gone"), true);
    /* A flow whose rings exist, and one whose rings are gone. */
    f = reg_flow_new(&a.reg, "alpha", getpid(), getpid());
    for (int dir_ = 0; dir_ < 2; dir_++) {
        ring_shm_name(&rf, f->id, dir_, f->ring_name[dir_], sizeof(f->ring_name[0]));
        ring_shm_create(&keep[dir_], f->ring_name[dir_], 16, ring_shm_tag(f->id, dir_), 0600);
    }
    persist_flow(&a, f, true);
    persist_flow(&a, reg_flow_new(&a.reg, "beta", getpid(), dead), true);
    ip = reg_ipcp_add(&a.reg, getpid(), "udp0", IPCP_UDP4);
    ip->layer = strdup("udp");
    ip->endpoint = strdup("ipc:///x");
    persist_ipcp(&a, ip, true);
    {
        /* A write cut short by a crash. */
        char p[300];
        snprintf(p, sizeof(p), "%s/name.deadbeef.tmp", a.state_dir);
        close(open(p, O_WRONLY | O_CREAT, 0600));
    }
    ctx_fini(&a);

    ctx_init(&b, &cfg);
    n = persist_load(&b);
    ok(n >= 9, "a new daemon loads the state (%d objects)", n);
    ok(reg_name_get(&b.reg, "alpha") && reg_name_get(&b.reg, "alpha")->lb == LB_SPILL &&
           reg_name_get(&b.reg, "beta")->lb == LB_RR,
       "names come back with their policies");
    g = reg_name_auto_prog(&b.reg, "alpha");
    ok(g != NULL && g->argc == 3 && strcmp(g->argv[2], "two words") == 0,
       "the program binding comes back with auto-start and its arguments");
    ok(reg_name_bound(&b.reg, "beta") && zlistx_size(b.reg.proc_binds) == 1,
       "and the process binding");
    ok(reg_proc_get(&b.reg, getpid()) != NULL, "a live process is watched again");
    ok(reg_proc_get(&b.reg, dead) == NULL, "a process that died meanwhile is reaped");
    f = zhashx_first(b.reg.flows);
    is(zhashx_size(b.reg.flows), 1, "one flow survives");
    ok(f != NULL && strcmp(f->name, "alpha") == 0 && f->restored && f->ring[0].ring != NULL &&
           f->ring[1].ring != NULL,
       "the one whose rings exist, re-attached and marked as of an earlier run");
    ok(b.reg.next_flow_id > f->id, "new flow ids go on after it");
    ip = reg_ipcp_by_name(&b.reg, "udp0");
    ok(ip != NULL && ip->type == IPCP_UDP4 && strcmp(ip->layer, "udp") == 0,
       "the IPCP comes back");
    {
        char p[300];
        snprintf(p, sizeof(p), "%s/name.deadbeef.tmp", b.state_dir);
        ok(access(p, F_OK) < 0, "a torn write is removed");
    }
    /* Deleting writes the state too. */
    persist_name(&b, reg_name_get(&b.reg, "beta"), false);
    reg_name_del(&b.reg, "beta");
    for (int dir_ = 0; dir_ < 2; dir_++)
        ring_shm_detach(&f->ring[dir_]);
    persist_flow(&b, f, false);
    reg_flow_del(&b.reg, f->id);
    ctx_fini(&b);
    ctx_init(&a, &cfg);
    persist_load(&a);
    ok(reg_name_get(&a.reg, "beta") == NULL && reg_name_get(&a.reg, "alpha") != NULL,
       "a destroyed name stays destroyed");
    is(zhashx_size(a.reg.flows), 0, "a released flow stays released");
    ok(reg_proc_get(&a.reg, getpid()) != NULL, "the process is still there");
    {
        char p[300];
        FILE *fp;
        snprintf(p, sizeof(p), "%s/name.garbage", a.state_dir);
        fp = fopen(p, "w");
        fputs("\xff\xff\xff not protobuf", fp);
        fclose(fp);
    }
    ctx_fini(&a);
    ctx_init(&b, &cfg);
    n = persist_load(&b);
    ok(n >= 1 && reg_name_get(&b.reg, "alpha") != NULL,
       "a garbage file is skipped, the rest loads");
    ok(zhashx_size(b.reg.names) == 1, "and adds nothing");
    ctx_fini(&b);

    for (int dir_ = 0; dir_ < 2; dir_++)
        ring_shm_detach(&keep[dir_]);
    {
        char pool[128];
        run_folder_shm_name(&rf, "pool", pool, sizeof(pool));
        pool_unlink(pool);
        for (uint32_t id = 1; id < 4; id++)
            for (int dir_ = 0; dir_ < 2; dir_++) {
                char r[128];
                ring_shm_name(&rf, id, dir_, r, sizeof(r));
                shm_object_unlink(r);
            }
    }
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return done();
}
