/*
 * irm_parse.h - the parsers of each verb group of the irm command (one
 * file each), called by irm_cmd_parse once the object word is read.
 */
#ifndef OUROBUS_IRM_PARSE_H
#define OUROBUS_IRM_PARSE_H

#include "irm_args.h"

/* irm ipcp <verb> ... (irm_ipcp.c; bootstrap's parameters in irm_boot.c) */
int irm_parse_ipcp(struct irm_args *a);

/* The keywords of irm ipcp bootstrap after "bootstrap". */
int irm_parse_bootstrap(struct irm_args *a);

/* irm bind|unbind <program|process|ipcp|list> ... (irm_bind.c) */
int irm_parse_bind(struct irm_args *a, bool unbind);

/* irm name <verb> ... (irm_name.c) */
int irm_parse_name(struct irm_args *a);

/* Enter topic: 1 if help was asked there (cmd->op is IRM_OP_HELP), else 0. */
int irm_parse_enter(struct irm_args *a, enum irm_topic topic);

/* At a keyword: is the next word --help, -h or help? Then cmd->op is
 * IRM_OP_HELP and the parser stops there. */
bool irm_parse_asks_help(struct irm_args *a);

/* The words are over: 0, or a usage error for the first one left. */
int irm_parse_end(struct irm_args *a);

/* A UDP layer's static peer, "NAME=ADDR[:PORT]" ("NAME=[ADDR]:PORT" for
 * IPv6), into *out for a layer of address family af (irm_peer.c). 0, or a
 * usage error. */
int irm_parse_peer(struct irm_args *a, const char *word, int af, struct udp_peer *out);

/* An IPCP type word into cmd->type. */
int irm_parse_type(struct irm_args *a, const char *kw, const char *word);

#endif
