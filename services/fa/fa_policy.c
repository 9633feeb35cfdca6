/*
 * fa_policy.c - QoS cube of a flow, congestion level of a FLOW_UPDATE.
 */
#include "fa_policy.h"

#include <assert.h>
#include <stddef.h>

uint8_t fa_cube_of(const qosspec_t *q)
{
    assert(q != NULL);
    (void)q;
    return FA_CUBE_BE;
}

uint16_t fa_ece_level(uint32_t ece, uint32_t marked)
{
    uint64_t level;

    if (ece == 0 || marked == 0)
        return 0;
    level = (uint64_t)(ece > 255 ? 255 : ece) * marked;
    return level > UINT16_MAX ? UINT16_MAX : (uint16_t)level;
}
