/* Helpers shared by the transport's Check programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

char *test_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s", dir, name);
	return s;
}

char *test_data_path(const char *rel)
{
	const char *shared = getenv("PEERGUARD_SHARED");
	char *testdata, *path;

	if (!shared || !*shared) {
		fprintf(stderr, "PEERGUARD_SHARED is not set: run the tests with meson test\n");
		return NULL;
	}
	testdata = test_join(shared, "testdata");
	path = testdata ? test_join(testdata, rel) : NULL;
	free(testdata);
	return path;
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			char *p = realloc(data, cap);
			if (!p) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		size_t got = fread(data + n, 1, 4096, f);
		n += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	data[n] = '\0';
	if (len)
		*len = n;
	return data;
}
