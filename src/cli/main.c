/* newsd: command-line entry point and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
        const char *name;
        int (*fn)(int argc, char **argv);
        const char *summary;
} commands[] = {
    {"run", nd_cmd_run, "run the service (the default)"},
    {"process", nd_cmd_process,
     "run the pipeline offline: raw articles in, events on stdout"},
    {"check-config", nd_cmd_check_config,
     "validate the configuration and print the effective one"},
    {"dev-broker", nd_cmd_dev_broker,
     "run an embedded development Kafka cluster on loopback"},
    {"version", nd_cmd_version, "print versions of newsd and its libraries"},
};

static void
usage(FILE *out)
{
        fprintf(out,
                "Usage: newsd [COMMAND] [OPTIONS]\n"
                "\n"
                "newsd consumes raw news articles from Kafka, normalizes and "
                "enriches them,\nand publishes one structured JSON event per "
                "article.\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-14s %s\n", commands[i].name,
                        commands[i].summary);
        fprintf(out, "\nRun 'newsd COMMAND --help' for a command's options.\n"
                     "Exit codes: 0 ok, 1 runtime failure, 2 usage or "
                     "configuration error.\n");
}

int
main(int argc, char **argv)
{
        if (argc >= 2 &&
            (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
             strcmp(argv[1], "help") == 0)) {
                usage(stdout);
                return ND_EXIT_OK;
        }
        if (argc >= 2 &&
            (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
                return nd_cmd_version(argc - 1, argv + 1);
        /* No subcommand, or options only: the service. */
        if (argc < 2 || argv[1][0] == '-')
                return nd_cmd_run(argc, argv);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].fn(argc - 1, argv + 1);
        fprintf(stderr, "newsd: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return ND_EXIT_USAGE;
}
