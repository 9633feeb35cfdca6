/*
 * test_directory_routes.c - the directory's reader of routing's routes
 * file: the lines routes_file.c writes, and every kind of garbage another
 * process's half-written or foreign file may hold.
 */
#include "routes_read.h"
#include "tap.h"

static int parse(const char *s, struct routes_read *r)
{
    return routes_read_parse(s, strlen(s), r);
}

static void test_good(void)
{
    struct routes_read r;
    const char *f = "address 17\n"
                    "neighbours 9 23\n"
                    "route 9 via 9 cost 1\n"
                    "route 40 via 23 cost 2\n"
                    "route 41 via 23 9 alt 50 cost 3\n";

    is(parse(f, &r), 0, "a file as routing writes it: no line skipped");
    is(r.self, 17, "our address");
    ok(r.n_nbrs == 2 && r.nbrs[0] == 9 && r.nbrs[1] == 23, "two neighbours, in order");
    ok(r.n_others == 3 && r.others[0] == 40 && r.others[1] == 41 && r.others[2] == 50,
       "others: destinations and the alternate, not neighbours, not the costs");
    is(parse("address 17\nneighbours\n", &r), 0, "no neighbours yet");
    ok(r.self == 17 && r.n_nbrs == 0 && r.n_others == 0, "... nothing to join through");
    is(parse("address 5\nneighbours 5 6 6\nroute 5 via 6 cost 1\n", &r), 0,
       "our own address and duplicates");
    ok(r.n_nbrs == 1 && r.nbrs[0] == 6 && r.n_others == 0, "... are left out");
    is(parse("neighbours 3\r\n\r\n\n", &r), 0, "CRLF and empty lines");
    ok(r.n_nbrs == 1 && r.nbrs[0] == 3 && r.self == 0, "... read as the same");
    is(parse("neighbours 3 4", &r), 0, "no newline at the end");
    is(r.n_nbrs, 2, "... the last line counts");
}

static void test_bad(void)
{
    struct routes_read r;
    char big[40000];
    size_t n = 0;

    is(parse("", &r), 0, "an empty file");
    ok(r.self == 0 && r.n_nbrs == 0 && r.n_others == 0, "... nothing");
    is(parse("address\naddress x\naddress 0\nhello 1\nroute\nroute x via 3\n", &r), 6,
       "six bad lines are counted");
    ok(r.self == 0 && r.n_others == 0, "... and give nothing");
    is(parse("neighbours 1 -2 0x3 18446744073709551616 18446744073709551615 0 7a\n", &r), 0,
       "bad numbers in a good line");
    ok(r.n_nbrs == 2 && r.nbrs[0] == 1 && r.nbrs[1] == UINT64_MAX,
       "... only the valid non-zero ones are kept");
    is(parse("route 8 via 99999999999999999999999999999999999999 cost 1\n", &r), 0,
       "a token too long for a number");
    ok(r.n_others == 1 && r.others[0] == 8, "... is ignored");
    is(routes_read_parse("neighbours 4\0 5\nroute 6 via 4 cost 1\n", 36, &r), 0,
       "a NUL byte inside a line");
    ok(r.n_nbrs >= 1 && r.nbrs[0] == 4, "... does not stop the reader");
    n += (size_t)snprintf(big, sizeof(big), "neighbours");
    for (int i = 1; i <= 1000; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, " %d", i);
    is(routes_read_parse(big, n, &r), 0, "a thousand neighbours");
    is(r.n_nbrs, ROUTES_READ_MAX, "... the first ROUTES_READ_MAX are kept");
    is(routes_read_parse(NULL, 0, &r), 0, "no text at all");
}

int main(void)
{
    test_good();
    test_bad();
    return done();
}
