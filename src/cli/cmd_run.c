/* newsd run: the Kafka service. */
#include <stdio.h>

#include "cli.h"

int
nd_cmd_run(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        fprintf(stderr, "newsd run: the Kafka service is not built yet\n");
        return ND_EXIT_USAGE;
}
