#!/bin/sh
# unicast_ring.sh - a ring of six nodes and a link cut. Two unicast layers
# over the same udp4 shims, one routed with LFA (lfa.*) and one with plain
# link-state (simple.*), all six nodes in one network namespace of this
# test's own (so the cut, an nftables drop of the UDP packets between two
# nodes' shims, touches nothing else). oping runs from a to d (three hops
# either way round) in both layers while the link a's route uses is cut:
# the flows go on the other way round, within 1 s with LFA and 3 s with
# link-state, and come back when the link does.
#
#        a ---- b
#      /          \
#     f            c      udp4 shims on 127.0.0.1 in namespace obNNNring,
#      \          /       ports P..P+5; layers lfa and simple over them
#        e ---- d
. "$(dirname "$0")/lib.sh"
need_root
command -v nft >/dev/null || skip_all "needs nft"

ROUTING=$BUILD/services/routing/ourobus-routing
SHIM=$BUILD/services/shim-udp/ourobus-shim-udp
FA=$BUILD/services/fa/ourobus-fa
DIRD=$BUILD/services/directory/ourobus-directory
OPING=$BUILD/tools/oping/oping
for b in "$IRMD" "$IRM" "$SHIM" "$ROUTING" "$FA" "$DIRD" "$OPING"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 13

NS=$(ns_name ring)
trap 'netns_cleanup; cleanup' EXIT
ns_new "$NS" || { echo "Bail out! cannot make namespace $NS"; exit 1; }

NODES="a b c d e f"
BASE=$((41000 + $$ % 10000))
idx() { case $1 in a) echo 0 ;; b) echo 1 ;; c) echo 2 ;; d) echo 3 ;; e) echo 4 ;; f) echo 5 ;; esac; }
port_of() { echo $((BASE + $(idx "$1"))); }
right_of() { case $1 in a) echo b ;; b) echo c ;; c) echo d ;; d) echo e ;; e) echo f ;; f) echo a ;; esac; }
left_of() { case $1 in a) echo f ;; b) echo a ;; c) echo b ;; d) echo c ;; e) echo d ;; f) echo e ;; esac; }
node_of() { node_name "ring$1"; }
irm_x() { # x irm-args...
	x=$1
	shift
	in_ns "$NS" "$IRM" --node "$(node_of "$x")" "$@"
}
on_x() { # x command...
	x=$1
	shift
	in_ns "$NS" env OUROBUS_NODE="$(node_of "$x")" "$@"
}
operational() { # x ipcp
	irm_x "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n' | grep -q operational
}
routes() { echo "$OUROBUS_RUN_DIR/$(node_of "$1")/routing.$2.$1.routes"; } # x layer
addr_of() { awk '$1 == "address" { print $2 }' "$(routes "$1" "$2")" 2>/dev/null; } # x layer
# The next hop (a node letter) of x's route to y in layer l.
via() { # x y layer
	v=$(awk -v d="$(addr_of "$2" "$3")" '$1 == "route" && $2 == d { print $4 }' "$(routes "$1" "$3")" 2>/dev/null)
	for n in $NODES; do [ -n "$v" ] && [ "$(addr_of "$n" "$3")" = "$v" ] && echo "$n"; done
}
# Every node routes to every other one.
all_routes() { # layer
	for x in $NODES; do
		[ "$(grep -c '^route ' "$(routes "$x" "$1")" 2>/dev/null)" = 5 ] || return 1
	done
}
show() { sed 's/^/#   /' "$1" >&2; }
max_gap_ms() {
	grep 'bytes from' "$1" | sed 's/^\[\([0-9]*\)\.\([0-9]*\)\].*/\1\2/' |
		awk 'NR > 1 { g = ($1 - p) / 1000; if (g > m) m = g } { p = $1 } END { printf "%d\n", m }'
}
pongs() { sed -n 's/^\([0-9]*\) packets sent, \([0-9]*\) received.*/\1 \2/p' "$1"; }

# ---- six nodes, their shims, two layers -------------------------------------------
r=0
for x in $NODES; do
	node_start_in "$NS" "$(node_of "$x")" || r=1
	eval "IRMD_$x=$IRMD_PID"
done
for x in $NODES; do
	peers=""
	for y in $NODES; do
		[ "$y" = "$x" ] || peers="$peers peer lfa.$y=127.0.0.1:$(port_of "$y") peer simple.$y=127.0.0.1:$(port_of "$y")"
	done
	# shellcheck disable=SC2086
	irm_x "$x" ipcp bootstrap name "udp.$x" type udp4 layer lo ip 127.0.0.1 \
		port "$(port_of "$x")" $peers >"$T_RUN/boot.udp.$x.out" 2>&1 || { r=1; show "$T_RUN/boot.udp.$x.out"; }
done
ok $r "six nodes in namespace $NS, a udp4 shim each"

# Layer l (policy p): a bootstraps, the others enroll through their left
# neighbour and connect to it; f connects to a too, closing the ring.
layer_up() { # layer policy
	irm_x a ipcp bootstrap name "$1.a" type unicast layer "$1" routing "$2" ls_t_recalc 1 \
		>"$T_RUN/boot.$1.a.out" 2>&1 || { show "$T_RUN/boot.$1.a.out"; return 1; }
	for x in b c d e f; do
		l=$(left_of "$x")
		{ irm_x "$x" ipcp enroll name "$1.$x" layer "$1" dst "$1.$l" >"$T_RUN/enroll.$1.$x.out" 2>&1 &&
			wait_until 5000 operational "$x" "$1.$x" &&
			irm_x "$x" ipcp connect name "$1.$x" dst "$1.$l" >>"$T_RUN/enroll.$1.$x.out" 2>&1; } ||
			{ show "$T_RUN/enroll.$1.$x.out"; return 1; }
	done
	irm_x f ipcp connect name "$1.f" dst "$1.a" >>"$T_RUN/enroll.$1.f.out" 2>&1 ||
		{ show "$T_RUN/enroll.$1.f.out"; return 1; }
	wait_until 15000 all_routes "$1"
}

# The link between a and the next hop N of a's route to d: an nftables
# drop of the UDP packets between their shims, both ways.
cut() {
	in_ns "$NS" nft -f - <<EOF2
table inet ringcut {
	chain input {
		type filter hook input priority 0;
		udp sport $PA udp dport $PN drop
		udp sport $PN udp dport $PA drop
	}
}
EOF2
}

# One layer at a time (two unicast layers over the same shims would also
# find each other's names, and route around the cut through each other):
# the ring, oping from a to d across the cut, the link back, the layer
# destroyed. Six checks.
ring_run() { # layer policy limit-ms
	L=$1
	lim=$3
	layer_up "$L" "$2"
	ok $? "layer $L (routing $2): a ring of six, every node routes to every other"
	irm_x d bind program "$OPING" name "ping.$L" >"$T_RUN/reg.$L.log" 2>&1 &&
		irm_x d name register "ping.$L" layer "$L" >>"$T_RUN/reg.$L.log" 2>&1 &&
		wait_until 15000 sh -c "ip netns exec $NS env OUROBUS_NODE=$(node_of a) timeout 5 '$OPING' -n ping.$L -c 1 >/dev/null 2>&1"
	ok $? "ping.$L registered in layer $L on d, reached from a" || show "$T_RUN/reg.$L.log"
	N=$(via a d "$L")
	[ "$N" = b ] || [ "$N" = f ] || N=b
	PA=$(port_of a)
	PN=$(port_of "$N")
	M=b
	[ "$N" = b ] && M=f
	out="$T_RUN/cut.$L.out"
	on_x a "$OPING" -n "ping.$L" -d 6 -i 10 -D >"$out" 2>&1 &
	C=$!
	track $C
	wait_until 3000 grep -q 'bytes from' "$out"
	sleep 1
	cut || diag "nft failed"
	wait $C
	rc=$?
	set -- $(pongs "$out") 0 0
	gap=$(max_gap_ms "$out")
	[ $rc -eq 0 ] && [ "$2" -ge 300 ] && [ "$gap" -lt "$lim" ]
	ok $? "link a - $N cut: the flow in layer $L went on via $M within $lim ms (longest pause $gap ms; $2 of $1 pongs)" ||
		show "$out"
	wait_until 5000 sh -c "[ \"\$(awk -v d=$(addr_of d "$L") '\$1 == \"route\" && \$2 == d { print \$4 }' $(routes a "$L"))\" = $(addr_of "$M" "$L") ]"
	ok $? "a's table in layer $L goes to d via $M"
	in_ns "$NS" nft delete table inet ringcut
	wait_until 10000 sh -c "grep -q '^neighbours.* $(addr_of "$N" "$L")\\( \\|\$\\)' $(routes a "$L")"
	ok $? "the cut lifted: a's adjacency with $N in layer $L is up again"
	wait_until 10000 sh -c "ip netns exec $NS env OUROBUS_NODE=$(node_of a) timeout 5 '$OPING' -n ping.$L -c 1 >/dev/null 2>&1"
	on_x a timeout 10 "$OPING" -n "ping.$L" -c 20 -i 10 >"$T_RUN/after.$L.out" 2>&1 &&
		grep -q "^20 packets sent, 20 received" "$T_RUN/after.$L.out"
	ok $? "20 of 20 pongs after the link came back" || show "$T_RUN/after.$L.out"
	for x in $NODES; do
		irm_x "$x" ipcp destroy name "$L.$x" >/dev/null 2>&1
	done
}

ip netns exec "$NS" env OUROBUS_NODE="$(node_of d)" "$OPING" -l >"$T_RUN/oping-l.log" 2>&1 &
track $!
ring_run lfa lfa 1000
ring_run simple link-state 3000
exit $T_FAILED
