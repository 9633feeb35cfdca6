/* placeholder */
typedef int routing_placeholder_graph;
