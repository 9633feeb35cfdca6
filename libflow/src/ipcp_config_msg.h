/*
 * ipcp_config_msg.h - a bootstrap configuration (struct ipcp_config) to and
 * from its control message (irm_ipcp_config_t), for the management API, the
 * IRM daemon and the IPCP daemons.
 */
#ifndef OUROBUS_IPCP_CONFIG_MSG_H
#define OUROBUS_IPCP_CONFIG_MSG_H

#include "irm.pb.h"

#include <ourobus/irm.h>

/* Every field of conf's type into msg (which it overwrites). */
void ipcp_config_to_msg(const struct ipcp_config *conf, irm_ipcp_config_t *msg);

/* msg into conf: the type's defaults, then every field msg sets. 0, or
 * -EINVAL when a field is out of its range or the result fails
 * ipcp_config_check (a message from another version, or forged). */
int ipcp_config_from_msg(const irm_ipcp_config_t *msg, struct ipcp_config *conf);

#endif
