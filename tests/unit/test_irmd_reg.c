/*
 * test_irmd_reg.c - the IRM registry's bookkeeping: names, program and
 * process bindings (N-to-M), who serves a name, the load-balancing choice
 * among waiting accepts, flow ids, IPCPs.
 */
#include "deadline.h"
#include "reg.h"
#include "tap.h"

#include <unistd.h>

static void test_names(struct reg *r)
{
    struct reg_name *n = reg_name_add(r, "a", LB_SPILL);

    ok(n != NULL && n->lb == LB_SPILL, "a name with spill-over");
    ok(reg_name_add(r, "a", LB_INVALID) == n && n->lb == LB_SPILL,
       "adding it again keeps its policy");
    ok(reg_name_add(r, "a", LB_RR) == n && n->lb == LB_RR, "unless a policy is given");
    ok(reg_name_add(r, "b", LB_INVALID)->lb == LB_RR, "the default policy is round-robin");
    is(reg_name_del(r, "b"), 0, "delete a name");
    ok(reg_name_get(r, "b") == NULL, "it is gone");
    is(reg_name_del(r, "b"), -ENAME, "deleting it again: -ENAME");
}

static void test_bindings(struct reg *r)
{
    char *args[] = {"-l", "--quiet"};
    struct reg_proc *p1 = reg_proc_add(r, 1001, "oping");
    struct reg_proc *p2 = reg_proc_add(r, 1002, "operf");
    struct reg_prog_bind *b;

    is(reg_prog_bind(r, "ping", "/usr/bin/oping", true, 2, args), 0, "bind a program");
    ok(reg_serves(r, p1, "ping") && !reg_serves(r, p2, "ping"),
       "its processes (by program name) serve the name, others do not");
    b = reg_name_auto_prog(r, "ping");
    ok(b != NULL && b->argc == 3 && strcmp(b->argv[0], "/usr/bin/oping") == 0 &&
           strcmp(b->argv[2], "--quiet") == 0 && b->argv[3] == NULL,
       "the auto-start binding keeps path and arguments");
    is(reg_prog_bind(r, "ping", "/usr/bin/oping", false, 0, NULL), 0, "bind it again");
    is(zlistx_size(r->prog_binds), 1, "it replaces the first binding");
    ok(reg_name_auto_prog(r, "ping") == NULL, "no auto-start any more");
    is(reg_prog_bind(r, "ping2", "/usr/bin/oping", false, 0, NULL), 0, "a second name");
    is(reg_proc_bind(r, "ping", 1002), 0, "and a process bound to the first");
    ok(reg_serves(r, p2, "ping") && reg_serves(r, p1, "ping2"), "N-to-M: both serve");
    is(reg_proc_bind(r, "ping", 1002), 0, "binding twice is fine");
    is(zlistx_size(r->proc_binds), 1, "and keeps one binding");
    is(reg_prog_unbind(r, "/usr/bin/oping", "ping"), 1, "unbind the program from one name");
    ok(!reg_serves(r, p1, "ping") && reg_serves(r, p1, "ping2"), "the other binding stays");
    is(reg_prog_unbind(r, "/usr/bin/oping", NULL), 1, "unbind it from all names");
    is(reg_proc_unbind(r, 1002, NULL), 1, "unbind the process from all names");
    ok(!reg_name_bound(r, "ping") && !reg_name_bound(r, "ping2"), "nothing bound any more");
    reg_proc_del(r, 1001);
    reg_proc_del(r, 1002);
}

static void test_pick(struct reg *r)
{
    struct reg_accept *a1, *a2, *a3;
    irm_qos_t q = IRM_QOS_INIT_ZERO;

    reg_name_add(r, "lb", LB_RR);
    for (pid_t p = 2001; p <= 2003; p++) {
        reg_proc_add(r, p, "srv");
        reg_proc_bind(r, "lb", p);
    }
    reg_proc_add(r, 2004, "other");
    a1 = reg_accept_add(r, 2001, 1, DEADLINE_NONE);
    reg_accept_add(r, 2004, 9, DEADLINE_NONE); /* not bound to lb */
    usleep(1000);
    a2 = reg_accept_add(r, 2002, 2, DEADLINE_NONE);
    usleep(1000);
    a3 = reg_accept_add(r, 2003, 3, DEADLINE_NONE);
    ok(reg_accept_pick(r, "lb") == a1, "round-robin picks the accept waiting longest");
    reg_name_add(r, "lb", LB_SPILL);
    ok(reg_accept_pick(r, "lb") == a3, "spill-over picks the newest");
    reg_accept_remove(r, a3);
    ok(reg_accept_pick(r, "lb") == a2, "and the next newest once it is taken");
    ok(reg_accept_pick(r, "nobody-serves-this") == NULL, "no accept for a name nobody serves");
    {
        struct reg_alloc *w = reg_alloc_add(r, 2004, 7, "lb", &q, DEADLINE_NONE);
        ok(w != NULL && strcmp(w->name, "lb") == 0, "a waiting allocation");
        reg_alloc_remove(r, w);
    }
}

static void test_flows(struct reg *r)
{
    struct reg_flow *f1 = reg_flow_new(r, "x", 1, 2), *f2 = reg_flow_new(r, "x", 1, 2);
    uint32_t id;

    ok(f1 && f2 && f2->id == f1->id + 1, "flow ids count up (%u, %u)", f1->id, f2->id);
    ok(f1->end[0].pid == 1 && f1->end[1].pid == 2 && f1->end[0].open && f1->end[1].open,
       "a new flow has both ends open");
    ok(reg_flow_get(r, f1->id) == f1, "found by id");
    ok(reg_flow_insert(r, f1->id, "y", 3, 4) == NULL, "an id in use cannot be inserted");
    ok(reg_flow_insert(r, FLOW_ID_MAX + 1, "y", 3, 4) == NULL, "nor one too large");
    id = f1->id;
    r->next_flow_id = FLOW_ID_MAX;
    f1 = reg_flow_new(r, "z", 5, 6);
    ok(f1 != NULL && f1->id == FLOW_ID_MAX, "the last id");
    f1 = reg_flow_new(r, "z", 5, 6);
    ok(f1 != NULL && f1->id != id && f1->id < 100, "then they wrap, skipping ids in use (%u)",
       f1->id);
    reg_flow_del(r, id);
    ok(reg_flow_get(r, id) == NULL, "a deleted flow is gone");
}

static void test_ipcps(struct reg *r)
{
    struct reg_ipcp *i = reg_ipcp_add(r, 3001, "udp0", IPCP_UDP4);

    ok(i != NULL && reg_ipcp_get(r, 3001) == i && reg_ipcp_by_name(r, "udp0") == i,
       "an IPCP found by pid and by name");
    ok(reg_ipcp_add(r, 3001, "udp1", IPCP_UDP4) == i && strcmp(i->name, "udp1") == 0,
       "announcing again renames it");
    reg_ipcp_del(r, 3001);
    ok(reg_ipcp_get(r, 3001) == NULL, "deleted");
}

int main(void)
{
    struct reg r;

    plan(40);
    is(reg_init(&r), 0, "a registry");
    test_names(&r);
    test_bindings(&r);
    test_pick(&r);
    test_flows(&r);
    test_ipcps(&r);
    reg_fini(&r);
    return done();
}
