/*
 * args.h - parse the numbers of the tools' command lines: counts, sizes
 * (bytes, binary suffixes), rates (bit/s, SI suffixes) and durations.
 */
#ifndef OUROBUS_TOOLS_ARGS_H
#define OUROBUS_TOOLS_ARGS_H

#include "tool_time.h"

#include <stddef.h>
#include <stdint.h>

/* A decimal integer in [min, max]. 0, -EINVAL (not a number, trailing
 * text, sign) or -ERANGE (outside the bounds). */
int args_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A size in bytes: "1400", "64k" (x1024), "1M" (x1048576), in [min, max]. */
int args_parse_size(const char *s, size_t min, size_t max, size_t *out);

/* A rate in bit/s: "1000000", "1.5M", "100k", "2G", "1T", optionally
 * followed by "b/s" or "bps" ("10Mb/s"). Zero is -ERANGE. */
int args_parse_rate(const char *s, uint64_t *bps);

/* A duration: a number with an optional unit ns, us, ms, s, m or h
 * ("500ms", "1.5s", "2m"); a bare number is in units of unit_ns. At most
 * 100 days (-ERANGE beyond). */
int args_parse_duration(const char *s, uint64_t unit_ns, uint64_t *ns);

#endif
