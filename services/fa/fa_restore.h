/*
 * fa_restore.h - the flows routing carries, turned into flow table
 * records: a restarted fa (or one whose routing restarted) adds every
 * binding of routing's FLOWS its table lacks, as an allocated flow, by
 * importing a snapshot (fa_table.h) made of its own flows and those.
 */
#ifndef OUROBUS_FA_RESTORE_H
#define OUROBUS_FA_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#define FA_RESTORE_SDU 1400u /* max_sdu of a re-learned flow (not in the binding) */

/* One N+1 flow as routing binds it (routing_flow_binding). */
struct fa_binding {
    uint32_t flow_id;
    uint64_t local_eid;
    uint64_t peer_addr;
    uint64_t peer_eid;
    uint8_t cube;
};

/* The bytes fa_restore_merge may write for a snapshot of snap_len bytes
 * and n bindings. */
size_t fa_restore_len(size_t snap_len, size_t n);

/*
 * Write into out the flows of snap (fa_table_export's bytes) followed by
 * each binding of b whose local eid is in neither snap nor earlier in b
 * (and whose eids and address are not 0), as an ALLOCATED flow with the
 * best-effort QoS and request id = its local eid. The length, and in
 * *added how many bindings went in; -EBADMSG (snap is not a snapshot),
 * -EMSGSIZE (cap too small).
 */
long fa_restore_merge(const uint8_t *snap, size_t snap_len, const struct fa_binding *b,
                      size_t n, uint8_t *out, size_t cap, size_t *added);

#endif
