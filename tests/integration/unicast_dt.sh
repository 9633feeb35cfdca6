#!/bin/sh
# unicast_dt.sh - traffic over a unicast layer: the management rings of
# ourobus-routing carry a test companion's messages (mgmt_echo, endpoint
# id 4) three hops each way. Four nodes in a line on this host over udp4
# shims on 127.0.0.1 (no root); a bootstraps layer net, b, c and d enroll
# and connect to their left neighbour. mgmt_echo echoes on d; mgmt_echo on
# a sends 1000 numbered messages to d's address and every one comes back.
# b and c forwarded them; a message to an address nobody has is dropped
# (noroute). kill -9 of the echo: a new one attaches to the same rings;
# kill -9 of d's routing: the restarted one maps them again by itself.
#
#   node a           node b           node c           node d
#   +---------+      +---------+      +---------+      +---------+
#   |mgmt_echo|      |         |      |         |      |mgmt_echo|  companions
#   |  send   |      |         |      |         |      |  echo   |  (eid 4)
#   | net.a   |<---->| net.b   |<---->| net.c   |<---->| net.d   |  layer net
#   | udp.a   |      | udp.b   |      | udp.c   |      | udp.d   |  udp4 shims,
#   | :PA     |      | :PB     |      | :PC     |      | :PD     |  127.0.0.1
#   +---------+      +---------+      +---------+      +---------+
. "$(dirname "$0")/lib.sh"

UL_TAG=dt
UL_PORT_BASE=$((40000 + $$ % 20000))
. "$(dirname "$0")/unicast_lib.sh"
ECHO=$BUILD/tests/prog/mgmt_echo
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING" "$ECHO"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 15

log_of() { echo "$T_RUN/$(node_of "$1").irmd.log"; }
# The packets net.x forwarded in all, from its last "forwarded" log line.
forwarded() { # x
	grep "routing.net.$1.*forwarded in the last second" "$(log_of "$1")" | tail -n 1 |
		sed -n 's/.*(\([0-9]*\) in all).*/\1/p'
}

# ---- four nodes, a udp4 shim each, the layer ------------------------------
line_shims || diag "the udp4 shims did not all come up"
line_layer

# ---- the companions ---------------------------------------------------------
ADDR_D=$(addr_of d)
"$ECHO" --node "$(node_of d)" --ipcp net.d echo 120 >"$T_RUN/echo.out" 2>&1 &
ECHO_PID=$!
track $ECHO_PID
wait_until 5000 grep -q "mgmt_echo echoing (address $ADDR_D)" "$T_RUN/echo.out"
ok $? "mgmt_echo on d attached to net.d's management rings (eid 4)" || diag "$(cat "$T_RUN/echo.out")"

FWD_B=$(forwarded b)
FWD_C=$(forwarded c)
"$ECHO" --node "$(node_of a)" --ipcp net.a send "$ADDR_D" 1000 >"$T_RUN/send.out" 2>&1
ok $? "1000 messages from a to d and back, 3 hops each way: $(cat "$T_RUN/send.out")" ||
	diag "$(grep routing "$(log_of a)" | tail -n 5)"
grep -q "^mgmt_echo sent 1000 received 1000 lost 0 " "$T_RUN/send.out"
ok $? "none lost"
wait_until 3000 sh -c "[ \"\$(grep 'routing.net.b.*forwarded' '$(log_of b)' | tail -n 1 | sed -n 's/.*(\([0-9]*\) in all).*/\1/p')\" -ge $((${FWD_B:-0} + 2000)) ]"
ok $? "b forwarded the 2000 packets ($(forwarded b) in all)"
wait_until 3000 sh -c "[ \"\$(grep 'routing.net.c.*forwarded' '$(log_of c)' | tail -n 1 | sed -n 's/.*(\([0-9]*\) in all).*/\1/p')\" -ge $((${FWD_C:-0} + 2000)) ]"
ok $? "c forwarded the 2000 packets ($(forwarded c) in all)"

# ---- an address nobody has ----------------------------------------------------
NOBODY=7
for x in $NODES; do [ "$(addr_of "$x")" = $NOBODY ] && NOBODY=9; done
"$ECHO" --node "$(node_of a)" --ipcp net.a send $NOBODY 5 >"$T_RUN/send.nobody.out" 2>&1
grep -q "^mgmt_echo sent 5 received 0 lost 5 " "$T_RUN/send.nobody.out"
ok $? "5 messages to address $NOBODY: none come back" || diag "$(cat "$T_RUN/send.nobody.out")"
wait_until 3000 grep -q "routing.net.a.*dropped in the last second:.* noroute [0-9]" "$(log_of a)"
ok $? "a dropped and counted them (noroute)" || diag "$(grep 'routing.net.a.*dropped' "$(log_of a)" | tail -n 3)"

# ---- the echo restarts ---------------------------------------------------------
kill -9 $ECHO_PID
wait $ECHO_PID 2>/dev/null
"$ECHO" --node "$(node_of d)" --ipcp net.d echo 120 >"$T_RUN/echo2.out" 2>&1 &
ECHO_PID=$!
track $ECHO_PID
wait_until 5000 grep -q "mgmt_echo echoing" "$T_RUN/echo2.out" &&
	[ "$(grep -c "management rings of endpoint 4:" "$(log_of d)")" = 1 ]
ok $? "after kill -9 a new mgmt_echo attaches to the same rings" ||
	diag "$(grep "management rings" "$(log_of d)")"
"$ECHO" --node "$(node_of a)" --ipcp net.a send "$ADDR_D" 100 >"$T_RUN/send2.out" 2>&1
ok $? "and echoes again: $(cat "$T_RUN/send2.out")"

# ---- d's routing restarts ----------------------------------------------------
OLD=$(ipcp_pid d net.d)
rm -f "$(routes d)"
kill -9 "$OLD"
wait_until 10000 sh -c "grep -q 'routing.net.d.*management rings of endpoint 4 found again' '$(log_of d)'"
ok $? "after kill -9 of d's routing (pid $OLD) the new one maps the rings again" ||
	diag "$(grep routing.net.d "$(log_of d)" | tail -n 5)"
wait_until 20000 line_ok && "$ECHO" --node "$(node_of a)" --ipcp net.a send "$ADDR_D" 100 >"$T_RUN/send3.out" 2>&1
ok $? "the echo that never re-attached answers through it: $(cat "$T_RUN/send3.out")" || show_routes

# ---- stop ------------------------------------------------------------------------
kill $ECHO_PID 2>/dev/null
PIDS=""
for x in $NODES; do
	PIDS="$PIDS $(ipcp_pid "$x" "udp.$x") $(ipcp_pid "$x" "net.$x")"
done
for p in $PIDS; do track "$p"; done
for x in $NODES; do
	eval "node_stop \$IRMD_$x"
done
r=0
for x in $NODES; do
	"$IRMD" --wipe --node "$(node_of "$x")" 2>/dev/null || r=1
done
[ $r -eq 0 ] && wait_until 5000 sh -c "for p in $PIDS; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ok $? "ourobus-irmd --wipe stops every IPCP daemon"
exit $T_FAILED
