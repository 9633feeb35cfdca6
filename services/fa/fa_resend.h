/*
 * fa_resend.h - messages the flow allocator sends again until told to
 * stop: a FLOW_REQ every 500 ms until its reply or its deadline, a
 * FLOW_DEALLOC twice more over a second. No clock, no I/O: the caller
 * says what time it is and sends what comes due.
 */
#ifndef OUROBUS_FA_RESEND_H
#define OUROBUS_FA_RESEND_H

#include <stddef.h>
#include <stdint.h>

#define FA_RESEND_LEN_MAX 256u /* a FLOW_REQ without a blob fits */

typedef void (*fa_resend_fn)(void *arg, uint64_t dst, const uint8_t *buf, size_t len);

struct fa_resend;

struct fa_resend *fa_resend_new(void);

/* Free the queue. NULLs *p; accepts NULL. */
void fa_resend_destroy(struct fa_resend **p);

/* Send buf (len bytes) to dst again at at, then every interval ns, count
 * times at most (0: no limit), never at or after until. key names it
 * (e.g. our eid): an earlier message of the same key is replaced.
 * 0, -EMSGSIZE, -EINVAL (interval 0), -ENOMEM. */
int fa_resend_add(struct fa_resend *q, uint64_t key, uint64_t dst, const uint8_t *buf,
                  size_t len, uint64_t at, uint64_t interval, uint32_t count, uint64_t until);

/* Stop resending the message of key: 0, or -ENOENT. */
int fa_resend_cancel(struct fa_resend *q, uint64_t key);

/* Call fn on every message due at now, then schedule its next send or
 * forget it (count reached, or the next would be at or after until): the
 * number sent. fn must not use the queue. */
size_t fa_resend_due(struct fa_resend *q, uint64_t now, fa_resend_fn fn, void *arg);

/* The earliest next send (UINT64_MAX: none). */
uint64_t fa_resend_next(const struct fa_resend *q);

size_t fa_resend_count(const struct fa_resend *q);

#endif
