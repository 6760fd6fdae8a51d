/* Error kinds, messages and columns. */
#include <stdarg.h>
#include <stdio.h>

#include "jmespath_internal.h"

const char *jmespath_error_kind_name(jmespath_error_kind kind)
{
	switch (kind) {
	case JMESPATH_OK: return "ok";
	case JMESPATH_ERR_SYNTAX: return "syntax";
	case JMESPATH_ERR_INVALID_ARITY: return "invalid-arity";
	case JMESPATH_ERR_INVALID_TYPE: return "invalid-type";
	case JMESPATH_ERR_INVALID_VALUE: return "invalid-value";
	case JMESPATH_ERR_UNKNOWN_FUNCTION: return "unknown-function";
	case JMESPATH_ERR_LIMIT: return "limit";
	case JMESPATH_ERR_NOMEM: return "out-of-memory";
	}
	return "unknown";
}

void jmespath_error_set(jmespath_error *err, jmespath_error_kind kind, size_t column,
	const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;

	err->kind = kind;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

size_t jmespath_column(const char *text, size_t offset)
{
	size_t column = 1;

	/* Count code points: every byte except UTF-8 continuation bytes starts one. */
	for (size_t i = 0; i < offset; i++) {
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			column++;
	}
	return column;
}
