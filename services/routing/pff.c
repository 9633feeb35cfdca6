/* placeholder */
typedef int routing_placeholder_pff;
