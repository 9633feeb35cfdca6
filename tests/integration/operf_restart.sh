#!/bin/sh
# operf_restart.sh - kill -9 of the IRM daemon during an operf over a local
# flow: the transfer goes on without loss, and after the restart `irm name
# list` and `irm bind list` show what they showed before.
#
#   [ operf client ] ==== local flow ====> [ operf -l ]
#              \                            /
#               +-- ourobus-irmd (kill -9, restart)
. "$(dirname "$0")/lib.sh"

plan 7
node=$(node_name op)
node_start "$node" || exit 1
export OUROBUS_NODE=$node
OPERF=$BUILD/tools/operf/operf

"$OPERF" -l >"$T_RUN/server.out" 2>&1 &
SRV=$!
track $SRV
"$IRM" bind process $SRV name operf && "$IRM" name create extra lb spillover &&
	"$IRM" bind program "$PROG/flowtest" name extra auto -- echo X
ok $? "an operf server bound; another name and a program binding made with irm"
names=$("$IRM" name list)
binds=$("$IRM" bind list)

"$OPERF" -d 4 -s 1400 -r 200M >"$T_RUN/client.out" 2>&1 &
CLI=$!
track $CLI
sleep 1.2
kill -9 $IRMD_PID
wait $IRMD_PID 2>/dev/null
sleep 0.5
node_start "$node"
ok $? "the daemon was killed with -9 during the transfer and restarted"

wait $CLI
ok $? "operf ran to its end"
grep -q "^lost: *0 packets (0%)" "$T_RUN/client.out"
ok $? "nothing was lost: $(grep '^received' "$T_RUN/client.out")"
[ "$(grep -c '^ *[0-9] s: sent' "$T_RUN/client.out")" -ge 4 ]
ok $? "a progress line every second, through the restart"
is "$("$IRM" name list)" "$names" "irm name list is as before"
is "$("$IRM" bind list)" "$binds" "irm bind list is as before"
