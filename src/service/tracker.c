/* Offset tracker: a sorted ring of in-flight offsets per partition, each
 * with the count of its outputs not yet acknowledged; the prefix whose
 * outputs are all acknowledged is popped from the front and becomes
 * committable. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "newsd/tracker.h"

typedef struct entry {
        int64_t offset;
        unsigned left; /* outputs not yet acknowledged; 0: done */
} entry;

struct nd_tracker_part {
        char *topic; /* owned */
        int32_t partition;
        uint64_t generation;
        entry *ring; /* owned; cap entries, n used from head */
        size_t cap, head, n;
        int64_t last_tracked; /* -1: none since the last reset */
        int64_t stored;       /* -1: none since the last reset */
        int64_t committed;    /* -1: none confirmed since the last reset */
};

struct nd_tracker {
        nd_tracker_part **parts; /* owned */
        size_t n, cap;
};

nd_tracker *
nd_tracker_new(void)
{
        return calloc(1, sizeof(nd_tracker));
}

void
nd_tracker_destroy(nd_tracker *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++) {
                free(t->parts[i]->topic);
                free(t->parts[i]->ring);
                free(t->parts[i]);
        }
        free(t->parts);
        free(t);
}

nd_tracker_part *
nd_tracker_part_get(nd_tracker *t, const char *topic, int32_t partition)
{
        nd_tracker_part *p;

        /* A consumer holds tens of partitions at most: a scan is enough. */
        for (size_t i = 0; i < t->n; i++)
                if (t->parts[i]->partition == partition &&
                    strcmp(t->parts[i]->topic, topic) == 0)
                        return t->parts[i];
        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 16;
                nd_tracker_part **np = realloc(t->parts, cap * sizeof(*np));
                if (!np)
                        return NULL;
                t->parts = np;
                t->cap = cap;
        }
        p = calloc(1, sizeof(*p));
        if (!p || !(p->topic = strdup(topic))) {
                free(p);
                return NULL;
        }
        p->partition = partition;
        p->last_tracked = -1;
        p->stored = -1;
        p->committed = -1;
        t->parts[t->n++] = p;
        return p;
}

const char *
nd_tracker_part_topic(const nd_tracker_part *p)
{
        return p->topic;
}

int32_t
nd_tracker_part_partition(const nd_tracker_part *p)
{
        return p->partition;
}

void
nd_tracker_reset(nd_tracker_part *p)
{
        p->head = 0;
        p->n = 0;
        p->last_tracked = -1;
        p->stored = -1;
        p->committed = -1;
        p->generation++;
}

/* Positions only move forward: commit results and stores for one
 * partition can be reported out of order. */
static void
raise_to(int64_t *pos, int64_t offset)
{
        if (offset > *pos)
                *pos = offset;
}

void
nd_tracker_set_stored(nd_tracker_part *p, int64_t offset)
{
        raise_to(&p->stored, offset);
}

void
nd_tracker_set_committed(nd_tracker_part *p, int64_t offset)
{
        raise_to(&p->committed, offset);
}

int64_t
nd_tracker_stored(const nd_tracker_part *p)
{
        return p->stored;
}

int64_t
nd_tracker_committed(const nd_tracker_part *p)
{
        return p->committed;
}

uint64_t
nd_tracker_generation(const nd_tracker_part *p)
{
        return p->generation;
}

static entry *
at(const nd_tracker_part *p, size_t i)
{
        return &p->ring[(p->head + i) % p->cap];
}

nd_err
nd_tracker_track(nd_tracker_part *p, int64_t offset)
{
        return nd_tracker_track_outputs(p, offset, 1);
}

nd_err
nd_tracker_track_outputs(nd_tracker_part *p, int64_t offset, unsigned outputs)
{
        if (outputs == 0 || offset < 0 || offset <= p->last_tracked)
                return ND_ERR_INTERNAL;
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 64;
                entry *nr = malloc(cap * sizeof(*nr));
                if (!nr)
                        return ND_ERR_NOMEM;
                /* Unwrap into the new ring so head starts at 0. */
                for (size_t i = 0; i < p->n; i++)
                        nr[i] = *at(p, i);
                free(p->ring);
                p->ring = nr;
                p->cap = cap;
                p->head = 0;
        }
        p->ring[(p->head + p->n) % p->cap] = (entry){offset, outputs};
        p->n++;
        p->last_tracked = offset;
        return ND_OK;
}

int64_t
nd_tracker_ack(nd_tracker_part *p, uint64_t generation, int64_t offset)
{
        size_t lo = 0, hi = p->n;
        int64_t commit = -1;

        if (generation != p->generation)
                return -1;
        /* The ring is sorted by offset. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (at(p, mid)->offset < offset)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == p->n || at(p, lo)->offset != offset || at(p, lo)->left == 0)
                return -1;
        if (--at(p, lo)->left > 0)
                return -1;
        while (p->n > 0 && at(p, 0)->left == 0) {
                commit = at(p, 0)->offset + 1;
                p->head = (p->head + 1) % p->cap;
                p->n--;
        }
        return commit;
}

unsigned
nd_tracker_outputs_left(const nd_tracker_part *p, int64_t offset)
{
        for (size_t i = 0; i < p->n; i++)
                if (at(p, i)->offset == offset)
                        return at(p, i)->left;
        return 0;
}

size_t
nd_tracker_pending(const nd_tracker_part *p)
{
        return p->n;
}

size_t
nd_tracker_total_pending(const nd_tracker *t)
{
        size_t n = 0;

        for (size_t i = 0; i < t->n; i++)
                n += t->parts[i]->n;
        return n;
}
