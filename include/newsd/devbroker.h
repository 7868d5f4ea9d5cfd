/* The development broker: librdkafka's mock cluster on loopback, with topics
 * created up front, for `newsd dev-broker`, the demo and the tests. */
#ifndef NEWSD_DEVBROKER_H
#define NEWSD_DEVBROKER_H

#include <stdbool.h>
#include <stddef.h>

#include "newsd/err.h"
#include "newsd/strvec.h"

typedef struct nd_devbroker nd_devbroker;

/*
 * Starts a mock cluster of @p brokers brokers listening on 127.0.0.1 and
 * creates each of @p topics with @p partitions partitions. Returns NULL and
 * fills errstr on failure. Free with nd_devbroker_destroy().
 */
nd_devbroker *nd_devbroker_new(int brokers, int partitions,
                               const nd_strvec *topics, char *errstr,
                               size_t errstr_size);

/* "HOST:PORT,..." for bootstrap.servers; owned by @p db. */
const char *nd_devbroker_bootstraps(const nd_devbroker *db);

/* Takes every broker down (connections closed, new ones refused) or brings
 * them back. */
nd_err nd_devbroker_set_down(nd_devbroker *db, bool down, char *errstr,
                             size_t errstr_size);

void nd_devbroker_destroy(nd_devbroker *db);

#endif
