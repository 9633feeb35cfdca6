#!/bin/sh
# node_udp.sh - two nodes on this host, each made entirely by its node
# file: a udp4 shim IPCP on 127.0.0.1 (its own port), the names it
# registers, the static map to the other node's port, an auto-started echo
# server. No root, no namespaces. Flows cross from a to b; kill -9 of a's
# shim (started by irmd from the node file) mid-transfer: irmd restarts it,
# the flow carries data again and the client sees no error; SIGHUP with an
# IPCP dropped from the file destroys it.
#
#   node a (a.yaml)                          node b (b.yaml)
#   +------------------------------+         +------------------------------+
#   | ourobus-irmd                 |         | ourobus-irmd                 |
#   |   shim-udp udp.a             |  UDP    |   shim-udp udp.b             |
#   |   127.0.0.1:PA  peers:       |<=======>|   127.0.0.1:PB               |
#   |     nu-echo -> 127.0.0.1:PB  | loopback|   register: nu-echo          |
#   |   flowtest ping / pingfor    |         |   nu-echo: flowtest echo     |
#   +------------------------------+         |     (auto-started)           |
#                                            +------------------------------+
. "$(dirname "$0")/lib.sh"

SHIM=$BUILD/services/shim-udp/ourobus-shim-udp
for b in "$IRMD" "$IRM" "$SHIM" "$PROG/flowtest"; do
	[ -x "$b" ] || skip_all "$b is not built"
done

plan 13

A=$(node_name nua)
B=$(node_name nub)
# Two free UDP ports on the loopback, from this process's pid.
PA=$((20000 + $$ % 20000))
PB=$((PA + 1))
cp "$PROG/flowtest" "$T_RUN/nu-echo"

cat >"$T_RUN/b.yaml" <<YAML
pool: {size: 16MiB}
names:
  - name: nu-echo
    programs:
      - {path: $T_RUN/nu-echo, auto: true, args: [echo, B]}
ipcps:
  - name: udp.b
    type: udp4
    layer: nu
    bootstrap: true
    ip: 127.0.0.1
    port: $PB
    register: [nu-echo]
YAML
cat >"$T_RUN/a.yaml" <<YAML
pool: {size: 16MiB}
ipcps:
  - name: udp.a
    type: udp4
    layer: nu
    bootstrap: true
    ip: 127.0.0.1
    port: $PA
    peers:
      - {name: nu-echo, ip: 127.0.0.1, port: $PB}
  - name: spare.a
    type: udp4
    layer: nu2
    bootstrap: true
    ip: 127.0.0.1
    port: $((PB + 1))
YAML

irm_a() { "$IRM" --node "$A" "$@"; }
irm_b() { "$IRM" --node "$B" "$@"; }
shim_pid() { # node ipcp
	"$IRM" --node "$1" ipcp list 2>/dev/null | awk -v n="$2" '$2 == n { print $1 }'
}
up() { # node ipcp
	p=$(shim_pid "$1" "$2")
	[ -n "$p" ] && [ "$p" -gt 0 ] 2>/dev/null && kill -0 "$p" 2>/dev/null
}
ready() { # node ipcp
	up "$1" "$2" && "$IRM" --node "$1" ipcp list 2>/dev/null |
		awk -v n="$2" '$2 == n' | grep -q operational
}

node_start "$B" --config "$T_RUN/b.yaml" || exit 1
B_PID=$IRMD_PID
node_start "$A" --config "$T_RUN/a.yaml" || exit 1
A_PID=$IRMD_PID

wait_until 5000 ready "$B" udp.b && wait_until 5000 ready "$A" udp.a
ok $? "both nodes' shims are started, bootstrapped and operational from the node files"
irm_b ipcp list >"$T_RUN/list.b" 2>&1
grep udp.b "$T_RUN/list.b" | grep -q "udp4" && grep udp.b "$T_RUN/list.b" | grep -q " nu"
ok $? "irm ipcp list shows the type and the layer" || sed 's/^/#   /' "$T_RUN/list.b" >&2
wait_until 5000 sh -c "'$IRM' --node '$B' name list 2>/dev/null | grep -q nu-echo"
ok $? "the name of the file is known on b"

OUROBUS_NODE=$A "$PROG/flowtest" ping nu-echo 50 >"$T_RUN/ping.out" 2>&1
grep -q "^ping ok 50" "$T_RUN/ping.out"
ok $? "50 echoes from a to b over the UDP layer (b's server auto-started)" ||
	sed 's/^/#   /' "$T_RUN/ping.out" >&2

t0=$(now_ms)
OUROBUS_NODE=$A timeout 10 "$PROG/flowtest" alloc nu-nobody 5000 >"$T_RUN/unknown.out" 2>&1
t1=$(now_ms)
grep -q "alloc err" "$T_RUN/unknown.out" && [ $((t1 - t0)) -lt 3000 ]
ok $? "a name nobody has fails with an error in $((t1 - t0)) ms: $(cat "$T_RUN/unknown.out")"

# ---- kill -9 of a's shim in the middle of a transfer -----------------------
OUROBUS_NODE=$A "$PROG/flowtest" pingfor nu-echo 4 >"$T_RUN/pingfor.out" 2>&1 &
PINGFOR=$!
track $PINGFOR
sleep 1
OLD=$(shim_pid "$A" udp.a)
kill -9 "$OLD"
wait_until 5000 sh -c "p=\$('$IRM' --node '$A' ipcp list 2>/dev/null | awk '\$2 == \"udp.a\" { print \$1 }'); [ -n \"\$p\" ] && [ \"\$p\" != '$OLD' ] && [ \"\$p\" -gt 0 ] && kill -0 \"\$p\""
ok $? "irmd restarted the shim it started from the node file (pid $OLD -> $(shim_pid "$A" udp.a))"
wait $PINGFOR
rc=$?
ok $rc "the client saw no error across the restart"
read -r _ _ sent _ okn _ maxrtt <"$T_RUN/pingfor.out" || true
[ -n "$sent" ] && [ "$sent" = "$okn" ] && [ "$sent" -gt 100 ]
ok $? "every ping sent came back ($(cat "$T_RUN/pingfor.out"))"
[ -n "$maxrtt" ] && [ "$maxrtt" -lt 1000 ]
ok $? "the flow carried data again within 1 s (largest round trip $maxrtt ms)"
OUROBUS_NODE=$A "$PROG/flowtest" ping nu-echo 20 >"$T_RUN/ping2.out" 2>&1
grep -q "^ping ok 20" "$T_RUN/ping2.out"
ok $? "new flows allocate over the restarted shim"

# ---- reload: an IPCP dropped from the file is destroyed --------------------
SPARE=$(shim_pid "$A" spare.a)
sed -i '/- name: spare.a/,$d' "$T_RUN/a.yaml"
kill -HUP "$A_PID"
wait_until 5000 sh -c "! '$IRM' --node '$A' ipcp list 2>/dev/null | grep -q spare.a"
ok $? "SIGHUP without spare.a in the file destroys it"
wait_until 3000 sh -c "! kill -0 '$SPARE' 2>/dev/null" && up "$A" udp.a
ok $? "its process is gone ($SPARE) and udp.a still runs"

# ---- stop: the daemons, then --wipe stops the shims they left running -----
SHIMS="$(shim_pid "$A" udp.a) $(shim_pid "$B" udp.b)"
for p in $SHIMS $(pgrep -f "$T_RUN/nu-echo"); do track "$p"; done
node_stop "$A_PID"
node_stop "$B_PID"
"$IRMD" --wipe --node "$A" 2>/dev/null && "$IRMD" --wipe --node "$B" 2>/dev/null &&
	wait_until 3000 sh -c "for p in $SHIMS; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ok $? "ourobus-irmd --wipe stops the shims a stopped node left ($SHIMS)"

