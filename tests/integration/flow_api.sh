#!/bin/sh
# flow_api.sh - the flow API's behaviour against a real IRM daemon.
#
#   [ t_flow_api ] --- local flows --- [ its echo servers (forked) ]
#            \                              /
#             +------ ourobus-irmd --------+     one node, private run folder
. "$(dirname "$0")/lib.sh"

node=$(node_name api)
node_start "$node" || { echo "1..0 # SKIP the IRM daemon does not start"; exit 1; }
export OUROBUS_NODE=$node
"$PROG/t_flow_api"
rc=$?
[ $rc -ne 0 ] && sed 's/^/#   irmd: /' "$T_RUN/$node.irmd.log" | tail -n 30 >&2
exit $rc
