/* The subcommands of the newsd binary. Each returns the process exit code:
 * 0 ok, 1 runtime failure, 2 usage or configuration error. */
#ifndef NEWSD_CLI_H
#define NEWSD_CLI_H

#define ND_EXIT_OK      0
#define ND_EXIT_FAILURE 1
#define ND_EXIT_USAGE   2

int nd_cmd_run(int argc, char **argv);
int nd_cmd_process(int argc, char **argv);
int nd_cmd_check_config(int argc, char **argv);
int nd_cmd_dev_broker(int argc, char **argv);
int nd_cmd_version(int argc, char **argv);

#endif
