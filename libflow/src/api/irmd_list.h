/*
 * irmd_list.h - fetch a whole list from the IRM daemon page by page (the
 * list methods answer what fits from an offset, with the total) into one
 * malloc'd array of the reply's entry messages.
 */
#ifndef OUROBUS_IRMD_LIST_H
#define OUROBUS_IRMD_LIST_H

#include "irm.pb.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a list reply keeps its total, its entries and their count. */
struct irmd_list_desc {
    uint32_t method;
    const pb_msgdesc_t *fields; /* of the reply, e.g. IRM_NAME_LIST_FIELDS */
    size_t rep_size;            /* sizeof the reply message */
    size_t total_off;           /* offsetof its uint32 total */
    size_t count_off;           /* offsetof its pb_size_t <entries>_count */
    size_t entries_off;         /* offsetof its entries array */
    size_t entry_size;          /* sizeof one entry */
    size_t page_max;            /* the entries array's capacity */
};

#define IRMD_LIST_DESC(m, type, up, entries)                                                   \
    ((struct irmd_list_desc){                                                                  \
        .method = (m),                                                                         \
        .fields = up##_FIELDS,                                                                 \
        .rep_size = sizeof(type##_t),                                                          \
        .total_off = offsetof(type##_t, total),                                                \
        .count_off = offsetof(type##_t, entries##_count),                                      \
        .entries_off = offsetof(type##_t, entries),                                            \
        .entry_size = sizeof(((type##_t *)0)->entries[0]),                                     \
        .page_max = sizeof(((type##_t *)0)->entries) / sizeof(((type##_t *)0)->entries[0]),    \
    })

/* The lists of the IRM daemon. */
#define IRMD_LIST_NAMES                                                                        \
    IRMD_LIST_DESC(IRM_METHOD_NAME_LIST, irm_name_list, IRM_NAME_LIST, names)
#define IRMD_LIST_IPCPS                                                                        \
    IRMD_LIST_DESC(IRM_METHOD_IPCP_LIST, irm_ipcp_list, IRM_IPCP_LIST, ipcps)
#define IRMD_LIST_FLOWS                                                                        \
    IRMD_LIST_DESC(IRM_METHOD_FLOW_LIST, irm_flow_list, IRM_FLOW_LIST, flows)
#define IRMD_LIST_PROCS                                                                        \
    IRMD_LIST_DESC(IRM_METHOD_PROC_LIST, irm_proc_list, IRM_PROC_LIST, procs)
#define IRMD_LIST_BINDS                                                                        \
    IRMD_LIST_DESC(IRM_METHOD_BIND_LIST, irm_bind_list, IRM_BIND_LIST, binds)

/* The longest list we take from a daemon (a bigger total is refused). */
#define IRMD_LIST_MAX (1u << 20)

/* Fetch every entry: *out gets a malloc'd array of the entry messages
 * (NULL for an empty list; free it), the return value their number. A list
 * that changes while it is read is read again (a few times at most), so
 * the result is one snapshot. -errno of irmd_call, -EPROTO for a reply
 * that does not add up, -ENOMEM. */
ssize_t irmd_list_fetch(const struct irmd_list_desc *d, void **out);

#endif
