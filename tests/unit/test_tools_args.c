/*
 * test_tools_args.c - the tools' command-line numbers (counts, sizes, rates
 * with SI suffixes, durations with units, bad input), QoS preset names
 * and the error texts.
 */
#include "args.h"
#include "flow_error.h"
#include "qos_name.h"
#include "tap.h"

#include <ourobus/errno.h>

#include <errno.h>
#include <stdlib.h>

static void test_u64(void)
{
    uint64_t v = 7;

    is(args_parse_u64("100", 1, 1000, &v), 0, "u64: 100");
    is(v, 100, "u64: value 100");
    is(args_parse_u64("0", 1, 1000, &v), -ERANGE, "u64: below the minimum");
    is(args_parse_u64("1001", 1, 1000, &v), -ERANGE, "u64: above the maximum");
    is(args_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE, "u64: overflow");
    is(args_parse_u64("-1", 0, 1000, &v), -EINVAL, "u64: a sign is not a number");
    is(args_parse_u64("12x", 0, 1000, &v), -EINVAL, "u64: trailing text");
    is(args_parse_u64("", 0, 1000, &v), -EINVAL, "u64: empty");
    is(args_parse_u64("1.5", 0, 1000, &v), -EINVAL, "u64: no fraction");
    is(args_parse_u64(" 5", 0, 1000, &v), -EINVAL, "u64: no leading space");
    is(v, 100, "u64: failures leave the value alone");
}

static void test_size(void)
{
    size_t v = 0;

    is(args_parse_size("1400", 1, 1 << 20, &v), 0, "size: 1400");
    is(v, 1400, "size: value 1400");
    is(args_parse_size("64k", 1, 1 << 20, &v), 0, "size: 64k");
    is(v, 65536, "size: 64k is 65536");
    is(args_parse_size("1M", 1, 1 << 20, &v), 0, "size: 1M");
    is(v, 1048576, "size: 1M is 1048576");
    is(args_parse_size("1.5k", 1, 1 << 20, &v), 0, "size: 1.5k");
    is(v, 1536, "size: 1.5k is 1536");
    is(args_parse_size("2M", 1, 1 << 20, &v), -ERANGE, "size: above the maximum");
    is(args_parse_size("10", 24, 1 << 20, &v), -ERANGE, "size: below the minimum");
    is(args_parse_size("1.5", 1, 1 << 20, &v), -EINVAL, "size: a fraction of a byte");
    is(args_parse_size("12G", 1, 1 << 20, &v), -EINVAL, "size: unknown suffix");
    is(args_parse_size("k", 1, 1 << 20, &v), -EINVAL, "size: a suffix alone");
}

static void test_rate(void)
{
    uint64_t v = 0;

    is(args_parse_rate("1000000", &v), 0, "rate: plain");
    is(v, 1000000, "rate: 1000000 b/s");
    is(args_parse_rate("100k", &v), 0, "rate: k");
    is(v, 100000, "rate: 100k is 100000");
    is(args_parse_rate("100K", &v), 0, "rate: K");
    is(v, 100000, "rate: 100K is 100000");
    is(args_parse_rate("10M", &v), 0, "rate: M");
    is(v, 10000000, "rate: 10M is 10^7");
    is(args_parse_rate("1.5M", &v), 0, "rate: a fraction");
    is(v, 1500000, "rate: 1.5M is 1500000");
    is(args_parse_rate("2G", &v), 0, "rate: G");
    is(v, 2000000000ull, "rate: 2G is 2*10^9");
    is(args_parse_rate("1T", &v), 0, "rate: T");
    is(v, 1000000000000ull, "rate: 1T is 10^12");
    is(args_parse_rate("10Mb/s", &v), 0, "rate: with b/s");
    is(v, 10000000, "rate: 10Mb/s");
    is(args_parse_rate("64kbps", &v), 0, "rate: with bps");
    is(v, 64000, "rate: 64kbps");
    is(args_parse_rate("0", &v), -ERANGE, "rate: zero");
    is(args_parse_rate("0.0001", &v), -ERANGE, "rate: rounds to zero");
    is(args_parse_rate("-5M", &v), -EINVAL, "rate: negative");
    is(args_parse_rate("fast", &v), -EINVAL, "rate: not a number");
    is(args_parse_rate("10X", &v), -EINVAL, "rate: unknown suffix");
    is(args_parse_rate("10Mx", &v), -EINVAL, "rate: trailing text");
    is(args_parse_rate("1e6", &v), -EINVAL, "rate: no exponents");
    is(args_parse_rate("", &v), -EINVAL, "rate: empty");
    is(args_parse_rate("20000000T", &v), -ERANGE, "rate: overflow");
}

static void test_duration(void)
{
    uint64_t v = 0;

    is(args_parse_duration("60", NS_PER_S, &v), 0, "duration: bare number");
    is(v, 60 * NS_PER_S, "duration: 60 in seconds");
    is(args_parse_duration("250", NS_PER_MS, &v), 0, "duration: bare number in ms");
    is(v, 250 * NS_PER_MS, "duration: 250 ms");
    is(args_parse_duration("5s", NS_PER_MS, &v), 0, "duration: 5s");
    is(v, 5 * NS_PER_S, "duration: 5 s whatever the default unit");
    is(args_parse_duration("1.5s", NS_PER_S, &v), 0, "duration: 1.5s");
    is(v, 1500 * NS_PER_MS, "duration: 1.5 s");
    is(args_parse_duration("500ms", NS_PER_S, &v), 0, "duration: 500ms");
    is(v, 500 * NS_PER_MS, "duration: 500 ms");
    is(args_parse_duration("20us", NS_PER_S, &v), 0, "duration: us");
    is(v, 20 * NS_PER_US, "duration: 20 us");
    is(args_parse_duration("2m", NS_PER_S, &v), 0, "duration: minutes");
    is(v, 120 * NS_PER_S, "duration: 2 min");
    is(args_parse_duration("1h", NS_PER_S, &v), 0, "duration: hours");
    is(v, 3600 * NS_PER_S, "duration: 1 h");
    is(args_parse_duration("0", NS_PER_MS, &v), 0, "duration: zero is allowed");
    is(v, 0, "duration: 0");
    is(args_parse_duration("5x", NS_PER_S, &v), -EINVAL, "duration: unknown unit");
    is(args_parse_duration("-1", NS_PER_S, &v), -EINVAL, "duration: negative");
    is(args_parse_duration("s", NS_PER_S, &v), -EINVAL, "duration: a unit alone");
    is(args_parse_duration("101d", NS_PER_S, &v), -EINVAL, "duration: no days");
    is(args_parse_duration("2401h", NS_PER_S, &v), -ERANGE, "duration: over 100 days");
}

static void test_qos(void)
{
    qosspec_t qs = qos_raw;

    is(qos_spec_from_name("data", &qs), 0, "qos: data");
    ok(qs.loss == 0 && qs.in_order == 1, "qos: data is reliable and in order");
    is(qos_spec_from_name("voice", &qs), 0, "qos: voice");
    is(qs.delay, 50, "qos: voice delay 50 ms");
    is(qos_spec_from_name("best", &qs), 0, "qos: best");
    is(qs.in_order, 1, "qos: best effort is in order");
    is(qos_spec_from_name("video", &qs), 0, "qos: video");
    is(qos_spec_from_name("raw", &qs), 0, "qos: raw");
    is(qs.in_order, 0, "qos: raw is not in order");
    is(qos_spec_from_name("gold", &qs), -EINVAL, "qos: unknown name");
    is(qos_spec_from_name(NULL, &qs), -EINVAL, "qos: no name");
}

static void test_errors(void)
{
    char buf[160];

    unsetenv("OUROBUS_NODE");
    is_str(flow_error_alloc(-EIRMD, "oping", buf, sizeof(buf)),
           "no IRM daemon for node 'default': start ourobus-irmd", "error: no IRM daemon");
    setenv("OUROBUS_NODE", "n1", 1);
    is_str(flow_error_alloc(-EIRMD, "oping", buf, sizeof(buf)),
           "no IRM daemon for node 'n1': start ourobus-irmd", "error: names $OUROBUS_NODE");
    is_str(flow_error_accept(-EIRMD, buf, sizeof(buf)),
           "no IRM daemon for node 'n1': start ourobus-irmd", "error: accept without a daemon");
    is_str(flow_error_alloc(-ENAME, "x", buf, sizeof(buf)), "no such name 'x'",
           "error: unknown name");
    is_str(flow_error_str(-EFLOWPEER, buf, sizeof(buf)), "the peer is gone", "error: peer");
    is_str(flow_error_str(-ENOENT, buf, sizeof(buf)), "No such file or directory",
           "error: plain errno values");
}

int main(void)
{
    plan(11 + 13 + 27 + 23 + 11 + 6);
    test_u64();
    test_size();
    test_rate();
    test_duration();
    test_qos();
    test_errors();
    return done();
}
