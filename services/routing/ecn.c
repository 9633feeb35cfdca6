/*
 * ecn.c - the MB-ECN marking decision.
 */
#include "ecn.h"

uint8_t ecn_level(size_t queued)
{
    size_t level = queued >> ECN_QUEUE_SHIFT;

    return level > ECN_LEVEL_MAX ? ECN_LEVEL_MAX : (uint8_t)level;
}
