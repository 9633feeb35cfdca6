/*
 * irm_api.c - the management API (ourobus/irm.h): each call checks its
 * input, then becomes one request to the node's IRM daemon (irmd_call).
 */
#include "ipcp_check.h"
#include "ipcp_config_msg.h"
#include "irm.pb.h"
#include "irmd_client.h"
#include "irmd_list.h"
#include "qos_msg.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <ourobus/irm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A daemon that starts an IPCP waits for it to report. */
#define IRM_CREATE_TIMEOUT 15000 /* ms */
/* Bootstrap, enrollment and connections make the IPCP talk to its peers. */
#define IRM_IPCP_TIMEOUT 30000 /* ms */

#define PROG_PATH_MAX sizeof(((irm_bind_program_t *)0)->prog)
#define BIND_ARGS_MAX                                                                          \
    (sizeof(((irm_bind_program_t *)0)->args) / sizeof(((irm_bind_program_t *)0)->args[0]))
#define BIND_ARG_MAX   (sizeof(((irm_bind_program_t *)0)->args[0]) - 1)
#define COMPONENT_SIZE sizeof(((irm_ipcp_connect_t *)0)->component)

static bool name_ok(const char *name)
{
    return ipcp_check_name(name, NAME_SIZE);
}

/* Copy a checked string into a nanopb char array. */
#define COPY_STR(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

int irm_use_node(const char *node)
{
    return irmd_client_use_node(node);
}

/* ---- IPCPs --------------------------------------------------------------- */

pid_t irm_create_ipcp(const char *name, enum ipcp_type type)
{
    irm_ipcp_create_t req = IRM_IPCP_CREATE_INIT_ZERO;
    irm_ipcp_info_t rep = IRM_IPCP_INFO_INIT_ZERO;
    int err;

    if (!name_ok(name) || (int)type < 0 || type >= IPCP_INVALID)
        return -EINVAL;
    COPY_STR(req.name, name);
    req.type = (irm_ipcp_type_t)type;
    err = irmd_call(IRM_METHOD_IPCP_CREATE, IRM_IPCP_CREATE_FIELDS, &req, IRM_IPCP_INFO_FIELDS,
                    &rep, IRM_CREATE_TIMEOUT);
    if (err < 0)
        return err;
    return rep.pid > 0 ? (pid_t)rep.pid : -EPROTO;
}

int irm_destroy_ipcp(pid_t pid)
{
    irm_ipcp_ref_t req = IRM_IPCP_REF_INIT_ZERO;

    if (pid <= 0)
        return -EINVAL;
    req.pid = pid;
    return irmd_call(IRM_METHOD_IPCP_DESTROY, IRM_IPCP_REF_FIELDS, &req, NULL, NULL,
                     IRM_CREATE_TIMEOUT);
}

ssize_t irm_list_ipcps(struct ipcp_list_info **ipcps)
{
    struct irmd_list_desc d = IRMD_LIST_IPCPS;
    irm_ipcp_info_t *all;
    ssize_t n;

    if (ipcps == NULL)
        return -EINVAL;
    *ipcps = NULL;
    n = irmd_list_fetch(&d, (void **)&all);
    if (n <= 0)
        return n;
    *ipcps = calloc((size_t)n, sizeof(**ipcps));
    if (*ipcps == NULL) {
        free(all);
        return -ENOMEM;
    }
    for (ssize_t i = 0; i < n; i++) {
        struct ipcp_list_info *o = &(*ipcps)[i];

        o->pid = all[i].pid;
        o->type =
            (unsigned)all[i].type < IPCP_INVALID ? (enum ipcp_type)all[i].type : IPCP_INVALID;
        o->state =
            all[i].state <= IPCP_STATE_DOWN ? (enum ipcp_state)all[i].state : IPCP_STATE_DOWN;
        COPY_STR(o->name, all[i].name);
        COPY_STR(o->layer, all[i].layer);
    }
    free(all);
    return n;
}

int irm_bootstrap_ipcp(pid_t pid, const struct ipcp_config *conf)
{
    irm_ipcp_bootstrap_t req = IRM_IPCP_BOOTSTRAP_INIT_ZERO;

    if (pid <= 0 || conf == NULL || ipcp_config_check(conf, NULL) < 0)
        return -EINVAL;
    req.pid = pid;
    req.has_conf = true;
    ipcp_config_to_msg(conf, &req.conf);
    return irmd_call(IRM_METHOD_IPCP_BOOTSTRAP, IRM_IPCP_BOOTSTRAP_FIELDS, &req, NULL, NULL,
                     IRM_IPCP_TIMEOUT);
}

int irm_enroll_ipcp(pid_t pid, const char *dst)
{
    irm_ipcp_enroll_t req = IRM_IPCP_ENROLL_INIT_ZERO;

    if (pid <= 0 || !name_ok(dst))
        return -EINVAL;
    req.pid = pid;
    COPY_STR(req.dst, dst);
    return irmd_call(IRM_METHOD_IPCP_ENROLL, IRM_IPCP_ENROLL_FIELDS, &req, NULL, NULL,
                     IRM_IPCP_TIMEOUT);
}

/* "dt", "mgmt", or NULL / "" for both. */
static bool component_ok(const char *component)
{
    return component == NULL || component[0] == '\0' || strcmp(component, "dt") == 0 ||
           strcmp(component, "mgmt") == 0;
}

static int connect_call(uint32_t method, pid_t pid, const char *dst, const char *component,
                        const qosspec_t *qs)
{
    irm_ipcp_connect_t req = IRM_IPCP_CONNECT_INIT_ZERO;

    if (pid <= 0 || !name_ok(dst) || !component_ok(component))
        return -EINVAL;
    req.pid = pid;
    COPY_STR(req.dst, dst);
    COPY_STR(req.component, component != NULL ? component : "");
    if (qs != NULL) {
        req.has_qos = true;
        qos_msg_from_spec(qs, &req.qos);
    }
    return irmd_call(method, IRM_IPCP_CONNECT_FIELDS, &req, NULL, NULL, IRM_IPCP_TIMEOUT);
}

int irm_connect_ipcp(pid_t pid, const char *dst, const char *component, qosspec_t qs)
{
    return connect_call(IRM_METHOD_IPCP_CONNECT, pid, dst, component, &qs);
}

int irm_disconnect_ipcp(pid_t pid, const char *dst, const char *component)
{
    return connect_call(IRM_METHOD_IPCP_DISCONNECT, pid, dst, component, NULL);
}

/* ---- bindings ------------------------------------------------------------ */

/* path = dir + "/" + base, with dir made absolute (symbolic links in the
 * folder resolved, not in the program's own name: a process announces the
 * basename it was started as). */
static int path_join_abs(const char *dir, const char *base, char *buf, size_t len)
{
    char real[PATH_MAX];
    int n;

    if (realpath(dir, real) == NULL)
        return -errno;
    n = snprintf(buf, len, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Can the program at path be started? 0, -ENOENT, -EACCES. */
static int prog_runnable(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    return access(path, X_OK) < 0 ? -errno : 0;
}

/* The absolute path of prog: a name without '/' is looked up in $PATH like
 * execvp does; a relative path is taken from the current folder. When
 * must_run, the file must be an executable file (-ENOENT, -EACCES). */
static int prog_resolve(const char *prog, char *buf, size_t len, bool must_run)
{
    const char *slash = strrchr(prog, '/');
    char dir[PATH_MAX];
    const char *path;
    int err;

    if (slash != NULL) {
        if (slash[1] == '\0')
            return -EISDIR;
        if (prog[0] == '/' && !must_run) { /* an unbind: it may be gone */
            int n = snprintf(buf, len, "%s", prog);

            return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
        }
        snprintf(dir, sizeof(dir), "%.*s", slash == prog ? 1 : (int)(slash - prog), prog);
        err = path_join_abs(dir, slash + 1, buf, len);
        if (err < 0)
            return err;
        return must_run ? prog_runnable(buf) : 0;
    }
    path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    err = -ENOENT;
    while (*path != '\0') {
        size_t n = strcspn(path, ":");

        snprintf(dir, sizeof(dir), "%.*s", (int)n, n == 0 ? "." : path);
        if (path_join_abs(dir, prog, buf, len) == 0) {
            int r = prog_runnable(buf);

            if (r == 0)
                return 0;
            if (r == -EACCES)
                err = r; /* execvp's rule: say so if nothing better comes */
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return err;
}

static int bind_program_call(uint32_t method, const char *prog, const char *name,
                             bool auto_start, int argc, char **argv, bool must_run)
{
    irm_bind_program_t *req;
    int err;

    req = calloc(1, sizeof(*req)); /* 5 kB of arguments: not on the stack */
    if (req == NULL)
        return -ENOMEM;
    err = prog_resolve(prog, req->prog, sizeof(req->prog), must_run);
    if (err < 0)
        goto out;
    COPY_STR(req->name, name != NULL ? name : "");
    req->auto_start = auto_start;
    req->args_count = (pb_size_t)argc;
    for (int i = 0; i < argc; i++)
        COPY_STR(req->args[i], argv[i]);
    err = irmd_call(method, IRM_BIND_PROGRAM_FIELDS, req, NULL, NULL, IRMD_CALL_TIMEOUT);
out:
    free(req);
    return err;
}

int irm_bind_program(const char *prog, const char *name, uint16_t opts, int argc, char **argv)
{
    if (prog == NULL || prog[0] == '\0' || strlen(prog) >= PROG_PATH_MAX || !name_ok(name))
        return -EINVAL;
    if ((opts & ~BIND_AUTO) != 0 || argc < 0 || (size_t)argc > BIND_ARGS_MAX ||
        (argc > 0 && argv == NULL))
        return -EINVAL;
    for (int i = 0; i < argc; i++)
        if (argv[i] == NULL || strlen(argv[i]) > BIND_ARG_MAX)
            return -EINVAL;
    return bind_program_call(IRM_METHOD_BIND_PROGRAM, prog, name, (opts & BIND_AUTO) != 0, argc,
                             argv, true);
}

int irm_unbind_program(const char *prog, const char *name)
{
    if (prog == NULL || prog[0] == '\0' || strlen(prog) >= PROG_PATH_MAX)
        return -EINVAL;
    if (name != NULL && !name_ok(name))
        return -EINVAL;
    return bind_program_call(IRM_METHOD_UNBIND_PROGRAM, prog, name, false, 0, NULL, false);
}

static int bind_process_call(uint32_t method, pid_t pid, const char *name)
{
    irm_bind_process_t req = IRM_BIND_PROCESS_INIT_ZERO;

    req.pid = pid;
    COPY_STR(req.name, name != NULL ? name : "");
    return irmd_call(method, IRM_BIND_PROCESS_FIELDS, &req, NULL, NULL, IRMD_CALL_TIMEOUT);
}

int irm_bind_process(pid_t pid, const char *name)
{
    if (pid <= 0 || !name_ok(name))
        return -EINVAL;
    return bind_process_call(IRM_METHOD_BIND_PROCESS, pid, name);
}

int irm_unbind_process(pid_t pid, const char *name)
{
    if (pid <= 0 || (name != NULL && !name_ok(name)))
        return -EINVAL;
    return bind_process_call(IRM_METHOD_UNBIND_PROCESS, pid, name);
}

/* ---- names --------------------------------------------------------------- */

int irm_create_name(const struct name_info *info)
{
    irm_name_info_t req = IRM_NAME_INFO_INIT_ZERO;

    if (info == NULL || !name_ok(info->name) || (int)info->pol_lb < 0 ||
        info->pol_lb >= LB_INVALID)
        return -EINVAL;
    COPY_STR(req.name, info->name);
    req.lb = info->pol_lb == LB_SPILL ? IRM_LB_SPILL : IRM_LB_RR;
    return irmd_call(IRM_METHOD_NAME_CREATE, IRM_NAME_INFO_FIELDS, &req, NULL, NULL,
                     IRMD_CALL_TIMEOUT);
}

int irm_destroy_name(const char *name)
{
    irm_name_t req = IRM_NAME_INIT_ZERO;

    if (!name_ok(name))
        return -EINVAL;
    COPY_STR(req.name, name);
    return irmd_call(IRM_METHOD_NAME_DESTROY, IRM_NAME_FIELDS, &req, NULL, NULL,
                     IRMD_CALL_TIMEOUT);
}

ssize_t irm_list_names(struct name_info **names)
{
    struct irmd_list_desc d = IRMD_LIST_NAMES;
    irm_name_info_t *all;
    ssize_t n;

    if (names == NULL)
        return -EINVAL;
    *names = NULL;
    n = irmd_list_fetch(&d, (void **)&all);
    if (n <= 0)
        return n;
    *names = calloc((size_t)n, sizeof(**names));
    if (*names == NULL) {
        free(all);
        return -ENOMEM;
    }
    for (ssize_t i = 0; i < n; i++) {
        COPY_STR((*names)[i].name, all[i].name);
        (*names)[i].pol_lb = all[i].lb == IRM_LB_SPILL ? LB_SPILL : LB_RR;
    }
    free(all);
    return n;
}

static int reg_call(uint32_t method, const char *name, pid_t pid)
{
    irm_name_reg_t req = IRM_NAME_REG_INIT_ZERO;

    if (!name_ok(name) || pid <= 0)
        return -EINVAL;
    COPY_STR(req.name, name);
    req.ipcp_pid = pid;
    return irmd_call(method, IRM_NAME_REG_FIELDS, &req, NULL, NULL, IRM_IPCP_TIMEOUT);
}

int irm_reg_name(const char *name, pid_t pid)
{
    return reg_call(IRM_METHOD_NAME_REG, name, pid);
}

int irm_unreg_name(const char *name, pid_t pid)
{
    return reg_call(IRM_METHOD_NAME_UNREG, name, pid);
}
