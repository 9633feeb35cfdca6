/*
 * test_run_folder.c - node names, run folder paths, endpoints, shm names.
 */
#include "run_folder.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    struct run_folder rf;
    char buf[256];
    char tmpl[] = "/tmp/ourobus-rf-XXXXXX";
    char *base = mkdtemp(tmpl);
    struct stat st;

    plan(20);

    is(node_name_check("default"), 0, "plain node name is valid");
    is(node_name_check("node-a.1_x"), 0, "dash, dot, underscore allowed");
    is(node_name_check(""), -EINVAL, "empty name refused");
    is(node_name_check(".hidden"), -EINVAL, "a leading dot refused");
    is(node_name_check("a/b"), -EINVAL, "slash refused");
    is(node_name_check("a b"), -EINVAL, "space refused");
    is(node_name_check("abcdefghijabcdefghijabcdefghijabc"), -EINVAL, "33 chars refused");
    is(node_name_check(NULL), -EINVAL, "NULL refused");

    unsetenv("OUROBUS_NODE");
    is_str(node_name_default(NULL), "default", "default node name");
    setenv("OUROBUS_NODE", "envnode", 1);
    is_str(node_name_default(NULL), "envnode", "OUROBUS_NODE names the node");
    is_str(node_name_default("arg"), "arg", "an explicit name wins");

    setenv("OUROBUS_RUN_DIR", base, 1);
    is(run_folder_for_daemon(&rf, "n1"), 0, "resolve with OUROBUS_RUN_DIR");
    snprintf(buf, sizeof(buf), "%s/n1", base);
    is_str(rf.path, buf, "folder is <run dir>/<node>");
    is(run_folder_create(&rf), 0, "create the folder");
    ok(stat(rf.path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0770,
       "folder exists with mode 0770");
    is(run_folder_create(&rf), 0, "creating again is fine");
    is(run_folder_endpoint(&rf, "irmd.ctl", buf, sizeof(buf)), 0, "endpoint fits");
    ok(strncmp(buf, "ipc:///", 7) == 0 && strstr(buf, "/n1/irmd.ctl") != NULL,
       "endpoint is ipc://<folder>/irmd.ctl (%s)", buf);
    is(run_folder_shm_name(&rf, "pool", buf, sizeof(buf)), 0, "shm name fits");
    ok(strncmp(buf, "/ourobus.", 9) == 0 && strstr(buf, "n1.pool") != NULL &&
           strchr(buf + 1, '/') == NULL,
       "shm name is /ourobus.[u<uid>.]n1.pool (%s)", buf);

    rmdir(rf.path);
    rmdir(base);
    return done();
}
