/* newsd check-config: validate the configuration, print the effective one. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "newsd/config.h"

int
nd_cmd_check_config(int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *path = NULL;
        nd_strvec overrides = {0}, errors = {0};
        nd_config conf;
        int c, rc;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:X:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case 'X':
                        nd_strvec_push(&overrides, optarg);
                        break;
                case 'h':
                        printf("Usage: newsd check-config [-c FILE] "
                               "[-X section.key=value]...\n\n"
                               "Validates the configuration and prints the "
                               "effective one, secrets redacted.\nEvery "
                               "error is printed as FILE:LINE: message. "
                               "Exit 0 when valid, 2 otherwise.\n");
                        nd_strvec_clear(&overrides);
                        return ND_EXIT_OK;
                default:
                        nd_strvec_clear(&overrides);
                        return ND_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "newsd check-config: unexpected argument "
                                "'%s'\n",
                        argv[optind]);
                nd_strvec_clear(&overrides);
                return ND_EXIT_USAGE;
        }
        if (nd_config_load(&conf, path, &overrides, &errors) == ND_OK) {
                nd_config_print(&conf, stdout);
                rc = ND_EXIT_OK;
        } else {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.v[i]);
                rc = ND_EXIT_USAGE;
        }
        nd_config_free(&conf);
        nd_strvec_clear(&overrides);
        nd_strvec_clear(&errors);
        return rc;
}
