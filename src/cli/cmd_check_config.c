/* newsd check-config: validate the configuration, print the effective one;
 * or print the settings reference the documentation is generated from. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "build_config.h"
#include "cli.h"
#include "newsd/config.h"

static void
usage(FILE *out)
{
        fprintf(out,
                "Usage: newsd check-config [-c FILE] [-X section.key=value]"
                "...\n"
                "       newsd check-config --reference[=markdown|man]\n"
                "\n"
                "Validates the configuration, librdkafka properties "
                "included, and prints the\neffective one on stdout, secrets "
                "redacted. Every error is printed on stderr\nas FILE:LINE: "
                "message (or -X section.key: message), all of them.\n"
                "\n"
                "  -c, --config FILE     configuration file (default %s,\n"
                "                        used only when it exists)\n"
                "  -X section.key=value  override a configuration key\n"
                "      --reference[=FMT] print the reference of every "
                "setting as Markdown\n"
                "                        (docs/configuration.md) or roff "
                "(newsd.conf(5))\n"
                "  -h, --help            show this help\n"
                "\n"
                "Exit codes: 0 valid, 2 usage or configuration error.\n",
                NEWSD_DEFAULT_CONFIG);
}

int
nd_cmd_check_config(int argc, char **argv)
{
        enum { OPT_REFERENCE = 256 };
        static const struct option opts[] = {
            {"config", required_argument, NULL, 'c'},
            {"reference", optional_argument, NULL, OPT_REFERENCE},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *path = NULL, *reference = NULL;
        nd_strvec overrides = {0}, errors = {0};
        nd_config conf;
        int c, rc = ND_EXIT_OK;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:X:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case 'X':
                        nd_strvec_push(&overrides, optarg);
                        break;
                case OPT_REFERENCE:
                        reference = optarg ? optarg : "markdown";
                        break;
                case 'h':
                        usage(stdout);
                        goto out;
                default:
                        usage(stderr);
                        rc = ND_EXIT_USAGE;
                        goto out;
                }
        }
        if (optind < argc) {
                fprintf(stderr,
                        "newsd check-config: unexpected argument "
                        "'%s'\n",
                        argv[optind]);
                rc = ND_EXIT_USAGE;
                goto out;
        }
        if (reference) {
                if (strcmp(reference, "markdown") == 0) {
                        nd_config_reference(ND_CONFIG_REF_MARKDOWN, stdout);
                } else if (strcmp(reference, "man") == 0) {
                        nd_config_reference(ND_CONFIG_REF_MAN, stdout);
                } else {
                        fprintf(stderr,
                                "newsd check-config: --reference "
                                "is markdown or man, not '%s'\n",
                                reference);
                        rc = ND_EXIT_USAGE;
                }
                goto out;
        }
        /* Both checks run, so that one run lists every error. */
        nd_config_load(&conf, path, &overrides, &errors);
        nd_config_check_kafka(&conf, &errors);
        if (errors.n == 0) {
                nd_config_print(&conf, stdout);
        } else {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.v[i]);
                rc = ND_EXIT_USAGE;
        }
        nd_config_free(&conf);
out:
        nd_strvec_clear(&overrides);
        nd_strvec_clear(&errors);
        return rc;
}
