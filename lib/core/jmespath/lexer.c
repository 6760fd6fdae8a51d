/* Splits a JMESPath expression into tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath_internal.h"

typedef struct lexer {
	const char *text;
	size_t len;
	size_t pos;
	arena *arena;
	value_list *literals;
	jmespath_error *err;
	token *tokens;
	size_t count;
	size_t capacity;
} lexer;

static const char *const token_names[TOK_COUNT] = {
	[TOK_EOF] = "end of expression",
	[TOK_UNQUOTED_IDENTIFIER] = "identifier",
	[TOK_QUOTED_IDENTIFIER] = "quoted identifier",
	[TOK_LITERAL] = "literal",
	[TOK_NUMBER] = "number",
	[TOK_DOT] = "'.'",
	[TOK_STAR] = "'*'",
	[TOK_FLATTEN] = "'[]'",
	[TOK_FILTER] = "'[?'",
	[TOK_LBRACKET] = "'['",
	[TOK_RBRACKET] = "']'",
	[TOK_LBRACE] = "'{'",
	[TOK_RBRACE] = "'}'",
	[TOK_LPAREN] = "'('",
	[TOK_RPAREN] = "')'",
	[TOK_COMMA] = "','",
	[TOK_COLON] = "':'",
	[TOK_PIPE] = "'|'",
	[TOK_OR] = "'||'",
	[TOK_AND] = "'&&'",
	[TOK_NOT] = "'!'",
	[TOK_EXPREF] = "'&'",
	[TOK_CURRENT] = "'@'",
	[TOK_EQ] = "'=='",
	[TOK_NE] = "'!='",
	[TOK_LT] = "'<'",
	[TOK_LTE] = "'<='",
	[TOK_GT] = "'>'",
	[TOK_GTE] = "'>='",
};

const char *jmespath_token_name(token_type type)
{
	return type < TOK_COUNT ? token_names[type] : "token";
}

static int lexer_fail_nomem(lexer *lx)
{
	jmespath_error_set(lx->err, JMESPATH_ERR_NOMEM, 0, "out of memory while tokenizing");
	return -1;
}

static int lexer_fail(lexer *lx, size_t offset, const char *what)
{
	jmespath_error_set(lx->err, JMESPATH_ERR_SYNTAX, jmespath_column(lx->text, offset),
		"syntax error at column %zu: %s", jmespath_column(lx->text, offset), what);
	return -1;
}

static token *lexer_push(lexer *lx, token_type type, size_t start, size_t len)
{
	token *t;

	if (lx->count == lx->capacity) {
		size_t capacity = lx->capacity ? lx->capacity * 2 : 32;
		token *tokens = realloc(lx->tokens, capacity * sizeof(*tokens));

		if (!tokens)
			return NULL;
		lx->tokens = tokens;
		lx->capacity = capacity;
	}

	t = &lx->tokens[lx->count++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->start = start;
	t->len = len;
	return t;
}

static bool is_identifier_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_identifier_char(char c)
{
	return is_identifier_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Finds the closing delimiter, skipping any character after a backslash. */
static int lexer_find_end(lexer *lx, char delimiter, size_t *end)
{
	size_t i = lx->pos + 1;

	while (i < lx->len && lx->text[i] != delimiter) {
		if (lx->text[i] == '\\' && i + 1 < lx->len)
			i++;
		i++;
	}
	if (i >= lx->len)
		return -1;
	*end = i;
	return 0;
}

/* Stores a new JSON value in the expression's literal list and on the token. */
static int lexer_keep_literal(lexer *lx, token *t, json_t *value)
{
	if (jmespath_value_list_push(lx->literals, value) < 0)
		return lexer_fail_nomem(lx);
	t->literal = value;
	return 0;
}

static int lexer_unquoted_identifier(lexer *lx)
{
	size_t start = lx->pos;
	token *t;

	while (lx->pos < lx->len && is_identifier_char(lx->text[lx->pos]))
		lx->pos++;

	t = lexer_push(lx, TOK_UNQUOTED_IDENTIFIER, start, lx->pos - start);
	if (!t)
		return lexer_fail_nomem(lx);
	t->name_len = lx->pos - start;
	t->name = jmespath_arena_strndup(lx->arena, lx->text + start, t->name_len);
	if (!t->name)
		return lexer_fail_nomem(lx);
	return 0;
}

/* A quoted identifier uses JSON string syntax, so jansson decodes its escapes. */
static int lexer_quoted_identifier(lexer *lx)
{
	size_t start = lx->pos;
	size_t end;
	json_error_t jerr;
	json_t *decoded;
	token *t;

	if (lexer_find_end(lx, '"', &end) < 0)
		return lexer_fail(lx, start, "unterminated quoted identifier (missing closing '\"')");

	decoded = json_loadb(lx->text + start, end + 1 - start, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!decoded || !json_is_string(decoded)) {
		json_decref(decoded);
		return lexer_fail(lx, start, "invalid quoted identifier: it must be a JSON string "
			"(escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, no control characters)");
	}

	lx->pos = end + 1;
	t = lexer_push(lx, TOK_QUOTED_IDENTIFIER, start, lx->pos - start);
	if (!t) {
		json_decref(decoded);
		return lexer_fail_nomem(lx);
	}
	t->name_len = json_string_length(decoded);
	t->name = jmespath_arena_strndup(lx->arena, json_string_value(decoded), t->name_len);
	json_decref(decoded);
	if (!t->name)
		return lexer_fail_nomem(lx);
	return 0;
}

/* A raw string keeps every character as written, except that \' is a quote. */
static json_t *decode_raw_string(const char *text, size_t len)
{
	return json_stringn(text, len);
}

/*
 * Parses the text of a backtick literal as JSON.  Text that is not JSON is
 * read as the contents of a JSON string, after removing leading whitespace:
 * `foo` is "foo".  That legacy form is deprecated but still in the
 * compliance suite and in jmespath.py.
 */
static json_t *decode_json_literal(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *value;
	char *quoted;
	size_t skip = 0;

	value = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (value)
		return value;

	while (skip < len && text[skip] && strchr(" \t\n\r", text[skip]))
		skip++;
	quoted = malloc(len - skip + 2);
	if (!quoted)
		return NULL;
	quoted[0] = '"';
	memcpy(quoted + 1, text + skip, len - skip);
	quoted[len - skip + 1] = '"';
	value = json_loadb(quoted, len - skip + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	free(quoted);
	return value;
}

/*
 * Reads a literal that starts and ends with delimiter.  Inside it a
 * backslash before the delimiter stands for the delimiter; every other
 * character goes to decode as is.  Pushes a TOK_LITERAL with the value.
 */
static int lexer_delimited_literal(lexer *lx, char delimiter, json_t *(*decode)(const char *, size_t),
	const char *unterminated, const char *invalid)
{
	size_t start = lx->pos;
	size_t end;
	char *buf;
	size_t n = 0;
	json_t *value;
	token *t;

	if (lexer_find_end(lx, delimiter, &end) < 0)
		return lexer_fail(lx, start, unterminated);

	buf = malloc(end - start);
	if (!buf)
		return lexer_fail_nomem(lx);
	for (size_t i = start + 1; i < end; i++) {
		if (lx->text[i] == '\\' && i + 1 < end && lx->text[i + 1] == delimiter)
			i++;
		buf[n++] = lx->text[i];
	}

	value = decode(buf, n);
	free(buf);
	if (!value)
		return lexer_fail(lx, start, invalid);

	lx->pos = end + 1;
	t = lexer_push(lx, TOK_LITERAL, start, lx->pos - start);
	if (!t) {
		json_decref(value);
		return lexer_fail_nomem(lx);
	}
	return lexer_keep_literal(lx, t, value);
}

static int lexer_number(lexer *lx)
{
	size_t start = lx->pos;
	bool negative = false;
	int64_t value = 0;
	token *t;

	if (lx->text[lx->pos] == '-') {
		negative = true;
		lx->pos++;
		if (lx->pos >= lx->len || !is_digit(lx->text[lx->pos]))
			return lexer_fail(lx, start, "'-' must be followed by digits");
	}

	/* Clamp to +-INT64_MAX: any index that large is out of range anyway. */
	while (lx->pos < lx->len && is_digit(lx->text[lx->pos])) {
		int digit = lx->text[lx->pos] - '0';

		if (value > (INT64_MAX - digit) / 10)
			value = INT64_MAX;
		else
			value = value * 10 + digit;
		lx->pos++;
	}

	t = lexer_push(lx, TOK_NUMBER, start, lx->pos - start);
	if (!t)
		return lexer_fail_nomem(lx);
	t->number = negative ? -value : value;
	return 0;
}

/* Pushes a one- or two-character token: two when the next character is second. */
static int lexer_pair(lexer *lx, char second, token_type two, token_type one)
{
	size_t start = lx->pos;
	bool pair = lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == second;

	lx->pos += pair ? 2 : 1;
	if (!lexer_push(lx, pair ? two : one, start, lx->pos - start))
		return lexer_fail_nomem(lx);
	return 0;
}

static int lexer_simple(lexer *lx, token_type type)
{
	if (!lexer_push(lx, type, lx->pos, 1))
		return lexer_fail_nomem(lx);
	lx->pos++;
	return 0;
}

static int lexer_next(lexer *lx)
{
	char c = lx->text[lx->pos];
	char next = lx->pos + 1 < lx->len ? lx->text[lx->pos + 1] : '\0';

	if (is_identifier_start(c))
		return lexer_unquoted_identifier(lx);
	if (is_digit(c) || c == '-')
		return lexer_number(lx);

	switch (c) {
	case '.': return lexer_simple(lx, TOK_DOT);
	case '*': return lexer_simple(lx, TOK_STAR);
	case ']': return lexer_simple(lx, TOK_RBRACKET);
	case '{': return lexer_simple(lx, TOK_LBRACE);
	case '}': return lexer_simple(lx, TOK_RBRACE);
	case '(': return lexer_simple(lx, TOK_LPAREN);
	case ')': return lexer_simple(lx, TOK_RPAREN);
	case ',': return lexer_simple(lx, TOK_COMMA);
	case ':': return lexer_simple(lx, TOK_COLON);
	case '@': return lexer_simple(lx, TOK_CURRENT);
	case '"': return lexer_quoted_identifier(lx);
	case '\'':
		return lexer_delimited_literal(lx, '\'', decode_raw_string,
			"unterminated raw string (missing closing \"'\")", "raw string is not valid UTF-8");
	case '`':
		return lexer_delimited_literal(lx, '`', decode_json_literal,
			"unterminated JSON literal (missing closing '`')", "invalid JSON literal between backticks");
	case '|': return lexer_pair(lx, '|', TOK_OR, TOK_PIPE);
	case '&': return lexer_pair(lx, '&', TOK_AND, TOK_EXPREF);
	case '!': return lexer_pair(lx, '=', TOK_NE, TOK_NOT);
	case '<': return lexer_pair(lx, '=', TOK_LTE, TOK_LT);
	case '>': return lexer_pair(lx, '=', TOK_GTE, TOK_GT);
	case '[':
		if (next == ']')
			return lexer_pair(lx, ']', TOK_FLATTEN, TOK_LBRACKET);
		return lexer_pair(lx, '?', TOK_FILTER, TOK_LBRACKET);
	case '=':
		if (next != '=')
			return lexer_fail(lx, lx->pos, "'=' is not an operator (use '==' to compare)");
		return lexer_pair(lx, '=', TOK_EQ, TOK_EQ);
	default:
		break;
	}

	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7F)
		return lexer_fail(lx, lx->pos, "unexpected character (quote identifiers that are not "
			"plain ASCII letters, digits and '_' with \"...\")");
	{
		char what[64];

		snprintf(what, sizeof(what), "unexpected character '%c'", c);
		return lexer_fail(lx, lx->pos, what);
	}
}

int jmespath_tokenize(token **out, size_t *count, const char *text, size_t len, arena *a,
	value_list *literals, jmespath_error *err)
{
	lexer lx = { .text = text, .len = len, .arena = a, .literals = literals, .err = err };

	while (lx.pos < lx.len) {
		if (strchr(" \t\n\r", lx.text[lx.pos]) && lx.text[lx.pos] != '\0') {
			lx.pos++;
			continue;
		}
		if (lexer_next(&lx) < 0) {
			free(lx.tokens);
			return -1;
		}
	}

	if (!lexer_push(&lx, TOK_EOF, len, 0)) {
		free(lx.tokens);
		return lexer_fail_nomem(&lx);
	}
	*out = lx.tokens;
	*count = lx.count;
	return 0;
}
