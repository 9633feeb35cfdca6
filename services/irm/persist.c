/*
 * persist.c - the registry in the run folder: one small protobuf file per
 * name, binding, process, flow and IPCP under <run>/irmd.state/, each
 * replaced atomically (write, then rename) when it changes, and read back
 * at start so that a restart, even after kill -9, resumes where it was.
 */
#include "irmd.h"

#include "irmd_state.pb.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OBJ_MAX 131072 /* the biggest state message (an IPCP with its config and names) */

int persist_init(struct irmd *d)
{
    int n = snprintf(d->state_dir, sizeof(d->state_dir), "%s/irmd.state", d->rf->path);

    if (n < 0 || (size_t)n >= sizeof(d->state_dir))
        return -ENAMETOOLONG;
    if (mkdir(d->state_dir, 0770) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* A file name for an object keyed by a string: a hash, the key itself is
 * inside the file. */
static void key_of(const void *data, size_t len, char out[17])
{
    unsigned char h[8];

    crypto_generichash(h, sizeof(h), data, len, NULL, 0);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void path_of(struct irmd *d, const char *file, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", d->state_dir, file);
}

static void write_obj(struct irmd *d, const char *file, const pb_msgdesc_t *fields,
                      const void *msg)
{
    uint8_t buf[OBJ_MAX];
    char path[RUN_PATH_MAX + 64], tmp[RUN_PATH_MAX + 72];
    pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));
    int fd;

    if (!pb_encode(&os, fields, msg)) {
        log_err("state %s: cannot encode: %s", file, PB_GET_ERROR(&os));
        return;
    }
    path_of(d, file, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0660);
    if (fd < 0 || write(fd, buf, os.bytes_written) != (ssize_t)os.bytes_written) {
        log_err("state %s: cannot write: %s", file, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return;
    }
    close(fd);
    if (rename(tmp, path) < 0)
        log_err("state %s: cannot rename: %s", file, strerror(errno));
}

static void remove_obj(struct irmd *d, const char *file)
{
    char path[RUN_PATH_MAX + 64];

    path_of(d, file, path, sizeof(path));
    if (unlink(path) < 0 && errno != ENOENT)
        log_warn("state %s: cannot remove: %s", file, strerror(errno));
}

void persist_name(struct irmd *d, const struct reg_name *n, bool present)
{
    irm_name_info_t m = IRM_NAME_INFO_INIT_ZERO;
    char file[32], key[17];

    key_of(n->name, strlen(n->name), key);
    snprintf(file, sizeof(file), "name.%s", key);
    if (!present) {
        remove_obj(d, file);
        return;
    }
    snprintf(m.name, sizeof(m.name), "%s", n->name);
    m.lb = n->lb == LB_SPILL ? IRM_LB_SPILL : IRM_LB_RR;
    write_obj(d, file, IRM_NAME_INFO_FIELDS, &m);
}

void persist_binds(struct irmd *d)
{
    struct reg_prog_bind *g;
    struct reg_proc_bind *b;
    struct dirent *e;
    DIR *dir;
    int i = 0;

    /* Few bindings, rare changes: write them all anew. */
    dir = opendir(d->state_dir);
    if (dir != NULL) {
        while ((e = readdir(dir)) != NULL)
            if (strncmp(e->d_name, "bind.", 5) == 0)
                remove_obj(d, e->d_name);
        closedir(dir);
    }
    for (g = zlistx_first(d->reg.prog_binds); g != NULL; g = zlistx_next(d->reg.prog_binds)) {
        irm_bind_entry_t m = IRM_BIND_ENTRY_INIT_ZERO;
        char file[32];
        snprintf(m.name, sizeof(m.name), "%s", g->name);
        snprintf(m.prog, sizeof(m.prog), "%s", g->path);
        m.auto_start = g->auto_start;
        for (int a = 1; a < g->argc && m.args_count < 16; a++)
            snprintf(m.args[m.args_count++], sizeof(m.args[0]), "%s", g->argv[a]);
        snprintf(file, sizeof(file), "bind.%d", i++);
        write_obj(d, file, IRM_BIND_ENTRY_FIELDS, &m);
    }
    for (b = zlistx_first(d->reg.proc_binds); b != NULL; b = zlistx_next(d->reg.proc_binds)) {
        irm_bind_entry_t m = IRM_BIND_ENTRY_INIT_ZERO;
        char file[32];
        snprintf(m.name, sizeof(m.name), "%s", b->name);
        m.pid = b->pid;
        snprintf(file, sizeof(file), "bind.%d", i++);
        write_obj(d, file, IRM_BIND_ENTRY_FIELDS, &m);
    }
}

void persist_proc(struct irmd *d, const struct reg_proc *p, bool present)
{
    irmd_state_proc_t m = IRMD_STATE_PROC_INIT_ZERO;
    char file[32];

    snprintf(file, sizeof(file), "proc.%d", (int)p->pid);
    if (!present) {
        remove_obj(d, file);
        return;
    }
    m.pid = p->pid;
    snprintf(m.prog, sizeof(m.prog), "%s", p->prog);
    m.spawned = p->spawned;
    m.ipcp = p->ipcp;
    write_obj(d, file, IRMD_STATE_PROC_FIELDS, &m);
}

void persist_flow(struct irmd *d, const struct reg_flow *f, bool present)
{
    irmd_state_flow_t m = IRMD_STATE_FLOW_INIT_ZERO;
    char file[32];

    snprintf(file, sizeof(file), "flow.%u", f->id);
    if (!present) {
        remove_obj(d, file);
        return;
    }
    m.id = f->id;
    snprintf(m.name, sizeof(m.name), "%s", f->name);
    m.has_qos = true;
    m.qos = f->qos;
    m.mpl_ms = f->mpl_ms;
    m.pid0 = f->end[0].pid;
    m.pid1 = f->end[1].pid;
    m.open0 = f->end[0].open;
    m.open1 = f->end[1].open;
    m.dirty = f->dirty;
    m.ipcp0 = f->end[0].ipcp;
    m.ipcp1 = f->end[1].ipcp;
    m.max_sdu = f->max_sdu;
    memcpy(m.blob.bytes, f->blob, f->blob_len);
    m.blob.size = (pb_size_t)f->blob_len;
    memcpy(m.hash.bytes, f->hash, f->hash_len);
    m.hash.size = (pb_size_t)f->hash_len;
    write_obj(d, file, IRMD_STATE_FLOW_FIELDS, &m);
}

void persist_ipcp(struct irmd *d, const struct reg_ipcp *i, bool present)
{
    irmd_state_ipcp_t *m;
    char file[32], key[17];

    key_of(i->name, strlen(i->name), key);
    snprintf(file, sizeof(file), "ipcp.%s", key);
    if (!present) {
        remove_obj(d, file);
        for (char *n = zlistx_first(i->regs); n != NULL; n = zlistx_next(i->regs))
            persist_ipcp_reg(d, i->name, n, false);
        return;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        log_err("state %s: out of memory", file);
        return;
    }
    m->has_info = true;
    m->info.pid = i->pid;
    snprintf(m->info.name, sizeof(m->info.name), "%s", i->name);
    m->info.type = (irm_ipcp_type_t)i->type;
    snprintf(m->info.layer, sizeof(m->info.layer), "%s", i->layer ? i->layer : "");
    m->info.state = (uint32_t)i->state;
    snprintf(m->info.endpoint, sizeof(m->info.endpoint), "%s", i->endpoint ? i->endpoint : "");
    m->info.max_sdu = i->max_sdu;
    m->spawned = i->spawned;
    m->bootstrapped = i->bootstrapped && i->conf != NULL;
    if (m->bootstrapped) {
        m->has_conf = true;
        m->conf = *i->conf;
    }
    m->last_pid = i->last_pid;
    write_obj(d, file, IRMD_STATE_IPCP_FIELDS, m);
    free(m);
}

void persist_ipcp_reg(struct irmd *d, const char *ipcp, const char *name, bool present)
{
    irmd_state_ipreg_t m = IRMD_STATE_IPREG_INIT_ZERO;
    char file[32], key[17];

    snprintf(m.ipcp, sizeof(m.ipcp), "%s", ipcp);
    snprintf(m.name, sizeof(m.name), "%s", name);
    /* The key covers both strings, NUL between them. */
    {
        char both[2 * (NAME_SIZE + 1)];
        size_t a = strlen(m.ipcp), b = strlen(m.name);
        memcpy(both, m.ipcp, a + 1);
        memcpy(both + a + 1, m.name, b);
        key_of(both, a + 1 + b, key);
    }
    snprintf(file, sizeof(file), "ipreg.%s", key);
    if (!present) {
        remove_obj(d, file);
        return;
    }
    write_obj(d, file, IRMD_STATE_IPREG_FIELDS, &m);
}

/* ---- loading ------------------------------------------------------------- */

static int read_obj(struct irmd *d, const char *file, const pb_msgdesc_t *fields, void *msg)
{
    uint8_t buf[OBJ_MAX];
    char path[RUN_PATH_MAX + 64];
    pb_istream_t is;
    ssize_t n;
    int fd;

    path_of(d, file, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n < 0)
        return -errno;
    is = pb_istream_from_buffer(buf, (size_t)n);
    if (!pb_decode(&is, fields, msg)) {
        log_warn("state %s: unreadable (%s): ignored", file, PB_GET_ERROR(&is));
        return -EBADMSG;
    }
    return 0;
}

static void load_ipcp(struct irmd *d, const char *file)
{
    irmd_state_ipcp_t *m = calloc(1, sizeof(*m));
    struct reg_ipcp *i;

    if (m == NULL || read_obj(d, file, IRMD_STATE_IPCP_FIELDS, m) < 0 ||
        m->info.name[0] == '\0')
        goto out;
    i = reg_ipcp_add(&d->reg, m->info.pid, m->info.name, (enum ipcp_type)m->info.type);
    if (i == NULL)
        goto out;
    i->layer = strdup(m->info.layer);
    i->endpoint = strdup(m->info.endpoint);
    i->state = (enum ipcp_state)m->info.state;
    i->max_sdu = m->info.max_sdu;
    i->spawned = m->spawned;
    i->last_pid = m->last_pid;
    i->backoff_ms = IRMD_IPCP_BACKOFF_MS;
    i->announced = true;
    if (m->bootstrapped && m->has_conf && (i->conf = malloc(sizeof(*i->conf))) != NULL) {
        *i->conf = m->conf;
        i->bootstrapped = true;
    }
out:
    free(m);
}

static void load_one(struct irmd *d, const char *file, uint32_t *max_id)
{
    if (strncmp(file, "name.", 5) == 0) {
        irm_name_info_t m = IRM_NAME_INFO_INIT_ZERO;
        if (read_obj(d, file, IRM_NAME_INFO_FIELDS, &m) == 0)
            reg_name_add(&d->reg, m.name, m.lb == IRM_LB_SPILL ? LB_SPILL : LB_RR);
    } else if (strncmp(file, "bind.", 5) == 0) {
        irm_bind_entry_t m = IRM_BIND_ENTRY_INIT_ZERO;
        char *argv[16];
        /* A binding does not bring its name back: a destroyed name stays
         * destroyed, as it was before the restart. */
        if (read_obj(d, file, IRM_BIND_ENTRY_FIELDS, &m) < 0)
            return;
        if (m.prog[0] != '\0') {
            for (pb_size_t a = 0; a < m.args_count; a++)
                argv[a] = m.args[a];
            reg_prog_bind(&d->reg, m.name, m.prog, m.auto_start, (int)m.args_count, argv);
        } else if (m.pid > 0) {
            reg_proc_bind(&d->reg, m.name, m.pid);
        }
    } else if (strncmp(file, "proc.", 5) == 0) {
        irmd_state_proc_t m = IRMD_STATE_PROC_INIT_ZERO;
        struct reg_proc *p;
        if (read_obj(d, file, IRMD_STATE_PROC_FIELDS, &m) < 0 || m.pid <= 0)
            return;
        p = reg_proc_add(&d->reg, m.pid, m.prog);
        if (p != NULL) {
            p->spawned = m.spawned;
            p->ipcp = m.ipcp;
        }
    } else if (strncmp(file, "flow.", 5) == 0) {
        irmd_state_flow_t m = IRMD_STATE_FLOW_INIT_ZERO;
        struct reg_flow *f;
        if (read_obj(d, file, IRMD_STATE_FLOW_FIELDS, &m) < 0 || m.id == 0)
            return;
        f = reg_flow_insert(&d->reg, m.id, m.name, m.pid0, m.pid1);
        if (f == NULL)
            return;
        f->qos = m.qos;
        f->mpl_ms = m.mpl_ms;
        f->end[0].open = m.open0;
        f->end[1].open = m.open1;
        f->dirty = m.dirty;
        f->end[0].ipcp = m.ipcp0;
        f->end[1].ipcp = m.ipcp1;
        f->max_sdu = m.max_sdu;
        memcpy(f->blob, m.blob.bytes, m.blob.size);
        f->blob_len = m.blob.size;
        memcpy(f->hash, m.hash.bytes, m.hash.size);
        f->hash_len = m.hash.size;
        f->restored = true;
        f->state = m.open0 && m.open1 ? FLOW_ALLOCATED : FLOW_DEALLOCATING;
        if (m.id > *max_id)
            *max_id = m.id;
    } else if (strncmp(file, "ipcp.", 5) == 0) {
        load_ipcp(d, file);
    } else if (strncmp(file, "ipreg.", 6) == 0) {
        irmd_state_ipreg_t m = IRMD_STATE_IPREG_INIT_ZERO;
        struct reg_ipcp *i;
        if (read_obj(d, file, IRMD_STATE_IPREG_FIELDS, &m) < 0)
            return;
        i = reg_ipcp_by_name(&d->reg, m.ipcp);
        if (i == NULL || reg_ipcp_add_name(i, m.name) < 0)
            remove_obj(d, file); /* its IPCP is gone */
    }
}

int persist_load(struct irmd *d)
{
    static const char *const order[] = {"name.", "bind.", "proc.", "flow.", "ipcp.", "ipreg."};
    uint32_t max_id = 0;
    struct reg_flow *f;
    struct reg_proc *p;
    struct dirent *e;
    uint32_t drop[256];
    pid_t pids[1024];
    int n = 0, ndrop = 0, npids = 0;
    DIR *dir;

    /* Objects refer to earlier kinds (a binding to its name, a flow to its
     * processes): load kind by kind. */
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        dir = opendir(d->state_dir);
        if (dir == NULL)
            return -errno;
        while ((e = readdir(dir)) != NULL) {
            if (strncmp(e->d_name, order[k], strlen(order[k])) != 0)
                continue;
            if (strstr(e->d_name, ".tmp") != NULL) {
                remove_obj(d, e->d_name); /* a write cut short */
                continue;
            }
            load_one(d, e->d_name, &max_id);
            n++;
        }
        closedir(dir);
    }
    d->reg.next_flow_id = max_id + 1 > FLOW_ID_MAX ? 1 : max_id + 1;
    for (f = zhashx_first(d->reg.flows); f != NULL; f = zhashx_next(d->reg.flows))
        if (broker_restore_flow(d, f) < 0 && ndrop < 256)
            drop[ndrop++] = f->id;
    for (int i = 0; i < ndrop; i++) {
        f = reg_flow_get(&d->reg, drop[i]);
        log_warn("flow %u: its rings are gone: dropped", drop[i]);
        persist_flow(d, f, false);
        reg_flow_del(&d->reg, drop[i]);
    }
    /* Watch the processes again; the ones that died meanwhile are reaped. */
    for (p = zhashx_first(d->reg.procs); p != NULL && npids < 1024;
         p = zhashx_next(d->reg.procs))
        pids[npids++] = p->pid;
    for (int i = 0; i < npids; i++)
        if ((p = reg_proc_get(&d->reg, pids[i])) != NULL)
            procs_restore(d, p);
    return n;
}
