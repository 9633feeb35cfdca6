/*
 * hash.h - the hash of a name in a layer (its directory's hash algorithm):
 * MD5 for UDP layers, SHA3 for the others.
 */
#ifndef OUROBUS_HASH_H
#define OUROBUS_HASH_H

#include <ourobus/irm.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_MAX 64 /* bytes of the longest hash (SHA3-512) */

/* Bytes of a hash of algo, or -EINVAL. */
int hash_len(enum dir_hash_algo algo);

/* Hash len bytes of data into out (HASH_MAX bytes): its length or -EINVAL. */
int hash_compute(enum dir_hash_algo algo, const void *data, size_t len, uint8_t *out);

/* The hash of a name (without its terminating NUL). */
int hash_name(enum dir_hash_algo algo, const char *name, uint8_t *out);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void hash_hex(const uint8_t *hash, size_t len, char *out);

#endif
