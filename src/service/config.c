/* Service configuration (placeholder: defaults only). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "newsd/config.h"

nd_err
nd_config_load(nd_config *c, const char *path, const nd_strvec *overrides,
               nd_strvec *errors)
{
        memset(c, 0, sizeof(*c));
        (void)path;
        (void)overrides;
        (void)errors;
        c->max_article_bytes = 4 * 1024 * 1024;
        c->log_level = LOG_INFO;
        return ND_OK;
}

void
nd_config_free(nd_config *c)
{
        memset(c, 0, sizeof(*c));
}

void
nd_config_print(const nd_config *c, FILE *out)
{
        (void)c;
        (void)out;
}

void
nd_config_pipeline_conf(const nd_config *c, nd_pipeline_conf *pc)
{
        nd_pipeline_conf_init(pc);
        pc->max_article_bytes = c->max_article_bytes;
}

bool
nd_config_is_secret(const char *key)
{
        return strstr(key, "password") || strstr(key, "secret");
}
