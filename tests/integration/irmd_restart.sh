#!/bin/sh
# irmd_restart.sh - kill -9 of the IRM daemon while local flows run: data
# keeps moving (no packet lost, no stall), and after the restart the names,
# bindings and flows are back, processes re-announce, and dead ones are
# still reaped.
#
#   [ stream ] ==== flow (rings in shm) ====> [ sink ]     [ echo ]
#        \                                      /             /
#         +-- ourobus-irmd (killed, restarted) +-------------+
. "$(dirname "$0")/lib.sh"

plan 10
node=$(node_name rs)
node_start "$node" || exit 1
export OUROBUS_NODE=$node
log=$T_RUN/$node.irmd.log

"$PROG/flowtest" sink S >"$T_RUN/sink.out" 2>&1 &
SINK=$!
track $SINK
"$PROG/flowtest" echo E >"$T_RUN/echo.out" 2>&1 &
ECHO=$!
track $ECHO
"$PROG/flowtest" name rs-sink rr && "$PROG/flowtest" bind $SINK rs-sink &&
	"$PROG/flowtest" bind $ECHO rs-echo
ok $? "a sink and an echo server bound"

# 4 s of 5000 packets/s; the daemon dies after 1 s and is back 0.5 s later.
"$PROG/flowtest" stream rs-sink 4 5000 >"$T_RUN/stream.out" 2>&1 &
STREAM=$!
track $STREAM
sleep 1
kill -9 $IRMD_PID
wait $IRMD_PID 2>/dev/null
sleep 0.5
node_start "$node"
ok $? "the daemon killed with -9 mid-stream and restarted"
grep -q "state restored" "$log"
ok $? "it restored its state from the run folder"

wait $STREAM
ok $? "the stream ran to its end"
sent=$(awk '/stream sent/ {print $3}' "$T_RUN/stream.out")
wait_until 3000 grep -q "^sink S received" "$T_RUN/sink.out"
got=$(awk '/^sink S received/ {print $4}' "$T_RUN/sink.out")
gaps=$(awk '/^sink S received/ {print $6}' "$T_RUN/sink.out")
maxgap=$(awk '/^sink S received/ {print $10}' "$T_RUN/sink.out")
is "$got" "$sent" "every packet sent arrived ($sent)"
is "$gaps" "0" "none lost"
[ -n "$maxgap" ] && [ "$maxgap" -lt 200 ]
ok $? "the data never stopped: largest gap between packets ${maxgap} ms"

"$PROG/flowtest" ping rs-echo 100 >"$T_RUN/ping.out" 2>&1
ok $? "after the restart the binding to rs-echo still works: $(cat "$T_RUN/ping.out")"

# A process re-announces when it sees the new epoch: the echo server, whose
# flow_accept was retried against the new daemon.
wait_until 3000 grep -q "process $ECHO (flowtest) announced again" "$log"
ok $? "the waiting server re-announced itself to the new daemon"

# Reaping still works for processes the old daemon saw.
kill -9 $ECHO
wait $ECHO 2>/dev/null
wait_until 1000 grep -q "process $ECHO .* exited" "$log"
ok $? "a process killed after the restart is reaped within 1 s"
