#!/bin/sh
# shim_eth.sh - the Ethernet shim between two nodes, each in its own network
# namespace, joined by a veth pair: oping and operf over DIX and LLC, an
# unknown name, 100 flows at once, malformed frames from outside, the link
# going down and up, a flood beside another flow, kill -9 of the shims.
#
#   netns A (node a)                                netns B (node b)
#   +-------------------------------+               +------------------------------+
#   | ourobus-irmd                  |               | ourobus-irmd                 |
#   | ourobus-shim-eth etha (DIX)   |  va ------ vb | ourobus-shim-eth ethb (DIX)  |
#   |   then lla (LLC)              |  veth pair    |   then llb (LLC)             |
#   | clients: oping, operf,        |               | servers: oping -l, operf -l, |
#   |   shimtest, flowtest stream   |               |   flowtest echo and sink     |
#   | eth_inject (raw frames)  ---->|               |                              |
#   +-------------------------------+               +------------------------------+
. "$(dirname "$0")/lib.sh"

need_root
SHIM=$BUILD/services/shim-eth/ourobus-shim-eth
OPING=$BUILD/tools/oping/oping
OPERF=$BUILD/tools/operf/operf
[ -x "$SHIM" ] || skip_all "ourobus-shim-eth is not built"

plan 38

NSA=$(ns_name a)
NSB=$(ns_name b)
NODEA=$(node_name a)
NODEB=$(node_name b)
ns_new "$NSA" && ns_new "$NSB" && veth_pair "$NSA" va "$NSB" vb
ok $? "two namespaces joined by a veth pair"
MACB=$(ip -n "$NSB" -br link show vb | awk '{print $3}')

node_start_in "$NSA" "$NODEA" && node_start_in "$NSB" "$NODEB"
ok $? "a node in each namespace"

# Run in a namespace as an application of its node. Clients in A end
# within 60 s whatever happens; "$ON_B cmd &" keeps a server's pid in $!
# (ip netns exec and env exec, no shell between) for irm bind.
ON_A="timeout -k 5 60 ip netns exec $NSA env OUROBUS_NODE=$NODEA"
ON_B="ip netns exec $NSB env OUROBUS_NODE=$NODEB"
irm_a() { OUROBUS_NODE=$NODEA "$IRM" "$@"; }
irm_b() { OUROBUS_NODE=$NODEB "$IRM" "$@"; }

# The pid of a shim from its lock file.
shim_pid() { # node ipcp
	cat "$OUROBUS_RUN_DIR/$1/shim-eth.$2.lock" 2>/dev/null
}

# The last value of a drop counter the shim logged: drops node ipcp key.
drops() {
	grep "shim-eth.$2@" "$T_RUN/$1.irmd.log" | grep 'dropped' | tail -n 1 |
		sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}

drops_at_least() { # node ipcp key n
	v=$(drops "$1" "$2" "$3")
	[ -n "$v" ] && [ "$v" -ge "$4" ]
}

# operf's summary says it lost at most 0.5% (an unreliable flow on a busy
# machine may lose a few to a scheduling hiccup).
little_loss() { # operf output
	sent=$(sed -n 's/^sent: *\([0-9]*\) packets.*/\1/p' "$1")
	lost=$(sed -n 's/^lost: *\([0-9]*\) packets.*/\1/p' "$1")
	[ -n "$sent" ] && [ -n "$lost" ] && [ "$sent" -gt 0 ] && [ $((lost * 200)) -le "$sent" ]
}

# A server in B bound to a name registered in a layer; sets SRV.
serve() { # name layer command...
	name=$1
	layer=$2
	shift 2
	$ON_B "$@" >>"$T_RUN/srv.$name.out" 2>&1 &
	SRV=$!
	track $SRV
	irm_b name create "$name" >/dev/null && irm_b bind process $SRV name "$name" >/dev/null &&
		irm_b name register "$name" layer "$layer" >/dev/null
}

# ---- DIX ----

if command -v setpriv >/dev/null; then
	setpriv --bounding-set -net_raw --inh-caps -net_raw \
		"$SHIM" --ipcp nocap --type eth-dix --node "$NODEA" >"$T_RUN/nocap.out" 2>&1
	[ $? -eq 1 ] && grep -q 'need CAP_NET_RAW' "$T_RUN/nocap.out"
	ok $? "without CAP_NET_RAW: $(head -n 1 "$T_RUN/nocap.out")"
else
	ok 0 "# SKIP no setpriv to drop CAP_NET_RAW"
fi

irm_a ipcp bootstrap name etha layer ethdix type eth-dix dev va >/dev/null &&
	irm_b ipcp bootstrap name ethb layer ethdix type eth-dix dev vb >/dev/null
ok $? "an eth-dix IPCP created and bootstrapped on each side"
irm_a ipcp list | grep etha | grep -q operational
ok $? "etha is operational in layer ethdix"

serve oping ethdix "$OPING" -l && serve operf ethdix "$OPERF" -l &&
	serve echo ethdix "$PROG/flowtest" echo && serve sink ethdix "$PROG/flowtest" sink &&
	serve lecho ethdix "$PROG/shimtest" echo
ok $? "servers in B, their names registered in ethdix"

$ON_A "$OPING" -n oping -c 20 -i 10ms >"$T_RUN/oping.dix" 2>&1
ok $? "oping over DIX"
grep -q '20 packets sent, 20 received' "$T_RUN/oping.dix"
ok $? "20 pings, 20 pongs ($(grep rtt "$T_RUN/oping.dix" | head -n 1))"

$ON_A "$OPERF" -n operf -d 3 -s 1400 -r 200M >"$T_RUN/operf.dix" 2>&1
ok $? "operf over DIX at 200 Mb/s"
little_loss "$T_RUN/operf.dix"
ok $? "all but 0.5% at most received: $(grep '^received' "$T_RUN/operf.dix")"
$ON_A "$OPERF" -n operf -d 3 -s 1400 -f >"$T_RUN/operf.flood" 2>&1
diag "DIX flood, 1400 B: $(grep '^received' "$T_RUN/operf.flood")"

t0=$(now_ms)
$ON_A "$OPING" -n nosuchname -c 1 >"$T_RUN/oping.noname" 2>&1
rc=$?
t1=$(now_ms)
[ $rc -ne 0 ] && grep -q "no such name 'nosuchname'" "$T_RUN/oping.noname"
ok $? "an unknown name fails with the name error"
[ $((t1 - t0)) -ge 1800 ] && [ $((t1 - t0)) -lt 5000 ]
ok $? "after the query's wait ($((t1 - t0)) ms)"

$ON_A "$PROG/shimtest" many echo 100 5 >"$T_RUN/many.dix" 2>&1
ok $? "100 flows at once over DIX"
is "$(grep '^many' "$T_RUN/many.dix")" "many allocated 100 echoed 100 of 100" \
	"each carried its 5 packets"

# Malformed frames to B's address, from A's interface:
#   ethertype | eid | length | payload ...
PIDB=$(shim_pid "$NODEB" ethb)
$ON_A "$PROG/eth_inject" va "$MACB" "a000 0001" 50 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "a000 0005 0fff 0102030405060708" 50 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "a000 7777 0004 deadbeef" 50 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" \
		"a000 0000 0027 $(printf '%074d' 0)0900" 50 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "a000 0000 0005 0102030405" 50 >/dev/null
ok $? "250 malformed DIX frames injected"
wait_until 3000 drops_at_least "$NODEB" ethb short 100 &&
	wait_until 3000 drops_at_least "$NODEB" ethb endpoint 50 &&
	wait_until 3000 drops_at_least "$NODEB" ethb mgmt 100
ok $? "dropped and counted: short=$(drops "$NODEB" ethb short) \
endpoint=$(drops "$NODEB" ethb endpoint) mgmt=$(drops "$NODEB" ethb mgmt)"
[ "$(shim_pid "$NODEB" ethb)" = "$PIDB" ] && kill -0 "$PIDB" &&
	$ON_A "$OPING" -n oping -c 5 -i 10ms >/dev/null 2>&1
ok $? "the shim runs on and carries pings"

# The link goes down and comes back.
$ON_A "$PROG/shimtest" link lecho >"$T_RUN/link.out" 2>&1 &
LNK=$!
track $LNK
wait_until 5000 grep -q '^up$' "$T_RUN/link.out"
ok $? "a flow pinged every 20 ms"
ip -n "$NSA" link set va down
wait_until 5000 grep -q '^down' "$T_RUN/link.out"
ok $? "va down: $(grep '^down' "$T_RUN/link.out")"
ip -n "$NSA" link set va up
wait_until 10000 grep -q '^up again' "$T_RUN/link.out"
ok $? "va up: FLOW_UP and the echoes come back"
wait $LNK
ok $? "no other error on the flow"

# A flood on one flow; another allocates and carries data meanwhile.
$ON_A "$PROG/flowtest" stream sink 5 0 >"$T_RUN/flood.out" 2>&1 &
FLD=$!
track $FLD
sleep 1
t0=$(now_ms)
$ON_A "$OPING" -n oping -c 20 -i 20ms >"$T_RUN/oping.flood" 2>&1
t1=$(now_ms)
got=$(sed -n 's/.* sent, \([0-9]*\) received.*/\1/p' "$T_RUN/oping.flood")
[ "${got:-0}" -ge 10 ]
ok $? "during a flood another flow allocates and carries data ($got/20 pongs, $((t1 - t0)) ms)"
wait $FLD
ok $? "the flood ends: $(cat "$T_RUN/flood.out")"
wait_until 5000 grep -q '^sink' "$T_RUN/srv.sink.out"
ok $? "its sink: $(grep '^sink' "$T_RUN/srv.sink.out" | tail -n 1)"
$ON_A "$OPING" -n oping -c 10 -i 10ms >"$T_RUN/oping.after" 2>&1 &&
	grep -q '10 packets sent, 10 received' "$T_RUN/oping.after"
ok $? "after the flood: 10 pings, 10 pongs"
diag "ethb $(grep 'shim-eth.ethb@' "$T_RUN/$NODEB.irmd.log" | grep dropped | tail -n 1 |
	sed 's/.*info: //')"

# kill -9 of each shim during a stream of 2000 packets/s.
sinks=$(grep -c '^sink' "$T_RUN/srv.sink.out")
$ON_A "$PROG/flowtest" stream sink 6 2000 >"$T_RUN/stream.out" 2>&1 &
STR=$!
track $STR
sleep 1.5
PIDB=$(shim_pid "$NODEB" ethb)
kill -9 "$PIDB"
wait_until 3000 sh -c "[ \"\$(cat $OUROBUS_RUN_DIR/$NODEB/shim-eth.ethb.lock)\" != $PIDB ]"
ok $? "the receiving shim killed with -9 and restarted by the IRM daemon"
sleep 1.5
PIDA=$(shim_pid "$NODEA" etha)
kill -9 "$PIDA"
wait_until 3000 sh -c "[ \"\$(cat $OUROBUS_RUN_DIR/$NODEA/shim-eth.etha.lock)\" != $PIDA ]"
ok $? "the sending shim killed with -9 and restarted"
wait $STR
ok $? "the stream ran to its end without an error: $(cat "$T_RUN/stream.out")"
wait_until 5000 sh -c "[ \$(grep -c '^sink' $T_RUN/srv.sink.out) -gt $sinks ]"
ok $? "the flow's end reached the sink through the restarted shims"
line=$(grep '^sink' "$T_RUN/srv.sink.out" | sed -n "$((sinks + 1))p")
gap=$(echo "$line" | sed -n 's/.*maxgap_ms \([0-9]*\).*/\1/p')
[ -n "$gap" ] && [ "$gap" -lt 1000 ]
ok $? "data again within 1 s: $line"

# ---- LLC ----

irm_a ipcp destroy name etha >/dev/null && irm_b ipcp destroy name ethb >/dev/null &&
	irm_a ipcp bootstrap name lla layer ethllc type eth-llc dev va >/dev/null &&
	irm_b ipcp bootstrap name llb layer ethllc type eth-llc dev vb >/dev/null
ok $? "the DIX IPCPs destroyed, an eth-llc IPCP bootstrapped on each side"
for n in oping operf echo; do
	irm_b name register $n layer ethllc >/dev/null || break
done
ok $? "the names registered in ethllc"

$ON_A "$OPING" -n oping -c 20 -i 10ms >"$T_RUN/oping.llc" 2>&1 &&
	grep -q '20 packets sent, 20 received' "$T_RUN/oping.llc"
ok $? "oping over LLC: 20 pongs ($(grep rtt "$T_RUN/oping.llc" | head -n 1))"
$ON_A "$OPERF" -n operf -d 3 -s 1400 -r 200M >"$T_RUN/operf.llc" 2>&1 &&
	little_loss "$T_RUN/operf.llc"
ok $? "operf over LLC at 200 Mb/s: $(grep '^received' "$T_RUN/operf.llc")"
$ON_A "$OPERF" -n operf -d 3 -s 1400 -f >"$T_RUN/operf.llcflood" 2>&1
diag "LLC flood, 1400 B: $(grep '^received' "$T_RUN/operf.llcflood")"
$ON_A "$PROG/shimtest" many echo 100 5 >"$T_RUN/many.llc" 2>&1
is "$(grep '^many' "$T_RUN/many.llc")" "many allocated 100 echoed 100 of 100" \
	"100 flows at once over LLC, one SAP pair"

# 802.3 length | DSAP | SSAP | control | eid | length | payload
$ON_A "$PROG/eth_inject" va "$MACB" "0026 4242 03 0000 0000 $(printf '%070d' 0)" 30 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "0010 a2a2 03 7777 0009 $(printf '%018d' 0)" 30 \
		>/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "0040 a2a2 03 0001 0001 00" 30 >/dev/null &&
	$ON_A "$PROG/eth_inject" va "$MACB" "002e a2a2 03 0000 0027 $(printf '%074d' 0)0700" 30 \
		>/dev/null
ok $? "120 malformed LLC frames injected (a BPDU's SAPs among them)"
wait_until 3000 drops_at_least "$NODEB" llb type 30 &&
	wait_until 3000 drops_at_least "$NODEB" llb endpoint 30 &&
	wait_until 3000 drops_at_least "$NODEB" llb short 30 &&
	wait_until 3000 drops_at_least "$NODEB" llb mgmt 30
ok $? "dropped and counted: type=$(drops "$NODEB" llb type) \
endpoint=$(drops "$NODEB" llb endpoint) short=$(drops "$NODEB" llb short) \
mgmt=$(drops "$NODEB" llb mgmt)"
$ON_A "$OPING" -n oping -c 5 -i 10ms >/dev/null 2>&1
ok $? "the LLC shim carries pings after them"
