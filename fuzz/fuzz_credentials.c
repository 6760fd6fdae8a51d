/*
 * AWS shared config and credentials files: the bytes are the file.  It is
 * read by the transport's INI reader, through a memory file so that no
 * disk file is written per input, and looked up the way credential
 * resolution looks it up.  Times found in it go through the ISO-8601
 * parser used for credential expirations.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "transport/credentials.h"
#include "transport/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char path[64];
static int fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("peerguard-fuzz-ini", 0);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Both shared files are the fuzz input; nothing else in the environment is read. */
	setenv("AWS_CONFIG_FILE", path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	return 0;
}

static const char *const sections[] = { "default", "profile default", "profile dev", "dev", "sso-session s" };
static const char *const keys[] = {
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region", "endpoint_url",
	"role_arn", "source_profile", "credential_process", "external_id", "expiration"
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[512];
	ini_file *ini = NULL;
	char *region = NULL, *endpoint = NULL, *text;
	peerguard_aws_error err;
	double when;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	if (ini_load(&ini, path, errbuf, sizeof(errbuf)) == 0) {
		for (size_t s = 0; s < sizeof(sections) / sizeof(*sections); s++) {
			ini_has_section(ini, sections[s]);
			for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
				const char *v = ini_get(ini, sections[s], keys[k]);

				if (v && parse_iso8601(v, &when) == 0 && when != when)
					abort();
			}
		}
		ini_free(ini);
	} else if (errbuf[0] == '\0') {
		abort();
	}

	memset(&err, 0, sizeof(err));
	if (profile_settings(&region, &endpoint, "dev", &err) == 0) {
		free(region);
		free(endpoint);
	}

	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	parse_iso8601(text, &when);
	free(text);
	return 0;
}
