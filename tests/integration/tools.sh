#!/bin/sh
# tools.sh - oping, operf, oecho and ocbr end to end on one private node:
# servers bound to names, clients that allocate flows to them, and the
# outcomes the tools print (replies, loss, progress lines, summaries, the
# error texts and exit statuses).
#
#   +---------------------------- node t<pid>-tools -----------------------------+
#   |                                                                            |
#   |  oping -c 100 ........ flow ....> oping -l          name oping             |
#   |  oping x3 at once .... flows ...> oping -l --busy   name oping.busy (pid)  |
#   |  oping -f ............ flow ....> oping -l --poll   name oping.poll (pid)  |
#   |  operf -d 2 .......... flow ....> operf -l          name operf             |
#   |  oecho MESSAGE ....... flow ....> oecho -l          name oecho             |
#   |  ocbr -d 1 ........... flow ....> ocbr -l           name ocbr              |
#   |                                                                            |
#   |            ourobus-irmd: local flows, wired app to app                     |
#   +----------------------------------------------------------------------------+
#
# Everything runs in a temporary OUROBUS_RUN_DIR (lib.sh); its cleanup, on
# EXIT, kills every process the test started (by pid), removes the node's
# shared memory (/dev/shm/ourobus*<node>*) and the temporary folder.
. "$(dirname "$0")/lib.sh"

IRM=${OUROBUS_IRM:-$IRM}
OPING=$BUILD/tools/oping/oping
OPERF=$BUILD/tools/operf/operf
OECHO=$BUILD/tools/oecho/oecho
OCBR=$BUILD/tools/ocbr/ocbr

show() { # file: its lines as diagnostics
	sed 's/^/#   /' "$1" >&2
}

# Wait until a process has exited, for at most ms milliseconds.
wait_exit() { # ms pid
	wait_until "$1" sh -c "! kill -0 $2 2>/dev/null"
}

# Let a process accept the flows for a name: with the irm command when it
# is built, else with the tests' helper.
bind_process() { # pid name
	if [ -x "$IRM" ]; then
		"$IRM" --node "$NODE" bind process "$1" name "$2"
	else
		"$PROG/flowtest" bind "$1" "$2"
	fi
}

start_server() { # log command...: sets SRV
	log=$1
	shift
	"$@" >"$log" 2>&1 &
	SRV=$!
	track $SRV
}

for b in "$IRMD" "$OPING" "$OPERF" "$OECHO" "$OCBR"; do
	[ -x "$b" ] || skip_all "$b is not built"
done
[ -x "$IRM" ] || [ -x "$PROG/flowtest" ] || skip_all "neither irm nor tests/prog/flowtest is built"

plan 27

# ---- the node and its servers -------------------------------------------

NODE=$(node_name tools)
node_start "$NODE"
r=$?
ok $r "ourobus-irmd serves node $NODE"
[ $r -eq 0 ] || exit 1
export OUROBUS_NODE=$NODE

start_server "$T_RUN/oping.log" "$OPING" -l
OPING_SRV=$SRV
start_server "$T_RUN/oping-busy.log" "$OPING" -l --busy
BUSY_SRV=$SRV
start_server "$T_RUN/oping-poll.log" "$OPING" -l --poll
POLL_SRV=$SRV
start_server "$T_RUN/operf.log" "$OPERF" -l
OPERF_SRV=$SRV
start_server "$T_RUN/oecho.log" "$OECHO" -l
OECHO_SRV=$SRV
start_server "$T_RUN/ocbr.log" "$OCBR" -l -i 500ms
OCBR_SRV=$SRV
r=0
for l in oping oping-busy oping-poll operf oecho ocbr; do
	wait_until 5000 grep -q "server" "$T_RUN/$l.log" || { r=1; show "$T_RUN/$l.log"; }
done
ok $r "six servers started (their first line is out, even into a file)"

# With irm, the programs by path (so every oping process serves "oping"),
# and the --busy and --poll servers by pid; without, every server by pid.
r=0
if [ -x "$IRM" ]; then
	for t in oping operf oecho ocbr; do
		"$IRM" --node "$NODE" bind program "$BUILD/tools/$t/$t" name $t \
			>>"$T_RUN/bind.log" 2>&1 || r=1
	done
else
	bind_process $OPING_SRV oping >>"$T_RUN/bind.log" 2>&1 || r=1
	bind_process $OPERF_SRV operf >>"$T_RUN/bind.log" 2>&1 || r=1
	bind_process $OECHO_SRV oecho >>"$T_RUN/bind.log" 2>&1 || r=1
	bind_process $OCBR_SRV ocbr >>"$T_RUN/bind.log" 2>&1 || r=1
fi
bind_process $BUSY_SRV oping.busy >>"$T_RUN/bind.log" 2>&1 || r=1
bind_process $POLL_SRV oping.poll >>"$T_RUN/bind.log" 2>&1 || r=1
ok $r "the servers are bound to oping, operf, oecho, ocbr, oping.busy and oping.poll"
[ $r -eq 0 ] || show "$T_RUN/bind.log"

# ---- oping ----------------------------------------------------------------

timeout 30 "$OPING" -c 100 -i 0 >"$T_RUN/c1.out" 2>&1
r=$?
ok $r "oping -c 100 -i 0 exits 0"
grep -q "^100 packets sent, 100 received, 0% packet loss" "$T_RUN/c1.out"
ok $? "oping -c 100: 100 replies, 0 % loss"
[ "$(grep -c '^64 bytes from oping: seq=[0-9]* time=[0-9.]* ms$' "$T_RUN/c1.out")" = 100 ]
ok $? "oping -c 100: one line per pong"
grep -q "^rtt min/avg/max/mdev = [0-9.]*/[0-9.]*/[0-9.]*/[0-9.]* [mu]s$" "$T_RUN/c1.out" &&
	grep -q "^rtt p50/p99 = [0-9.]*/[0-9.]* [mu]s$" "$T_RUN/c1.out"
r=$?
ok $r "oping summary: min/avg/max/mdev and p50/p99"
[ $r -eq 0 ] || show "$T_RUN/c1.out"

timeout 30 "$OPING" -c 2000 -F -Q >"$T_RUN/c2.out" 2>&1 &&
	grep -q "^2000 packets sent, 2000 received, 0% packet loss" "$T_RUN/c2.out"
r=$?
ok $r "oping -F (flood, busy-polling): 2000 replies"
[ $r -eq 0 ] || show "$T_RUN/c2.out"

r=0
P=""
for i in 1 2 3; do
	timeout 30 "$OPING" -n oping.busy -c 500 -i 0 -Q >"$T_RUN/busy$i.out" 2>&1 &
	P="$P $!"
done
for p in $P; do
	wait "$p" || r=1
done
for i in 1 2 3; do
	grep -q "^500 packets sent, 500 received, 0% packet loss" "$T_RUN/busy$i.out" ||
		{ r=1; show "$T_RUN/busy$i.out"; }
done
ok $r "oping -l --busy answers three clients at once"
# The server reports a flow once it sees it end, just after its client exits.
wait_until 3000 sh -c "[ \$(grep -c 'closed after 500 pings' '$T_RUN/oping-busy.log') = 3 ]"
ok $? "the --busy server reports each of the three flows"

timeout 30 "$OPING" -n oping.poll -c 300 -f -Q >"$T_RUN/c3.out" 2>&1 &&
	grep -q "^300 packets sent, 300 received, 0% packet loss" "$T_RUN/c3.out"
r=$?
ok $r "oping -f against oping -l --poll: 300 replies"
[ $r -eq 0 ] || show "$T_RUN/c3.out"

"$OPING" -i 50 -D >"$T_RUN/c4.out" 2>&1 &
C=$!
track $C
wait_until 5000 sh -c "[ \$(grep -c 'bytes from' '$T_RUN/c4.out') -ge 3 ]"
kill -INT $C
wait_exit 5000 $C
wait $C
r=$?
[ $r -eq 0 ] && grep -q "packets sent, .* received" "$T_RUN/c4.out"
ok $? "oping interrupted by SIGINT prints its summary and exits 0"
grep -q '^\[[0-9]*\.[0-9]\{6\}\] 64 bytes from oping' "$T_RUN/c4.out"
ok $? "oping -D prefixes the time of day"

timeout 30 "$OPING" -n no.such.name -c 1 >"$T_RUN/c5.out" 2>"$T_RUN/c5.err"
r=$?
[ $r -eq 1 ] && grep -qx "oping: no such name 'no.such.name'" "$T_RUN/c5.err"
ok $? "an unknown name: 'no such name', exit status 1"
[ $r -eq 1 ] || { diag "exit $r"; show "$T_RUN/c5.err"; }

OUROBUS_NODE=$NODE-none timeout 30 "$OPING" -c 1 >/dev/null 2>"$T_RUN/c6.err"
r=$?
[ $r -eq 1 ] && grep -qx "oping: no IRM daemon for node '$NODE-none': start ourobus-irmd" \
	"$T_RUN/c6.err"
ok $? "a node without a daemon: 'no IRM daemon', exit status 1"
[ $r -eq 1 ] || show "$T_RUN/c6.err"

"$OPING" --bogus >/dev/null 2>"$T_RUN/c7.err"
r=$?
[ $r -eq 2 ] && grep -q "^usage: oping" "$T_RUN/c7.err"
ok $? "a bad option: a usage line on stderr, exit status 2"

# ---- operf ----------------------------------------------------------------

"$OPERF" -d 2 -r 10M >"$T_RUN/p1.out" 2>&1 &
C=$!
track $C
# Line-buffered into a file: the first second's line is there at once.
wait_until 1900 grep -q "^ *1 s: sent" "$T_RUN/p1.out" && kill -0 $C 2>/dev/null
ok $? "operf: the first progress line reaches a file while the test runs"
wait_exit 15000 $C
wait $C
ok $? "operf -d 2 exits 0"
[ "$(grep -c '^ *[0-9]* s: sent [0-9]* packets' "$T_RUN/p1.out")" = 2 ]
ok $? "operf -d 2: two progress lines"
grep -q "^sent: *[1-9][0-9]* packets" "$T_RUN/p1.out" &&
	grep -q "^received: *[1-9][0-9]* packets, [0-9]* bytes, [0-9.]* Mb/s (counted by the server)" \
		"$T_RUN/p1.out" &&
	grep -q "^lost: *0 packets" "$T_RUN/p1.out" &&
	grep -q "^per second: min [0-9.]* Mb/s, max [0-9.]* Mb/s" "$T_RUN/p1.out"
r=$?
ok $r "operf -d 2: a summary with data moved, no loss, per-second min and max"
[ $r -eq 0 ] || show "$T_RUN/p1.out"
wait_until 5000 grep -q "uni test, .* lost 0" "$T_RUN/operf.log"
ok $? "the operf server reports the flow when it ends"

timeout 30 "$OPERF" -t bi -f -d 1 -s 1400 >"$T_RUN/p2.out" 2>&1 &&
	grep -q "^received: *[1-9][0-9]* packets.*(echoed back)" "$T_RUN/p2.out" &&
	grep -q "^lost: *0 packets" "$T_RUN/p2.out"
r=$?
ok $r "operf -t bi -f: echoes come back, none lost"
[ $r -eq 0 ] || show "$T_RUN/p2.out"

# ---- oecho and ocbr ------------------------------------------------------------

out=$(timeout 30 "$OECHO" "hello from tools.sh" 2>"$T_RUN/e.err")
r=$?
[ $r -eq 0 ] && [ "$out" = "hello from tools.sh" ]
ok $? "oecho: the message comes back"
[ $r -eq 0 ] || show "$T_RUN/e.err"

timeout 30 "$OCBR" -d 1 -r 8M -s 1000 >"$T_RUN/b.out" 2>&1 &&
	grep -q "^ocbr: sent 1000 packets, 1000000 bytes" "$T_RUN/b.out"
r=$?
ok $r "ocbr -d 1 -r 8M -s 1000 sends 1000 packets"
[ $r -eq 0 ] || show "$T_RUN/b.out"
wait_until 5000 grep -q "ended (the peer is gone): 1000 packets, 1000000 bytes.*lost 0 (0%)" \
	"$T_RUN/ocbr.log"
r=$?
ok $r "the ocbr server counts them all, no loss, when the flow ends"
grep -q "^flow [0-9]*: *0\.[0-9]* s: [0-9]* packets, [0-9.]* packets/s, [0-9.]* Mb/s, lost 0" \
	"$T_RUN/ocbr.log"
ok $? "the ocbr server prints a line per interval"
[ $r -eq 0 ] || show "$T_RUN/ocbr.log"

# ---- the servers stop on SIGTERM --------------------------------------------

r=0
for p in $OPING_SRV $BUSY_SRV $POLL_SRV $OPERF_SRV $OECHO_SRV $OCBR_SRV; do
	kill -TERM "$p"
done
for p in $OPING_SRV $BUSY_SRV $POLL_SRV $OPERF_SRV $OECHO_SRV $OCBR_SRV; do
	wait_exit 5000 "$p" || r=1
	wait "$p" || r=1
done
ok $r "every server exits 0 on SIGTERM"
