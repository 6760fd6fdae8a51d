/*
 * value_from and whitelist_from: values read from a json, csv, csv2dict or
 * txt file, local or remote (http, https, s3 through the caller's fetcher),
 * with an optional expr, as in Cloud Custodian 0.9.53's ValuesFrom.
 *
 * Differences from Cloud Custodian, all in the direction of failing
 * closed.  A source that yields no values is an error, because c7n's empty
 * set flags every peer or trusts none.  Blank lines are not data: c7n's
 * csv2dict drops every column when a blank line is present, and its txt
 * format adds an empty string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "core/policy.h"
#include "core/vars.h"

void value_source_free(value_source *src)
{
	if (!src)
		return;
	free(src->url);
	free(src->format);
	free(src->expr_text);
	jmespath_free(src->expr);
	free(src->base_dir);
	for (size_t i = 0; src->headers && src->headers[i]; i++)
		free(src->headers[i]);
	free(src->headers);
	json_decref(src->values);
	free(src);
}

/*
 * Returns the format named by the URL's extension, or NULL.  The query
 * string and fragment are ignored, and so is a .gz or .gzip extension,
 * because the body is decompressed first: c7n 0.9.53 takes the extension
 * of the whole URL and rejects both forms unless format is given.
 */
static const char *url_extension_format(const char *url)
{
	static const char *const formats[] = { "json", "csv", "txt" };
	size_t end = strcspn(url, "?#");
	const char *dot = NULL;

	for (int pass = 0; pass < 2; pass++) {
		dot = NULL;
		for (const char *p = url; p < url + end; p++) {
			if (*p == '.')
				dot = p;
			else if (*p == '/')
				dot = NULL;
		}
		if (!dot)
			return NULL;
		if ((size_t)(url + end - dot) == 3 && strncmp(dot, ".gz", 3) == 0)
			end = (size_t)(dot - url);
		else if ((size_t)(url + end - dot) == 5 && strncmp(dot, ".gzip", 5) == 0)
			end = (size_t)(dot - url);
		else
			break;
	}
	for (size_t i = 0; dot && i < sizeof(formats) / sizeof(formats[0]); i++)
		if ((size_t)(url + end - dot - 1) == strlen(formats[i]) && strncmp(dot + 1, formats[i], strlen(formats[i])) == 0)
			return formats[i];
	return NULL;
}

/* Returns 1 when c may appear in an HTTP header name (an RFC 9110 token character). */
static int header_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		(c && strchr("!#$%&'*+-.^_`|~", c));
}

/*
 * Loads the headers mapping into src->headers as "Name: value" lines and
 * sets *has_vars when a value names a variable.  Values are never echoed
 * in errors, because they usually carry tokens.
 */
static int headers_load(value_source *src, int *has_vars, load_ctx *lc, const ynode *node, const char *path)
{
	char errbuf[128];

	*has_vars = 0;
	src->headers = calloc(node && node->kind == YNODE_MAPPING ? node->count + 1 : 1, sizeof(char *));
	if (!src->headers)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
	if (!node)
		return 0;
	if (node->kind != YNODE_MAPPING)
		return load_fail(lc, node, path, "headers must be a mapping of header names to strings");

	for (size_t i = 0; i < node->count; i++) {
		const ynode *name = node->keys[i], *value = node->items[i];
		size_t len;
		int rc;

		if (!ynode_is_string(name) || !name->value[0])
			return load_fail(lc, name, path, "a header name must be a non-empty string");
		for (const char *p = name->value; *p; p++)
			if (!header_name_char(*p))
				return load_fail(lc, name, path,
					"header name '%s' has a character HTTP does not allow; use letters, digits and -",
					name->value);
		if (!ynode_is_string(value))
			return load_fail(lc, value, path, "header '%s' must have a string value", name->value);
		if (strpbrk(value->value, "\r\n"))
			return load_fail(lc, value, path, "the value of header '%s' has a line break; write it on one line",
				name->value);
		rc = vars_check(value->value, errbuf, sizeof(errbuf));
		if (rc < 0)
			return load_fail(lc, value, path, "invalid variable syntax in the value of header '%s': %s",
				name->value, errbuf);
		if (rc == 1)
			*has_vars = 1;

		len = strlen(name->value) + strlen(value->value) + 3;
		src->headers[i] = malloc(len);
		if (!src->headers[i])
			return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
		snprintf(src->headers[i], len, "%s: %s", name->value, value->value);
	}
	return 0;
}

int value_source_load(value_source **out, load_ctx *lc, const ynode *node, const char *path)
{
	static const char *const keys[] = { "url", "format", "expr", "headers", "query", NULL };
	const ynode *url, *format, *expr;
	value_source *src;
	char errbuf[128], shown[PEERGUARD_ERROR_FILE_MAX];
	int rc, header_vars;

	*out = NULL;
	if (node->kind != YNODE_MAPPING)
		return load_fail(lc, node, path, "value_from must be a mapping with url, format and expr");
	if ((rc = load_check_keys(lc, node, path, keys, NULL, "url, format, expr, headers")) < 0)
		return rc;

	url = ynode_map_get(node, "url");
	if (!url || !ynode_is_string(url))
		return load_fail(lc, url ? url : node, path, "value_from needs a url string");
	rc = vars_check(url->value, errbuf, sizeof(errbuf));
	if (rc < 0)
		return load_fail(lc, url, path, "invalid variable syntax in url '%s': %s", url->value, errbuf);

	src = calloc(1, sizeof(*src));
	if (!src)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
	*out = src;
	src->column = -1;
	src->dynamic = rc == 1;
	src->url = string_dup(url->value);
	src->base_dir = string_dup(lc->base_dir ? lc->base_dir : ".");
	if (!src->url || !src->base_dir)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");

	src->cache = lc->remote;
	src->remote = url_is_remote(src->url);
	if (strncmp(src->url, "dynamodb", 8) == 0)
		return load_fail(lc, url, path,
			"value_from url '%s': dynamodb queries are not supported; export the values to a file or an http or s3 URL",
			src->url);
	url_redact(shown, sizeof(shown), src->url);
	if (src->remote && !remote_cache_can_fetch(lc->remote))
		return load_fail(lc, url, path,
			"value_from url '%s' is remote, but the policies were loaded without a fetcher; the peerguard command fetches it unless --no-remote-values is given, a library caller sets peerguard_load_options.fetch (such as peerguard_fetcher_fetch), or download the file and point url at it",
			shown);
	if ((rc = headers_load(src, &header_vars, lc, ynode_map_get(node, "headers"), path)) < 0)
		return rc;
	if (header_vars)
		src->dynamic = 1;

	format = ynode_map_get(node, "format");
	if (format) {
		if (!ynode_is_string(format) || (strcmp(format->value, "json") && strcmp(format->value, "csv") &&
			strcmp(format->value, "csv2dict") && strcmp(format->value, "txt")))
			return load_fail(lc, format, path, "format must be json, csv, csv2dict or txt");
		src->format = string_dup(format->value);
	} else if (url_extension_format(src->url)) {
		src->format = string_dup(url_extension_format(src->url));
	} else {
		return load_fail(lc, url, path, "cannot tell the format of '%s' from its name; add format: json, csv, csv2dict or txt",
			shown);
	}
	if (!src->format)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");

	expr = ynode_map_get(node, "expr");
	if (expr) {
		if (expr->kind == YNODE_SCALAR && expr->type == YSCALAR_INT) {
			if (strcmp(src->format, "csv") != 0)
				return load_fail(lc, expr, path, "an integer expr (a column number) applies to format csv only");
			src->column = atol(expr->value);
			if (src->column < 0)
				return load_fail(lc, expr, path, "column number must not be negative");
		} else if (ynode_is_string(expr)) {
			src->expr_text = string_dup(expr->value);
			if (!src->expr_text)
				return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
			if ((rc = load_jmespath(&src->expr, lc, expr, path, expr->value)) < 0)
				return rc;
		} else {
			return load_fail(lc, expr, path, "expr must be a JMESPath string or a csv column number");
		}
	}

	if (!src->dynamic) {
		src->values = value_source_fetch(src, NULL, lc->limits, lc->err);
		if (!src->values) {
			if (lc->err) {
				char message[PEERGUARD_ERROR_MESSAGE_MAX];
				int code = lc->err->code;

				copy_truncated(message, sizeof(message), lc->err->message);
				load_fail(lc, url, path, "%s", message);
				lc->err->code = code;
				return code;
			}
			return PEERGUARD_EPOLICY;
		}
	}
	return 0;
}

/* Returns the length of the UTF-8 sequence at p (at most n bytes), or 0 when it is invalid. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/*
 * Checks that a txt or csv file is text: UTF-8 without NUL bytes.  A bad
 * byte would otherwise end the values early or drop one cell and shift the
 * columns after it.  Returns 0, or -1 with err naming the line.
 */
static int text_check(const char *text, size_t len, const char *path, peerguard_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t line = 1;

	for (size_t i = 0; i < len;) {
		size_t n = p[i] ? utf8_sequence(p + i, len - i) : 0;

		if (n == 0) {
			error_site site = { path, (int)line, 0, NULL, NULL };

			error_set(err, PEERGUARD_EEVAL, &site, "%s, line %zu: %s; value files must be UTF-8 text", path,
				line, p[i] ? "invalid UTF-8" : "a NUL byte");
			return -1;
		}
		if (p[i] == '\n')
			line++;
		i += n;
	}
	return 0;
}

/* Splits CSV text into rows of cells (RFC 4180 quoting). Blank lines are skipped. */
static json_t *csv_parse(const char *text, size_t len)
{
	json_t *rows = json_array(), *row = json_array();
	char *cell = malloc(len + 1);
	size_t n = 0, i = 0;
	int quoted = 0, any = 0;

	if (!rows || !row || !cell)
		goto oom;
	while (i <= len) {
		char c = i < len ? text[i] : '\n';

		if (quoted) {
			if (c == '"' && i + 1 < len && text[i + 1] == '"') {
				cell[n++] = '"';
				i += 2;
				continue;
			}
			if (c == '"')
				quoted = 0;
			else
				cell[n++] = c;
			i++;
			continue;
		}
		if (c == '"') {
			quoted = 1;
			any = 1;
		} else if (c == ',') {
			json_array_append_new(row, json_stringn(cell, n));
			n = 0;
			any = 1;
		} else if (c == '\n' || c == '\r') {
			if (any || n > 0) {
				json_array_append_new(row, json_stringn(cell, n));
				json_array_append_new(rows, row);
				row = json_array();
				if (!row)
					goto oom;
			}
			n = 0;
			any = 0;
			if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			cell[n++] = c;
		}
		i++;
	}
	json_decref(row);
	free(cell);
	return rows;
oom:
	json_decref(rows);
	json_decref(row);
	free(cell);
	return NULL;
}

/*
 * Values without repeats, in the order first seen (Python set semantics
 * for strings).  Strings are keys of one object, other values are keys of
 * another as their compact JSON, so a file of many values loads in linear
 * time instead of comparing each value with every earlier one.
 */
typedef struct value_set {
	json_t *items;     /* array */
	json_t *strings;   /* object: string value -> true */
	json_t *others;    /* object: compact JSON with sorted keys -> true */
} value_set;

static int value_set_init(value_set *set)
{
	set->items = json_array();
	set->strings = json_object();
	set->others = json_object();
	return set->items && set->strings && set->others ? 0 : -1;
}

/* Adds value (a new reference, stolen) unless an equal value is in the set. */
static void value_set_add(value_set *set, json_t *value)
{
	json_t *seen = json_is_string(value) ? set->strings : set->others;
	char *dumped = NULL;
	const char *key;
	size_t len;

	if (!value)
		return;
	if (json_is_string(value)) {
		key = json_string_value(value);
		len = json_string_length(value);
	} else {
		dumped = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!dumped) {
			json_decref(value);
			return;
		}
		key = dumped;
		len = strlen(dumped);
	}
	if (json_object_getn(seen, key, len) || json_object_setn_new_nocheck(seen, key, len, json_true()) < 0)
		json_decref(value);
	else
		json_array_append_new(set->items, value);
	free(dumped);
}

/* Returns the values (a new reference) and frees the rest of the set. */
static json_t *value_set_finish(value_set *set)
{
	json_decref(set->strings);
	json_decref(set->others);
	return set->items;
}

static json_t *as_set(json_t *values)
{
	value_set set;
	size_t i;
	json_t *item;

	if (value_set_init(&set) < 0) {
		json_decref(value_set_finish(&set));
		return NULL;
	}
	json_array_foreach(values, i, item)
		if (!json_is_null(item) && !(json_is_string(item) && json_string_length(item) == 0))
			value_set_add(&set, json_incref(item));
	return value_set_finish(&set);
}

static json_t *apply_expr(const value_source *src, json_t *data, const peerguard_limits *limits,
	peerguard_error *err, const char *url)
{
	jmespath_limits jl = { limits->jmespath_max_steps, limits->jmespath_max_length };
	jmespath_error jerr;
	json_t *res = NULL, *out;

	if (jmespath_search(&res, src->expr, data, &jl, &jerr) < 0) {
		error_set(err, PEERGUARD_EEVAL, NULL, "expr '%s' failed on %s: %s", src->expr_text, url, jerr.message);
		return NULL;
	}
	if (json_is_array(res)) {
		out = as_set(res);
		json_decref(res);
		return out;
	}
	if (json_is_null(res)) {
		json_decref(res);
		error_set(err, PEERGUARD_EEVAL, NULL, "expr '%s' selects nothing in %s; check the column or key name",
			src->expr_text, url);
		return NULL;
	}
	out = json_array();
	json_array_append_new(out, res);
	return out;
}

static const char *resolve_path(const value_source *src, const char *url, char *buf, size_t size)
{
	const char *p = url;

	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	else if (strncmp(p, "file:", 5) == 0)
		p += 5;
	if (p[0] == '/')
		return p;
	snprintf(buf, size, "%s/%s", src->base_dir, p);
	return buf;
}

/*
 * Parses the text of a value file (not NUL-terminated) into a new array of
 * values, or NULL with err filled.  path names the file or URL in messages.
 */
static json_t *value_source_parse(const void *source, const char *text, size_t len, const char *path,
	const peerguard_limits *limits, peerguard_error *err)
{
	const value_source *src = source;
	json_t *data = NULL, *values = NULL;

	if (strcmp(src->format, "json") == 0) {
		json_error_t jerr;

		data = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!data) {
			error_site site = { path, jerr.line, jerr.column, NULL, NULL };

			error_set(err, PEERGUARD_EEVAL, &site, "%s is not valid JSON at line %d, column %d: %s", path,
				jerr.line, jerr.column, jerr.text);
			goto done;
		}
		if (src->expr)
			values = apply_expr(src, data, limits, err, path);
		else if (json_is_array(data))
			values = as_set(data);
		else
			values = json_incref(data);
	} else if (text_check(text, len, path, err) < 0) {
		goto done;
	} else if (strcmp(src->format, "txt") == 0) {
		const char *line = text, *end;
		value_set set;

		if (value_set_init(&set) < 0) {
			json_decref(value_set_finish(&set));
			error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory reading %s", path);
			goto done;
		}
		/* memchr with the known length: strchr would rescan the rest of the file for every line. */
		while (line && line < text + len) {
			const char *start, *stop;

			end = memchr(line, '\n', (size_t)(text + len - line));
			stop = end ? end : text + len;
			start = line;
			while (start < stop && (*start == ' ' || *start == '\t' || *start == '\r'))
				start++;
			while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
				stop--;
			if (stop > start)
				value_set_add(&set, json_stringn(start, (size_t)(stop - start)));
			line = end ? end + 1 : NULL;
		}
		values = value_set_finish(&set);
	} else {
		json_t *rows = csv_parse(text, len);

		if (!rows) {
			error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory reading %s", path);
			goto done;
		}
		if (strcmp(src->format, "csv2dict") == 0) {
			/* Columns keyed by the header row, as c7n's zip(*rows) builds them. */
			json_t *header = json_array_get(rows, 0);
			size_t ci, ri;
			json_t *name;

			data = json_object();
			json_array_foreach(header, ci, name) {
				json_t *column = json_array();

				for (ri = 1; ri < json_array_size(rows); ri++) {
					json_t *cell = json_array_get(json_array_get(rows, ri), ci);

					json_array_append_new(column, cell ? json_incref(cell) : json_string(""));
				}
				json_object_set_new(data, json_string_value(name), column);
			}
			if (src->expr) {
				values = apply_expr(src, data, limits, err, path);
			} else {
				const char *key;
				json_t *column;
				json_t *all = json_array();

				json_object_foreach(data, key, column)
					json_array_extend(all, column);
				values = as_set(all);
				json_decref(all);
			}
		} else if (src->column >= 0) {
			size_t ri;
			json_t *row, *all = json_array();

			json_array_foreach(rows, ri, row) {
				json_t *cell = json_array_get(row, (size_t)src->column);

				if (!cell) {
					error_set(err, PEERGUARD_EEVAL, NULL, "%s row %zu has no column %ld", path, ri + 1,
						src->column);
					json_decref(all);
					json_decref(rows);
					goto done;
				}
				json_array_append(all, cell);
			}
			values = as_set(all);
			json_decref(all);
		} else if (src->expr) {
			values = apply_expr(src, rows, limits, err, path);
		} else {
			size_t ri;
			json_t *row, *all = json_array();

			json_array_foreach(rows, ri, row)
				json_array_extend(all, row);
			values = as_set(all);
			json_decref(all);
		}
		json_decref(rows);
	}

	if (values && json_is_array(values) && json_array_size(values) == 0) {
		error_site site = { path, 0, 0, NULL, NULL };

		json_decref(values);
		values = NULL;
		error_set(err, PEERGUARD_EEVAL, &site,
			"%s yields no values (format %s%s%s); an empty list would trust no account or flag every one, so it is refused. With csv2dict the first row is the header",
			path, src->format, src->expr_text ? ", expr " : "", src->expr_text ? src->expr_text : "");
	}

done:
	json_decref(data);
	return values;
}

/* Returns a new string telling apart sources that parse one body differently, or NULL when out of memory. */
static char *parse_key(const value_source *src)
{
	const char *expr = src->expr_text ? src->expr_text : "";
	size_t len = strlen(src->format) + strlen(expr) + 32;
	char *key = malloc(len);

	if (key)
		snprintf(key, len, "%s %ld %s", src->format, src->column, expr);
	return key;
}

/* Reads a local value file named by url. */
static json_t *local_fetch(const value_source *src, const char *url, const peerguard_limits *limits,
	peerguard_error *err)
{
	char pathbuf[4096];
	const char *path = resolve_path(src, url, pathbuf, sizeof(pathbuf));
	char *text = NULL;
	size_t len = 0;
	json_t *values;
	struct stat st;

	/* A FIFO or a device such as /dev/stdin could block evaluation or never end. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		error_site site = { path, 0, 0, NULL, NULL };

		error_set(err, PEERGUARD_EEVAL, &site,
			"%s is not a regular file; point the url of value_from or whitelist_from at a file", path);
		return NULL;
	}
	if (file_read_all(&text, &len, path, limits->max_input_bytes, 1, err) < 0)
		return NULL;
	values = value_source_parse(src, text, len, path, limits, err);
	free(text);
	return values;
}

json_t *value_source_fetch(const value_source *src, const vars *v, const peerguard_limits *limits,
	peerguard_error *err)
{
	size_t n_headers = 0;
	char **headers = NULL;
	char *url = NULL, *key = NULL;
	json_t *values = NULL;
	const char *missing = v ? vars_missing(src->url, v) : NULL;

	for (size_t i = 0; v && !missing && src->headers && src->headers[i]; i++)
		missing = vars_missing(src->headers[i], v);

	/* A URL with a variable left unexpanded would be fetched as written: fail closed instead. */
	if (missing) {
		char shown[PEERGUARD_ERROR_FILE_MAX];

		url_redact(shown, sizeof(shown), src->url);
		error_set(err, PEERGUARD_EEVAL, NULL,
			"value_from url '%s' uses {%s}, which has no value in this evaluation; pass the %s "
			"(--%s, peerguard_context.%s)", shown, missing,
			strcmp(missing, "region") == 0 ? "region" : "account id",
			strcmp(missing, "region") == 0 ? "region" : "account-id", missing);
		return NULL;
	}

	url = v ? vars_expand(src->url, v) : string_dup(src->url);
	if (!url) {
		error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (!src->remote) {
		values = local_fetch(src, url, limits, err);
		free(url);
		return values;
	}

	while (src->headers && src->headers[n_headers])
		n_headers++;
	headers = calloc(n_headers + 1, sizeof(char *));
	for (size_t i = 0; headers && i < n_headers; i++)
		if (!(headers[i] = v ? vars_expand(src->headers[i], v) : string_dup(src->headers[i])))
			goto oom;
	if (!headers || !(key = parse_key(src)))
		goto oom;

	values = remote_cache_values(src->cache, url, (const char *const *)headers, key, value_source_parse, src,
		v ? v->now : 0, limits, err);
	goto done;

oom:
	error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
done:
	for (size_t i = 0; headers && i < n_headers; i++)
		free(headers[i]);
	free(headers);
	free(key);
	free(url);
	return values;
}
