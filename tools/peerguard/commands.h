/* Subcommands of the peerguard program.  Each takes argv with argv[0] the subcommand name. */
#ifndef PEERGUARD_TOOL_COMMANDS_H
#define PEERGUARD_TOOL_COMMANDS_H

int peerguard_cmd_validate(int argc, char **argv);
int peerguard_cmd_eval(int argc, char **argv);
int peerguard_cmd_query(int argc, char **argv);
int peerguard_cmd_describe(int argc, char **argv);
int peerguard_cmd_remediate(int argc, char **argv);
int peerguard_cmd_sweep(int argc, char **argv);
int peerguard_cmd_watch(int argc, char **argv);
int peerguard_cmd_canary(int argc, char **argv);

#endif
