/*
 * fuzz_irm_msgs.c - libFuzzer target for the IRM daemon's request bodies:
 * any bytes decoded as each message of irm.proto must be refused or give a
 * message whose strings are terminated within their fields.
 */
#include "irm.pb.h"
#include "irmd_state.pb.h"

#include <pb_decode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_STR(s)                                                                           \
    do {                                                                                       \
        if (memchr((s), '\0', sizeof(s)) == NULL)                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static union {
        irm_proc_announce_t announce;
        irm_flow_alloc_t alloc;
        irm_flow_info_t info;
        irm_bind_program_t bind;
        irm_ipcp_bootstrap_t boot;
        irm_ipcp_info_t ipcp;
        irm_name_list_t names;
        irmd_state_flow_t flow;
    } m;
    pb_istream_t is;

    if (size < 1)
        return 0;
    is = pb_istream_from_buffer(data + 1, size - 1);
    memset(&m, 0, sizeof(m));
    switch (data[0] % 8) {
    case 0:
        if (pb_decode(&is, IRM_PROC_ANNOUNCE_FIELDS, &m.announce)) {
            CHECK_STR(m.announce.prog);
            if (m.announce.flows_count > 256)
                abort();
        }
        break;
    case 1:
        if (pb_decode(&is, IRM_FLOW_ALLOC_FIELDS, &m.alloc))
            CHECK_STR(m.alloc.name);
        break;
    case 2:
        if (pb_decode(&is, IRM_FLOW_INFO_FIELDS, &m.info)) {
            CHECK_STR(m.info.rx_ring);
            CHECK_STR(m.info.tx_ring);
            CHECK_STR(m.info.peer_evq);
        }
        break;
    case 3:
        if (pb_decode(&is, IRM_BIND_PROGRAM_FIELDS, &m.bind)) {
            CHECK_STR(m.bind.prog);
            for (pb_size_t i = 0; i < m.bind.args_count; i++)
                CHECK_STR(m.bind.args[i]);
        }
        break;
    case 4:
        if (pb_decode(&is, IRM_IPCP_BOOTSTRAP_FIELDS, &m.boot) && m.boot.conf.ip.size > 16)
            abort();
        break;
    case 5:
        if (pb_decode(&is, IRM_IPCP_INFO_FIELDS, &m.ipcp))
            CHECK_STR(m.ipcp.endpoint);
        break;
    case 6:
        if (pb_decode(&is, IRM_NAME_LIST_FIELDS, &m.names) && m.names.names_count > 96)
            abort();
        break;
    default:
        if (pb_decode(&is, IRMD_STATE_FLOW_FIELDS, &m.flow))
            CHECK_STR(m.flow.name);
        break;
    }
    return 0;
}
