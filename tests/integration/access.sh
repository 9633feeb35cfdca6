#!/bin/sh
# access.sh - a node run by root is open to root and the ourobus group only:
# its run folder, sockets and shm objects belong to the group; a user outside
# it gets a clear permission error (no crash, no half-made flow), a member is
# served.
#
#   root: ourobus-irmd, echo server      nobody (no group) --x--> refused
#                                        nobody + ourobus  ------> served
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (to run as another user)"
command -v setpriv >/dev/null || skip_all "needs setpriv (util-linux)"
plan 8

made_group=0
if ! getent group ourobus >/dev/null; then
	groupadd ourobus && made_group=1
fi
drop_group() { [ "$made_group" = 1 ] && groupdel ourobus 2>/dev/null; }
trap 'cleanup; drop_group' EXIT

node=$(node_name acc)
node_start "$node" || exit 1
export OUROBUS_NODE=$node
dir=$OUROBUS_RUN_DIR/$node

is "$(stat -c '%a %G' "$dir")" "770 ourobus" "the run folder is rwx for root and the ourobus group only"
is "$(stat -c '%a %G' "/dev/shm/ourobus.$node.pool")" "660 ourobus" "so is the packet pool"

"$PROG/flowtest" echo R >/dev/null 2>&1 &
ECHO=$!
track $ECHO
"$PROG/flowtest" bind $ECHO acc-echo

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_member() { setpriv --reuid=nobody --regid=nogroup --groups=ourobus "$@"; }

out=$(as_nobody env OUROBUS_RUN_DIR="$OUROBUS_RUN_DIR" OUROBUS_NODE="$node" \
	"$PROG/flowtest" ping acc-echo 1 2>&1)
rc=$?
is "$rc" 1 "a user outside the group: the call fails (exit 1, no crash)"
case "$out" in *"ping failed -13"*) r=0 ;; *) r=1 ;; esac
ok $r "with the permission error -EACCES ($out)"
grep -q "allocated" "$T_RUN/$node.irmd.log"
ok $((!$?)) "and no flow was made for it"

out=$(as_member env OUROBUS_RUN_DIR="$OUROBUS_RUN_DIR" OUROBUS_NODE="$node" \
	"$PROG/flowtest" ping acc-echo 50 2>&1)
ok $? "a member of the group is served ($out)"
ring=$(ls /dev/shm/ | grep "^ourobus\.$node\.evq\." | head -n 1)
[ -n "$ring" ] && [ "$(stat -c '%G' "/dev/shm/$ring")" = ourobus ]
ok $? "the shm objects made for its processes belong to the group too"
grep -q "process .* (flowtest) exited" "$T_RUN/$node.irmd.log"
ok $? "the member's process was announced and reaped like any other"
