/*
 * Python re patterns on PCRE2.  c7n calls re.match, which anchors at the
 * start of the subject only, with re.IGNORECASE for the regex op.  Python 3
 * str patterns are Unicode-aware, so patterns compile with PCRE2_UTF and
 * PCRE2_UCP, and a few Python-only spellings are rewritten first:
 *   \Z -> \z (Python's \Z is the very end), \uXXXX and \UXXXXXXXX -> \x{...},
 *   \v -> \x0b (PCRE2's \v is a class), {,n} -> {0,n}, '[' inside a class
 *   -> \[ (Python has no POSIX classes), a leading (?a) -> no PCRE2_UCP.
 * PCRE2 already knows (?P<name>...), (?P=name), (?>...) and possessive
 * quantifiers.
 *
 * A global flag group after the start is rejected, as Python 3.11 does.
 *
 * NOTE: known differences left: Python's \s also matches \x1c-\x1f, Python
 * rejects some patterns PCRE2 accepts (\h, \Q...\E, \10 without ten groups),
 * and \N{NAME} and scoped (?a:...) are rejected here.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

struct value_regex {
	pcre2_code *code;
	int group_count;
};

/* The rewritten pattern, with the source offset of every output byte for error messages. */
typedef struct translation {
	char *out;
	size_t *source;
	size_t len, cap;
	int ascii;
	int verbose;          /* a global (?x): '#' starts a comment to the end of the line */
	size_t flags_end;     /* where the leading run of global flag groups ends */
	const char *error;
	size_t error_offset;
} translation;

static int emit(translation *t, const char *s, size_t n, size_t source)
{
	size_t i;

	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->cap + n + 16) * 2;
		char *out = realloc(t->out, cap);
		size_t *map;

		if (out == NULL)
			return -1;
		t->out = out;
		map = realloc(t->source, cap * sizeof(*map));
		if (map == NULL)
			return -1;
		t->source = map;
		t->cap = cap;
	}
	for (i = 0; i < n; i++) {
		t->out[t->len] = s[i];
		t->source[t->len++] = source;
	}
	t->out[t->len] = '\0';
	return 0;
}

static int fail(translation *t, const char *message, size_t offset)
{
	t->error = message;
	t->error_offset = offset;
	return -1;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Rewrites the escape at p[i] ('\\' then p[i + 1]) and returns the bytes consumed, or 0 on error. */
static size_t translate_escape(translation *t, const char *p, size_t n, size_t i, int in_class)
{
	char buf[16];
	char c;
	size_t digits, k;

	if (i + 1 >= n)
		return emit(t, "\\", 1, i) == 0 ? 1 : 0;
	c = p[i + 1];

	if (c == 'u' || c == 'U') {
		digits = c == 'u' ? 4 : 8;
		for (k = 0; k < digits; k++) {
			if (i + 2 + k >= n || !is_hex(p[i + 2 + k]))
				return fail(t, c == 'u' ? "incomplete escape \\u" : "incomplete escape \\U", i), 0;
		}
		if (c == 'U') {
			char hex[9];

			memcpy(hex, p + i + 2, 8);
			hex[8] = '\0';
			if (strtoul(hex, NULL, 16) > 0x10ffff)
				return fail(t, "bad escape \\U: beyond U+10FFFF", i), 0;
		}
		snprintf(buf, sizeof(buf), "\\x{%.*s}", (int)digits, p + i + 2);
		return emit(t, buf, strlen(buf), i) == 0 ? 2 + digits : 0;
	}
	if (c == 'v')
		return emit(t, "\\x0b", 4, i) == 0 ? 2 : 0;
	if (c == 'Z' && !in_class)
		return emit(t, "\\z", 2, i) == 0 ? 2 : 0;
	if (c == 'N')
		return fail(t, "named Unicode escapes (\\N{...}) are not supported", i), 0;
	return emit(t, p + i, 2, i) == 0 ? 2 : 0;
}

/* Python reads {,n} and {,} as quantifiers with a minimum of 0, but PCRE2 10.42 reads them as text. */
static size_t translate_brace(translation *t, const char *p, size_t n, size_t i)
{
	size_t k = i + 1;

	if (k < n && p[k] == ',') {
		k++;
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
		if (k < n && p[k] == '}') {
			if (emit(t, "{0", 2, i) != 0)
				return 0;
			return 1;
		}
	}
	return emit(t, "{", 1, i) == 0 ? 1 : 0;
}

/*
 * An inline flag group "(?aiLmsux)" or the flags of "(?i-s:...)": drops u
 * (the default for str patterns) and a global a (compiled without
 * PCRE2_UCP instead), which PCRE2 lacks, and rejects L as Python does.
 */
static size_t translate_flags(translation *t, const char *p, size_t n, size_t i)
{
	char flags[16];
	size_t k = i + 2, end, used = 0;
	int scoped;

	while (k < n && p[k] != '\0' && strchr("aiLmsux", p[k]) != NULL)
		k++;
	if (k >= n || k == i + 2 || (p[k] != ')' && p[k] != ':' && p[k] != '-'))
		return emit(t, p + i, 2, i) == 0 ? 2 : 0;
	end = k;
	scoped = p[end] != ')';
	if (!scoped && i != t->flags_end)
		return fail(t, "global flags not at the start of the expression", i), 0;
	if (!scoped)
		t->flags_end = end + 1;

	for (k = i + 2; k < end; k++) {
		if (p[k] == 'L')
			return fail(t, "bad inline flag: cannot use 'L' flag with a str pattern", k), 0;
		if (p[k] == 'a' && scoped)
			return fail(t, "scoped ASCII-only groups (?a:...) are not supported", k), 0;
		if (p[k] == 'x' && !scoped)
			t->verbose = 1;
		if (p[k] == 'a')
			t->ascii = 1;
		else if (p[k] != 'u' && used < sizeof(flags) - 1)
			flags[used++] = p[k];
	}

	if (!scoped && used == 0)
		return end + 1 - i;  /* nothing left for PCRE2 */
	if (emit(t, "(?", 2, i) != 0 || emit(t, flags, used, i) != 0)
		return 0;
	return end - i;
}

static int translate(translation *t, const char *p, size_t n)
{
	size_t i = 0, step;
	int in_class = 0;
	size_t class_start = 0;

	while (i < n) {
		char c = p[i];

		if (c == '\\') {
			step = translate_escape(t, p, n, i, in_class);
		} else if (in_class) {
			if (c == ']' && i != class_start)
				in_class = 0;
			if (c == '[')
				step = emit(t, "\\[", 2, i) == 0 ? 1 : 0;
			else
				step = emit(t, &c, 1, i) == 0 ? 1 : 0;
		} else if (c == '#' && t->verbose) {
			/* Copied as is, so a '[' or '{' in the comment is not read as syntax. */
			step = 1;
			while (i + step < n && p[i + step] != '\n')
				step++;
			step = emit(t, p + i, step, i) == 0 ? step : 0;
		} else if (c == '[') {
			in_class = 1;
			class_start = i + 1;
			if (class_start < n && p[class_start] == '^')
				class_start++;
			step = emit(t, &c, 1, i) == 0 ? 1 : 0;
		} else if (c == '{') {
			step = translate_brace(t, p, n, i);
		} else if (c == '(' && i + 2 < n && p[i + 1] == '?') {
			step = translate_flags(t, p, n, i);
		} else {
			step = emit(t, &c, 1, i) == 0 ? 1 : 0;
		}

		if (step == 0)
			return -1;
		i += step;
	}
	return emit(t, "", 0, n);
}

value_regex *value_regex_compile(const char *pattern, int caseless, int *group_count,
	char *errbuf, size_t errlen)
{
	translation t;
	value_regex *re;
	pcre2_compile_context *ctx;
	uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_CIRCUMFLEX;
	uint32_t captures = 0;
	int code;
	PCRE2_SIZE offset;
	PCRE2_UCHAR message[256];

	if (pattern == NULL) {
		value_error(errbuf, errlen, "invalid regular expression: the pattern is missing");
		return NULL;
	}

	memset(&t, 0, sizeof(t));
	if (translate(&t, pattern, strlen(pattern)) != 0) {
		if (t.error != NULL)
			value_error(errbuf, errlen, "invalid regular expression '%s' at offset %zu: %s",
				pattern, t.error_offset, t.error);
		else
			value_error(errbuf, errlen, "out of memory compiling regular expression '%s'", pattern);
		free(t.out);
		free(t.source);
		return NULL;
	}
	if (t.ascii)
		options &= ~(uint32_t)PCRE2_UCP;
	if (caseless)
		options |= PCRE2_CASELESS;

	re = calloc(1, sizeof(*re));
	ctx = pcre2_compile_context_create(NULL);
	if (re == NULL || ctx == NULL) {
		value_error(errbuf, errlen, "out of memory compiling regular expression '%s'", pattern);
		goto fail;
	}
	pcre2_set_newline(ctx, PCRE2_NEWLINE_LF);

	re->code = pcre2_compile((PCRE2_SPTR)t.out, t.len, options, &code, &offset, ctx);
	if (re->code == NULL) {
		size_t source = offset < t.len ? t.source[offset] : strlen(pattern);

		pcre2_get_error_message(code, message, sizeof(message));
		value_error(errbuf, errlen, "invalid regular expression '%s' at offset %zu: %s",
			pattern, source, (const char *)message);
		goto fail;
	}
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &captures);
	re->group_count = (int)captures;
	if (group_count != NULL)
		*group_count = re->group_count;

	pcre2_compile_context_free(ctx);
	free(t.out);
	free(t.source);
	return re;

fail:
	pcre2_compile_context_free(ctx);
	free(re);
	free(t.out);
	free(t.source);
	return NULL;
}

int value_regex_groups(const value_regex *re)
{
	return re->group_count;
}

void value_regex_free(value_regex *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	free(re);
}

int value_regex_run(int *matched, long span[2], const value_regex *re, const char *subject,
	size_t len, const value_match_env *env, char *errbuf, size_t errlen)
{
	pcre2_match_data *data = pcre2_match_data_create_from_pattern(re->code, NULL);
	pcre2_match_context *ctx = pcre2_match_context_create(NULL);
	int rc, status = PY_OK;

	*matched = 0;
	if (data == NULL || ctx == NULL) {
		value_error(errbuf, errlen, "out of memory matching a regular expression");
		status = PY_FAIL;
		goto done;
	}
	if (env != NULL && env->regex_match_limit > 0)
		pcre2_set_match_limit(ctx, env->regex_match_limit);
	if (env != NULL && env->regex_heap_limit_kib > 0)
		pcre2_set_heap_limit(ctx, env->regex_heap_limit_kib);

	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, PCRE2_ANCHORED, data, ctx);
	if (rc >= 0) {
		PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(data);

		*matched = 1;
		if (span != NULL) {
			int has_group = re->group_count >= 1 && ovector[2] != PCRE2_UNSET;

			span[0] = has_group ? (long)ovector[2] : -1;
			span[1] = has_group ? (long)ovector[3] : -1;
		}
	} else if (rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR message[256];

		pcre2_get_error_message(rc, message, sizeof(message));
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
			value_error(errbuf, errlen,
				"regular expression stopped on a %zu-byte value: %s; simplify the pattern or raise the regex match or heap limit",
				len, (const char *)message);
		else
			value_error(errbuf, errlen, "regular expression failed on a %zu-byte value: %s",
				len, (const char *)message);
		status = PY_FAIL;
	}

done:
	pcre2_match_data_free(data);
	pcre2_match_context_free(ctx);
	return status;
}
