/* placeholder */
typedef int routing_placeholder_ecn;
