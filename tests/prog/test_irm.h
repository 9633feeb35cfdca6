/*
 * test_irm.h - bindings and names for the test programs, straight over the
 * IRM daemon's bus methods (the tests of the irm command use the command).
 */
#ifndef OUROBUS_TEST_IRM_H
#define OUROBUS_TEST_IRM_H

#include "irm.pb.h"
#include "irmd_client.h"

#include <stdio.h>
#include <sys/types.h>

static inline int test_bind_process(pid_t pid, const char *name)
{
    irm_bind_process_t m = IRM_BIND_PROCESS_INIT_ZERO;

    m.pid = pid;
    snprintf(m.name, sizeof(m.name), "%s", name);
    return irmd_call(IRM_METHOD_BIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &m, NULL, NULL, 2000);
}

static inline int test_unbind_process(pid_t pid, const char *name)
{
    irm_bind_process_t m = IRM_BIND_PROCESS_INIT_ZERO;

    m.pid = pid;
    snprintf(m.name, sizeof(m.name), "%s", name ? name : "");
    return irmd_call(IRM_METHOD_UNBIND_PROCESS, IRM_BIND_PROCESS_FIELDS, &m, NULL, NULL, 2000);
}

static inline int test_name_create(const char *name, int spill)
{
    irm_name_info_t m = IRM_NAME_INFO_INIT_ZERO;

    snprintf(m.name, sizeof(m.name), "%s", name);
    m.lb = spill ? IRM_LB_SPILL : IRM_LB_RR;
    return irmd_call(IRM_METHOD_NAME_CREATE, IRM_NAME_INFO_FIELDS, &m, NULL, NULL, 2000);
}

static inline int test_bind_program(const char *path, const char *name, int auto_start,
                                    int argc, char **argv)
{
    irm_bind_program_t m = IRM_BIND_PROGRAM_INIT_ZERO;

    snprintf(m.prog, sizeof(m.prog), "%s", path);
    snprintf(m.name, sizeof(m.name), "%s", name);
    m.auto_start = auto_start;
    for (int i = 0; i < argc && i < 16; i++)
        snprintf(m.args[m.args_count++], sizeof(m.args[0]), "%s", argv[i]);
    return irmd_call(IRM_METHOD_BIND_PROGRAM, IRM_BIND_PROGRAM_FIELDS, &m, NULL, NULL, 2000);
}

#endif
