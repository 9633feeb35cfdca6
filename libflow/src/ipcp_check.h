/*
 * ipcp_check.h - the rules a bootstrap configuration (struct ipcp_config)
 * must follow, checked the same way by the management API, the irm command
 * and the node file before anything reaches a daemon.
 */
#ifndef OUROBUS_IPCP_CHECK_H
#define OUROBUS_IPCP_CHECK_H

#include <ourobus/irm.h>
#include <stdbool.h>

/* What a configuration field is called, in the irm command's words. */
enum ipcp_check_field {
    IPCP_CHECK_NONE = 0,
    IPCP_CHECK_TYPE,
    IPCP_CHECK_LAYER,
    IPCP_CHECK_HASH,
    IPCP_CHECK_ADDR_SIZE,
    IPCP_CHECK_EID_SIZE,
    IPCP_CHECK_MAX_TTL,
    IPCP_CHECK_ROUTING,
    IPCP_CHECK_LS_T_RECALC,
    IPCP_CHECK_LS_T_UPDATE,
    IPCP_CHECK_LS_T_TIMEO,
    IPCP_CHECK_DHT_ALPHA,
    IPCP_CHECK_DHT_K,
    IPCP_CHECK_DHT_T_EXPIRE,
    IPCP_CHECK_DHT_T_REFRESH,
    IPCP_CHECK_DHT_T_REPLICATE,
    IPCP_CHECK_ADDR_AUTH,
    IPCP_CHECK_CONGESTION,
    IPCP_CHECK_IP,
    IPCP_CHECK_DNS,
    IPCP_CHECK_PORT,
    IPCP_CHECK_DEV,
    IPCP_CHECK_ETHERTYPE,
    IPCP_CHECK_PEER,
};

/* What went wrong, for a message: the field and why. */
struct ipcp_check_error {
    enum ipcp_check_field field;
    const char *why; /* e.g. "the port is from 1 to 65535" */
};

/* 0 if conf can be sent to an IPCP of its type, else -EINVAL with err
 * filled (when not NULL). */
int ipcp_config_check(const struct ipcp_config *conf, struct ipcp_check_error *err);

/* 1..max characters with the NUL inside the array: a name or layer. */
bool ipcp_check_name(const char *name, size_t max);

#endif
