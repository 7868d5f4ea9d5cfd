/* newsd dev-broker: an embedded development Kafka cluster. */
#include <stdio.h>

#include "cli.h"

int
nd_cmd_dev_broker(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        fprintf(stderr, "newsd dev-broker: not built yet\n");
        return ND_EXIT_USAGE;
}
