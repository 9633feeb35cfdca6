#!/bin/sh
# ipcp.sh - the IRM daemon with an IPCP daemon (the test IPCP ipcp_loop,
# whose layer loops back to itself): announce, bootstrap, names, flows
# through the IPCP (allocation, refusal, a peer that answers too late,
# the layer's largest packet), the IPCP killed and started again and the
# IRM daemon killed and started again with a flow open through it - the
# flow survives both - and the IPCP destroyed.
#
#   [ client ] --flow--> [ ipcp_loop ] --flow--> [ echo server ]
#        \                     |                       /
#         +---------------- ourobus-irmd -------------+
. "$(dirname "$0")/lib.sh"

plan 28
node=$(node_name ip)
node_start "$node" || exit 1
export OUROBUS_NODE=$node
log=$T_RUN/$node.irmd.log
LOOP=$PROG/ipcp_loop

loop_start() { # ipcp_loop options...
	"$LOOP" --node "$node" --ipcp loop0 --redirect ip-echo "$@" >>"$T_RUN/loop.log" 2>&1 &
	LOOP_PID=$!
	track $LOOP_PID
	wait_until 5000 sh -c "'$IRM' ipcp list | grep -q '^$LOOP_PID *loop0'"
}

loop_start
ok $? "the IPCP daemon announced itself: $("$IRM" ipcp list | grep loop0)"
"$IRM" ipcp list | grep -q "loop0 *udp4 *- *init"
ok $? "it is listed, not bootstrapped"

"$IRM" name register ip-echo ipcp loop0 >"$T_RUN/reg0.out" 2>&1
[ $? -ne 0 ] && grep -q "state" "$T_RUN/reg0.out"
ok $? "a name cannot be registered in it before its bootstrap: $(cat "$T_RUN/reg0.out")"

"$IRM" ipcp bootstrap name loop0 layer looplayer ip 127.0.0.1
ok $? "irm ipcp bootstrap"
"$IRM" ipcp list | grep -q "loop0 *udp4 *looplayer *operational"
ok $? "it is operational in its layer"

"$IRM" ipcp bootstrap name loop0 layer other ip 127.0.0.1 >"$T_RUN/boot2.out" 2>&1
[ $? -ne 0 ]
ok $? "a second bootstrap is refused: $(cat "$T_RUN/boot2.out")"

"$PROG/flowtest" echo E >"$T_RUN/echo.out" 2>&1 &
ECHO=$!
track $ECHO
"$PROG/flowtest" bind $ECHO ip-echo && "$IRM" name register ip-echo ipcp loop0
ok $? "an echo server bound to ip-echo, registered in the IPCP"
"$IRM" name list | grep -q ip-echo
ok $? "the name is listed"

# A name nobody serves here goes to the IPCP, which hands it back to us.
"$PROG/flowtest" ping far-away 200 >"$T_RUN/ping.out" 2>&1
ok $? "200 echoes through the IPCP: $(cat "$T_RUN/ping.out")"
grep -q "through IPCP" "$log"
ok $? "the flow went through the IPCP"

"$PROG/flowtest" sizes far-away 100 1400 1401 9000 >"$T_RUN/sizes.out" 2>&1
grep -q "size 1400 write 1400 echo ok" "$T_RUN/sizes.out" &&
	grep -q "size 1401 write -90 echo none" "$T_RUN/sizes.out" &&
	grep -q "size 9000 write -90 echo none" "$T_RUN/sizes.out"
ok $? "the layer's largest packet (1400) passes, bigger ones fail with EMSGSIZE: $(tr '\n' ';' <"$T_RUN/sizes.out")"

wait_until 3000 sh -c "! '$IRM' flow list | grep -q allocated"
ok $? "the flows are gone once closed"

# The IPCP refuses: the allocation fails with its reason.
kill $LOOP_PID
wait $LOOP_PID 2>/dev/null
"$IRM" ipcp list | grep -q "loop0 .*down"
ok $? "the IPCP stopped: listed as down, kept"
loop_start --refuse
ok $? "it came back (refusing flows)"
wait_until 3000 sh -c "'$IRM' ipcp list | grep -q 'loop0 .*operational'"
ok $? "it bootstrapped again by itself, from the config the IRM daemon kept"
"$PROG/flowtest" alloc far-away 3000 >"$T_RUN/refused.out" 2>&1
grep -q "alloc err -111" "$T_RUN/refused.out"
ok $? "a refused allocation fails with ECONNREFUSED: $(cat "$T_RUN/refused.out")"

# The peer answers after the application gave up: nothing is left behind.
kill $LOOP_PID
wait $LOOP_PID 2>/dev/null
loop_start --slow-ms 1500
wait_until 3000 sh -c "'$IRM' ipcp list | grep -q 'loop0 .*operational'"
"$PROG/flowtest" alloc far-away 500 >"$T_RUN/late.out" 2>&1
grep -q "alloc err -110" "$T_RUN/late.out"
ok $? "an allocation the peer answers too late times out: $(cat "$T_RUN/late.out")"
sleep 1.5
wait_until 3000 sh -c "[ -z \"\$('$IRM' flow list | sed 1d)\" ]"
ok $? "the late answer leaves no flow behind"

# A flow through the IPCP survives the IPCP's death and restart.
kill $LOOP_PID
wait $LOOP_PID 2>/dev/null
loop_start
wait_until 3000 sh -c "'$IRM' ipcp list | grep -q 'loop0 .*operational'"
"$PROG/flowtest" pingfor far-away 4 >"$T_RUN/pingfor.out" 2>&1 &
PF=$!
track $PF
sleep 1
kill -9 $LOOP_PID
wait $LOOP_PID 2>/dev/null
sleep 0.3
loop_start
ok $? "the IPCP killed with -9 mid-flow and started again"
wait $PF
ok $? "the flow lived through it, no packet lost: $(cat "$T_RUN/pingfor.out")"
grep -q "IPCP process .* exited: 2 flow ends kept" "$log"
ok $? "the IRM daemon kept the IPCP's flow ends meanwhile"

# ... and the IRM daemon's death and restart.
"$PROG/flowtest" pingfor far-away 4 >"$T_RUN/pingfor2.out" 2>&1 &
PF=$!
track $PF
sleep 1
kill -9 $IRMD_PID
wait $IRMD_PID 2>/dev/null
sleep 0.3
node_start "$node"
ok $? "the IRM daemon killed with -9 and started again"
wait $PF
ok $? "the flow through the IPCP lived through it: $(cat "$T_RUN/pingfor2.out")"
wait_until 5000 grep -q "IRM daemon restarted: announcing again" "$T_RUN/loop.log"
ok $? "the IPCP announced itself to the new IRM daemon"
"$PROG/flowtest" ping far-away 50 >"$T_RUN/ping2.out" 2>&1
ok $? "a new flow through the IPCP after both restarts: $(cat "$T_RUN/ping2.out")"

# Destroyed: the flows through it end, it is gone for good.
"$PROG/flowtest" hold far-away >"$T_RUN/hold.out" 2>&1 &
HOLD=$!
track $HOLD
wait_until 3000 grep -q "^hold" "$T_RUN/hold.out"
"$IRM" ipcp destroy name loop0
ok $? "irm ipcp destroy"
wait_until 3000 sh -c "! kill -0 $LOOP_PID 2>/dev/null"
ok $? "its daemon was stopped"
wait_until 3000 sh -c "! '$IRM' flow list | grep -q allocated && ! '$IRM' ipcp list | grep -q loop0"
ok $? "its flows and its record are gone"
