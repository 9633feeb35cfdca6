/*
 * irm_words.c - the tables of irm_words.h and their look-ups.
 */
#include "irm_words.h"

#include <assert.h>
#include <ourobus/irm.h>
#include <stdio.h>
#include <string.h>

const struct irm_word irm_words_ipcp_type[] = {IRM_WORDS_IPCP_TYPE(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_lb[] = {IRM_WORDS_LB(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_hash[] = {IRM_WORDS_HASH(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_routing[] = {IRM_WORDS_ROUTING(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_cong[] = {IRM_WORDS_CONG(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_addr_auth[] = {IRM_WORDS_ADDR_AUTH(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_component[] = {IRM_WORDS_COMPONENT(IRM_WORD_ENTRY){NULL, 0, 0}};
const struct irm_word irm_words_qos[] = {IRM_WORDS_QOS(IRM_WORD_ENTRY){NULL, 0, 0}};

int irm_word_value(const struct irm_word *table, const char *word)
{
    assert(table);

    if (word == NULL)
        return -1;
    for (const struct irm_word *w = table; w->word != NULL; w++)
        if (strcmp(w->word, word) == 0)
            return w->value;
    return -1;
}

const char *irm_word_name(const struct irm_word *table, int value)
{
    assert(table);

    for (const struct irm_word *w = table; w->word != NULL; w++)
        if (w->canonical && w->value == value)
            return w->word;
    return "?";
}

const char *irm_word_list(const struct irm_word *table, char *buf, size_t len)
{
    size_t n = 0;
    int total = 0;
    int i = 0;

    assert(table);
    assert(buf && len > 0);

    for (const struct irm_word *w = table; w->word != NULL; w++)
        total += w->canonical;
    buf[0] = '\0';
    for (const struct irm_word *w = table; w->word != NULL; w++) {
        const char *sep;
        int r;

        if (!w->canonical)
            continue;
        sep = i == 0 ? "" : i == total - 1 ? " or " : ", ";
        r = snprintf(buf + n, len - n, "%s%s", sep, w->word);
        if (r < 0 || (size_t)r >= len - n)
            break;
        n += (size_t)r;
        i++;
    }
    return buf;
}
