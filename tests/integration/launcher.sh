#!/bin/sh
# launcher.sh - ourobus up, status and down of deploy/examples/demo.yaml:
# three nodes as plain processes on this host (no root), oping across
# them, then nothing left (processes, run folders, shm objects); the same
# in network namespaces when run as root; a bad network file refused with
# its line and column, starting nothing.
#
#   as processes (no root)                  with --netns (root)
#   +----------+ +----------+ +----------+   ob-tP-a      ob-tP-sw      ob-tP-b ...
#   | tP-a     | | tP-b     | | tP-c     |   +--------+   +--------+   +--------+
#   | udp4 :PA | | udp4 :PB | | udp4 :PC |   | l0     |---| br-l0  |---| l0     |
#   |          | | oping -l | | oping -l |   | .1.1   |   |        |   | .1.2   |
#   |          | | operf -l | |          |   +--------+   +--------+   +--------+
#   +----+-----+ +----+-----+ +----+-----+   (10.99.1.0/24, veth pairs)
#        +------------+------------+  127.0.0.1
#
#   the example's node names and ports are made unique for this run (tP-a,
#   PA = a port from the pid), its network name too (namespaces ob-tP-*);
#   then (root) an Ethernet segment: tP-ea and tP-eb on a bridge, eth-dix
. "$(dirname "$0")/lib.sh"

OURO=$BUILD/tools/ourobus/ourobus
OPING=$BUILD/tools/oping/oping
for b in "$OURO" "$IRMD" "$IRM" "$OPING" "$BUILD/tools/operf/operf" \
	"$BUILD/services/shim-udp/ourobus-shim-udp"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 29

P="t$$"
A=$P-a B=$P-b C=$P-c
T_NODES="$A $B $C $P-ea $P-eb"
PA=$((20000 + ($$ * 3) % 20000))
sed -e "s/demo-\([abc]\)/$P-\1/g" -e "s/^network: demo/network: $P/" \
	-e "s/port: 31301/port: $PA/" -e "s/port: 31302/port: $((PA + 1))/" \
	-e "s/port: 31303/port: $((PA + 2))/" \
	"$TOP/deploy/examples/demo.yaml" >"$T_RUN/demo.yaml"
NET=$T_RUN/demo.yaml

# On any exit: ourobus down (both ways), then lib.sh's cleanup by pid.
launcher_cleanup() {
	"$OURO" down -q "$NET" >/dev/null 2>&1
	"$OURO" down -q "$T_RUN/eth.yaml" >/dev/null 2>&1
	T_NETNS="ob-$P-$A ob-$P-$B ob-$P-$C ob-$P-sw ob-e$P-$P-ea ob-e$P-$P-eb ob-e$P-sw"
	[ "$(id -u)" = 0 ] || T_NETNS=""
	cleanup
}
trap launcher_cleanup EXIT

skip() { # message
	T_N=$((T_N + 1))
	echo "ok $T_N # skip $1"
}

# The pids ourobus recorded, and the IPCPs the nodes run.
pids_of_net() {
	for n in $A $B $C; do
		[ -f "$OUROBUS_RUN_DIR/$n/ourobus.state" ] &&
			awk '$1 == "proc" { print $2 }' "$OUROBUS_RUN_DIR/$n/ourobus.state"
		"$IRM" --node "$n" ipcp list 2>/dev/null | awk 'NR > 1 { print $1 }'
	done
}
none_alive() { # pids...
	for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0
}
nothing_left() { # what... : no run folder, no shm object of the nodes
	for n in $A $B $C; do
		[ -e "$OUROBUS_RUN_DIR/$n" ] && { diag "$OUROBUS_RUN_DIR/$n is left"; return 1; }
		ls /dev/shm/ourobus.$n.* /dev/shm/ourobus.u*.$n.* >/dev/null 2>&1 &&
			{ diag "shm objects of $n are left"; return 1; }
	done
	return 0
}
ping_ok() { # out-file : 5 sent, 5 back
	grep -q "5 packets sent, 5 received" "$1"
}

# ---- the command line ------------------------------------------------------
r=0
"$OURO" --help >/dev/null || r=1
for c in up down status check node-file; do
	"$OURO" "$c" --help | grep -q "^Usage: ourobus $c" || r=1
done
"$OURO" frob "$NET" >/dev/null 2>&1
[ $? = 2 ] || r=1
ok $r "--help at every level (ourobus and each command); an unknown command is exit 2"

# ---- a bad file starts nothing --------------------------------------------
sed "s/node: $P-c, port/node: $P-x, port/" "$NET" >"$T_RUN/bad.yaml"
"$OURO" up "$T_RUN/bad.yaml" >"$T_RUN/bad.out" 2>&1
rc=$?
line=$(grep -n "node: $P-x" "$T_RUN/bad.yaml" | cut -d: -f1)
grep -q "^$T_RUN/bad.yaml:$line:[0-9]*: unknown node '$P-x' in a link" "$T_RUN/bad.out" &&
	[ $rc = 2 ]
ok $? "a bad network file is refused with its line and column ($(head -c 160 "$T_RUN/bad.out"))"
nothing_left && ! pgrep -f "ourobus-irmd --node $P-" >/dev/null
ok $? "... and nothing is started"

# ---- as processes -----------------------------------------------------------
t0=$(now_ms)
timeout 60 "$OURO" up "$NET" >"$T_RUN/up.out" 2>&1
rc=$?
for p in $(pids_of_net); do track "$p"; done
ok $rc "ourobus up: 3 nodes as processes in $(($(now_ms) - t0)) ms" ||
	sed 's/^/#   /' "$T_RUN/up.out" >&2
grep -q "up: 3 nodes, 6 IPCPs operational, 4 programs" "$T_RUN/up.out"
ok $? "up says what it started" || sed 's/^/#   /' "$T_RUN/up.out" >&2

"$OURO" status "$NET" >"$T_RUN/status.out" 2>&1
rc=$?
n=$(grep -c "IPCPs (2 of 2 operational)" "$T_RUN/status.out")
[ $rc = 0 ] && [ "$n" = 3 ] && grep -q "^node $A:" "$T_RUN/status.out" &&
	grep -q "^node $B:" "$T_RUN/status.out" && grep -q "^node $C:" "$T_RUN/status.out"
ok $? "ourobus status: every node, every IPCP operational (exit $rc)" ||
	sed 's/^/#   /' "$T_RUN/status.out" >&2
grep -q "demo.$B  *udp4  *demo  *operational" "$T_RUN/status.out" &&
	grep -q "ping.b" "$T_RUN/status.out"
ok $? "status shows the IPCPs (irm ipcp list) and the names"

OUROBUS_NODE=$A timeout 20 "$OPING" -n ping.b -c 5 -i 50 >"$T_RUN/ping.b.out" 2>&1
ping_ok "$T_RUN/ping.b.out"
ok $? "oping from $A to ping.b on $B over the UDP layer" || sed 's/^/#   /' "$T_RUN/ping.b.out" >&2
OUROBUS_NODE=$A timeout 20 "$OPING" -n ping.c -c 5 -i 50 >"$T_RUN/ping.c.out" 2>&1
ping_ok "$T_RUN/ping.c.out"
ok $? "oping from $A to ping.c on $C" || sed 's/^/#   /' "$T_RUN/ping.c.out" >&2

"$OURO" up "$NET" >"$T_RUN/up2.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "node $A is already running" "$T_RUN/up2.out" &&
	"$OURO" status "$NET" >/dev/null 2>&1
ok $? "a second up is refused and leaves the network running"

PIDS=$(pids_of_net | tr '\n' ' ')
[ "$(echo $PIDS | wc -w)" = 13 ]
ok $? "13 processes: 3 irmd, 3 shims, 3 unicast IPCPs' routing, 4 servers ($PIDS)"
timeout 60 "$OURO" down "$NET" >"$T_RUN/down.out" 2>&1
ok $? "ourobus down" || sed 's/^/#   /' "$T_RUN/down.out" >&2
wait_until 3000 none_alive $PIDS
ok $? "no process is left"
nothing_left
ok $? "no run folder and no /dev/shm/ourobus.<node>.* object is left"
"$OURO" status "$NET" >"$T_RUN/status2.out" 2>&1
rc=$?
[ $rc = 1 ] && [ "$(grep -c 'not running' "$T_RUN/status2.out")" = 3 ]
ok $? "status after down: every node not running, exit 1"
"$OURO" down "$NET" >/dev/null 2>&1
ok $? "a second down is fine"

# ---- in network namespaces ----------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	"$OURO" up --netns "$NET" >"$T_RUN/netns.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "needs root" "$T_RUN/netns.out" && nothing_left
	ok $? "--netns without root: a clear error, nothing started"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "--netns needs root"; done
	exit 0
fi
"$OURO" status --netns "$NET" >/dev/null 2>&1
[ $? = 1 ]
ok $? "(root) status --netns of a network that is down: exit 1"

t0=$(now_ms)
timeout 60 "$OURO" up --netns "$NET" >"$T_RUN/upns.out" 2>&1
rc=$?
for p in $(pids_of_net); do track "$p"; done
ok $rc "ourobus up --netns in $(($(now_ms) - t0)) ms" || sed 's/^/#   /' "$T_RUN/upns.out" >&2
r=0
for n in $A $B $C sw; do ip netns list | grep -q "^ob-$P-$n\b" || r=1; done
ip -n "ob-$P-$B" addr show dev l0 | grep -q "inet 10.99.1.2/24" || r=1
ok $r "a namespace per node and the switch; $B has 10.99.1.2 on l0"
ip netns pids "ob-$P-$A" | grep -qx "$(awk '$4 == "irmd" { print $2 }' "$OUROBUS_RUN_DIR/$A/ourobus.state")"
ok $? "$A's irmd runs in its namespace"
"$OURO" status "$NET" >"$T_RUN/statusns.out" 2>&1
[ $? = 0 ] && [ "$(grep -c 'IPCPs (2 of 2 operational)' "$T_RUN/statusns.out")" = 3 ] &&
	grep -q "namespace ob-$P-$C" "$T_RUN/statusns.out"
ok $? "status: every IPCP operational, the namespaces named" ||
	sed 's/^/#   /' "$T_RUN/statusns.out" >&2
OUROBUS_NODE=$A timeout 20 ip netns exec "ob-$P-$A" "$OPING" -n ping.b -c 5 -i 50 \
	>"$T_RUN/pingns.out" 2>&1
ping_ok "$T_RUN/pingns.out"
ok $? "oping from $A to ping.b across the veths and the bridge" ||
	sed 's/^/#   /' "$T_RUN/pingns.out" >&2
PIDS=$(pids_of_net | tr '\n' ' ')
timeout 60 "$OURO" down --netns "$NET" >"$T_RUN/downns.out" 2>&1
ok $? "ourobus down --netns" || sed 's/^/#   /' "$T_RUN/downns.out" >&2
wait_until 3000 none_alive $PIDS
ok $? "no process is left ($PIDS)"
! ip netns list | grep -q "^ob-$P-"
ok $? "the namespaces are gone"
nothing_left
ok $? "no run folder and no shm object is left"

# ---- an Ethernet segment in namespaces (eth-dix over veths and a bridge) ----
cat >"$T_RUN/eth.yaml" <<YAML
network: e$P
nodes:
  - name: $P-ea
  - name: $P-eb
    programs:
      - {path: oping, args: [-l], bind: [ping.eb]}
segments:
  - {name: lan, nodes: [$P-ea, $P-eb]}
layers:
  - name: lan
    type: eth-dix
    segment: lan
    ethertype: 0xa0f1
    register: [{node: $P-eb, names: [ping.eb]}]
YAML
timeout 60 "$OURO" up --netns "$T_RUN/eth.yaml" >"$T_RUN/upeth.out" 2>&1
rc=$?
for p in $(awk '$1 == "proc" { print $2 }' "$OUROBUS_RUN_DIR"/$P-e?/ourobus.state 2>/dev/null); do
	track "$p"
done
ok $rc "ourobus up --netns of an eth-dix layer on a segment" || sed 's/^/#   /' "$T_RUN/upeth.out" >&2
OUROBUS_NODE=$P-ea timeout 20 ip netns exec "ob-e$P-$P-ea" "$OPING" -n ping.eb -c 5 -i 50 \
	>"$T_RUN/pingeth.out" 2>&1
ping_ok "$T_RUN/pingeth.out"
ok $? "oping over Ethernet frames between the namespaces" || sed 's/^/#   /' "$T_RUN/pingeth.out" >&2
timeout 60 "$OURO" down "$T_RUN/eth.yaml" >"$T_RUN/downeth.out" 2>&1 &&
	! ip netns list | grep -q "^ob-e$P-" && [ ! -e "$OUROBUS_RUN_DIR/$P-ea" ] &&
	[ ! -e "$OUROBUS_RUN_DIR/$P-eb" ]
ok $? "ourobus down (as root, no --netns needed): namespaces and run folders gone"
