#!/bin/sh
# unicast_many.sh - sixteen nodes in one unicast layer, a 4 x 4 grid over
# udp4 shims on 127.0.0.1 (no root): node 0 bootstraps layer net, the others
# enroll through a neighbour and connect to the nodes left of and above
# them. Every node runs an oping server under its own name (ping.K,
# registered in layer net); then every node resolves every other node's
# name through the directory (the DHT) and allocates a flow to it: 240
# flows, each answered with a pong.
#
#    0 -- 1 -- 2 -- 3
#    |    |    |    |
#    4 -- 5 -- 6 -- 7
#    |    |    |    |
#    8 -- 9 -- 10-- 11
#    |    |    |    |
#    12-- 13-- 14-- 15
. "$(dirname "$0")/lib.sh"

ROUTING=$BUILD/services/routing/ourobus-routing
SHIM=$BUILD/services/shim-udp/ourobus-shim-udp
FA=$BUILD/services/fa/ourobus-fa
DIRD=$BUILD/services/directory/ourobus-directory
OPING=$BUILD/tools/oping/oping
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING" "$FA" "$DIRD" "$OPING"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 6

N=16
NODES=$(seq 0 $((N - 1)))
BASE=$((42000 + $$ % 10000))
node_of() { node_name "m$1"; }
irm_x() { # k irm-args...
	k=$1
	shift
	"$IRM" --node "$(node_of "$k")" "$@"
}
on_x() { # k command...
	k=$1
	shift
	env OUROBUS_NODE="$(node_of "$k")" "$@"
}
operational() { # k ipcp
	irm_x "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n' | grep -q operational
}
routes() { echo "$OUROBUS_RUN_DIR/$(node_of "$1")/routing.net.$1.routes"; }
show() { sed 's/^/#   /' "$1" >&2; }
all_routes() {
	for k in $NODES; do
		[ "$(grep -c '^route ' "$(routes "$k")" 2>/dev/null)" = $((N - 1)) ] || return 1
	done
}

r=0
for k in $NODES; do
	node_start "$(node_of "$k")" || r=1
	eval "IRMD_$k=$IRMD_PID"
done
for k in $NODES; do
	peers=""
	for j in $NODES; do
		[ "$j" = "$k" ] || peers="$peers peer net.$j=127.0.0.1:$((BASE + j))"
	done
	# shellcheck disable=SC2086
	irm_x "$k" ipcp bootstrap name "udp.$k" type udp4 layer lo ip 127.0.0.1 \
		port $((BASE + k)) $peers >"$T_RUN/boot.udp.$k.out" 2>&1 || { r=1; show "$T_RUN/boot.udp.$k.out"; }
done
ok $r "sixteen nodes, a udp4 shim each"

t0=$(now_ms)
r=0
irm_x 0 ipcp bootstrap name net.0 type unicast layer net ls_t_recalc 1 >"$T_RUN/boot.net.0.out" 2>&1 ||
	{ r=1; show "$T_RUN/boot.net.0.out"; }
for k in $(seq 1 $((N - 1))); do
	if [ $((k % 4)) -ne 0 ]; then via=$((k - 1)); else via=$((k - 4)); fi
	{ irm_x "$k" ipcp enroll name "net.$k" layer net dst "net.$via" >"$T_RUN/enroll.$k.out" 2>&1 &&
		wait_until 5000 operational "$k" "net.$k"; } || { r=1; show "$T_RUN/enroll.$k.out"; }
	for j in $((k - 1)) $((k - 4)); do
		[ $j -ge 0 ] || continue
		[ $j -eq $((k - 1)) ] && [ $((k % 4)) -eq 0 ] && continue
		irm_x "$k" ipcp connect name "net.$k" dst "net.$j" >>"$T_RUN/enroll.$k.out" 2>&1 ||
			{ r=1; show "$T_RUN/enroll.$k.out"; }
	done
done
ok $r "fifteen nodes enroll and connect (24 adjacencies) in $(($(now_ms) - t0)) ms"
wait_until 20000 all_routes
ok $? "every node routes to the fifteen others"

r=0
for k in $NODES; do
	env OUROBUS_NODE="$(node_of "$k")" "$OPING" -l >"$T_RUN/oping-l.$k.log" 2>&1 &
	track $!
	{ irm_x "$k" bind program "$OPING" name "ping.$k" &&
		irm_x "$k" name register "ping.$k" layer net; } >>"$T_RUN/reg.log" 2>&1 || r=1
done
ok $r "an oping server on each node, ping.K registered in layer net" || show "$T_RUN/reg.log"

# Every node to every other: one pong each.
t0=$(now_ms)
fails=0
for k in $NODES; do
	for j in $NODES; do
		[ "$j" = "$k" ] && continue
		if ! on_x "$k" timeout 10 "$OPING" -n "ping.$j" -c 1 >"$T_RUN/p.$k.$j.out" 2>&1 ||
			! grep -q "^1 packets sent, 1 received" "$T_RUN/p.$k.$j.out"; then
			# The DHT may still be filling: one more try after a pause.
			sleep 1
			on_x "$k" timeout 10 "$OPING" -n "ping.$j" -c 1 >"$T_RUN/p.$k.$j.out" 2>&1 &&
				grep -q "^1 packets sent, 1 received" "$T_RUN/p.$k.$j.out" ||
				{ fails=$((fails + 1)); [ $fails -le 3 ] && show "$T_RUN/p.$k.$j.out"; }
		fi
	done
done
ms=$(($(now_ms) - t0))
[ $fails -eq 0 ]
ok $? "every node resolved every other node's name and got a pong: $((N * (N - 1) - fails)) of $((N * (N - 1))) flows, $ms ms"

PIDS=""
for k in $NODES; do
	PIDS="$PIDS $(irm_x "$k" ipcp list 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $1 }' | tr '\n' ' ')"
	PIDS="$PIDS $(pgrep -f "ourobus-(fa|directory) --node $(node_of "$k") " | tr '\n' ' ')"
done
for p in $PIDS; do track "$p"; done
for k in $NODES; do
	eval "node_stop \$IRMD_$k"
done
r=0
for k in $NODES; do
	"$IRMD" --wipe --node "$(node_of "$k")" 2>/dev/null || r=1
done
[ $r -eq 0 ] && wait_until 10000 sh -c "for p in $PIDS; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ok $? "ourobus-irmd --wipe stops every daemon of the sixteen nodes" ||
	diag "still running: $(for p in $PIDS; do kill -0 "$p" 2>/dev/null && ps -o pid=,args= -p "$p"; done)"
exit $T_FAILED
