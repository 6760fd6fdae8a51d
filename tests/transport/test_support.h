/* Helpers shared by the transport's Check programs: test data paths and file reading. */
#ifndef TEST_TRANSPORT_SUPPORT_H
#define TEST_TRANSPORT_SUPPORT_H

#include <stddef.h>

/* Returns a new string: $PEERGUARD_SHARED/testdata/<rel>, or NULL (with a message) when unset. */
char *test_data_path(const char *rel);

/* Reads a whole file; returns a new NUL-terminated string or NULL.  *len may be NULL. */
char *test_read_file(const char *path, size_t *len);

/* Returns a new string joining dir and name with '/'. */
char *test_join(const char *dir, const char *name);

#endif
