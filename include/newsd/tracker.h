/* Offset tracking for at-least-once delivery: per partition, the offsets of
 * input records in flight, each with the number of output records it
 * produced (events on every routed topic, entity records, or its dead-letter
 * record); an offset becomes committable only when all of its outputs, and
 * all outputs of every earlier tracked offset of its partition, are
 * acknowledged. No Kafka here. */
#ifndef NEWSD_TRACKER_H
#define NEWSD_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "newsd/err.h"

typedef struct nd_tracker nd_tracker;
/* One partition's state; owned by its tracker, valid until
 * nd_tracker_destroy(). */
typedef struct nd_tracker_part nd_tracker_part;

nd_tracker *nd_tracker_new(void);
void nd_tracker_destroy(nd_tracker *t);

/* The state of @p topic [@p partition], created empty on first use; NULL on
 * allocation failure. */
nd_tracker_part *nd_tracker_part_get(nd_tracker *t, const char *topic,
                                     int32_t partition);

const char *nd_tracker_part_topic(const nd_tracker_part *p);
int32_t nd_tracker_part_partition(const nd_tracker_part *p);

/* Forgets every tracked offset (partition assigned anew or revoked) and
 * starts a new generation: acknowledgements of records tracked before are
 * ignored from now on. */
void nd_tracker_reset(nd_tracker_part *p);

/* The offset last stored for commit (one past the acknowledged prefix), -1
 * when none since the last reset. Only ever moves forward. */
void nd_tracker_set_stored(nd_tracker_part *p, int64_t offset);
int64_t nd_tracker_stored(const nd_tracker_part *p);

/* The offset the group coordinator last confirmed as committed, -1 when
 * none since the last reset. Only ever moves forward. */
void nd_tracker_set_committed(nd_tracker_part *p, int64_t offset);
int64_t nd_tracker_committed(const nd_tracker_part *p);

/* The current generation, to hand back to nd_tracker_ack(). */
uint64_t nd_tracker_generation(const nd_tracker_part *p);

/* Records @p offset as in flight. Offsets of a partition must be tracked in
 * increasing order (gaps are fine): ND_ERR_INTERNAL otherwise, ND_ERR_NOMEM
 * on allocation failure. */
nd_err nd_tracker_track(nd_tracker_part *p, int64_t offset);

/* Records @p offset as in flight with @p outputs records to acknowledge
 * (at least 1; ND_ERR_INTERNAL for 0). nd_tracker_track() is this with 1. */
nd_err nd_tracker_track_outputs(nd_tracker_part *p, int64_t offset,
                                unsigned outputs);

/* Acknowledges one output of @p offset of @p generation. Returns the offset to
 * commit (one past the last of the fully acknowledged prefix) when this ack
 * moved it, else -1 (another output of the offset or an earlier record is still
 * pending, the generation is stale, or the offset is not tracked or already
 * fully acknowledged). A failed output is simply not acknowledged (it is
 * retried), so it holds its offset and every later one back. */
int64_t nd_tracker_ack(nd_tracker_part *p, uint64_t generation, int64_t offset);

/* Outputs of @p offset not yet acknowledged (0 when not tracked). */
unsigned nd_tracker_outputs_left(const nd_tracker_part *p, int64_t offset);

/* Offsets tracked and not yet released: in flight, or acknowledged but
 * waiting for an earlier one. */
size_t nd_tracker_pending(const nd_tracker_part *p);
size_t nd_tracker_total_pending(const nd_tracker *t);

#endif
