/*
 * irm_usage.c - the help page of every level of the irm command, and the
 * words that name each level in messages.
 */
#include "irm_cmd.h"

#include <assert.h>

struct page {
    const char *words;
    const char *text;
};

#define TYPES "unicast, broadcast, local, udp4, udp6, eth-llc or eth-dix"

static const struct page pages[IRM_TOPIC_COUNT] = {
    [IRM_TOPIC_MAIN] =
        {"irm",
         "Usage: irm [--node NODE] COMMAND ...\n"
         "\n"
         "Steer the IRM daemon of a node: its IPCPs and layers, its names and who\n"
         "accepts flows for them.\n"
         "\n"
         "Commands:\n"
         "  ipcp create|destroy|bootstrap|enroll|connect|disconnect|list\n"
         "                        IPC processes and the layers they are members of\n"
         "  bind program|process|ipcp WHO name NAME\n"
         "                        let WHO accept the flows for NAME\n"
         "  unbind program|process|ipcp WHO [name NAME]\n"
         "  bind list             every binding\n"
         "  name create|destroy|register|unregister|list\n"
         "                        names, their load balancing and their layers\n"
         "  flow list             the flows of the node\n"
         "  proc list             the processes that use the node\n"
         "\n"
         "Options:\n"
         "  --node NODE           the node (default: $OUROBUS_NODE, else \"default\")\n"
         "  --help, -h            this page; 'irm COMMAND --help' or 'irm help COMMAND'\n"
         "                        for one command\n"
         "  --version             the version\n"
         "\n"
         "Every keyword may be cut to an unambiguous prefix: 'irm b prog oping n ping'\n"
         "is 'irm bind program oping name ping'.\n"
         "Exit status: 0 done, 1 refused by the daemon or failed, 2 usage error.\n"},
    [IRM_TOPIC_IPCP] =
        {"irm ipcp",
         "Usage: irm ipcp VERB ...\n"
         "\n"
         "  create      name NAME type TYPE\n"
         "  destroy     name NAME\n"
         "  bootstrap   name NAME layer LAYER [type TYPE] [PARAMETERS] [autobind]\n"
         "  enroll      name NAME [layer LAYER] [dst MEMBER] [type unicast|broadcast]\n"
         "              [autobind]\n"
         "  connect     name NAME dst MEMBER [component dt|mgmt] [qos QOS]\n"
         "  disconnect  name NAME dst MEMBER [component dt|mgmt]\n"
         "  list        [name PATTERN] [layer PATTERN] [type TYPE]\n"
         "\n"
         "TYPE is " TYPES ".\n"
         "'irm ipcp VERB --help' tells more.\n"},
    [IRM_TOPIC_IPCP_CREATE] =
        {"irm ipcp create",
         "Usage: irm ipcp create name NAME type TYPE\n"
         "\n"
         "Start an IPCP called NAME; the daemon waits until it runs. TYPE is\n" TYPES ".\n"
         "It is a member of no layer until it is bootstrapped or enrolled.\n"},
    [IRM_TOPIC_IPCP_DESTROY] = {"irm ipcp destroy",
                                "Usage: irm ipcp destroy name NAME\n"
                                "\n"
                                "Stop the IPCP called NAME and forget it.\n"},
    [IRM_TOPIC_IPCP_BOOTSTRAP] =
        {"irm ipcp bootstrap",
         "Usage: irm ipcp bootstrap name NAME layer LAYER [type TYPE] [PARAMETERS]\n"
         "                          [autobind]\n"
         "\n"
         "Make the IPCP NAME the first member of the layer LAYER. An IPCP that does\n"
         "not exist is created first (TYPE is then required; else it must be the\n"
         "IPCP's type), and destroyed again if the bootstrap fails. Parameters of\n"
         "each type, with their defaults:\n"
         "\n"
         "unicast\n"
         "  addr BYTES          address size: 1, 2, 4 or 8 (4)\n"
         "  eid BYTES           endpoint id size (8, the only one)\n"
         "  ttl N               maximum time to live, 1 to 255 (60)\n"
         "  addr_auth flat      address authority (flat)\n"
         "  routing POLICY      link-state, lfa or ecmp (link-state)\n"
         "  ls_t_recalc S       seconds between route calculations (4)\n"
         "  ls_t_update S       seconds between link-state updates (15)\n"
         "  ls_t_timeo S        seconds before a silent link is dropped (60)\n"
         "  congestion POLICY   mb-ecn or none (mb-ecn)\n"
         "  directory DHT       the name directory (DHT)\n"
         "  dht_alpha N         parallel DHT look-ups (3)\n"
         "  dht_k N             DHT bucket size (8)\n"
         "  dht_t_expire S      lifetime of a DHT entry (86400)\n"
         "  dht_t_refresh S     DHT bucket refresh period (900)\n"
         "  dht_t_replicate S   DHT replication period (900)\n"
         "  hash ALGORITHM      SHA3_224, SHA3_256, SHA3_384 or SHA3_512 (SHA3_256)\n"
         "  autobind            also bind the IPCP to its name and to LAYER, so\n"
         "                      others can enroll through it\n"
         "broadcast\n"
         "  autobind            as for unicast (names are hashed with SHA3_256)\n"
         "local\n"
         "  hash ALGORITHM      (SHA3_256)\n"
         "udp4, udp6\n"
         "  ip ADDRESS          the address to bind to (required)\n"
         "  port PORT           the UDP port, the same on every member (3435)\n"
         "  dns ADDRESS         a DNS server to ask for the names (none: the\n"
         "                      system's resolver, /etc/hosts first)\n"
         "  peer NAME=ADDRESS[:PORT]\n"
         "                      a name reached without DNS (repeatable; the port\n"
         "                      is the layer's unless given; NAME=[ADDRESS]:PORT\n"
         "                      for IPv6)\n"
         "                      (names are hashed with MD5, to fit a DNS label)\n"
         "eth-llc, eth-dix\n"
         "  device IFACE        the network interface (required)\n"
         "  hash ALGORITHM      (SHA3_256)\n"
         "eth-dix\n"
         "  ethertype TYPE      0x0600 to 0xffff, one layer per ethertype (0xa000)\n"
         "\n"
         "addr_size, eid_size and max_ttl (the node file's names) work too; the\n"
         "reference's link_state is link-state.\n"},
    [IRM_TOPIC_IPCP_ENROLL] =
        {"irm ipcp enroll",
         "Usage: irm ipcp enroll name NAME [layer LAYER] [dst MEMBER]\n"
         "                       [type unicast|broadcast] [autobind]\n"
         "\n"
         "Make the IPCP NAME a member of a layer by enrolling with MEMBER, an IPCP\n"
         "of that layer or the layer's name (the default: LAYER). An IPCP that does\n"
         "not exist is created first (type unicast unless given). With LAYER, the\n"
         "layer joined must be LAYER. autobind binds the IPCP to its name and to\n"
         "the layer afterwards.\n"},
    [IRM_TOPIC_IPCP_CONNECT] =
        {"irm ipcp connect",
         "Usage: irm ipcp connect name NAME dst MEMBER [component dt|mgmt] [qos QOS]\n"
         "\n"
         "Connect the unicast or broadcast IPCP NAME to MEMBER, another member of\n"
         "its layer: dt carries the layer's data, mgmt its management (routing and\n"
         "the directory). Without a component, both. QOS is raw, best, video, voice\n"
         "or data (raw) for the dt flow.\n"},
    [IRM_TOPIC_IPCP_DISCONNECT] =
        {"irm ipcp disconnect",
         "Usage: irm ipcp disconnect name NAME dst MEMBER [component dt|mgmt]\n"
         "\n"
         "Tear down a connection made by 'irm ipcp connect' (both components when\n"
         "none is given).\n"},
    [IRM_TOPIC_IPCP_LIST] =
        {"irm ipcp list",
         "Usage: irm ipcp list [name PATTERN] [layer PATTERN] [type TYPE]\n"
         "\n"
         "The IPCPs of the node: pid, name, type, layer and state, only those that\n"
         "match the filters (* and ? wildcards).\n"},
    [IRM_TOPIC_BIND] = {"irm bind",
                        "Usage: irm bind program PROGRAM name NAME [auto] [-- ARGS...]\n"
                        "       irm bind process PID name NAME\n"
                        "       irm bind ipcp IPCP name NAME\n"
                        "       irm bind list\n"
                        "\n"
                        "Let a program, a process or an IPCP accept the flows for NAME.\n"},
    [IRM_TOPIC_BIND_PROGRAM] =
        {"irm bind program",
         "Usage: irm bind program PROGRAM name NAME [auto] [-- ARGS...]\n"
         "\n"
         "Every process of PROGRAM (found in $PATH unless it is a path) accepts\n"
         "the flows for NAME once it calls flow_accept. With auto, the daemon\n"
         "starts PROGRAM with ARGS when a flow for NAME comes and no process\n"
         "accepts it. The name is created if it does not exist.\n"},
    [IRM_TOPIC_BIND_PROCESS] = {"irm bind process",
                                "Usage: irm bind process PID name NAME\n"
                                "\n"
                                "The running process PID accepts the flows for NAME.\n"},
    [IRM_TOPIC_BIND_IPCP] = {"irm bind ipcp",
                             "Usage: irm bind ipcp IPCP name NAME\n"
                             "\n"
                             "The IPCP called IPCP accepts the flows for NAME (e.g. to\n"
                             "let others enroll through it).\n"},
    [IRM_TOPIC_BIND_LIST] = {"irm bind list", "Usage: irm bind list\n"
                                              "\n"
                                              "Every binding: name, program or process, "
                                              "auto-start and its arguments.\n"},
    [IRM_TOPIC_UNBIND] = {"irm unbind", "Usage: irm unbind program PROGRAM [name NAME]\n"
                                        "       irm unbind process PID [name NAME]\n"
                                        "       irm unbind ipcp IPCP [name NAME]\n"
                                        "\n"
                                        "Undo a binding; without a name, every binding of "
                                        "that program,\nprocess or IPCP.\n"},
    [IRM_TOPIC_UNBIND_PROGRAM] = {"irm unbind program",
                                  "Usage: irm unbind program PROGRAM [name NAME]\n"
                                  "\n"
                                  "PROGRAM no longer accepts flows for NAME (for any name "
                                  "without one).\n"},
    [IRM_TOPIC_UNBIND_PROCESS] = {"irm unbind process",
                                  "Usage: irm unbind process PID [name NAME]\n"
                                  "\n"
                                  "The process PID no longer accepts flows for NAME (for "
                                  "any name without one).\n"},
    [IRM_TOPIC_UNBIND_IPCP] = {"irm unbind ipcp",
                               "Usage: irm unbind ipcp IPCP [name NAME]\n"
                               "\n"
                               "The IPCP no longer accepts flows for NAME (for any name "
                               "without one).\n"},
    [IRM_TOPIC_NAME] = {"irm name", "Usage: irm name VERB ...\n"
                                    "\n"
                                    "  create      NAME [lb round-robin|spillover]\n"
                                    "  destroy     NAME\n"
                                    "  register    NAME [ipcp IPCP]... [layer LAYER]...\n"
                                    "  unregister  NAME [ipcp IPCP]... [layer LAYER]...\n"
                                    "  list\n"},
    [IRM_TOPIC_NAME_CREATE] =
        {"irm name create",
         "Usage: irm name create NAME [lb round-robin|spillover]\n"
         "\n"
         "Create NAME. lb says which of the processes accepting NAME gets the next\n"
         "flow: round-robin the one waiting longest (the default), spillover the\n"
         "latest to accept. A name that exists takes the policy given.\n"},
    [IRM_TOPIC_NAME_DESTROY] = {"irm name destroy",
                                "Usage: irm name destroy NAME\n"
                                "\n"
                                "Forget NAME (its bindings and registrations with it).\n"},
    [IRM_TOPIC_NAME_REGISTER] =
        {"irm name register",
         "Usage: irm name register NAME [ipcp IPCP]... [layer LAYER]...\n"
         "\n"
         "Make NAME reachable through the IPCPs given by name and through every\n"
         "IPCP of the layers given (at least one; * and ? wildcards). NAME is\n"
         "created if it does not exist.\n"},
    [IRM_TOPIC_NAME_UNREGISTER] = {"irm name unregister",
                                   "Usage: irm name unregister NAME [ipcp IPCP]... [layer "
                                   "LAYER]...\n"
                                   "\n"
                                   "NAME is no longer reachable through those IPCPs.\n"},
    [IRM_TOPIC_NAME_LIST] = {"irm name list", "Usage: irm name list\n"
                                              "\n"
                                              "The names of the node and their load "
                                              "balancing.\n"},
    [IRM_TOPIC_FLOW] = {"irm flow", "Usage: irm flow list\n"
                                    "\n"
                                    "The flows of the node: id, name, both ends, state and "
                                    "packets queued\neach way.\n"},
    [IRM_TOPIC_PROC] = {"irm proc", "Usage: irm proc list\n"
                                    "\n"
                                    "The processes that use the node: pid, program, flows "
                                    "and names bound.\n"},
};

void irm_usage_print(enum irm_topic topic, FILE *out)
{
    assert((unsigned)topic < IRM_TOPIC_COUNT);

    fputs(pages[topic].text, out);
}

const char *irm_usage_words(enum irm_topic topic)
{
    assert((unsigned)topic < IRM_TOPIC_COUNT);

    return pages[topic].words;
}
