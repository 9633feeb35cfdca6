#!/bin/sh
# node_file.sh - the node file and the irm command against a real daemon:
# broken files refuse the start (file:line:col) and change nothing; a good
# file makes names, policies, bindings and the pool's size; SIGHUP reloads
# (a broken file then changes nothing); bad irm input is a usage error that
# changes nothing, prefixes work, and the daemon's refusals are exit 1.
#
#   node.yaml --> ourobus-irmd <-- irm (CLI)
. "$(dirname "$0")/lib.sh"

plan 22
node=$(node_name nf)
T_NODES="$T_NODES $node"
export OUROBUS_NODE=$node
y=$T_RUN/node.yaml
log=$T_RUN/$node.irmd.log

bad() { # expected-message yaml
	printf '%s\n' "$2" >"$y"
	out=$("$IRMD" --node "$node" --config "$y" 2>&1)
	rc=$?
	case "$out" in *"$1"*) r=0 ;; *) r=1 ;; esac
	[ $rc -eq 2 ] && [ $r -eq 0 ]
	ok $? "a broken node file is refused: $out"
}
bad "node.yaml:2:5: unknown key 'nme'" "names:
  - nme: x"
bad "node.yaml:3:9: " "names:
  - name: x
    lb: sometimes"
bad "node.yaml:2:" "pool:
  size: lots"
[ ! -e "$OUROBUS_RUN_DIR/$node" ] && ! ls /dev/shm | grep -q "ourobus\.$node\."
ok $? "and nothing was made (no run folder, no shared memory)"

cp "$PROG/flowtest" "$T_RUN/fileecho"
cat >"$y" <<YAML
pool:
  size: 16MiB
names:
  - name: file-rr
  - name: file-spill
    lb: spillover
    programs:
      - path: $T_RUN/fileecho
        auto: true
        args: [echo, FILE]
YAML
node_start "$node" --config "$y" || exit 1
list=$("$IRM" name list)
case "$list" in *file-rr*round-robin*) r=0 ;; *) r=1 ;; esac
ok $r "names from the file, round-robin by default"
case "$list" in *file-spill*spill*) r=0 ;; *) r=1 ;; esac
ok $r "and one with spill-over"
case "$("$IRM" bind list)" in *file-spill*fileecho*) r=0 ;; *) r=1 ;; esac
ok $r "the program binding from the file"
size=$(stat -c %s "/dev/shm/ourobus.$node.pool")
[ "$size" -gt $((12 << 20)) ] && [ "$size" -lt $((20 << 20)) ]
ok $? "the pool has the file's size (about 16 MiB: $size bytes)"
"$PROG/flowtest" ping file-spill 10 >/dev/null 2>&1
ok $? "the auto-start binding from the file serves a flow"
for p in $(pgrep -f "fileecho echo FILE"); do track "$p"; done

# Reload: one name goes, another comes.
cat >"$y" <<YAML
pool:
  size: 16MiB
names:
  - name: file-new
YAML
kill -HUP "$IRMD_PID"
wait_until 2000 sh -c "'$IRM' name list | grep -q file-new"
ok $? "SIGHUP reloads the file: a new name"
list=$("$IRM" name list)
case "$list" in *file-rr*) r=1 ;; *) r=0 ;; esac
ok $r "and the names it no longer has are gone"
printf 'names:\n  - name: [broken\n' >"$y"
kill -HUP "$IRMD_PID"
wait_until 2000 grep -q "SIGHUP: .*nothing changed" "$log"
ok $? "a broken file at reload is reported with its place"
is "$("$IRM" name list)" "$list" "and nothing changed"

# The irm command.
before=$("$IRM" name list)
"$IRM" name creat 2>/dev/null
is $? 2 "irm with a missing argument: exit 2"
"$IRM" bogus 2>"$T_RUN/err"
is $? 2 "an unknown verb: exit 2"
grep -q "irm: " "$T_RUN/err"
ok $? "with one error line: $(head -n 1 "$T_RUN/err")"
"$IRM" ipcp d 2>"$T_RUN/err"
rc=$?
grep -q "ambiguous" "$T_RUN/err" && [ $rc -eq 2 ]
ok $? "an ambiguous prefix names the candidates: $(head -n 1 "$T_RUN/err")"
"$IRM" name create "" 2>/dev/null
is $? 2 "an empty name: usage error"
is "$("$IRM" name list)" "$before" "no bad input changed anything"
"$IRM" n c cli-made l spill
ok $? "prefixes: 'irm n c cli-made l spill' creates a name"
case "$("$IRM" n l)" in *cli-made*spill*) r=0 ;; *) r=1 ;; esac
ok $r "with spill-over"
"$IRM" name destroy no-such-name 2>"$T_RUN/err"
is $? 1 "the daemon refuses to destroy an unknown name: exit 1 ($(cat "$T_RUN/err"))"
