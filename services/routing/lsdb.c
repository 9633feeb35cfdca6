/* placeholder */
typedef int routing_placeholder_lsdb;
