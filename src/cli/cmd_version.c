/* newsd version: the versions of newsd and every library it links. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <unicode/uversion.h>

#include "build_config.h"
#include "cli.h"

int
nd_cmd_version(int argc, char **argv)
{
        UVersionInfo icu;
        char icu_str[U_MAX_VERSION_STRING_LENGTH];

        if (argc > 1 &&
            (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("Usage: newsd version\n\nPrints the version of newsd "
                       "and of each library it is linked with.\n");
                return ND_EXIT_OK;
        }
        u_getVersion(icu);
        u_versionToString(icu, icu_str);
        printf("newsd %s\n", NEWSD_VERSION);
        printf("librdkafka %s\n", rd_kafka_version_str());
        printf("jansson %s\n", jansson_version_str());
        printf("libsystemd %s\n", ND_LIBSYSTEMD_VERSION);
        printf("icu %s\n", icu_str);
        printf("openssl %s\n", OpenSSL_version(OPENSSL_VERSION));
        printf("libmicrohttpd %s\n", MHD_get_version());
        printf("inih %s\n", ND_INIH_VERSION);
        printf("cld2 %s\n", ND_CLD2_VERSION);
        printf("libstemmer %s\n", ND_STEMMER_VERSION);
        return ND_EXIT_OK;
}
