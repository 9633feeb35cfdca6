/*
 * routes_read.c - a tolerant reader of routing's routes file.
 */
#include "routes_read.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#define TOKEN_MAX 24

/* The next space-separated token of [*p, end) into tok; false at the end. */
static bool next_token(const char **p, const char *end, char *tok)
{
    const char *s = *p;
    size_t n = 0;

    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    if (s == end)
        return false;
    while (s < end && *s != ' ' && *s != '\t' && *s != '\r') {
        if (n < TOKEN_MAX)
            tok[n] = *s;
        n++;
        s++;
    }
    *p = s;
    /* A token too long for a number or a keyword is kept as an invalid one. */
    if (n > TOKEN_MAX)
        n = TOKEN_MAX;
    tok[n] = '\0';
    return true;
}

/* A non-zero decimal uint64, or 0 if tok is not one. */
static uint64_t parse_addr(const char *tok)
{
    uint64_t v = 0;

    if (*tok == '\0')
        return 0;
    for (const char *c = tok; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    return v;
}

static bool has(const uint64_t *v, size_t n, uint64_t a)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == a)
            return true;
    return false;
}

static void add(uint64_t *v, size_t *n, uint64_t a)
{
    if (*n < ROUTES_READ_MAX && !has(v, *n, a))
        v[(*n)++] = a;
}

/* One line: false if it is not one of the three kinds. */
static bool parse_line(const char *p, const char *end, struct routes_read *out)
{
    char tok[TOKEN_MAX + 1];
    uint64_t a;

    if (!next_token(&p, end, tok))
        return true; /* an empty line */
    if (strcmp(tok, "address") == 0) {
        if (!next_token(&p, end, tok) || (a = parse_addr(tok)) == 0)
            return false;
        out->self = a;
        return true;
    }
    if (strcmp(tok, "neighbours") == 0) {
        while (next_token(&p, end, tok)) {
            a = parse_addr(tok);
            if (a != 0)
                add(out->nbrs, &out->n_nbrs, a);
        }
        return true;
    }
    if (strcmp(tok, "route") != 0)
        return false;
    /* route D via N... [alt A] cost C: every address but the cost. */
    if (!next_token(&p, end, tok) || (a = parse_addr(tok)) == 0)
        return false;
    add(out->others, &out->n_others, a);
    while (next_token(&p, end, tok)) {
        if (strcmp(tok, "cost") == 0)
            break;
        a = parse_addr(tok);
        if (a != 0)
            add(out->others, &out->n_others, a);
    }
    return true;
}

int routes_read_parse(const char *text, size_t len, struct routes_read *out)
{
    const char *p = text;
    const char *end = text + len;
    size_t n = 0;
    int bad = 0;

    assert(text || len == 0);
    assert(out);
    memset(out, 0, sizeof(*out));
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));

        if (eol == NULL)
            eol = end;
        if (!parse_line(p, eol, out))
            bad++;
        p = eol + 1;
    }
    /* Our own address is nobody to join through; neighbours are not others. */
    for (size_t i = 0; i < out->n_nbrs; i++)
        if (out->nbrs[i] != out->self)
            out->nbrs[n++] = out->nbrs[i];
    out->n_nbrs = n;
    n = 0;
    for (size_t i = 0; i < out->n_others; i++)
        if (out->others[i] != out->self && !has(out->nbrs, out->n_nbrs, out->others[i]))
            out->others[n++] = out->others[i];
    out->n_others = n;
    return bad;
}
