/*
 * config_apply.c - a node file put into the registry: names and their
 * policies, program bindings, IPCPs (started, bootstrapped, given their
 * names: ipcps_from_node); at a reload, what the previous file declared
 * and the new one no longer does is taken away.
 */
#include "irmd.h"

#include "log.h"

#include <string.h>

static bool has_name(const struct node_config *c, const char *name)
{
    for (size_t i = 0; c != NULL && i < c->nnames; i++)
        if (strcmp(c->names[i].info.name, name) == 0)
            return true;
    return false;
}

static bool has_ipcp(const struct node_config *c, const char *name)
{
    for (size_t i = 0; c != NULL && i < c->nipcps; i++)
        if (strcmp(c->ipcps[i].name, name) == 0)
            return true;
    return false;
}

static bool has_prog(const struct node_config *c, const char *name, const char *path)
{
    for (size_t i = 0; c != NULL && i < c->nnames; i++) {
        if (strcmp(c->names[i].info.name, name) != 0)
            continue;
        for (size_t j = 0; j < c->names[i].nprogs; j++)
            if (strcmp(c->names[i].progs[j].path, path) == 0)
                return true;
    }
    return false;
}

void config_apply(struct irmd *d, const struct node_config *c, const struct node_config *old)
{
    bool binds = false;

    /* What the previous file declared and this one does not: gone. */
    for (size_t i = 0; old != NULL && i < old->nnames; i++) {
        const struct node_name *n = &old->names[i];
        for (size_t j = 0; j < n->nprogs; j++) {
            if (has_prog(c, n->info.name, n->progs[j].path))
                continue;
            binds |= reg_prog_unbind(&d->reg, n->progs[j].path, n->info.name) > 0;
            log_info("node file: program %s no longer bound to %s", n->progs[j].path,
                     n->info.name);
        }
        if (!has_name(c, n->info.name) && reg_name_get(&d->reg, n->info.name) != NULL) {
            persist_name(d, reg_name_get(&d->reg, n->info.name), false);
            reg_name_del(&d->reg, n->info.name);
            log_info("node file: name %s removed", n->info.name);
        }
    }
    for (size_t i = 0; i < c->nnames; i++) {
        const struct node_name *n = &c->names[i];
        struct reg_name *r = reg_name_add(&d->reg, n->info.name, n->info.pol_lb);
        if (r == NULL)
            continue;
        persist_name(d, r, true);
        for (size_t j = 0; j < n->nprogs; j++) {
            const struct node_program *p = &n->progs[j];
            if (reg_prog_bind(&d->reg, n->info.name, p->path, p->auto_start, p->argc,
                              p->argv) == 0)
                binds = true;
        }
    }
    if (binds)
        persist_binds(d);
    if (c->log_set)
        log_set_level(c->log_level);
    /* IPCPs: the ones the previous file declared and this one does not
     * are destroyed; the others started, bootstrapped, given their names,
     * in the file's order. */
    for (size_t i = 0; old != NULL && i < old->nipcps; i++) {
        struct reg_ipcp *r = reg_ipcp_by_name(&d->reg, old->ipcps[i].name);
        if (r != NULL && !has_ipcp(c, old->ipcps[i].name)) {
            log_info("node file: IPCP %s no longer declared: destroyed", r->name);
            ipcps_destroy(d, r);
        }
    }
    for (size_t i = 0; i < c->nipcps; i++)
        ipcps_from_node(d, &c->ipcps[i]);
    log_info("node file: %zu names, %zu IPCPs", c->nnames, c->nipcps);
    broker_match(d);
}
