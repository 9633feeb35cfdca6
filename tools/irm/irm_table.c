/*
 * irm_table.c - collect rows, then print them aligned.
 */
#include "irm_table.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct irm_table {
    int ncols;
    size_t width[IRM_TABLE_COLS];
    char **cells; /* rows * ncols, the header first */
    size_t rows;
    size_t cap;
};

static int add(struct irm_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*c));

        if (c == NULL)
            return -ENOMEM;
        t->cells = c;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++) {
        char *s = strdup(cells[i] != NULL ? cells[i] : "");

        if (s == NULL) {
            while (i-- > 0)
                free(t->cells[t->rows * (size_t)t->ncols + (size_t)i]);
            return -ENOMEM;
        }
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = s;
        if (strlen(s) > t->width[i])
            t->width[i] = strlen(s);
    }
    t->rows++;
    return 0;
}

struct irm_table *irm_table_new(int ncols, const char *const *headers)
{
    struct irm_table *t;

    assert(ncols > 0 && ncols <= IRM_TABLE_COLS);
    assert(headers);

    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    if (add(t, headers) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

int irm_table_add(struct irm_table *t, const char *const *cells)
{
    assert(t);
    assert(cells);

    return add(t, cells);
}

void irm_table_print(const struct irm_table *t, FILE *out)
{
    assert(t);

    for (size_t r = 0; r < t->rows; r++) {
        for (int i = 0; i < t->ncols; i++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)i];

            if (i == t->ncols - 1)
                fprintf(out, "%s\n", s);
            else
                fprintf(out, "%-*s  ", (int)t->width[i], s);
        }
    }
}

void irm_table_destroy(struct irm_table **p)
{
    struct irm_table *t;

    if (p == NULL || *p == NULL)
        return;
    t = *p;
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
    *p = NULL;
}
