/*
 * run_folder.c - resolve and create the run folder of a node.
 */
#include "run_folder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_PARENT "/run/ourobus"

int run_folder_name_check(const char *name, size_t max)
{
    size_t n;

    if (name == NULL)
        return -EINVAL;
    n = strlen(name);
    if (n == 0 || n > max || name[0] == '.')
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return -EINVAL;
    }
    return 0;
}

int node_name_check(const char *node)
{
    return run_folder_name_check(node, NODE_NAME_MAX);
}

const char *node_name_default(const char *arg)
{
    const char *env;

    if (arg != NULL)
        return arg;
    env = getenv("OUROBUS_NODE");
    return env != NULL && *env != '\0' ? env : "default";
}

/* The parent folder of a user's (non-system) nodes. */
static int user_parent(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    int n;

    if (xdg != NULL && *xdg == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == getuid())
        n = snprintf(buf, len, "%s/ourobus", xdg);
    else
        n = snprintf(buf, len, "/tmp/ourobus-%u", (unsigned)getuid());
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int fill(struct run_folder *rf, const char *node, const char *parent, bool system)
{
    int n;

    memset(rf, 0, sizeof(*rf));
    snprintf(rf->node, sizeof(rf->node), "%s", node);
    rf->system = system;
    n = snprintf(rf->path, sizeof(rf->path), "%s/%s", parent, node);
    if (n < 0 || (size_t)n >= sizeof(rf->path))
        return -ENAMETOOLONG;
    if (system || getuid() == 0)
        n = snprintf(rf->shm_prefix, sizeof(rf->shm_prefix), "/ourobus.%s.", node);
    else
        n = snprintf(rf->shm_prefix, sizeof(rf->shm_prefix), "/ourobus.u%u.%s.",
                     (unsigned)getuid(), node);
    return n < 0 || (size_t)n >= sizeof(rf->shm_prefix) ? -ENAMETOOLONG : 0;
}

int run_folder_for_daemon(struct run_folder *rf, const char *node)
{
    const char *over = getenv("OUROBUS_RUN_DIR");
    char parent[RUN_PATH_MAX];
    int err;

    if (node_name_check(node) < 0)
        return -EINVAL;
    /* Under root the folder is shared with the ourobus group, as the
     * system node's is, wherever it is. */
    if (over != NULL && *over != '\0')
        return fill(rf, node, over, getuid() == 0);
    if (getuid() == 0)
        return fill(rf, node, SYSTEM_PARENT, true);
    err = user_parent(parent, sizeof(parent));
    if (err < 0)
        return err;
    return fill(rf, node, parent, false);
}

int run_folder_for_client(struct run_folder *rf, const char *node)
{
    char path[RUN_PATH_MAX];
    struct stat st;

    if (node_name_check(node) < 0)
        return -EINVAL;
    if (getenv("OUROBUS_RUN_DIR") == NULL && getuid() != 0) {
        snprintf(path, sizeof(path), "%s/%s", SYSTEM_PARENT, node);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return fill(rf, node, SYSTEM_PARENT, true);
    }
    return run_folder_for_daemon(rf, node);
}

/* mkdir that accepts an existing directory; refuses one owned by another
 * user unless it is the shared system parent. */
static int make_dir(const char *path, mode_t mode, bool must_own)
{
    struct stat st;

    if (mkdir(path, mode) == 0)
        return chmod(path, mode) < 0 ? -errno : 0; /* mkdir applies the umask */
    if (errno != EEXIST)
        return -errno;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    if (must_own && st.st_uid != getuid())
        return -EPERM;
    return 0;
}

int run_folder_create(const struct run_folder *rf)
{
    char parent[RUN_PATH_MAX];
    char *slash;
    int err;

    snprintf(parent, sizeof(parent), "%s", rf->path);
    slash = strrchr(parent, '/');
    if (slash == NULL || slash == parent)
        return -EINVAL;
    *slash = '\0';
    /* A parent in /tmp could be made by anyone: it must be ours and private. */
    err = make_dir(parent, rf->system ? 0755 : 0700, !rf->system);
    if (err < 0)
        return err;
    return make_dir(rf->path, 0770, !rf->system);
}

int run_folder_file(const struct run_folder *rf, const char *file, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", rf->path, file);

    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int run_folder_endpoint(const struct run_folder *rf, const char *file, char *buf, size_t len)
{
    int n = snprintf(buf, len, "ipc://%s/%s", rf->path, file);

    /* The socket path itself (without "ipc://") must fit sun_path. */
    return n < 0 || (size_t)n >= len || n - 6 > 107 ? -ENAMETOOLONG : 0;
}

int run_folder_shm_name(const struct run_folder *rf, const char *object, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s", rf->shm_prefix, object);

    return n < 0 || (size_t)n >= len || n > 255 ? -ENAMETOOLONG : 0;
}
