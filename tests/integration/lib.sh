# lib.sh - helpers for the integration tests (sourced, not run): TAP
# output, private nodes in a temporary run folder, waits with deadlines,
# and a cleanup that kills every process the test started (by pid) and
# removes the nodes' shared memory, even when the test fails.

set -u

TOP=${OUROBUS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${OUROBUS_BUILD:-$TOP/build}
IRMD=$BUILD/services/irm/ourobus-irmd
IRM=$BUILD/tools/irm/irm
PROG=$BUILD/tests/prog

T_RUN=$(mktemp -d /tmp/ourobus-it-XXXXXX)
chmod 0755 "$T_RUN"
export OUROBUS_RUN_DIR=$T_RUN/run
mkdir -p "$OUROBUS_RUN_DIR"

T_N=0
T_FAILED=0
T_PIDS=""
T_NODES=""

plan() { echo "1..$1"; }

ok() { # cond-exit-status message: returns the status, so 'ok ... || diag ...' works
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

is() { # got want message
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "  got: '$1', expected: '$2'"
	fi
}

diag() { echo "# $*" >&2; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# Remember a pid to kill at the end.
track() { T_PIDS="$T_PIDS $1"; }

cleanup() {
	# A failure shows the ends of the daemons' logs; OUROBUS_KEEP_LOGS=DIR
	# keeps them whole.
	if [ "$T_FAILED" -gt 0 ]; then
		for f in "$T_RUN"/*.log; do
			[ -f "$f" ] || continue
			diag "---- $(basename "$f") (last 40 lines)"
			tail -n 40 "$f" | sed 's/^/#   /' >&2
		done
	fi
	if [ -n "${OUROBUS_KEEP_LOGS:-}" ]; then
		mkdir -p "$OUROBUS_KEEP_LOGS" && cp "$T_RUN"/*.log "$T_RUN"/*.out "$OUROBUS_KEEP_LOGS"/ 2>/dev/null
	fi
	for p in $T_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		wait "$p" 2>/dev/null
	done
	for n in $T_NODES; do
		rm -f /dev/shm/ourobus.$n.* /dev/shm/ourobus.u*.$n.* 2>/dev/null
	done
	[ -n "${T_NETNS:-}" ] && netns_cleanup
	rm -rf "$T_RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait until a command succeeds, up to a deadline in ms. 0 or 1.
wait_until() { # ms command...
	ms=$1
	shift
	end=$(($(date +%s%N) / 1000000 + ms))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(($(date +%s%N) / 1000000))" -ge "$end" ] && return 1
		sleep 0.02
	done
	return 0
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Start the IRM daemon of a node; its log in $T_RUN/<node>.irmd.log. Sets
# IRMD_PID. Waits until it serves.
node_start() { # node [irmd options...]
	node=$1
	shift
	case " $T_NODES " in *" $node "*) ;; *) T_NODES="$T_NODES $node" ;; esac
	"$IRMD" --node "$node" "$@" >>"$T_RUN/$node.irmd.log" 2>&1 &
	IRMD_PID=$!
	track $IRMD_PID
	# A socket file may be left by a killed daemon: wait for this one's word.
	if ! wait_until 5000 grep -q "running (pid $IRMD_PID," "$T_RUN/$node.irmd.log"; then
		diag "irmd of $node did not start:"
		sed 's/^/#   /' "$T_RUN/$node.irmd.log" >&2
		return 1
	fi
	return 0
}

# Stop it (SIGTERM) and wait for it to exit.
node_stop() { # pid
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# A unique node name per test run.
node_name() { echo "t$$-$1"; }

# ---- network namespaces (root only) ----
#
# ns_new NAME: a namespace with its loopback up, removed at the end.
# veth_pair NS1 IF1 NS2 IF2: a veth pair between two namespaces, links up.
# in_ns NS command...: run a command inside a namespace.
# Names are made unique per test run by ns_name.

T_NETNS=""

ns_name() { echo "ob$$$1"; }

ns_new() {
	ip netns add "$1" || return 1
	T_NETNS="$T_NETNS $1"
	ip -n "$1" link set lo up
}

veth_pair() { # ns1 if1 ns2 if2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

in_ns() { # ns command...
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Start the IRM daemon of a node inside a namespace (as node_start does).
node_start_in() { # ns node [irmd options...]
	ns=$1
	node=$2
	shift 2
	case " $T_NODES " in *" $node "*) ;; *) T_NODES="$T_NODES $node" ;; esac
	ip netns exec "$ns" "$IRMD" --node "$node" "$@" >>"$T_RUN/$node.irmd.log" 2>&1 &
	IRMD_PID=$!
	track $IRMD_PID
	if ! wait_until 5000 grep -q "running (pid $IRMD_PID," "$T_RUN/$node.irmd.log"; then
		diag "irmd of $node did not start:"
		sed 's/^/#   /' "$T_RUN/$node.irmd.log" >&2
		return 1
	fi
	return 0
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
	command -v ip >/dev/null || skip_all "needs iproute2"
}

netns_cleanup() {
	for n in $T_NETNS; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
}
