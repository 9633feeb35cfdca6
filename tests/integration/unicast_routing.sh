#!/bin/sh
# unicast_routing.sh - a unicast layer "net" of four nodes in a line on this
# host, over udp4 shims on 127.0.0.1 ports (no root). a bootstraps the
# layer; b, c and d enroll through their left neighbour (b by the layer's
# name, c and d by the IPCP's) and connect to it. Every routes file must
# list every other node with the right next hop. kill -9 of b's routing:
# the IRM daemon restarts it, it comes back with its address, reconnects
# and the tables converge again. Disconnecting c from b: the withdrawal
# reaches a and d. Then three more nodes x - y - z (layer net2) set up
# entirely by their node files: bootstrap, enroll, connect.
#
#   node a           node b           node c           node d
#   +---------+      +---------+      +---------+      +---------+
#   | net.a   |<---->| net.b   |<---->| net.c   |<---->| net.d   |  layer net
#   |  (boot) |      | (enroll |      | (enroll |      | (enroll |  (ourobus-routing)
#   |         |      |  "net") |      |  net.b) |      |  net.c) |
#   | udp.a   |      | udp.b   |      | udp.c   |      | udp.d   |  udp4 shims,
#   | :PA     |      | :PB     |      | :PC     |      | :PD     |  127.0.0.1
#   +---------+      +---------+      +---------+      +---------+
#
# Each shim's static map names the other nodes' IPCPs (net.X -> 127.0.0.1:PX)
# and the layer ("net" -> the left neighbour): unicast_lib.sh sets them up.
. "$(dirname "$0")/lib.sh"

UL_TAG=ur
UL_PORT_BASE=$((20000 + $$ % 20000))
. "$(dirname "$0")/unicast_lib.sh"
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 29

# ---- four nodes, a udp4 shim each -----------------------------------------
line_shims
ok $? "four udp4 shims bootstrapped on 127.0.0.1:$PA..$PD"

# ---- the layer: a bootstraps, the others enroll and connect ----------------
irm_x a ipcp bootstrap name net.a type unicast layer net ls_t_recalc 1 \
	>"$T_RUN/boot.net.a.out" 2>&1
ok $? "a bootstraps layer net (ourobus-routing)" || diag "$(cat "$T_RUN/boot.net.a.out")"
wait_until 5000 test -s "$(routes a)"
ok $? "a wrote its routes file: address $(addr_of a)"

for x in b c d; do
	l=$(left_of "$x")
	dst=net.$l
	[ "$x" = b ] && dst=net
	irm_x "$x" ipcp enroll name "net.$x" layer net dst "$dst" >"$T_RUN/enroll.$x.out" 2>&1 &&
		wait_until 5000 operational "$x" "net.$x" && wait_until 5000 test -s "$(routes "$x")"
	ok $? "$x enrolls through $dst: address $(addr_of "$x")" || diag "$(cat "$T_RUN/enroll.$x.out")"
	irm_x "$x" ipcp connect name "net.$x" dst "net.$l" >"$T_RUN/connect.$x.out" 2>&1
	ok $? "$x connects to net.$l" || diag "$(cat "$T_RUN/connect.$x.out")"
done
n=$(for x in $NODES; do addr_of "$x"; done | sort -u | grep -c .)
is "$n" 4 "four distinct addresses"

wait_until 10000 line_ok
ok $? "every routes file lists every other node with the right next hop" || show_routes
grep -q "^neighbours $(addr_of a) $(addr_of c)$\|^neighbours $(addr_of c) $(addr_of a)$" "$(routes b)"
ok $? "b's neighbours are a and c"
route_is a d b && grep -q "^route $(addr_of d) via $(addr_of b) cost 3$" "$(routes a)"
ok $? "a reaches d in 3 hops via b"
ups=$(grep -c "routing.net.b.*adjacency up" "$T_RUN/$(node_of b).irmd.log")
irm_x b ipcp connect name net.b dst net.a >"$T_RUN/connect.again.out" 2>&1 && sleep 0.3 &&
	[ "$(grep -c "routing.net.b.*adjacency up" "$T_RUN/$(node_of b).irmd.log")" = "$ups" ]
ok $? "adjacencies are logged ($ups on b); connecting again changes nothing"

# ---- kill -9 of b's routing ------------------------------------------------
OLD=$(ipcp_pid b net.b)
ADDR_B=$(addr_of b)
rm -f "$(routes b)"
kill -9 "$OLD"
wait_until 5000 sh -c "p=\$('$IRM' --node '$(node_of b)' ipcp list 2>/dev/null | awk '\$2 == \"net.b\" { print \$1 }'); [ -n \"\$p\" ] && [ \"\$p\" != '$OLD' ] && [ \"\$p\" -gt 0 ] && kill -0 \"\$p\""
ok $? "the IRM daemon restarted b's routing (pid $OLD -> $(ipcp_pid b net.b))"
wait_until 5000 grep -q "routing.net.a.*adjacency down: neighbour $ADDR_B (the peer left)" "$T_RUN/$(node_of a).irmd.log"
ok $? "a saw its N-1 flow to b end with b's process (not a keepalive timeout)"
wait_until 5000 operational b net.b && wait_until 5000 test -s "$(routes b)"
ok $? "it bootstrapped again from the config the IRM daemon kept"
is "$(addr_of b)" "$ADDR_B" "with its address"
wait_until 20000 line_ok
ok $? "the tables converge again" || show_routes
grep -q "jumping past it\|adjacency up" "$T_RUN/$(node_of b).irmd.log"
ok $? "b re-made its adjacencies" || diag "$(grep routing "$T_RUN/$(node_of b).irmd.log" | tail -n 20)"

# ---- a link goes: the withdrawal reaches the far ends ----------------------
irm_x c ipcp disconnect name net.c dst net.b >"$T_RUN/disc.out" 2>&1
ok $? "c disconnects from b" || diag "$(cat "$T_RUN/disc.out")"
wait_until 5000 eval 'no_route a c && no_route a d'
ok $? "a no longer routes to c and d" || show_routes
wait_until 5000 eval 'no_route d a && no_route d b'
ok $? "d no longer routes to a and b" || show_routes
route_is a b b && route_is d c c
ok $? "a still reaches b, d still reaches c" || show_routes

# ---- a layer below that comes up later ------------------------------------
irm_x a ipcp bootstrap name udp2.a type udp4 layer lo2 ip 127.0.0.1 port $((PD + 1)) \
	>"$T_RUN/boot.udp2.a.out" 2>&1 &&
	wait_until 15000 grep -q "name net.a registered in IPCP udp2.a" "$T_RUN/$(node_of a).irmd.log" &&
	grep -q "name net registered in IPCP udp2.a" "$T_RUN/$(node_of a).irmd.log"
ok $? "a shim bootstrapped later gets a's IPCP name and layer name registered"

# ---- the same from node files: x - y - z, layer net2 ----------------------
#   x.yaml: udp.x + net2.x (bootstrap)
#   y.yaml: udp.y + net2.y (enroll: net2.x, connect: [net2.x])
#   z.yaml: udp.z + net2.z (enroll: net2.y, connect: [net2.y])
NF="x y z"
PX=$((PA + 10))
nf_port() { case $1 in x) echo $PX ;; y) echo $((PX + 1)) ;; z) echo $((PX + 2)) ;; esac; }
nf_node() { node_name "nf$1"; }
nf_routes() { echo "$OUROBUS_RUN_DIR/$(nf_node "$1")/routing.net2.$1.routes"; }
nf_addr() { awk '$1 == "address" { print $2 }' "$(nf_routes "$1")" 2>/dev/null; }
nf_route_is() { # x y z: x routes to y via z
	grep -q "^route $(nf_addr "$2") via $(nf_addr "$3") " "$(nf_routes "$1")"
}
nf_line_ok() {
	nf_route_is x y y && nf_route_is x z y && nf_route_is y x x && nf_route_is y z z &&
		nf_route_is z x y && nf_route_is z y y
}
for x in $NF; do
	{
		echo "ipcps:"
		echo "  - {name: udp.$x, type: udp4, layer: lo, bootstrap: true, ip: 127.0.0.1,"
		echo "     port: $(nf_port "$x"), peers: ["
		for y in $NF; do
			[ "$y" = "$x" ] || echo "       {name: net2.$y, ip: 127.0.0.1, port: $(nf_port "$y")},"
		done
		echo "     ]}"
		case $x in
		x) echo "  - {name: net2.x, type: unicast, layer: net2, bootstrap: true, ls_t_recalc: 1}" ;;
		y) echo "  - {name: net2.y, type: unicast, layer: net2, enroll: net2.x, connect: [{dst: net2.x}]}" ;;
		z) echo "  - {name: net2.z, type: unicast, layer: net2, enroll: net2.y, connect: [{dst: net2.y}]}" ;;
		esac
	} >"$T_RUN/$x.yaml"
done
r=0
for x in $NF; do
	node_start "$(nf_node "$x")" --config "$T_RUN/$x.yaml" || r=1
	eval "NFIRMD_$x=$IRMD_PID"
	wait_until 15000 test -s "$(nf_routes "$x")" || r=1
done
n=$(for x in $NF; do nf_addr "$x"; done | sort -u | grep -c .)
[ $r -eq 0 ] && [ "$n" = 3 ]
ok $? "three nodes from node files: net2.x bootstraps, net2.y and net2.z enroll ($n addresses)" ||
	diag "$(cat "$T_RUN/$(nf_node z).irmd.log" | tail -n 20)"
wait_until 10000 nf_line_ok
ok $? "and connect as the files say: x - y - z routes" ||
	for x in $NF; do sed 's/^/#   /' "$(nf_routes "$x")" >&2; done
grep -q "node file: IPCP net2.z is set up (layer net2, 0 names, 1 connections)" \
	"$T_RUN/$(nf_node z).irmd.log"
ok $? "z's IRM daemon says its node file's IPCP is set up"

# ---- stop: the daemons, then --wipe stops the IPCPs they left --------------
PIDS=""
for x in $NODES; do
	PIDS="$PIDS $(ipcp_pid "$x" "udp.$x") $(ipcp_pid "$x" "net.$x")"
done
PIDS="$PIDS $(ipcp_pid a udp2.a)"
for x in $NF; do
	PIDS="$PIDS $("$IRM" --node "$(nf_node "$x")" ipcp list 2>/dev/null |
		awk 'NR > 1 && $1 > 0 { printf "%s ", $1 }')"
done
for p in $PIDS; do track "$p"; done
for x in $NODES; do
	eval "node_stop \$IRMD_$x"
done
for x in $NF; do
	eval "node_stop \$NFIRMD_$x"
done
r=0
for x in $NODES; do
	"$IRMD" --wipe --node "$(node_of "$x")" 2>/dev/null || r=1
done
for x in $NF; do
	"$IRMD" --wipe --node "$(nf_node "$x")" 2>/dev/null || r=1
done
[ $r -eq 0 ] && wait_until 5000 sh -c "for p in $PIDS; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ok $? "ourobus-irmd --wipe stops every IPCP daemon ($PIDS)"
exit $T_FAILED
