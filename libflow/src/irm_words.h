/*
 * irm_words.h - the words of the management interface (IPCP types, policies,
 * hashes, components, QoS presets, log levels) shared by the irm command and
 * the node file, so both accept the same spellings.
 */
#ifndef OUROBUS_IRM_WORDS_H
#define OUROBUS_IRM_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* One spelling of a value. An alias (canonical false) is accepted but
 * never printed: e.g. the reference's "link_state" and "spill". */
struct irm_word {
    const char *word;
    int value;
    bool canonical;
};

/* X(word, value, canonical) lists, for tables built elsewhere (the node
 * file's libcyaml schema). */
#define IRM_WORD_ENTRY(w, v, c) {w, v, c},
#define IRM_WORDS_IPCP_TYPE(X)                                                                 \
    X("unicast", IPCP_UNICAST, true)                                                           \
    X("broadcast", IPCP_BROADCAST, true)                                                       \
    X("local", IPCP_LOCAL, true)                                                               \
    X("udp4", IPCP_UDP4, true)                                                                 \
    X("udp6", IPCP_UDP6, true)                                                                 \
    X("eth-llc", IPCP_ETH_LLC, true)                                                           \
    X("eth-dix", IPCP_ETH_DIX, true)

#define IRM_WORDS_LB(X)                                                                        \
    X("round-robin", LB_RR, true)                                                              \
    X("spillover", LB_SPILL, true)                                                             \
    X("spill", LB_SPILL, false)

#define IRM_WORDS_HASH(X)                                                                      \
    X("SHA3_224", DIR_HASH_SHA3_224, true)                                                     \
    X("SHA3_256", DIR_HASH_SHA3_256, true)                                                     \
    X("SHA3_384", DIR_HASH_SHA3_384, true)                                                     \
    X("SHA3_512", DIR_HASH_SHA3_512, true)                                                     \
    X("MD5", DIR_HASH_MD5, true)                                                               \
    X("sha3-224", DIR_HASH_SHA3_224, false)                                                    \
    X("sha3-256", DIR_HASH_SHA3_256, false)                                                    \
    X("sha3-384", DIR_HASH_SHA3_384, false)                                                    \
    X("sha3-512", DIR_HASH_SHA3_512, false)                                                    \
    X("md5", DIR_HASH_MD5, false)

#define IRM_WORDS_ROUTING(X)                                                                   \
    X("link-state", ROUTING_LINK_STATE, true)                                                  \
    X("lfa", ROUTING_LFA, true)                                                                \
    X("ecmp", ROUTING_ECMP, true)                                                              \
    X("link_state", ROUTING_LINK_STATE, false)

#define IRM_WORDS_CONG(X)                                                                      \
    X("mb-ecn", CA_MB_ECN, true)                                                               \
    X("none", CA_NONE, true)

#define IRM_WORDS_ADDR_AUTH(X) X("flat", ADDR_AUTH_FLAT, true)

/* The only directory a unicast layer has. */
#define IRM_WORDS_DIRECTORY(X) X("DHT", 0, true) X("dht", 0, false)

enum irm_component { IRM_COMP_ALL = 0, IRM_COMP_DT, IRM_COMP_MGMT };

#define IRM_WORDS_COMPONENT(X)                                                                 \
    X("dt", IRM_COMP_DT, true)                                                                 \
    X("mgmt", IRM_COMP_MGMT, true)                                                             \
    X("all", IRM_COMP_ALL, true)

enum irm_qos_preset {
    IRM_QOS_RAW = 0,
    IRM_QOS_BEST,
    IRM_QOS_VIDEO,
    IRM_QOS_VOICE,
    IRM_QOS_DATA,
};

#define IRM_WORDS_QOS(X)                                                                       \
    X("raw", IRM_QOS_RAW, true)                                                                \
    X("best", IRM_QOS_BEST, true)                                                              \
    X("video", IRM_QOS_VIDEO, true)                                                            \
    X("voice", IRM_QOS_VOICE, true)                                                            \
    X("data", IRM_QOS_DATA, true)

/* YAML booleans: the canonical words, then the ones also taken. */
#define IRM_WORDS_BOOL(X)                                                                      \
    X("true", 1, true)                                                                         \
    X("false", 0, true)                                                                        \
    X("yes", 1, false) X("no", 0, false) X("on", 1, false) X("off", 0, false)

#define IRM_WORDS_LOG_LEVEL(X)                                                                 \
    X("err", LOG_LVL_ERR, true)                                                                \
    X("warn", LOG_LVL_WARN, true)                                                              \
    X("info", LOG_LVL_INFO, true)                                                              \
    X("debug", LOG_LVL_DBG, true)                                                              \
    X("error", LOG_LVL_ERR, false)                                                             \
    X("warning", LOG_LVL_WARN, false)

/* The tables, each ended by a {NULL} entry. */
extern const struct irm_word irm_words_ipcp_type[];
extern const struct irm_word irm_words_lb[];
extern const struct irm_word irm_words_hash[];
extern const struct irm_word irm_words_routing[];
extern const struct irm_word irm_words_cong[];
extern const struct irm_word irm_words_addr_auth[];
extern const struct irm_word irm_words_component[];
extern const struct irm_word irm_words_qos[];

/* The value of word in table (exact match), or -1. */
int irm_word_value(const struct irm_word *table, const char *word);

/* The canonical word of value, or "?". */
const char *irm_word_name(const struct irm_word *table, int value);

/* "a, b or c": the canonical words, into buf. Returns buf. */
const char *irm_word_list(const struct irm_word *table, char *buf, size_t len);

#endif
