# unicast_lib.sh - sourced by the tests of a unicast layer over a line of
# four nodes a - b - c - d on this host (unicast_routing.sh, unicast_dt.sh),
# after lib.sh. Set UL_TAG (the nodes' name prefix) and UL_PORT_BASE (the
# first of four udp ports on 127.0.0.1) first.
#
# Each node has a udp4 shim udp.X (layer lo) whose static map names the
# other nodes' IPCPs (net.Y -> 127.0.0.1:PY) and the layer ("net" -> the
# left neighbour); layer net's IPCP on node X is net.X.

ROUTING=$BUILD/services/routing/ourobus-routing
SHIM=$BUILD/services/shim-udp/ourobus-shim-udp

NODES="a b c d"
PA=$UL_PORT_BASE
PB=$((PA + 1))
PC=$((PA + 2))
PD=$((PA + 3))
port_of() { case $1 in a) echo $PA ;; b) echo $PB ;; c) echo $PC ;; d) echo $PD ;; esac; }
left_of() { case $1 in b) echo a ;; c) echo b ;; d) echo c ;; esac; }
node_of() { node_name "$UL_TAG$1"; }

irm_x() { # x irm-args...
	x=$1
	shift
	"$IRM" --node "$(node_of "$x")" "$@"
}
ipcp_pid() { # x ipcp
	irm_x "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n { print $1 }'
}
operational() { # x ipcp
	irm_x "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n' | grep -q operational
}
routes() { # x: the routes file of net.x
	echo "$OUROBUS_RUN_DIR/$(node_of "$1")/routing.net.$1.routes"
}
addr_of() { # x
	awk '$1 == "address" { print $2 }' "$(routes "$1")" 2>/dev/null
}
# Does x route to y via z?
route_is() { # x y z
	grep -q "^route $(addr_of "$2") via $(addr_of "$3") " "$(routes "$1")"
}
no_route() { # x y
	[ -f "$(routes "$1")" ] && ! grep -q "^route $(addr_of "$2") " "$(routes "$1")"
}
# The whole line's tables: a and b's left side via b and a, the rest to
# the right.
line_ok() {
	route_is a b b && route_is a c b && route_is a d b &&
		route_is b a a && route_is b c c && route_is b d c &&
		route_is c a b && route_is c b b && route_is c d d &&
		route_is d a c && route_is d b c && route_is d c c
}
show_routes() {
	for x in $NODES; do
		diag "routes of net.$x:"
		sed 's/^/#     /' "$(routes "$x")" >&2 2>/dev/null
	done
}

# Start the four nodes' IRM daemons (IRMD_a .. IRMD_d) and bootstrap their
# shims: 0 when all four are operational.
line_shims() {
	for x in $NODES; do
		node_start "$(node_of "$x")" || exit 1
		eval "IRMD_$x=$IRMD_PID"
	done
	for x in $NODES; do
		peers=""
		for y in $NODES; do
			[ "$y" = "$x" ] || peers="$peers peer net.$y=127.0.0.1:$(port_of "$y")"
		done
		l=$(left_of "$x")
		[ -n "$l" ] && peers="$peers peer net=127.0.0.1:$(port_of "$l")"
		# shellcheck disable=SC2086
		irm_x "$x" ipcp bootstrap name "udp.$x" type udp4 layer lo ip 127.0.0.1 \
			port "$(port_of "$x")" $peers >"$T_RUN/boot.udp.$x.out" 2>&1 ||
			diag "$(cat "$T_RUN/boot.udp.$x.out")"
	done
	r=0
	for x in $NODES; do operational "$x" "udp.$x" || r=1; done
	return $r
}

# Layer net over the shims: a bootstraps it, b, c and d enroll (b through
# the layer's name, the others through their left neighbour) and connect
# to their left neighbour; the tables converge. Three checks.
line_layer() {
	irm_x a ipcp bootstrap name net.a type unicast layer net ls_t_recalc 1 \
		>"$T_RUN/boot.net.a.out" 2>&1 && wait_until 5000 test -s "$(routes a)"
	ok $? "a bootstraps layer net" || diag "$(cat "$T_RUN/boot.net.a.out")"
	r=0
	for x in b c d; do
		l=$(left_of "$x")
		dst=net.$l
		[ "$x" = b ] && dst=net
		{ irm_x "$x" ipcp enroll name "net.$x" layer net dst "$dst" >"$T_RUN/enroll.$x.out" 2>&1 &&
			wait_until 5000 operational "$x" "net.$x" && wait_until 5000 test -s "$(routes "$x")" &&
			irm_x "$x" ipcp connect name "net.$x" dst "net.$l" >"$T_RUN/connect.$x.out" 2>&1; } ||
			{ r=1; diag "$x: $(cat "$T_RUN/enroll.$x.out" "$T_RUN/connect.$x.out" 2>/dev/null)"; }
	done
	ok $r "b, c and d enroll and connect to their left neighbour"
	wait_until 10000 line_ok
	ok $? "the routes converged: a reaches d via b" || show_routes
}
