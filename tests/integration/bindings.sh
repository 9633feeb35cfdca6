#!/bin/sh
# bindings.sh - N-to-M binding: several processes per name and several names
# per process, round-robin and spill-over load balancing, unbinding while
# flows run, and a program started on demand (auto-start).
#
#            +--> [ echo A ] --+
#   clients -+--> [ echo B ] --+-- bound to lb-rr (round-robin) and lb-spill
#            +--> [ echo C ] --+
#   [ stream ] --> [ sink ] (unbound mid-flow)      [ auto-started echo ]
. "$(dirname "$0")/lib.sh"

plan 13
node=$(node_name bind)
node_start "$node" || exit 1
export OUROBUS_NODE=$node
FT=$PROG/flowtest

"$FT" name lb-rr rr && "$FT" name lb-spill spill
ok $? "names lb-rr (round-robin) and lb-spill (spill-over)"
for t in A B C; do
	"$FT" echo $t >"$T_RUN/echo.$t" 2>&1 &
	eval "E$t=\$!"
	track $!
done
bound=0
for t in A B C; do
	eval "p=\$E$t"
	"$FT" bind "$p" lb-rr && "$FT" bind "$p" lb-spill && bound=$((bound + 1))
done
is "$bound" 3 "three servers, each bound to both names"

count() { grep -c "^accept $1" "$T_RUN/echo.$1" 2>/dev/null || echo 0; }

fails=0
for i in $(seq 30); do "$FT" ping lb-rr 1 >/dev/null 2>&1 || fails=$((fails + 1)); done
is "$fails" 0 "30 flows to lb-rr"
a=$(count A); b=$(count B); c=$(count C)
[ "$a" -ge 8 ] && [ "$a" -le 12 ] && [ "$b" -ge 8 ] && [ "$b" -le 12 ] && [ "$c" -ge 8 ] && [ "$c" -le 12 ]
ok $? "round-robin spreads them evenly: $a / $b / $c"

for i in $(seq 30); do "$FT" ping lb-spill 1 >/dev/null 2>&1 || fails=$((fails + 1)); done
is "$fails" 0 "30 flows to lb-spill"
a=$(($(count A) - a)); b=$(($(count B) - b)); c=$(($(count C) - c))
max=$a; [ "$b" -gt "$max" ] && max=$b; [ "$c" -gt "$max" ] && max=$c
[ "$max" -ge 24 ]
ok $? "spill-over keeps them on the server that is free: $a / $b / $c"

# Unbind while a flow runs: the flow goes on, new flows are refused.
"$FT" sink S >"$T_RUN/sink.out" 2>&1 &
SINK=$!
track $SINK
"$FT" bind $SINK live
"$FT" stream live 2 2000 >"$T_RUN/stream.out" 2>&1 &
STREAM=$!
track $STREAM
sleep 0.5
"$FT" unbind $SINK live
ok $? "unbind the sink while its flow runs"
"$FT" ping live 1 >/dev/null 2>&1
ok $((!$?)) "a new flow to the unbound name is refused"
wait $STREAM
wait_until 3000 grep -q "^sink S received" "$T_RUN/sink.out"
sent=$(awk '/stream sent/ {print $3}' "$T_RUN/stream.out")
got=$(awk '/^sink S received/ {print $4}' "$T_RUN/sink.out")
is "$got" "$sent" "the running flow was not disturbed ($sent packets)"
"$FT" bind $SINK live && "$FT" stream live 0.2 1000 >/dev/null 2>&1
ok $? "bound again, new flows come in"

# Auto-start: nothing runs for the name; the daemon starts the program. A
# copy under its own name, so that only the started process serves it.
cp "$FT" "$T_RUN/autoecho"
"$FT" bindprog "$T_RUN/autoecho" auto-echo auto -- echo AUTO
ok $? "bind program autoecho to auto-echo with auto-start"
"$FT" ping auto-echo 20 >"$T_RUN/auto.out" 2>&1
ok $? "a flow to auto-echo starts the program and is served: $(cat "$T_RUN/auto.out")"
for p in $(pgrep -f "autoecho echo AUTO"); do track "$p"; done
is "$(pgrep -fc "autoecho echo AUTO")" 1 "one instance was started"
