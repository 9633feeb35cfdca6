/*
 * fa_policy.h - the flow allocator's small decisions: which QoS cube
 * carries a flow of a given QoS, and the congestion level a FLOW_UPDATE
 * reports for the ECN marks routing saw on a flow.
 */
#ifndef OUROBUS_FA_POLICY_H
#define OUROBUS_FA_POLICY_H

#include <ourobus/qos.h>
#include <stdint.h>

#define FA_CUBE_BE 0u /* QOS_CUBE_BE of services/routing/dt_hdr.h */

/* The QoS cube of a flow asking for q. Every cube's table is the same
 * shortest-path tree for now (routing.md), so every flow is best effort
 * until the cubes differ. */
uint8_t fa_cube_of(const qosspec_t *q);

/* The congestion level to report for packets of a flow whose highest ECN
 * mark was ece (0..255, the queue length >> 4 at the worst hop) on marked
 * packets since the last report: the marks added up, at most UINT16_MAX.
 * 0 when nothing was marked (the "it stopped" update). */
uint16_t fa_ece_level(uint32_t ece, uint32_t marked);

#endif
