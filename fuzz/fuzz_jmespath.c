/*
 * JMESPath compile and search: the bytes are an expression, a NUL byte and
 * a JSON document (a fixed document when there is no NUL).  The expression
 * is compiled on its own too, so that the parser is reached even when the
 * document is invalid, and its result is searched twice to check that a
 * compiled expression is not changed by searching.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"
#include "core/jmespath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_document[] =
	"{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"},"
	" \"Tags\": [{\"Key\": \"Name\", \"Value\": \"a\"}, {\"Key\": \"Owner\", \"Value\": \"b\"}],"
	" \"n\": [3, 1.5, -2, 1e300, null, true, \"x\"], \"s\": \"a,b,,c\", \"j\": \"{\\\"k\\\": [1, 2]}\"}";

static void search_compiled(const char *expr, size_t expr_len, json_t *doc)
{
	jmespath_limits limits = { 100000, 4096 };
	jmespath_error jerr;
	jmespath_expr *compiled = jmespath_compile(expr, expr_len, &limits, &jerr);
	json_t *first = NULL, *second = NULL;
	int rc1, rc2;

	if (!compiled) {
		if (jerr.kind == JMESPATH_OK || jerr.message[0] == '\0')
			abort();
		return;
	}
	rc1 = jmespath_search(&first, compiled, doc, &limits, &jerr);
	rc2 = jmespath_search(&second, compiled, doc, &limits, &jerr);
	if (rc1 != rc2)
		abort();
	if (rc1 == 0) {
		char *text = jmespath_dumps(first, JSON_ENCODE_ANY | JSON_COMPACT);

		/* Searching the same document twice gives the same result. */
		if (!json_equal(first, second) && !(json_is_real(first) && json_is_real(second)))
			abort();
		free(text);
	}
	json_decref(first);
	json_decref(second);
	jmespath_free(compiled);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t expr_len = nul ? (size_t)(nul - data) : size;
	const char *doc_text = nul ? (const char *)nul + 1 : fixed_document;
	size_t doc_len = nul ? size - expr_len - 1 : sizeof(fixed_document) - 1;
	char *expr = malloc(expr_len + 1);
	char *out = NULL;
	peerguard_error err;
	json_t *doc;
	int rc;

	if (!expr)
		return 0;
	memcpy(expr, data, expr_len);
	expr[expr_len] = '\0';

	rc = peerguard_jmespath_search(&out, expr, doc_text, doc_len, NULL, &err);
	if (rc == 0) {
		if (!out)
			abort();
		peerguard_free(out);
	} else if (out || err.message[0] == '\0') {
		abort();
	}

	doc = json_loadb(doc_text, doc_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (doc) {
		search_compiled(expr, expr_len, doc);
		json_decref(doc);
	}
	free(expr);
	return 0;
}
