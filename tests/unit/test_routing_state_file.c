/*
 * test_routing_state_file.c - the daemon's state file (address and
 * connections) survives a write and a read; a broken file is refused; and
 * the routes file's lines.
 */
#include "routes_file.h"
#include "state_file.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        bail_out("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static bool same(const char *path, const char *text)
{
    char buf[512] = "";
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return false;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strcmp(buf, text) == 0;
}

int main(void)
{
    char dir[] = "/tmp/test-routing-state-XXXXXX", path[128], tmp[140];
    struct routing_state st = {.layer = "net", .addr = 3735928559u, .n_connect = 2}, in;
    struct graph_route r[2] = {{.dst = 9, .cost = 1, .n_nhops = 1, .nhops = {9}},
                               {.dst = 40, .cost = 2, .n_nhops = 2, .nhops = {9, 23}}};
    uint64_t nbrs[2] = {9, 23};

    plan(10);
    if (mkdtemp(dir) == NULL)
        bail_out("no temporary folder");
    snprintf(path, sizeof(path), "%s/routing.net.a.state", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    is(state_file_load(path, &in), -ENOENT, "no file: -ENOENT");
    snprintf(st.connect[0], sizeof(st.connect[0]), "net.b");
    snprintf(st.connect[1], sizeof(st.connect[1]), "net.c");
    is(state_file_save(path, &st), 0, "saved");
    ok(access(tmp, F_OK) != 0, "through a temporary file, renamed");
    ok(same(path, "layer net\naddress 3735928559\nconnect net.b\nconnect net.c\n"),
       "one line each: layer, address, connections");
    ok(state_file_load(path, &in) == 0 && strcmp(in.layer, "net") == 0 &&
           in.addr == 3735928559u && in.n_connect == 2 && strcmp(in.connect[1], "net.c") == 0,
       "and read back");
    put(path, "layer net\naddress 0\n");
    is(state_file_load(path, &in), -EBADMSG, "address 0: refused");
    put(path, "layer net\naddress 12\nnonsense here\n");
    ok(state_file_load(path, &in) == -EBADMSG && in.addr == 0 && in.n_connect == 0,
       "an unknown line: refused, nothing kept");
    put(path, "address 12\n");
    is(state_file_load(path, &in), -EBADMSG, "no layer: refused");

    snprintf(path, sizeof(path), "%s/routing.net.a.routes", dir);
    is(routes_file_write(path, 17, nbrs, 2, r, 2), 0, "routes file written");
    ok(same(path, "address 17\nneighbours 9 23\nroute 9 via 9 cost 1\n"
                  "route 40 via 9 23 cost 2\n"),
       "address, neighbours, a route per line (ECMP: every next hop)");
    unlink(path);
    snprintf(path, sizeof(path), "%s/routing.net.a.state", dir);
    unlink(path);
    rmdir(dir);
    return done();
}
