/* Reader of the AWS shared config and credentials files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "transport/ini.h"

typedef struct ini_entry {
	char *section;
	char *key;
	char *value;
} ini_entry;

struct ini_file {
	char *path;
	ini_entry *entries;
	size_t n;
	size_t cap;
	char **sections;
	size_t n_sections;
};

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	*end = '\0';
	return s;
}

static int add_entry(ini_file *f, const char *section, const char *key, const char *value)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		ini_entry *e = realloc(f->entries, cap * sizeof(*e));

		if (!e)
			return -1;
		f->entries = e;
		f->cap = cap;
	}
	f->entries[f->n].section = strdup(section);
	f->entries[f->n].key = strdup(key);
	f->entries[f->n].value = strdup(value);
	f->n++;
	return f->entries[f->n - 1].section && f->entries[f->n - 1].key && f->entries[f->n - 1].value ? 0 : -1;
}

static int add_section(ini_file *f, const char *name)
{
	char **s = realloc(f->sections, (f->n_sections + 1) * sizeof(*s));

	if (!s)
		return -1;
	f->sections = s;
	f->sections[f->n_sections] = strdup(name);
	return f->sections[f->n_sections++] ? 0 : -1;
}

int ini_load(ini_file **out, const char *path, char *errbuf, size_t errlen)
{
	FILE *fp;
	ini_file *f;
	char line[4096];
	char section[512] = "";
	int have_section = 0;
	unsigned int lineno = 0;

	*out = NULL;
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		snprintf(errbuf, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		fclose(fp);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}

	while (fgets(line, sizeof(line), fp)) {
		int indented = line[0] == ' ' || line[0] == '\t';
		char *s = trim(line);

		lineno++;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (!close) {
				snprintf(errbuf, errlen, "%s line %u: section header without ']'", path, lineno);
				goto fail;
			}
			*close = '\0';
			/* "[profile  dev]" and "[ dev ]" name the same section as "[profile dev]" and "[dev]". */
			char *name = trim(s + 1);
			if (strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t'))
				snprintf(section, sizeof(section), "profile %s", trim(name + 8));
			else
				snprintf(section, sizeof(section), "%s", name);
			have_section = 1;
			if (add_section(f, section) < 0)
				goto oom;
			continue;
		}
		/* Indented lines under "key =" are sub-settings (such as s3 options), which no caller reads. */
		if (indented)
			continue;

		char *eq = strchr(s, '=');
		if (!eq || !have_section) {
			snprintf(errbuf, errlen, "%s line %u: expected \"[section]\" or \"key = value\"", path, lineno);
			goto fail;
		}
		*eq = '\0';
		if (add_entry(f, section, trim(s), trim(eq + 1)) < 0)
			goto oom;
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
	*out = f;
	return 0;

oom:
	snprintf(errbuf, errlen, "out of memory");
fail:
	OPENSSL_cleanse(line, sizeof(line));
	fclose(fp);
	ini_free(f);
	return -1;
}

const char *ini_get(const ini_file *f, const char *section, const char *key)
{
	const char *found = NULL;

	/* The last occurrence wins, as in botocore. */
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->entries[i].section, section) == 0 && strcmp(f->entries[i].key, key) == 0)
			found = f->entries[i].value;
	return found;
}

int ini_has_section(const ini_file *f, const char *section)
{
	for (size_t i = 0; f && i < f->n_sections; i++)
		if (strcmp(f->sections[i], section) == 0)
			return 1;
	return 0;
}

const char *ini_path(const ini_file *f)
{
	return f ? f->path : "";
}

void ini_free(ini_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->entries[i].section);
		free(f->entries[i].key);
		if (f->entries[i].value)
			OPENSSL_cleanse(f->entries[i].value, strlen(f->entries[i].value));
		free(f->entries[i].value);
	}
	for (size_t i = 0; i < f->n_sections; i++)
		free(f->sections[i]);
	free(f->sections);
	free(f->entries);
	free(f->path);
	free(f);
}
