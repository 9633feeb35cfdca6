/*
 * irm_args.c - the cursor, keyword matching and value checks of the irm
 * command line.
 */
#include "irm_args.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *irm_args_peek(const struct irm_args *a)
{
    return a->pos < a->argc ? a->argv[a->pos] : NULL;
}

const char *irm_args_next(struct irm_args *a)
{
    return a->pos < a->argc ? a->argv[a->pos++] : NULL;
}

bool irm_args_help(const struct irm_args *a)
{
    const char *w = irm_args_peek(a);

    if (w == NULL)
        return a->want_help;
    return strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0 || strcmp(w, "help") == 0;
}

int irm_args_fail(struct irm_args *a, const char *fmt, ...)
{
    struct irm_cmd *cmd = a->cmd;
    va_list ap;
    int n;

    const char *words = irm_usage_words(cmd->topic);

    /* "ipcp bootstrap: ...": irm_main puts "irm: " in front. */
    n = 0;
    if (strncmp(words, "irm ", 4) == 0)
        n = snprintf(cmd->error, sizeof(cmd->error), "%s: ", words + 4);
    if (n < 0 || (size_t)n >= sizeof(cmd->error))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(cmd->error + n, sizeof(cmd->error) - (size_t)n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static bool in_mask(const struct irm_kw *k, unsigned mask)
{
    return mask == 0 || (k->mask & mask & ~IRM_KW_FIRST) != 0;
}

/* The one keyword (by id) word is a prefix of, among those with all the
 * bits of need; NULL if none, *ambiguous if several. */
static const struct irm_kw *prefix_of(const struct irm_kw *table, unsigned mask, unsigned need,
                                      const char *word, bool *ambiguous)
{
    const struct irm_kw *found = NULL;
    size_t len = strlen(word);

    *ambiguous = false;
    for (const struct irm_kw *k = table; k->word != NULL; k++) {
        if (!in_mask(k, mask) || (k->mask & need) != need || strncmp(k->word, word, len) != 0)
            continue;
        if (found != NULL && found->id != k->id)
            *ambiguous = true;
        if (found == NULL)
            found = k;
    }
    return found;
}

/* Is k the first entry of table with its id (among the masked ones)? */
static bool first_of_id(const struct irm_kw *table, const struct irm_kw *k, unsigned mask)
{
    for (const struct irm_kw *t = table; t != k; t++)
        if (t->id == k->id && in_mask(t, mask))
            return false;
    return true;
}

const char *irm_args_words(const struct irm_kw *table, unsigned mask, char *buf, size_t len)
{
    size_t n = 0;
    int total = 0;
    int i = 0;

    for (const struct irm_kw *k = table; k->word != NULL; k++)
        total += in_mask(k, mask) && first_of_id(table, k, mask);
    buf[0] = '\0';
    for (const struct irm_kw *k = table; k->word != NULL; k++) {
        int r;

        if (!in_mask(k, mask) || !first_of_id(table, k, mask))
            continue;
        r = snprintf(buf + n, len - n, "%s%s",
                     i == 0           ? ""
                     : i == total - 1 ? " or "
                                      : ", ",
                     k->word);
        if (r < 0 || (size_t)r >= len - n)
            break;
        n += (size_t)r;
        i++;
    }
    return buf;
}

int irm_args_match(struct irm_args *a, const struct irm_kw *table, unsigned mask,
                   const char *what, const char *word)
{
    const struct irm_kw *found = NULL;
    size_t len;
    bool ambiguous = false;
    char list[200];

    assert(table);

    if (word == NULL || word[0] == '\0') {
        irm_args_fail(a, "%s expected (%s)", what,
                      irm_args_words(table, mask, list, sizeof(list)));
        return -1;
    }
    len = strlen(word);
    for (const struct irm_kw *k = table; k->word != NULL; k++)
        if (in_mask(k, mask) && strcmp(k->word, word) == 0)
            return k->id; /* an exact word wins over longer ones */
    found = prefix_of(table, mask, IRM_KW_FIRST, word, &ambiguous);
    if (found == NULL || ambiguous)
        found = prefix_of(table, mask, 0, word, &ambiguous);
    if (found != NULL && !ambiguous)
        return found->id;
    if (found == NULL) {
        irm_args_fail(a, "unknown %s '%s' (expected %s)", what, word,
                      irm_args_words(table, mask, list, sizeof(list)));
        return -1;
    }
    /* List the candidates, one word per id. */
    {
        struct irm_kw cands[64];
        int n = 0;

        for (const struct irm_kw *k = table; k->word != NULL && n < 63; k++)
            if (in_mask(k, mask) && strncmp(k->word, word, len) == 0 &&
                first_of_id(table, k, mask)) {
                bool seen = false;

                for (int i = 0; i < n; i++)
                    seen = seen || cands[i].id == k->id;
                if (!seen)
                    cands[n++] = *k;
            }
        cands[n] = (struct irm_kw){NULL, 0, 0};
        irm_args_fail(a, "ambiguous %s '%s': %s?", what, word,
                      irm_args_words(cands, 0, list, sizeof(list)));
    }
    return -1;
}

int irm_args_value(struct irm_args *a, const char *kw, const char *what, const char **out)
{
    const char *v = irm_args_next(a);

    if (v == NULL)
        return irm_args_fail(a, "'%s' needs %s", kw, what);
    *out = v;
    return 0;
}

int irm_args_name(struct irm_args *a, const char *kw, const char *what, const char **out)
{
    int err = irm_args_value(a, kw, what, out);

    if (err < 0)
        return err;
    if ((*out)[0] == '\0')
        return irm_args_fail(a, "'%s' needs %s, not an empty word", kw, what);
    if (strlen(*out) > NAME_SIZE)
        return irm_args_fail(a, "%s '%.40s...' is longer than %d characters", what, *out,
                             NAME_SIZE);
    return 0;
}

int irm_args_u32(struct irm_args *a, const char *kw, const char *s, uint32_t min, uint32_t max,
                 uint32_t *out)
{
    unsigned long long v;
    char *end;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || *end != '\0' || errno != 0 || v < min ||
        v > max)
        return irm_args_fail(a, "'%s' is a number from %u to %u, not '%s'", kw, min, max, s);
    *out = (uint32_t)v;
    return 0;
}

int irm_args_pid(struct irm_args *a, const char *kw, const char *s, pid_t *out)
{
    uint32_t v;
    int err = irm_args_u32(a, kw, s, 1, INT_MAX, &v);

    if (err < 0)
        return irm_args_fail(a, "'%s' needs a process id, not '%s'", kw, s);
    *out = (pid_t)v;
    return 0;
}
