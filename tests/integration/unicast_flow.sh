#!/bin/sh
# unicast_flow.sh - applications' flows over a unicast layer of three
# services per node (ourobus-routing, ourobus-fa, ourobus-directory), four
# nodes in a line over udp4 shims on 127.0.0.1 (no root): oping and operf
# from a to d, three hops; the directory resolves the name, the fa
# allocates the flow in one round trip, routing carries the packets. Then
# kill -9 of each service while oping runs: the IRM daemon restarts it and
# the flow goes on; an unregistered name leaves the network.
#
#   node a           node b           node c           node d
#   +---------+      +---------+      +---------+      +---------+
#   | oping   |      |         |      |         |      | oping -l|  ping.d
#   | operf   |      |         |      |         |      | operf -l|  perf.d
#   | net.a   |<---->| net.b   |<---->| net.c   |<---->| net.d   |  layer net:
#   |  fa dir |      |  fa dir |      |  fa dir |      |  fa dir |  3 services
#   | udp.a   |      | udp.b   |      | udp.c   |      | udp.d   |  udp4 shims
#   +---------+      +---------+      +---------+      +---------+
. "$(dirname "$0")/lib.sh"

UL_TAG=uf
UL_PORT_BASE=$((40000 + ($$ + 7) % 20000))
. "$(dirname "$0")/unicast_lib.sh"
FA=$BUILD/services/fa/ourobus-fa
DIRD=$BUILD/services/directory/ourobus-directory
OPING=$BUILD/tools/oping/oping
OPERF=$BUILD/tools/operf/operf
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING" "$FA" "$DIRD" "$OPING" "$OPERF"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 28

log_of() { echo "$T_RUN/$(node_of "$1").irmd.log"; }
show() { sed 's/^/#   /' "$1" >&2; }
on_x() { # x command...: run with OUROBUS_NODE of x
	x=$1
	shift
	env OUROBUS_NODE="$(node_of "$x")" "$@"
}
# The pid of service s (fa, directory) of net.x.
comp_pid() { # x s
	pgrep -f "ourobus-$2 --node $(node_of "$1") --ipcp net.$1\$" | head -n 1
}
# Has x's service s another pid than old?
comp_restarted() { # x s old
	p=$(comp_pid "$1" "$2")
	[ -n "$p" ] && [ "$p" != "$3" ]
}
routing_restarted() { # x old
	p=$(ipcp_pid "$1" "net.$1")
	[ -n "$p" ] && [ "$p" != "$2" ] && operational "$1" "net.$1"
}
# Largest gap, in ms, between two pongs of an oping -D output.
max_gap_ms() {
	grep 'bytes from' "$1" | sed 's/^\[\([0-9]*\)\.\([0-9]*\)\].*/\1\2/' |
		awk 'NR > 1 { g = ($1 - p) / 1000; if (g > m) m = g } { p = $1 } END { printf "%d\n", m }'
}
pongs() { sed -n 's/^\([0-9]*\) packets sent, \([0-9]*\) received.*/\1 \2/p' "$1"; }

# ---- four nodes, a udp4 shim each, the layer ------------------------------
line_shims || diag "the udp4 shims did not all come up"
line_layer
r=0
for x in $NODES; do
	for s in fa directory; do
		wait_until 5000 sh -c "pgrep -f 'ourobus-$s --node $(node_of "$x") --ipcp net.$x\$' >/dev/null" ||
			{ r=1; diag "no $s for net.$x"; }
	done
done
ok $r "the IRM daemons started an ourobus-fa and an ourobus-directory beside each routing"

# ---- servers on d --------------------------------------------------------------
env OUROBUS_NODE="$(node_of d)" "$OPING" -l >"$T_RUN/oping-l.log" 2>&1 &
track $!
env OUROBUS_NODE="$(node_of d)" "$OPERF" -l >"$T_RUN/operf-l.log" 2>&1 &
track $!
r=0
irm_x d bind program "$OPING" name ping.d >>"$T_RUN/reg.log" 2>&1 || r=1
irm_x d bind program "$OPERF" name perf.d >>"$T_RUN/reg.log" 2>&1 || r=1
irm_x d name register ping.d layer net >>"$T_RUN/reg.log" 2>&1 || r=1
irm_x d name register perf.d layer net >>"$T_RUN/reg.log" 2>&1 || r=1
ok $r "oping and operf servers on d, ping.d and perf.d registered in layer net" || show "$T_RUN/reg.log"

# ---- flows from a to d -----------------------------------------------------------
wait_until 10000 sh -c "OUROBUS_NODE=$(node_of a) timeout 5 '$OPING' -n ping.d -c 1 >/dev/null 2>&1"
ok $? "a resolves ping.d through the directory and gets a pong"
on_x a timeout 20 "$OPING" -n ping.d -c 50 -i 10 >"$T_RUN/ping.out" 2>&1
r=$?
[ $r -eq 0 ] && grep -q "^50 packets sent, 50 received, 0% packet loss" "$T_RUN/ping.out"
ok $? "oping -n ping.d -c 50 from a: 50 of 50 pongs over 3 hops ($(grep rtt "$T_RUN/ping.out"))" ||
	show "$T_RUN/ping.out"
on_x a timeout 20 "$OPERF" -n perf.d -d 2 -s 1400 -r 100M >"$T_RUN/perf.out" 2>&1
r=$?
[ $r -eq 0 ] && grep -q "^received: *[1-9][0-9]* packets" "$T_RUN/perf.out"
ok $? "operf -n perf.d -s 1400: $(grep '^received' "$T_RUN/perf.out")" || show "$T_RUN/perf.out"
on_x a timeout 20 "$OPING" -n ping.d -c 3 -s 1400 -i 10 >"$T_RUN/big.out" 2>&1 &&
	grep -q "^3 packets sent, 3 received" "$T_RUN/big.out"
ok $? "1400-byte packets cross" || show "$T_RUN/big.out"
t0=$(now_ms)
on_x a timeout 20 "$OPING" -n no.such.name -c 1 >/dev/null 2>"$T_RUN/unknown.err"
r=$?
[ $r -ne 0 ] && grep -q "no such name" "$T_RUN/unknown.err"
ok $? "an unknown name: 'no such name' after $(($(now_ms) - t0)) ms" || show "$T_RUN/unknown.err"

# ---- overload: a flood across the line -------------------------------------------
# operf -f writes as fast as the flow takes packets, far above what the
# line carries: the layer drops the excess (counted), other flows still
# allocate and carry data during it, and all is normal once it stops.
on_x a timeout 30 "$OPERF" -n perf.d -d 4 -s 1400 -f >"$T_RUN/flood.out" 2>&1 &
F=$!
track $F
wait_until 5000 grep -q "1 s: sent" "$T_RUN/flood.out"
on_x a timeout 10 "$OPING" -n ping.d -c 20 -i 10 >"$T_RUN/during.out" 2>&1 &&
	set -- $(pongs "$T_RUN/during.out") 0 0 && [ "$2" -ge 1 ]
ok $? "during the flood a new flow allocates and 20 pings get $2 pongs" || show "$T_RUN/during.out"
wait $F
r=$?
[ $r -eq 0 ] && grep -q "^received: *[1-9][0-9]* packets" "$T_RUN/flood.out"
ok $? "the flood's own flow delivered: $(grep '^received' "$T_RUN/flood.out" | sed 's/  */ /g')" ||
	show "$T_RUN/flood.out"
on_x a timeout 10 "$OPING" -n ping.d -c 50 -i 10 >"$T_RUN/after-flood.out" 2>&1 &&
	grep -q "^50 packets sent, 50 received" "$T_RUN/after-flood.out"
ok $? "after the flood: 50 of 50 pongs at once" || show "$T_RUN/after-flood.out"

# ---- kill -9 of each service while oping runs -----------------------------------
# oping for 5 s, 10 ms apart, kill -9 of a service after 1.5 s; rc is
# oping's status, out its output.
ping_during() { # what-to-kill...
	out="$T_RUN/kill.$(echo "$*" | tr ' /' '__').out"
	on_x a "$OPING" -n ping.d -d 5 -i 10 -D >"$out" 2>&1 &
	C=$!
	track $C
	sleep 1.5
	kill -9 "$@"
	wait $C
	rc=$?
}
ping_ok() { # ok-message
	set -- "$1" $(pongs "$out") 0 0
	gap=$(max_gap_ms "$out")
	[ $rc -eq 0 ] && [ "$2" -ge 400 ] && [ $(($2 - $3)) -le 150 ]
	ok $? "$1: $3 of $2 pongs, longest pause $gap ms" || show "$out"
}

for x in d a; do
	for s in fa directory; do
		old=$(comp_pid "$x" "$s")
		ping_during "$old"
		wait_until 5000 comp_restarted "$x" "$s" "$old"
		ok $? "kill -9 of $x's $s (pid $old): the IRM daemon restarts it"
		ping_ok "... the flow went on"
	done
done
on_x a timeout 10 "$OPING" -n ping.d -c 3 -i 10 >"$T_RUN/after.out" 2>&1 &&
	grep -q "^3 packets sent, 3 received" "$T_RUN/after.out"
ok $? "a new flow to ping.d after the restarts" || show "$T_RUN/after.out"

for x in c d; do
	old=$(ipcp_pid "$x" "net.$x")
	ping_during "$old"
	wait_until 10000 routing_restarted "$x" "$old"
	ok $? "kill -9 of $x's routing (pid $old): restarted"
	ping_ok "... the flow went on"
done

# ---- unregister --------------------------------------------------------------------
irm_x d name unregister ping.d layer net >"$T_RUN/unreg.out" 2>&1
wait_until 10000 sh -c "! OUROBUS_NODE=$(node_of a) timeout 5 '$OPING' -n ping.d -c 1 >/dev/null 2>&1"
ok $? "irm name unregister ping.d on d: a cannot reach it any more" || show "$T_RUN/unreg.out"

# ---- stop ------------------------------------------------------------------------
PIDS=""
for x in $NODES; do
	PIDS="$PIDS $(ipcp_pid "$x" "udp.$x") $(ipcp_pid "$x" "net.$x") $(comp_pid "$x" fa) $(comp_pid "$x" directory)"
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
ok $? "ourobus-irmd --wipe stops every daemon, the fa and the directory too" ||
	diag "still running: $(for p in $PIDS; do kill -0 "$p" 2>/dev/null && ps -o pid=,args= -p "$p"; done)"
exit $T_FAILED
