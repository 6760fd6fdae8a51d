#include <stdio.h>
#include <string.h>

#include "peerguard/peerguard.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("peerguard %s\n", peerguard_version());
		return 0;
	}
	fprintf(stderr, "usage: peerguard COMMAND [OPTIONS]\n");
	return 2;
}
