/*
 * fnmatch.fnmatch on POSIX (CPython 3.11): fnmatchcase, so case-sensitive
 * and whole-string, with * ? [seq] [!seq] and no escaping.  The pattern is
 * read the way fnmatch.translate reads it (an unclosed '[' is literal,
 * reversed ranges are dropped, an empty class never matches, "[!]" matches
 * any character), then matched over code points directly.
 */
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

enum { TOKEN_LITERAL, TOKEN_ANY, TOKEN_STAR, TOKEN_CLASS, TOKEN_NEVER };

typedef struct char_range {
	uint32_t lo, hi;
} char_range;

typedef struct glob_token {
	int type;
	uint32_t cp;          /* LITERAL */
	int negate;           /* CLASS */
	size_t first, count;  /* CLASS: its ranges in the pattern's range array */
} glob_token;

typedef struct glob_pattern {
	glob_token *tokens;
	size_t ntokens;
	char_range *ranges;
	size_t nranges, ranges_cap;
} glob_pattern;

static uint32_t *decode(const char *s, size_t len, size_t *count)
{
	uint32_t *cps = malloc((len + 1) * sizeof(*cps));
	size_t pos = 0;

	*count = 0;
	if (cps == NULL)
		return NULL;
	while (pos < len)
		cps[(*count)++] = pystr_next(s, len, &pos);
	return cps;
}

static int add_range(glob_pattern *g, uint32_t lo, uint32_t hi)
{
	if (g->nranges == g->ranges_cap) {
		size_t cap = g->ranges_cap * 2 + 8;
		char_range *grown = realloc(g->ranges, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		g->ranges = grown;
		g->ranges_cap = cap;
	}
	g->ranges[g->nranges].lo = lo;
	g->ranges[g->nranges].hi = hi;
	g->nranges++;
	return 0;
}

/* Appends cp to the class text, with escaped[] marking a character that fnmatch.translate escapes. */
static void push_class_char(uint32_t *text, int *escaped, size_t *n, uint32_t cp, int escape)
{
	text[*n] = cp;
	escaped[*n] = escape;
	(*n)++;
}

/* A chunk of a class: len code points of pat, starting at index head and following next[]. */
typedef struct chunk {
	size_t head, len;
} chunk;

/*
 * Builds the regex class text that fnmatch.translate writes for pat[i:j]
 * (chunks split on '-', reversed ranges removed, '\\' and '-' inside chunks
 * escaped) and returns its length, or (size_t)-1 when out of memory.
 * escaped[k] is 1 for a character that is literal in the class text.
 */
static size_t class_text(uint32_t *text, int *escaped, const uint32_t *pat, size_t i, size_t j)
{
	size_t nchunks = 0, k, c, m, n = 0, node;
	chunk *chunks;
	size_t *next;
	int has_dash = 0;

	for (k = i; k < j; k++)
		has_dash |= pat[k] == '-';
	if (!has_dash) {
		for (k = i; k < j; k++)
			push_class_char(text, escaped, &n, pat[k], pat[k] == '\\');
		return n;
	}

	chunks = malloc((j - i + 2) * sizeof(*chunks));
	next = malloc((j + 1) * sizeof(*next));
	if (chunks == NULL || next == NULL) {
		free(chunks);
		free(next);
		return (size_t)-1;
	}
	for (k = i; k <= j; k++)
		next[k] = k + 1;

	/* chunks: pat[i:j] cut at each '-' found from k = i+1 (i+2 after '!'), then from k+3 */
	k = pat[i] == '!' ? i + 2 : i + 1;
	for (;;) {
		size_t dash = k;

		while (dash < j && pat[dash] != '-')
			dash++;
		if (dash >= j)
			break;
		chunks[nchunks].head = i;
		chunks[nchunks++].len = dash - i;
		i = dash + 1;
		k = dash + 3;
	}
	if (i < j) {
		chunks[nchunks].head = i;
		chunks[nchunks++].len = j - i;
	} else if (nchunks > 0) {
		chunks[nchunks - 1].len++;  /* chunks[-1] += '-': that '-' follows the chunk in pat */
	}

	/*
	 * Drop reversed ranges right to left: chunks[c-1][:-1] + chunks[c][1:].
	 * The left chunk is still contiguous in pat, so its last code point is
	 * head + len - 1; the two dropped code points are unlinked from next[].
	 */
	for (c = nchunks - 1; c > 0; c--) {
		chunk *left = &chunks[c - 1], *right = &chunks[c];
		size_t left_tail = left->head + left->len - 1;

		if (pat[left_tail] <= pat[right->head])
			continue;
		if (left->len >= 2)
			next[left_tail - 1] = next[right->head];
		else
			left->head = next[right->head];
		left->len = left->len + right->len - 2;
		for (m = c; m + 1 < nchunks; m++)
			chunks[m] = chunks[m + 1];
		nchunks--;
	}

	for (c = 0; c < nchunks; c++) {
		if (c > 0)
			push_class_char(text, escaped, &n, '-', 0);
		node = chunks[c].head;
		for (m = 0; m < chunks[c].len; m++, node = next[node])
			push_class_char(text, escaped, &n, pat[node], pat[node] == '\\' || pat[node] == '-');
	}
	free(chunks);
	free(next);
	return n;
}

/* Parses the class text the way re's sre_parse reads a set: char, or char '-' char. */
static int compile_class(glob_pattern *g, glob_token *token, const uint32_t *text, const int *escaped, size_t n)
{
	size_t k = 0;

	token->type = TOKEN_CLASS;
	token->first = g->nranges;
	if (text[0] == '!' && !escaped[0]) {
		token->negate = 1;
		k = 1;
	}
	while (k < n) {
		uint32_t lo = text[k++], hi;

		if (k + 1 < n && text[k] == '-' && !escaped[k]) {
			hi = text[k + 1];
			k += 2;
			if (hi < lo)
				return PY_RAISE;  /* re.error: bad character range */
		} else {
			hi = lo;
		}
		if (add_range(g, lo, hi) != 0)
			return PY_FAIL;
	}
	token->count = g->nranges - token->first;
	return PY_OK;
}

static int compile_bracket(glob_pattern *g, glob_token *token, const uint32_t *pat, size_t n, size_t *i)
{
	size_t j = *i;
	size_t len;
	uint32_t *text;
	int *escaped, status = PY_OK;

	if (j < n && pat[j] == '!')
		j++;
	if (j < n && pat[j] == ']')
		j++;
	while (j < n && pat[j] != ']')
		j++;
	if (j >= n) {
		token->type = TOKEN_LITERAL;
		token->cp = '[';
		return PY_OK;
	}

	text = malloc((2 * (j - *i) + 2) * sizeof(*text));
	escaped = malloc((2 * (j - *i) + 2) * sizeof(*escaped));
	if (text == NULL || escaped == NULL) {
		free(text);
		free(escaped);
		return PY_FAIL;
	}
	len = class_text(text, escaped, pat, *i, j);
	*i = j + 1;

	if (len == (size_t)-1)
		status = PY_FAIL;
	else if (len == 0)
		token->type = TOKEN_NEVER;  /* an empty class never matches */
	else if (len == 1 && text[0] == '!' && !escaped[0])
		token->type = TOKEN_ANY;  /* a negated empty class matches any character */
	else
		status = compile_class(g, token, text, escaped, len);

	free(text);
	free(escaped);
	return status;
}

static int compile_glob(glob_pattern *g, const uint32_t *pat, size_t n)
{
	size_t i = 0;

	memset(g, 0, sizeof(*g));
	g->tokens = calloc(n + 1, sizeof(*g->tokens));
	if (g->tokens == NULL)
		return PY_FAIL;

	while (i < n) {
		glob_token *token = &g->tokens[g->ntokens];
		uint32_t c = pat[i++];
		int status = PY_OK;

		memset(token, 0, sizeof(*token));
		if (c == '*') {
			if (g->ntokens > 0 && g->tokens[g->ntokens - 1].type == TOKEN_STAR)
				continue;
			token->type = TOKEN_STAR;
		} else if (c == '?') {
			token->type = TOKEN_ANY;
		} else if (c == '[') {
			status = compile_bracket(g, token, pat, n, &i);
		} else {
			token->type = TOKEN_LITERAL;
			token->cp = c;
		}
		if (status != PY_OK)
			return status;
		g->ntokens++;
	}
	return PY_OK;
}

static int token_matches(const glob_pattern *g, const glob_token *token, uint32_t cp)
{
	size_t k;
	int in = 0;

	switch (token->type) {
	case TOKEN_LITERAL:
		return token->cp == cp;
	case TOKEN_ANY:
		return 1;
	case TOKEN_CLASS:
		for (k = token->first; k < token->first + token->count && !in; k++)
			in = cp >= g->ranges[k].lo && cp <= g->ranges[k].hi;
		return token->negate ? !in : in;
	default:
		return 0;
	}
}

/* Every token but * takes one character, so one backtrack point (the last *) suffices. */
static int match_tokens(const glob_pattern *g, const uint32_t *s, size_t n)
{
	size_t t = 0, i = 0, star_t = (size_t)-1, star_i = 0;

	while (i < n) {
		if (t < g->ntokens && g->tokens[t].type == TOKEN_STAR) {
			star_t = t++;
			star_i = i;
		} else if (t < g->ntokens && token_matches(g, &g->tokens[t], s[i])) {
			t++;
			i++;
		} else if (star_t != (size_t)-1) {
			t = star_t + 1;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (t < g->ntokens && g->tokens[t].type == TOKEN_STAR)
		t++;
	return t == g->ntokens;
}

int value_glob_match(const char *name, size_t name_len, const char *pattern, size_t pattern_len)
{
	size_t npat, nname;
	uint32_t *pat = decode(pattern, pattern_len, &npat);
	uint32_t *s = decode(name, name_len, &nname);
	glob_pattern g;
	int status = PY_FAIL;

	memset(&g, 0, sizeof(g));
	if (pat != NULL && s != NULL)
		status = compile_glob(&g, pat, npat);
	if (status == PY_OK)
		status = match_tokens(&g, s, nname);
	else if (status == PY_RAISE)
		status = 0;

	free(g.tokens);
	free(g.ranges);
	free(pat);
	free(s);
	return status;
}
