/*
 * seq_count.h - loss and reordering seen by a receiver from the sequence
 * numbers of the packets it gets (0, 1, 2, ... from the sender).
 */
#ifndef OUROBUS_TOOLS_SEQ_COUNT_H
#define OUROBUS_TOOLS_SEQ_COUNT_H

#include <stdint.h>

struct seq_count {
    uint64_t next;      /* one past the highest number seen */
    uint64_t received;  /* packets counted */
    uint64_t reordered; /* packets older than one already seen */
};

static inline void seq_count_init(struct seq_count *sc)
{
    sc->next = 0;
    sc->received = 0;
    sc->reordered = 0;
}

/* Count the packet with number seq. */
void seq_count_add(struct seq_count *sc, uint64_t seq);

/* Packets missing so far: numbers below the highest seen that never came.
 * Those still in flight behind the highest one count until they arrive. */
uint64_t seq_count_lost(const struct seq_count *sc);

/* Lost packets when the sender says it sent total: also those after the
 * highest one seen. */
uint64_t seq_count_lost_of(const struct seq_count *sc, uint64_t total);

/* lost / total as a percentage (0 when total is 0). */
double seq_loss_pct(uint64_t lost, uint64_t total);

#endif
