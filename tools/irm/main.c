/*
 * main.c - the irm command: steer the IRM daemon of a node (irm_cmd.h).
 */
#include "irm_cmd.h"

int main(int argc, char **argv)
{
    return irm_main(argc, argv, stdout, stderr);
}
