/*
 * state_file.c - the daemon's address and neighbours, one per line:
 *
 *     layer net
 *     address 3735928559
 *     connect net.a
 */
#include "state_file.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int state_file_load(const char *path, struct routing_state *st)
{
    char line[NAME_SIZE + LAYER_NAME_SIZE + 32];
    FILE *f;
    int err = 0;

    assert(path != NULL && st != NULL);
    memset(st, 0, sizeof(*st));
    f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? -ENOENT : -errno;
    for (int n = 0; n < 2 + STATE_CONNECT_MAX && fgets(line, sizeof(line), f) != NULL; n++) {
        char *v = strchr(line, ' ');
        size_t len;

        if (v == NULL) {
            err = -EBADMSG;
            break;
        }
        *v++ = '\0';
        len = strcspn(v, "\n");
        v[len] = '\0';
        if (strcmp(line, "layer") == 0 && len > 0 && len <= LAYER_NAME_SIZE) {
            memcpy(st->layer, v, len + 1);
        } else if (strcmp(line, "address") == 0) {
            char *end;
            st->addr = strtoull(v, &end, 10);
            if (*end != '\0' || st->addr == 0)
                err = -EBADMSG;
        } else if (strcmp(line, "connect") == 0 && len > 0 && len <= NAME_SIZE &&
                   st->n_connect < STATE_CONNECT_MAX) {
            memcpy(st->connect[st->n_connect++], v, len + 1);
        } else {
            err = -EBADMSG;
        }
        if (err < 0)
            break;
    }
    fclose(f);
    if (err == 0 && (st->layer[0] == '\0' || st->addr == 0))
        err = -EBADMSG;
    if (err < 0)
        memset(st, 0, sizeof(*st));
    return err;
}

int state_file_save(const char *path, const struct routing_state *st)
{
    char tmp[4096];
    FILE *f;
    int err = 0;

    assert(path != NULL && st != NULL);
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    f = fopen(tmp, "w");
    if (f == NULL)
        return -errno;
    fprintf(f, "layer %s\naddress %" PRIu64 "\n", st->layer, st->addr);
    for (size_t i = 0; i < st->n_connect; i++)
        fprintf(f, "connect %s\n", st->connect[i]);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        err = -errno;
    if (fclose(f) != 0 && err == 0)
        err = -errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = -errno;
    if (err < 0)
        unlink(tmp);
    return err;
}
