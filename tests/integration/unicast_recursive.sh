#!/bin/sh
# unicast_recursive.sh - a unicast layer over a unicast layer: two nodes,
# udp4 shims on 127.0.0.1 (no root), layer net over them and layer top over
# net. top's IPCPs find each other through net's directory and their N-1
# flow is a flow of layer net; oping in layer top crosses both.
#
#   node a                      node b
#   +-----------+               +-----------+
#   | oping     |               | oping -l  |   ping.top in layer top
#   | top.a     |<--- top ----->| top.b     |   unicast over net
#   | net.a     |<--- net ----->| net.b     |   unicast over lo
#   | udp.a     |<--- lo  ----->| udp.b     |   udp4 shims
#   +-----------+               +-----------+
. "$(dirname "$0")/lib.sh"

ROUTING=$BUILD/services/routing/ourobus-routing
SHIM=$BUILD/services/shim-udp/ourobus-shim-udp
FA=$BUILD/services/fa/ourobus-fa
DIRD=$BUILD/services/directory/ourobus-directory
OPING=$BUILD/tools/oping/oping
OPERF=$BUILD/tools/operf/operf
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING" "$FA" "$DIRD" "$OPING" "$OPERF"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 8

PA=$((43000 + $$ % 10000))
PB=$((PA + 1))
A=$(node_name ra)
B=$(node_name rb)
irm_a() { "$IRM" --node "$A" "$@"; }
irm_b() { "$IRM" --node "$B" "$@"; }
operational() { # irm-fn ipcp
	"$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n' | grep -q operational
}
routes() { echo "$OUROBUS_RUN_DIR/$1/routing.$2.routes"; } # node ipcp
has_route() { grep -q '^route ' "$(routes "$1" "$2")" 2>/dev/null; }
show() { sed 's/^/#   /' "$1" >&2; }

node_start "$A" || exit 1
IRMD_A=$IRMD_PID
node_start "$B" || exit 1
IRMD_B=$IRMD_PID
r=0
irm_a ipcp bootstrap name udp.a type udp4 layer lo ip 127.0.0.1 port $PA \
	peer net.b=127.0.0.1:$PB peer net=127.0.0.1:$PB >"$T_RUN/boot.out" 2>&1 || r=1
irm_b ipcp bootstrap name udp.b type udp4 layer lo ip 127.0.0.1 port $PB \
	peer net.a=127.0.0.1:$PA >>"$T_RUN/boot.out" 2>&1 || r=1
ok $r "two nodes, a udp4 shim each" || show "$T_RUN/boot.out"

r=0
irm_a ipcp bootstrap name net.a type unicast layer net >>"$T_RUN/boot.out" 2>&1 || r=1
irm_b ipcp enroll name net.b layer net dst net.a >>"$T_RUN/boot.out" 2>&1 || r=1
wait_until 5000 operational irm_b net.b || r=1
irm_b ipcp connect name net.b dst net.a >>"$T_RUN/boot.out" 2>&1 || r=1
wait_until 10000 has_route "$A" net.a && wait_until 10000 has_route "$B" net.b || r=1
ok $r "layer net over the shims: b enrolled and connected" || show "$T_RUN/boot.out"

# top.a registers its names in net.a (a layer below it): b's enrollment
# resolves top.a through net's directory.
r=0
irm_a ipcp bootstrap name top.a type unicast layer top >>"$T_RUN/boot.out" 2>&1 || r=1
enroll_top() { irm_b ipcp enroll name top.b layer top dst top.a >>"$T_RUN/boot.out" 2>&1; }
wait_until 10000 enroll_top || r=1
wait_until 5000 operational irm_b top.b || r=1
ok $r "layer top: a bootstraps it, b enrolls through net (top.a found by net's directory)" ||
	show "$T_RUN/boot.out"
irm_b ipcp connect name top.b dst top.a >>"$T_RUN/boot.out" 2>&1 &&
	wait_until 10000 has_route "$A" top.a && wait_until 10000 has_route "$B" top.b
ok $? "top.b connects to top.a over a flow of layer net: both route" || show "$T_RUN/boot.out"

env OUROBUS_NODE="$B" "$OPING" -l >"$T_RUN/oping-l.log" 2>&1 &
track $!
env OUROBUS_NODE="$B" "$OPERF" -l >"$T_RUN/operf-l.log" 2>&1 &
track $!
r=0
{ irm_b bind program "$OPING" name ping.top && irm_b name register ping.top layer top &&
	irm_b bind program "$OPERF" name perf.top && irm_b name register perf.top layer top; } \
	>"$T_RUN/reg.log" 2>&1 || r=1
ok $r "oping and operf servers on b, registered in layer top only" || show "$T_RUN/reg.log"

wait_until 10000 sh -c "OUROBUS_NODE=$A timeout 5 '$OPING' -n ping.top -c 1 >/dev/null 2>&1"
env OUROBUS_NODE="$A" timeout 20 "$OPING" -n ping.top -c 50 -i 10 >"$T_RUN/ping.out" 2>&1 &&
	grep -q "^50 packets sent, 50 received, 0% packet loss" "$T_RUN/ping.out"
ok $? "oping in layer top (over net, over udp): 50 of 50 ($(grep rtt "$T_RUN/ping.out"))" ||
	show "$T_RUN/ping.out"
env OUROBUS_NODE="$A" timeout 20 "$OPERF" -n perf.top -d 2 -s 1000 -r 50M >"$T_RUN/perf.out" 2>&1 &&
	grep -q "^received: *[1-9][0-9]* packets" "$T_RUN/perf.out"
ok $? "operf in layer top, 1000-byte packets: $(grep '^received' "$T_RUN/perf.out")" ||
	show "$T_RUN/perf.out"

PIDS=""
for n in "$A" "$B"; do
	PIDS="$PIDS $("$IRM" --node "$n" ipcp list 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $1 }' | tr '\n' ' ')"
	PIDS="$PIDS $(pgrep -f "ourobus-(fa|directory) --node $n " | tr '\n' ' ')"
done
for p in $PIDS; do track "$p"; done
node_stop $IRMD_A
node_stop $IRMD_B
"$IRMD" --wipe --node "$A" 2>"$T_RUN/wipe.err" && "$IRMD" --wipe --node "$B" 2>>"$T_RUN/wipe.err" &&
	wait_until 5000 sh -c "for p in $PIDS; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ok $? "ourobus-irmd --wipe stops the six IPCP daemons and their companions" ||
	diag "still running: $(for p in $PIDS; do kill -0 "$p" 2>/dev/null && ps -o pid=,stat=,args= -p "$p"; done) $(cat "$T_RUN/wipe.err") PIDS=$PIDS"
exit $T_FAILED
