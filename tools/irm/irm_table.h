/*
 * irm_table.h - the aligned tables the irm command prints: a header and
 * rows of text, each column as wide as its widest cell.
 */
#ifndef OUROBUS_IRM_TABLE_H
#define OUROBUS_IRM_TABLE_H

#include <stdio.h>

#define IRM_TABLE_COLS 8

struct irm_table;

/* A table of ncols columns with these headers. NULL if out of memory. */
struct irm_table *irm_table_new(int ncols, const char *const *headers);

/* Add a row of ncols cells (copied). 0 or -ENOMEM. */
int irm_table_add(struct irm_table *t, const char *const *cells);

/* Print the header and the rows. */
void irm_table_print(const struct irm_table *t, FILE *out);

/* Free the table; NULLs *p. Accepts NULL. */
void irm_table_destroy(struct irm_table **p);

#endif
