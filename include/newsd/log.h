/* Logging facade: journal fields under systemd, <N>-prefixed or plain lines
 * on stderr otherwise. Cheap when a level is off. */
#ifndef NEWSD_LOG_H
#define NEWSD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "newsd/config.h"

/* Structured fields of one log entry; NULL / -1 members are left out. */
typedef struct nd_log_fields {
        const char *topic;      /* KAFKA_TOPIC */
        int32_t partition;      /* KAFKA_PARTITION, -1: none */
        int64_t offset;         /* KAFKA_OFFSET, -1: none */
        const char *uri;        /* ARTICLE_URI */
        const char *error;      /* NEWSD_ERROR (a stable error token) */
        const char *facility;   /* RDKAFKA_FACILITY for librdkafka lines */
} nd_log_fields;

#define ND_LOG_NOFIELDS ((const nd_log_fields *)0)

/* Sets the threshold and target; safe to call again on reload. */
void nd_log_setup(int level, nd_log_target target);

extern int nd_log_level_threshold;

#define nd_log_enabled(level) ((level) <= nd_log_level_threshold)

/* Logs at syslog @p level with optional structured @p fields. */
void nd_log_fields_at(int level, const nd_log_fields *fields, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

#define nd_log(level, ...)                                                     \
        do {                                                                   \
                if (nd_log_enabled(level))                                     \
                        nd_log_fields_at(level, ND_LOG_NOFIELDS, __VA_ARGS__); \
        } while (0)

#define nd_logf(level, fields, ...)                                            \
        do {                                                                   \
                if (nd_log_enabled(level))                                     \
                        nd_log_fields_at(level, fields, __VA_ARGS__);          \
        } while (0)

#endif
