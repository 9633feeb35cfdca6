/*
 * seq_count.c - a gap in the numbers is a loss until the missing packet
 * shows up late; duplicates are not told apart (raw flows do not make any).
 */
#include "seq_count.h"

#include <assert.h>

void seq_count_add(struct seq_count *sc, uint64_t seq)
{
    assert(sc != NULL);
    sc->received++;
    if (seq >= sc->next)
        sc->next = seq + 1;
    else
        sc->reordered++;
}

uint64_t seq_count_lost(const struct seq_count *sc)
{
    return sc->next > sc->received ? sc->next - sc->received : 0;
}

uint64_t seq_count_lost_of(const struct seq_count *sc, uint64_t total)
{
    if (total < sc->next)
        total = sc->next;
    return total > sc->received ? total - sc->received : 0;
}

double seq_loss_pct(uint64_t lost, uint64_t total)
{
    if (total == 0)
        return 0.0;
    return 100.0 * (double)lost / (double)total;
}
