/* Python str.format-compatible expansion of Cloud Custodian policy variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/vars.h"

typedef struct field {
	const char *name;     /* start of the field name */
	size_t name_len;
	const char *spec;     /* format spec after ':' or NULL */
	size_t spec_len;
	const char *end;      /* one past the closing brace */
} field;

typedef struct strbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
} strbuf;

static void sb_append(strbuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = (sb->cap ? sb->cap * 2 : 64);
		char *data;

		while (cap < sb->len + n + 1)
			cap *= 2;
		data = realloc(sb->data, cap);
		if (!data) {
			sb->failed = 1;
			return;
		}
		sb->data = data;
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

/*
 * Scans the replacement field starting at p (just after '{').  Returns 0
 * and fills f, or -1 with a Python-style message.
 */
static int scan_field(const char *p, field *f, char *errbuf, size_t errlen)
{
	int depth = 1;
	const char *q = p;

	f->name = p;
	f->spec = NULL;
	f->spec_len = 0;
	while (*q && *q != '}' && *q != ':' && *q != '!') {
		if (*q == '{') {
			snprintf(errbuf, errlen, "unexpected '{' in field name");
			return -1;
		}
		if (*q == '[') {
			while (*q && *q != ']')
				q++;
			if (!*q)
				break;
		}
		q++;
	}
	f->name_len = (size_t)(q - p);
	if (*q == '!') {
		q++;
		if (!*q || *q == '}' || *q == ':') {
			snprintf(errbuf, errlen, "end of string while looking for conversion specifier");
			return -1;
		}
		q++;
	}
	if (*q == ':') {
		q++;
		f->spec = q;
		/* A format spec may itself hold one level of nested fields. */
		while (*q) {
			if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0)
				break;
			q++;
		}
		f->spec_len = (size_t)(q - f->spec);
	}
	if (*q != '}') {
		snprintf(errbuf, errlen, "expected '}' before end of string");
		return -1;
	}
	f->end = q + 1;
	return 0;
}

static int field_is_known(const field *f)
{
	static const char *const known[] = { "account_id", "region", "partition", "now", NULL };

	for (const char *const *k = known; *k; k++)
		if (strlen(*k) == f->name_len && strncmp(f->name, *k, f->name_len) == 0)
			return 1;
	return 0;
}

/* Walks s; calls back for literal runs and fields.  Returns -1 on a syntax error. */
static int walk(const char *s, strbuf *out, const vars *v, int *has_fields, int *all_known,
	char *errbuf, size_t errlen)
{
	const char *p = s;

	*has_fields = 0;
	*all_known = 1;
	while (*p) {
		if (p[0] == '{' && p[1] == '{') {
			if (out)
				sb_append(out, "{", 1);
			p += 2;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			if (out)
				sb_append(out, "}", 1);
			p += 2;
			continue;
		}
		if (*p == '}') {
			snprintf(errbuf, errlen, "single '}' encountered in format string");
			return -1;
		}
		if (*p == '{') {
			field f;

			if (scan_field(p + 1, &f, errbuf, errlen) < 0)
				return -1;
			*has_fields = 1;
			if (!field_is_known(&f))
				*all_known = 0;
			if (out && *all_known) {
				char value[128] = "";
				char name[32];

				snprintf(name, sizeof(name), "%.*s", (int)f.name_len, f.name);
				if (strcmp(name, "account_id") == 0 && v->account_id)
					snprintf(value, sizeof(value), "%s", v->account_id);
				else if (strcmp(name, "region") == 0 && v->region)
					snprintf(value, sizeof(value), "%s", v->region);
				else if (strcmp(name, "partition") == 0)
					snprintf(value, sizeof(value), "%s", vars_partition(v->region));
				else if (strcmp(name, "now") == 0) {
					time_t t = (time_t)v->now;
					struct tm tm;

					gmtime_r(&t, &tm);
					if (f.spec && f.spec_len > 0) {
						char fmt[64];

						snprintf(fmt, sizeof(fmt), "%.*s", (int)f.spec_len, f.spec);
						strftime(value, sizeof(value), fmt, &tm);
					} else {
						/* Python's str() of an aware UTC datetime. */
						strftime(value, sizeof(value), "%Y-%m-%d %H:%M:%S+00:00", &tm);
					}
				} else {
					*all_known = 0;
				}
				sb_append(out, value, strlen(value));
			}
			p = f.end;
			continue;
		}
		if (out)
			sb_append(out, p, 1);
		p++;
	}
	return 0;
}

const char *vars_missing(const char *s, const vars *v)
{
	char errbuf[8];

	for (const char *p = s; *p; ) {
		field f;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p += 2;
			continue;
		}
		if (*p != '{' || scan_field(p + 1, &f, errbuf, sizeof(errbuf)) < 0) {
			p++;
			continue;
		}
		if (f.name_len == 10 && strncmp(f.name, "account_id", 10) == 0 && !v->account_id)
			return "account_id";
		if (f.name_len == 6 && strncmp(f.name, "region", 6) == 0 && !v->region)
			return "region";
		p = f.end;
	}
	return NULL;
}

int vars_check(const char *s, char *errbuf, size_t errlen)
{
	int has_fields, all_known;

	if (!strchr(s, '{') && !strchr(s, '}'))
		return 0;
	if (walk(s, NULL, NULL, &has_fields, &all_known, errbuf, errlen) < 0)
		return -1;
	return has_fields && all_known;
}

char *vars_expand(const char *s, const vars *v)
{
	strbuf sb = { 0 };
	int has_fields, all_known;
	char errbuf[128];

	if (!strchr(s, '{') && !strchr(s, '}'))
		return string_dup(s);
	if (walk(s, &sb, v, &has_fields, &all_known, errbuf, sizeof(errbuf)) < 0 || !all_known ||
	    sb.failed) {
		int failed = sb.failed;

		free(sb.data);
		return failed ? NULL : string_dup(s);
	}
	if (!sb.data)
		return string_dup("");
	return sb.data;
}

int vars_json_has_fields(json_t *value)
{
	char errbuf[8];
	size_t i;
	const char *key;
	json_t *item;

	if (json_is_string(value))
		return vars_check(json_string_value(value), errbuf, sizeof(errbuf)) == 1;
	if (json_is_array(value)) {
		json_array_foreach(value, i, item)
			if (vars_json_has_fields(item))
				return 1;
	}
	if (json_is_object(value)) {
		json_object_foreach(value, key, item)
			if (vars_json_has_fields(item))
				return 1;
	}
	return 0;
}

json_t *vars_expand_json(json_t *value, const vars *v)
{
	size_t i;
	const char *key;
	json_t *item, *copy;

	if (!vars_json_has_fields(value))
		return json_incref(value);

	if (json_is_string(value)) {
		char *s = vars_expand(json_string_value(value), v);
		json_t *out;

		if (!s)
			return NULL;
		out = json_string(s);
		free(s);
		return out;
	}
	copy = json_is_array(value) ? json_array() : json_object();
	if (!copy)
		return NULL;
	if (json_is_array(value)) {
		json_array_foreach(value, i, item)
			json_array_append_new(copy, vars_expand_json(item, v));
	} else {
		json_object_foreach(value, key, item)
			json_object_set_new(copy, key, vars_expand_json(item, v));
	}
	return copy;
}

const char *vars_partition(const char *region)
{
	if (region && strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (region && strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}
