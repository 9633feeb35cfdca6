/* placeholder */
typedef int routing_placeholder_enroll_msg;
