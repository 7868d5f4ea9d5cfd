/* Logging facade (plain stderr lines; journal support comes with the
 * systemd integration). */
#include <stdarg.h>
#include <stdio.h>

#include "newsd/log.h"

int nd_log_level_threshold = LOG_INFO;

void
nd_log_setup(int level, nd_log_target target)
{
        (void)target;
        nd_log_level_threshold = level;
}

void
nd_log_fields_at(int level, const nd_log_fields *fields, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "<%d>newsd: ", level);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (fields && fields->topic)
                fprintf(stderr, " (%s [%d] @%lld)", fields->topic,
                        (int)fields->partition, (long long)fields->offset);
        fputc('\n', stderr);
}
