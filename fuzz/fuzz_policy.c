/*
 * Policy loading: the bytes are a policy file, YAML or JSON.  Whatever the
 * loader makes of them, it must return a set or an error with a message,
 * and every accessor must work on a loaded set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_log(peerguard_log_level level, const char *message, void *userdata)
{
	(void)level;
	(void)userdata;
	if (!message)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	int rc;

	/* Relative value_from files resolve in a directory that does not exist. */
	opts.base_dir = "/nonexistent-peerguard-fuzz";
	opts.log = ignore_log;
	rc = peerguard_policy_set_load_string(&set, (const char *)data, size, "fuzz.yml", &opts, &err);
	if (rc < 0) {
		/* Every failure carries its code and a message saying what is wrong. */
		if (set || err.code != rc || err.message[0] == '\0' || !memchr(err.message, '\0', sizeof(err.message)))
			abort();
		return 0;
	}

	for (size_t i = 0; i < peerguard_policy_set_count(set); i++)
		if (!peerguard_policy_set_name(set, i))
			abort();
	if (peerguard_policy_set_name(set, peerguard_policy_set_count(set)) != NULL)
		abort();
	if (strlen(peerguard_policy_set_revision(set)) != 64)
		abort();
	peerguard_policy_set_free(set);
	return 0;
}
