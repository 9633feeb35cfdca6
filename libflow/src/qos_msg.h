/*
 * qos_msg.h - a flow's QoS (qosspec_t) to and from its control message
 * (irm_qos_t), for the library, the management API and the daemons.
 */
#ifndef OUROBUS_QOS_MSG_H
#define OUROBUS_QOS_MSG_H

#include "irm.pb.h"

#include <ourobus/qos.h>

void qos_msg_from_spec(const qosspec_t *q, irm_qos_t *m);
void qos_msg_to_spec(const irm_qos_t *m, qosspec_t *q);

#endif
