/* Reader of the AWS shared config and credentials files (INI format). */
#ifndef TRANSPORT_INI_H
#define TRANSPORT_INI_H

#include <stddef.h>

typedef struct ini_file ini_file;

/*
 * Loads an INI file.  A missing file gives *out = NULL and returns 0.
 * Returns -1 with a message naming the file and line when it cannot be
 * read or a line is neither a section, a "key = value" pair, a comment nor
 * an indented sub-setting.
 */
int ini_load(ini_file **out, const char *path, char *errbuf, size_t errlen);

/* Returns the value of key in section (borrowed), or NULL.  f may be NULL. */
const char *ini_get(const ini_file *f, const char *section, const char *key);

/* Returns 1 when section exists in f, else 0.  f may be NULL. */
int ini_has_section(const ini_file *f, const char *section);

/* Returns the path the file was loaded from (borrowed). */
const char *ini_path(const ini_file *f);

/* Frees f, wiping the values.  f may be NULL. */
void ini_free(ini_file *f);

#endif
