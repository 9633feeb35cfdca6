/*
 * proto_version.c - the version of the control messages in proto/, checked
 * by the bus on every frame.
 */
int ourobus_proto_version(void);

int ourobus_proto_version(void)
{
    return 1;
}
