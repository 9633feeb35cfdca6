#!/bin/sh
# ring.sh - the ring part of bench unicast (run by bench_unicast, or by
# hand): a ring of N nodes in one network namespace of its own, udp4 shims
# on its loopback, one unicast layer with routing POLICY. It measures
#   - the recovery after a link cut: oping from node 0 to the node opposite
#     at 100 pings/s, the link node 0's route uses dropped by nftables; the
#     figure is the longest pause between two pongs;
#   - with --dht, the directory: every node publishes a name, node 0 looks
#     each one up (first a lookup through the DHT, then the same query from
#     the directory's cache: the difference is the lookup) and its
#     directory's counters give the hops per lookup.
# Output, one line per figure:  figure NAME VALUE UNIT
#
#   bench/unicast/ring.sh BUILD_DIR N POLICY [--dht]
set -u
BUILD=$1
N=$2
POLICY=$3
DHT=${4:-}
export OUROBUS_BUILD=$BUILD
export OUROBUS_TOP
OUROBUS_TOP=$(cd "$(dirname "$0")/../.." && pwd)
# lib.sh speaks TAP; nothing here is a test, but its nodes, waits and
# cleanup are what a bench needs too.
. "$OUROBUS_TOP/tests/integration/lib.sh" >/dev/null
[ "$(id -u)" = 0 ] || { echo "ring.sh: needs root" >&2; exit 1; }
OPING=$BUILD/tools/oping/oping
DIRCALL=$BUILD/tests/prog/dir_call
NS=$(ns_name bring)
trap 'netns_cleanup; cleanup' EXIT
ns_new "$NS" || exit 1
BASE=$((46000 + $$ % 5000))
node_of() { node_name "br$1"; }
irm_k() { k=$1; shift; ip netns exec "$NS" "$IRM" --node "$(node_of "$k")" "$@"; }
operational() { irm_k "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n' | grep -q operational; }
routes() { echo "$OUROBUS_RUN_DIR/$(node_of "$1")/routing.r.$1.routes"; }
addr_of() { awk '$1 == "address" { print $2 }' "$(routes "$1")" 2>/dev/null; }
all_routes() {
	k=0
	while [ $k -lt "$N" ]; do
		[ "$(grep -c '^route ' "$(routes $k)" 2>/dev/null)" = $((N - 1)) ] || return 1
		k=$((k + 1))
	done
}
say() { echo "ring.sh: $*" >&2; }

say "a ring of $N nodes (routing $POLICY)"
k=0
while [ $k -lt "$N" ]; do
	if [ "$k" = 0 ]; then
		export OUROBUS_LOG=debug
		node_start_in "$NS" "$(node_of $k)" >/dev/null || exit 1
		unset OUROBUS_LOG
	else
		node_start_in "$NS" "$(node_of $k)" >/dev/null || exit 1
	fi
	peers=""
	for j in $(( (k + 1) % N )) $(( (k + N - 1) % N )); do
		peers="$peers peer r.$j=127.0.0.1:$((BASE + j))"
	done
	# shellcheck disable=SC2086
	irm_k $k ipcp bootstrap name "udp.$k" type udp4 layer lo ip 127.0.0.1 port $((BASE + k)) $peers \
		>/dev/null 2>&1 || { say "shim $k did not come up"; exit 1; }
	k=$((k + 1))
done
irm_k 0 ipcp bootstrap name r.0 type unicast layer r routing "$POLICY" ls_t_recalc 1 >/dev/null 2>&1 ||
	{ say "bootstrap failed"; exit 1; }
k=1
while [ $k -lt "$N" ]; do
	l=$((k - 1))
	irm_k $k ipcp enroll name "r.$k" layer r dst "r.$l" >/dev/null 2>&1 &&
		wait_until 5000 operational $k "r.$k" &&
		irm_k $k ipcp connect name "r.$k" dst "r.$l" >/dev/null 2>&1 || { say "node $k did not join"; exit 1; }
	k=$((k + 1))
done
irm_k $((N - 1)) ipcp connect name "r.$((N - 1))" dst r.0 >/dev/null 2>&1 || { say "the ring did not close"; exit 1; }
wait_until 60000 all_routes || { say "the routes did not converge"; exit 1; }

# ---- recovery after a link cut ----
D=$((N / 2))
ip netns exec "$NS" env OUROBUS_NODE="$(node_of $D)" "$OPING" -l >"$T_RUN/oping-l.log" 2>&1 &
track $!
irm_k $D bind program "$OPING" name ping.far >/dev/null 2>&1
irm_k $D name register ping.far layer r >/dev/null 2>&1
wait_until 30000 sh -c "ip netns exec $NS env OUROBUS_NODE=$(node_of 0) timeout 5 '$OPING' -n ping.far -c 1 >/dev/null 2>&1" ||
	{ say "no pong from node $D"; exit 1; }
via=$(awk -v d="$(addr_of $D)" '$1 == "route" && $2 == d { print $4 }' "$(routes 0)")
NB=1
[ "$via" = "$(addr_of $((N - 1)))" ] && NB=$((N - 1))
say "cutting the link 0 - $NB while oping runs from 0 to $D"
ip netns exec "$NS" env OUROBUS_NODE="$(node_of 0)" "$OPING" -n ping.far -d 5 -i 10 -D >"$T_RUN/cut.out" 2>&1 &
C=$!
track $C
wait_until 3000 grep -q 'bytes from' "$T_RUN/cut.out"
sleep 1
ip netns exec "$NS" nft -f - <<EOF2
table inet bcut {
	chain input {
		type filter hook input priority 0;
		udp sport $BASE udp dport $((BASE + NB)) drop
		udp sport $((BASE + NB)) udp dport $BASE drop
	}
}
EOF2
wait $C
gap=$(grep 'bytes from' "$T_RUN/cut.out" | sed 's/^\[\([0-9]*\)\.\([0-9]*\)\].*/\1\2/' |
	awk 'NR > 1 { g = ($1 - p) / 1000; if (g > m) m = g } { p = $1 } END { printf "%d\n", m }')
echo "figure recovery_ms $gap ms"

# ---- the directory ----
if [ "$DHT" = --dht ]; then
	say "every node publishes a name; node 0 looks each one up"
	k=1
	while [ $k -lt "$N" ]; do
		ip netns exec "$NS" "$DIRCALL" --node "$(node_of $k)" --ipcp "r.$k" reg "dht.$k" >/dev/null 2>&1
		k=$((k + 1))
	done
	sleep 2 # the STOREs travel; nothing to wait on but time
	: >"$T_RUN/lookups"
	k=1
	while [ $k -lt "$N" ]; do
		ip netns exec "$NS" "$DIRCALL" --node "$(node_of 0)" --ipcp r.0 query "dht.$k" 3000 \
			>>"$T_RUN/lookups" 2>/dev/null
		k=$((k + 1))
	done
	found=$(grep -c '^addrs' "$T_RUN/lookups")
	med=$(sed -n 's/.* us \([0-9]*\) cached_us \([0-9]*\)$/\1/p' "$T_RUN/lookups" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", v[int((NR + 1) / 2)] / 1e3; else print 0 }')
	cmed=$(sed -n 's/.* us \([0-9]*\) cached_us \([0-9]*\)$/\2/p' "$T_RUN/lookups" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.3f\n", v[int((NR + 1) / 2)] / 1e3; else print 0 }')
	echo "figure dht_lookup_ms $med ms"
	echo "figure dht_cached_ms $cmed ms"
	echo "figure dht_found $found names (of $((N - 1)))"
	[ "$found" -gt 0 ] || say "$(head -n 3 "$T_RUN/lookups")"
	wait_until 15000 grep -q "directory.r.0.*stats: .*queries [1-9]" "$T_RUN/$(node_of 0).irmd.log"
	line=$(grep "directory.r.0.*stats: " "$T_RUN/$(node_of 0).irmd.log" | tail -n 1)
	q=$(echo "$line" | sed -n 's/.* queries \([0-9]*\) (local \([0-9]*\), failed \([0-9]*\), hops \([0-9]*\) max \([0-9]*\)).*/\1 \2 \3 \4 \5/p')
	[ -n "$q" ] || say "no directory counters: $line"
	set -- $q 0 0 0 0 0
	net=$(($1 - $2 - $3))
	echo "figure dht_network_lookups $net lookups (of $1 queries; the rest from the own store)"
	[ $net -gt 0 ] && echo "figure dht_hops $(awk -v h="$4" -v n="$net" 'BEGIN { printf "%.2f", h / n }') hops (max $5)"
fi
exit 0
