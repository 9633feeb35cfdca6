/*
 * dht_msg.h - the directory's DHT messages on the wire: a fixed header with
 * the sender's contact and the key, then addresses with their lifetimes and
 * contacts. Network byte order, hand-written codec; docs/directory.md.
 */
#ifndef OUROBUS_DHT_MSG_H
#define OUROBUS_DHT_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DHT_MSG_VERSION      1u
#define DHT_ID_MIN           16u /* bytes of a node id or key (a name hash) */
#define DHT_ID_MAX           64u
#define DHT_MSG_HDR          20u /* the header before the sender id and the key */
#define DHT_MSG_VALUE_LEN    12u /* address (8) and lifetime in seconds (4) */
#define DHT_MSG_MAX_VALUES   16u
#define DHT_MSG_MAX_CONTACTS 32u
#define DHT_MSG_MAX                                                                            \
    (DHT_MSG_HDR + 2 * DHT_ID_MAX + DHT_MSG_MAX_VALUES * DHT_MSG_VALUE_LEN +                   \
     DHT_MSG_MAX_CONTACTS * (8 + DHT_ID_MAX))

enum dht_msg_code {
    DHT_STORE = 1,          /* values to keep under key; no response */
    DHT_REMOVE = 2,         /* the sender unpublished these addresses of key */
    DHT_FIND_NODE_REQ = 3,  /* which contacts are closest to key? */
    DHT_FIND_NODE_RSP = 4,  /* contacts */
    DHT_FIND_VALUE_REQ = 5, /* the values of key, else closer contacts */
    DHT_FIND_VALUE_RSP = 6, /* values and contacts */
};

/* A node of the DHT: its id and its address in the layer. */
struct dht_contact {
    uint64_t addr;
    uint8_t id[DHT_ID_MAX];
};

/* A value: an address the key's name is reachable at, for ttl seconds. */
struct dht_value {
    uint64_t addr;
    uint32_t ttl;
};

/* A message, decoded. id_len bytes of src_id and key are meaningful. */
struct dht_msg {
    uint8_t code;
    uint32_t cookie; /* the request's transaction id, echoed in its response */
    uint64_t src_addr;
    size_t id_len;
    uint8_t src_id[DHT_ID_MAX];
    uint8_t key[DHT_ID_MAX];
    size_t n_values;
    struct dht_value values[DHT_MSG_MAX_VALUES];
    size_t n_contacts;
    struct dht_contact contacts[DHT_MSG_MAX_CONTACTS];
};

/* Bytes m takes on the wire. */
size_t dht_msg_len(const struct dht_msg *m);

/* Encode m into buf: the length written, -EINVAL if m breaks the rules
 * dht_msg_decode checks, -EMSGSIZE if len is short. */
int dht_msg_encode(const struct dht_msg *m, uint8_t *buf, size_t len);

/* Decode a whole message of a layer whose ids are id_len bytes: 0, or
 * -EBADMSG when its length, version, code, counts or fields break the
 * rules (docs/directory.md); -EINVAL if id_len is out of range. */
int dht_msg_decode(const uint8_t *buf, size_t len, size_t id_len, struct dht_msg *m);

/* "STORE", "FIND_NODE_REQ", ... */
const char *dht_msg_code_str(uint8_t code);

/* Whether code is a request that expects a response. */
int dht_msg_is_request(uint8_t code);

#endif
