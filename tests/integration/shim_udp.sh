#!/bin/sh
# shim_udp.sh - UDP layers (IPv4 and IPv6) between two nodes in two network
# namespaces: oping and operf across both, names from the static map and
# from /etc/hosts, an unknown name, 100 flows at once, malformed datagrams
# from outside, a flood next to another flow, and kill -9 of each shim in
# the middle of a transfer.
#
#   netns A                                        netns B
#   +----------------------------------+           +----------------------------------+
#   | node a: ourobus-irmd             |           | node b: ourobus-irmd             |
#   |   shim-udp udp4.a 10.71.0.1:3435 |   veth    |   shim-udp udp4.b 10.71.0.2:3435 |
#   |   shim-udp udp6.a [fd71::1]:3435 |===========|   shim-udp udp6.b [fd71::2]:3435 |
#   |   clients: oping operf ocbr      | vA     vB |   servers: oping -l operf -l     |
#   |   python3: malformed datagrams   |           |            ocbr -l               |
#   +----------------------------------+           +----------------------------------+
#
#   layer udp4: peers ping4, perf4, cbr4 -> 10.71.0.2 (static map);
#               ping.hosts resolved through /etc/hosts (/etc/netns/A/hosts)
#   layer udp6: peers ping6, perf6 -> fd71::2; ping6.dns through the shim's
#               own DNS client, asking a python3 DNS server on [fd71::1]:53
. "$(dirname "$0")/lib.sh"

need_root
OPING=$BUILD/tools/oping/oping
OPERF=$BUILD/tools/operf/operf
OCBR=$BUILD/tools/ocbr/ocbr
SHIM=$BUILD/services/shim-udp/ourobus-shim-udp
for b in "$IRMD" "$IRM" "$OPING" "$OPERF" "$OCBR" "$SHIM"; do
	[ -x "$b" ] || skip_all "$b is not built"
done
command -v python3 >/dev/null || skip_all "needs python3 (to send malformed datagrams)"

plan 31

NSA=$(ns_name a)
NSB=$(ns_name b)
A=$(node_name a)
B=$(node_name b)
# ip netns exec mounts /etc/netns/NS/* over /etc: each side its own hosts
# and resolver (nothing answers on 127.0.0.1:53, so a look-up that reaches
# DNS fails at once).
trap 'rm -rf "/etc/netns/$NSA" "/etc/netns/$NSB"; cleanup' EXIT

md5() { printf %s "$1" | md5sum | cut -c1-32; }
show() { sed 's/^/#   /' "$1" >&2; }
irm_a() { in_ns "$NSA" "$IRM" --node "$A" "$@"; }
irm_b() { in_ns "$NSB" "$IRM" --node "$B" "$@"; }
on_a() { in_ns "$NSA" env OUROBUS_NODE="$A" "$@"; }
on_b() { in_ns "$NSB" env OUROBUS_NODE="$B" "$@"; }
# The pid of a node's shim (from irm ipcp list).
shim_pid() { # side ipcp
	"irm_$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n { print $1 }'
}
# Largest gap, in ms, between two pongs of an oping -D output.
max_gap_ms() {
	grep 'bytes from' "$1" | sed 's/^\[\([0-9]*\)\.\([0-9]*\)\].*/\1\2/' |
		awk 'NR > 1 { g = ($1 - p) / 1000; if (g > m) m = g } { p = $1 } END { printf "%d\n", m }'
}

for ns in "$NSA" "$NSB"; do
	mkdir -p "/etc/netns/$ns"
	echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$ns/hosts"
done
echo "10.71.0.2 $(md5 ping.hosts)" >>"/etc/netns/$NSA/hosts"

ns_new "$NSA" && ns_new "$NSB" && veth_pair "$NSA" vA "$NSB" vB &&
	ip -n "$NSA" addr add 10.71.0.1/24 dev vA && ip -n "$NSB" addr add 10.71.0.2/24 dev vB &&
	ip -n "$NSA" addr add fd71::1/64 dev vA nodad && ip -n "$NSB" addr add fd71::2/64 dev vB nodad
ok $? "two namespaces joined by a veth pair, IPv4 and IPv6 addresses"

node_start_in "$NSA" "$A" && node_start_in "$NSB" "$B"
ok $? "a node in each namespace"

# A DNS server for A's udp6 layer, on [fd71::1]:53: the AAAA record of
# md5(ping6.dns) is fd71::2; every other name does not exist.
in_ns "$NSA" python3 - "$(md5 ping6.dns)" >"$T_RUN/dns.log" 2>&1 <<'EOF' &
import socket, struct, sys
want = sys.argv[1].encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("fd71::1", 53))
print("serving", flush=True)
while True:
    q, peer = s.recvfrom(512)
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]])
        i += 1 + q[i]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    found = labels == [want] and qtype == 28
    flags = 0x8180 if found else 0x8183
    a = struct.pack(">HHHHHH", struct.unpack(">H", q[:2])[0], flags, 1, 1 if found else 0, 0, 0)
    a += question
    if found:
        a += b"\xc0\x0c" + struct.pack(">HHIH", 28, 1, 60, 16)
        a += socket.inet_pton(socket.AF_INET6, "fd71::2")
    s.sendto(a, peer)
    print("answered", labels[0].decode() if labels else "", found, flush=True)
EOF
track $!
wait_until 5000 grep -q serving "$T_RUN/dns.log" || diag "the DNS server did not start"

# ---- the layers ------------------------------------------------------------

r=0
irm_a ipcp bootstrap name udp4.a layer udp4 type udp4 ip 10.71.0.1 \
	peer ping4=10.71.0.2 peer perf4=10.71.0.2 peer cbr4=10.71.0.2 >"$T_RUN/boot.log" 2>&1 || r=1
irm_b ipcp bootstrap name udp4.b layer udp4 type udp4 ip 10.71.0.2 >>"$T_RUN/boot.log" 2>&1 || r=1
irm_a ipcp bootstrap name udp6.a layer udp6 type udp6 ip fd71::1 dns fd71::1 \
	peer ping6=fd71::2 peer perf6=[fd71::2]:3435 >>"$T_RUN/boot.log" 2>&1 || r=1
irm_b ipcp bootstrap name udp6.b layer udp6 type udp6 ip fd71::2 >>"$T_RUN/boot.log" 2>&1 || r=1
ok $r "irm ipcp bootstrap: udp4 and udp6 shims on both nodes, static peers on A, a DNS server for udp6"
[ $r -eq 0 ] || show "$T_RUN/boot.log"
irm_a ipcp list >"$T_RUN/list.a" 2>&1
[ "$(grep -c 'operational' "$T_RUN/list.a")" = 2 ]
ok $? "irm ipcp list on A: two operational IPCPs"
[ $? -eq 0 ] || show "$T_RUN/list.a"

on_b "$OPING" -l >"$T_RUN/oping-l.log" 2>&1 &
track $!
on_b "$OPERF" -l >"$T_RUN/operf-l.log" 2>&1 &
track $!
on_b "$OCBR" -l >"$T_RUN/ocbr-l.log" 2>&1 &
track $!
# By program: the pids above are those of the namespace wrappers.
r=0
for n in ping4 ping6 ping.hosts ping6.dns; do
	irm_b bind program "$OPING" name $n >>"$T_RUN/reg.log" 2>&1 || r=1
done
irm_b bind program "$OPERF" name perf4 >>"$T_RUN/reg.log" 2>&1 || r=1
irm_b bind program "$OPERF" name perf6 >>"$T_RUN/reg.log" 2>&1 || r=1
irm_b bind program "$OCBR" name cbr4 >>"$T_RUN/reg.log" 2>&1 || r=1
for n in ping4 perf4 cbr4 ping.hosts; do
	irm_b name register $n layer udp4 >>"$T_RUN/reg.log" 2>&1 || r=1
done
for n in ping6 perf6 ping6.dns; do
	irm_b name register $n layer udp6 >>"$T_RUN/reg.log" 2>&1 || r=1
done
ok $r "servers on B bound to their names; names registered with irm name register"
[ $r -eq 0 ] || show "$T_RUN/reg.log"

# ---- oping and operf over IPv4 and IPv6 -----------------------------------

for n in ping4 ping6 ping.hosts ping6.dns; do
	on_a timeout 20 "$OPING" -n $n -c 20 -i 10 >"$T_RUN/$n.out" 2>&1
	r=$?
	[ $r -eq 0 ] && grep -q "^20 packets sent, 20 received, 0% packet loss" "$T_RUN/$n.out"
	ok $? "oping -n $n: 20 of 20 pongs"
	[ $r -eq 0 ] || show "$T_RUN/$n.out"
done

for n in perf4 perf6; do
	on_a timeout 20 "$OPERF" -n $n -d 2 -s 1400 -r 200M >"$T_RUN/$n.out" 2>&1
	r=$?
	[ $r -eq 0 ] && grep -q "^received: *[1-9][0-9]* packets" "$T_RUN/$n.out"
	ok $? "operf -n $n -s 1400: $(grep '^received' "$T_RUN/$n.out")"
	[ $r -eq 0 ] || show "$T_RUN/$n.out"
done

on_a timeout 20 "$OPING" -n perf4 -c 1 -s 1469 >"$T_RUN/big.out" 2>&1
r=$?
on_a timeout 20 "$OPING" -n ping4 -c 3 -s 1468 -i 10 >"$T_RUN/max.out" 2>&1 &&
	grep -q "^3 packets sent, 3 received" "$T_RUN/max.out"
ok $? "a 1468-byte packet (the max SDU of a 1500-byte link) crosses"

# ---- an unknown name -------------------------------------------------------

t0=$(now_ms)
on_a timeout 20 "$OPING" -n no.such.name -c 1 >/dev/null 2>"$T_RUN/unknown.err"
r=$?
t1=$(now_ms)
[ $r -eq 1 ] && grep -qx "oping: no such name 'no.such.name'" "$T_RUN/unknown.err"
ok $? "an unknown name: 'no such name'"
[ $((t1 - t0)) -lt 2000 ]
ok $? "... within 2 s ($((t1 - t0)) ms)"

# ---- 100 flows at once -----------------------------------------------------

P=""
for i in $(seq 1 100); do
	on_a timeout 60 "$OPING" -n ping4 -c 5 -i 100 -Q >"$T_RUN/many.$i" 2>&1 &
	P="$P $!"
done
r=0
for p in $P; do
	wait "$p" || r=$((r + 1))
done
good=$(grep -l "^5 packets sent, 5 received" "$T_RUN"/many.* | wc -l)
[ "$good" -eq 100 ]
ok $? "100 concurrent flows: $good of 100 with all 5 pongs ($r failed)"
[ "$good" -eq 100 ] || for f in "$T_RUN"/many.*; do
	grep -q "5 received" "$f" || { show "$f"; break; }
done

# ---- malformed datagrams from outside --------------------------------------

SHIM4B=$(shim_pid b udp4.b)
in_ns "$NSA" python3 - <<'EOF' >"$T_RUN/inject.out" 2>&1
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.71.0.1", 40000))
to = ("10.71.0.2", 3435)
for i in range(5):
    s.sendto(b"\x00\x01", to)                                  # short
for i in range(7):
    s.sendto(struct.pack(">I", 0x7fff1234) + b"stray", to)     # unknown endpoint
for i in range(9):
    s.sendto(bytes(4) + bytes([0xab]) * 43, to)                # bad management
s.sendto(bytes(4) + bytes(40) + bytes([9, 0, 0]), to)          # unknown code
print("sent")
EOF
grep -q sent "$T_RUN/inject.out"
ok $? "22 malformed datagrams sent to B's udp4 shim from 10.71.0.1:40000"
wait_until 3000 grep -q "dropped 5 malformed datagrams from 10.71.0.1:40000 (shorter than an endpoint id)" "$T_RUN/$B.irmd.log"
ok $? "B logs: dropped 5 malformed datagrams from 10.71.0.1:40000 (shorter than an endpoint id)"
wait_until 3000 grep -q "dropped 7 malformed datagrams from 10.71.0.1:40000 (for an unknown endpoint id)" "$T_RUN/$B.irmd.log"
ok $? "... 7 for an unknown endpoint id"
wait_until 3000 grep -q "dropped 10 malformed datagrams from 10.71.0.1:40000 (a bad management message)" "$T_RUN/$B.irmd.log"
ok $? "... 10 bad management messages"
[ "$(shim_pid b udp4.b)" = "$SHIM4B" ] && kill -0 "$SHIM4B" 2>/dev/null &&
	on_a timeout 20 "$OPING" -n ping4 -c 5 -i 10 -Q >"$T_RUN/after.out" 2>&1 &&
	grep -q "^5 packets sent, 5 received" "$T_RUN/after.out"
ok $? "the shim still runs (same pid) and carries flows"

# ---- a flood next to another flow ------------------------------------------

on_a "$OCBR" -n cbr4 -f -d 5 -s 1400 >"$T_RUN/flood.out" 2>&1 &
FLOOD=$!
track $FLOOD
sleep 1
t0=$(now_ms)
on_a timeout 20 "$OPING" -n ping4 -c 20 -i 50 -D >"$T_RUN/beside.out" 2>&1
t1=$(now_ms)
got=$(grep -c 'bytes from' "$T_RUN/beside.out")
kill -0 $FLOOD 2>/dev/null
ok $? "the flood (ocbr -f, 1400 B) still runs while another flow is allocated"
[ "$got" -ge 10 ]
ok $? "... and that flow carries data: $got of 20 pongs (in $((t1 - t0)) ms)"
wait $FLOOD
r=$?
ok $r "ocbr -f ran its 5 s and ended normally"
# The server reports the flow when it sees its end, just after the client.
wait_until 5000 grep -q "ended" "$T_RUN/ocbr-l.log"
ok $? "the receiver saw the flood end: $(grep 'ended' "$T_RUN/ocbr-l.log" | tail -1)"
on_a timeout 20 "$OPING" -n ping4 -c 20 -i 10 -Q >"$T_RUN/after-flood.out" 2>&1 &&
	grep -q "^20 packets sent, 20 received, 0% packet loss" "$T_RUN/after-flood.out"
ok $? "after the flood: 20 of 20 pongs"

# ---- kill -9 of a shim in the middle of a transfer ------------------------

# Has the node a shim of that name with another pid than old?
restarted() { # side ipcp old
	p=$(shim_pid "$1" "$2")
	[ -n "$p" ] && [ "$p" != "$3" ]
}

# oping for 5 s, 10 ms apart; kill -9 of the shim after 1.5 s. Sets old,
# new, restarted (0 when a new shim came) and rc (oping's exit status).
kill_during_ping() { # side ipcp name
	old=$(shim_pid "$1" "$2")
	on_a "$OPING" -n "$3" -d 5 -i 10 -D >"$T_RUN/kill-$2.out" 2>&1 &
	C=$!
	track $C
	sleep 1.5
	kill -9 "$old"
	wait_until 5000 restarted "$1" "$2" "$old"
	restarted=$?
	wait $C
	rc=$?
	new=$(shim_pid "$1" "$2")
}

# "sent received" of an oping summary.
pongs() { sed -n 's/^\([0-9]*\) packets sent, \([0-9]*\) received.*/\1 \2/p' "$1"; }

kill_during_ping b udp4.b ping4
[ $restarted -eq 0 ] && [ -n "$new" ] && [ "$new" != "$old" ]
ok $? "B's udp4 shim killed with -9 during oping, restarted by the IRM daemon ($old -> $new)"
set -- $(pongs "$T_RUN/kill-udp4.b.out") 0 0
gap=$(max_gap_ms "$T_RUN/kill-udp4.b.out")
[ $rc -eq 0 ] && [ "$1" -ge 400 ] && [ $(($1 - $2)) -le 100 ] && [ "$gap" -lt 1000 ]
ok $? "... oping ran on without an error: $2 of $1 pongs, longest pause $gap ms"
[ $? -eq 0 ] || show "$T_RUN/kill-udp4.b.out"

kill_during_ping a udp6.a ping6
[ $restarted -eq 0 ] && [ -n "$new" ] && [ "$new" != "$old" ]
ok $? "A's udp6 shim killed with -9 during oping, restarted ($old -> $new)"
set -- $(pongs "$T_RUN/kill-udp6.a.out") 0 0
gap=$(max_gap_ms "$T_RUN/kill-udp6.a.out")
[ $rc -eq 0 ] && [ "$1" -ge 400 ] && [ $(($1 - $2)) -le 100 ] && [ "$gap" -lt 1000 ]
ok $? "... oping ran on without an error: $2 of $1 pongs, longest pause $gap ms"
[ $? -eq 0 ] || show "$T_RUN/kill-udp6.a.out"

on_a timeout 30 "$OPERF" -n perf4 -d 4 -s 1400 -r 20M >"$T_RUN/kill-perf.out" 2>&1 &
C=$!
track $C
sleep 1.5
old=$(shim_pid a udp4.a)
kill -9 "$old"
wait $C
ok $? "operf through A's udp4 shim killed with -9 ran to its end: $(grep '^received' "$T_RUN/kill-perf.out")"
[ "$(grep -c '^ *[0-9] s: sent' "$T_RUN/kill-perf.out")" -eq 4 ] &&
	! grep -q "^ *[2-4] s: .*; [a-z ]* [0-9]* packets, 0.00 Mb/s" "$T_RUN/kill-perf.out"
ok $? "... a progress line every second, and packets arrived in each"
[ $? -eq 0 ] || show "$T_RUN/kill-perf.out"
