/* The byte-level prefilter: needles from a policy set, and a JSON value scanner. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/policy.h"
#include "core/prefilter.h"

/* Deepest nesting the scanner tracks; deeper values are SCAN_INVALID and go to the full parser. */
#define SCAN_STACK_BITS 4096

/* The key every describe record has, so that describe records are always parsed. */
static const char describe_key[] = "VpcPeeringConnectionId";

/* Event names are searched as raw bytes, so they must not need a JSON escape other than \u. */
static int searchable(const char *name)
{
	if (!name[0])
		return 0;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

static int add_needle(prefilter *pf, const char *text)
{
	char **needles;
	size_t *lengths;

	for (size_t i = 0; i < pf->count; i++)
		if (strcmp(pf->needles[i], text) == 0)
			return 0;
	needles = realloc(pf->needles, (pf->count + 1) * sizeof(*needles));
	if (!needles)
		return -1;
	pf->needles = needles;
	lengths = realloc(pf->lengths, (pf->count + 1) * sizeof(*lengths));
	if (!lengths)
		return -1;
	pf->lengths = lengths;
	pf->needles[pf->count] = string_dup(text);
	if (!pf->needles[pf->count])
		return -1;
	pf->lengths[pf->count] = strlen(text);
	pf->count++;
	return 0;
}

int prefilter_init(prefilter *pf, const peerguard_policy_set *set)
{
	memset(pf, 0, sizeof(*pf));
	pf->active = 1;

	if (add_needle(pf, describe_key) < 0)
		goto fail;
	for (size_t pi = 0; pi < set->count; pi++) {
		const policy *p = &set->policies[pi];

		if (p->mode != MODE_CLOUDTRAIL)
			continue;
		for (size_t i = 0; i < p->n_events; i++) {
			if (!searchable(p->events[i].event)) {
				pf->active = 0;
				continue;
			}
			if (add_needle(pf, p->events[i].event) < 0)
				goto fail;
		}
	}
	return 0;

fail:
	prefilter_clear(pf);
	return -1;
}

void prefilter_clear(prefilter *pf)
{
	for (size_t i = 0; i < pf->count; i++)
		free(pf->needles[i]);
	free(pf->needles);
	free(pf->lengths);
	memset(pf, 0, sizeof(*pf));
}

/*
 * Returns the offset of the quote that closes the string whose contents
 * start at data[i], or len when the buffer ends first.  Notes a backslash
 * followed by 'u', and one followed by an escaped backslash and 'u' (a \u
 * escape inside JSON text that is itself a string, as in SNS messages).
 */
static size_t string_end(const char *data, size_t i, size_t len, scan_info *info)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');
#endif

	for (;;) {
#if defined(__SSE2__)
		while (i + 16 <= len) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
			unsigned int mask = (unsigned int)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));

			if (mask) {
				i += (size_t)__builtin_ctz(mask);
				goto special;
			}
			i += 16;
		}
#endif
		while (i < len && data[i] != '"' && data[i] != '\\')
			i++;
		if (i >= len)
			return len;
#if defined(__SSE2__)
special:
#endif
		if (data[i] == '"')
			return i;
		if (i + 1 < len && data[i + 1] == 'u')
			info->unicode_escape = 1;
		else if (i + 2 < len && data[i + 1] == '\\' && data[i + 2] == 'u')
			info->unicode_escape = 1;
		i += 2;
		if (i >= len)
			return len;
	}
}

/* Bytes that end a scalar. */
static int is_delimiter(unsigned char c)
{
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes outside strings that the container loop must look at: 1 for each. */
static const unsigned char container_class[256] = {
	['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1, ['\n'] = 1,
};

static scan_result scan_container(scan_info *info, const char *data, size_t len, unsigned int max_depth)
{
	uint64_t stack[SCAN_STACK_BITS / 64];  /* bit set: the open bracket at that depth is '[' */
	unsigned int depth = 0;
	size_t i = 0;

	if (max_depth > SCAN_STACK_BITS)
		max_depth = SCAN_STACK_BITS;
	for (;;) {
		unsigned char c;

		while (i < len && !container_class[(unsigned char)data[i]])
			i++;
		if (i >= len)
			return SCAN_MORE;
		c = (unsigned char)data[i];

		if (c == '"') {
			size_t close = string_end(data, i + 1, len, info);

			if (close >= len)
				return SCAN_MORE;
			i = close + 1;
			continue;
		}
		if (c == '\n') {
			info->newline = 1;
			i++;
			continue;
		}
		if (c == '{' || c == '[') {
			uint64_t bit = (uint64_t)1 << (depth % 64);

			if (depth >= max_depth)
				return SCAN_INVALID;
			if (c == '[')
				stack[depth / 64] |= bit;
			else
				stack[depth / 64] &= ~bit;
			depth++;
			i++;
			continue;
		}

		/* A closing bracket must match the open one. */
		if (depth == 0)
			return SCAN_INVALID;
		depth--;
		if (((stack[depth / 64] >> (depth % 64)) & 1) != (c == ']'))
			return SCAN_INVALID;
		i++;
		if (depth == 0) {
			info->end = i;
			return SCAN_DONE;
		}
	}
}

scan_result json_scan_value(scan_info *info, const char *data, size_t len, unsigned int max_depth)
{
	size_t i;

	memset(info, 0, sizeof(*info));
	if (len == 0)
		return SCAN_MORE;

	if (data[0] == '{' || data[0] == '[')
		return scan_container(info, data, len, max_depth);
	if (data[0] == '"') {
		size_t close = string_end(data, 1, len, info);

		if (close >= len)
			return SCAN_MORE;
		info->end = close + 1;
		return SCAN_DONE;
	}
	if (data[0] == '}' || data[0] == ']' || data[0] == ',' || data[0] == ':')
		return SCAN_INVALID;

	/* A number or a literal: its tokens are left to the parser. */
	for (i = 1; i < len && !is_delimiter((unsigned char)data[i]); i++)
		;
	if (i >= len)
		return SCAN_MORE;
	info->end = i;
	return SCAN_DONE;
}

void prefilter_mark(const prefilter *pf, const char *data, const size_t *starts, const size_t *ends, size_t n,
	unsigned char *hit)
{
	if (n == 0)
		return;

	/* One search per needle over all the records at once: hits are rare, and memmem is fastest on long runs. */
	for (size_t ni = 0; ni < pf->count; ni++) {
		const char *needle = pf->needles[ni];
		size_t nlen = pf->lengths[ni];
		size_t pos = starts[0], k = 0;

		while (pos < ends[n - 1]) {
			const char *found = memmem(data + pos, ends[n - 1] - pos, needle, nlen);
			size_t at;

			if (!found)
				break;
			at = (size_t)(found - data);

			/* Records are in order, so the record holding the hit is at or after k. */
			while (k < n && ends[k] <= at)
				k++;
			if (k == n)
				break;
			if (at >= starts[k]) {
				hit[k] = 1;
				pos = ends[k];
			} else {
				pos = at + 1;
			}
		}
	}
}

int prefilter_is_event(const char *data, size_t len)
{
	static const char name_key[] = "\"eventName\"";
	static const char source_key[] = "\"eventSource\"";

	return memmem(data, len, name_key, sizeof(name_key) - 1) != NULL ||
		memmem(data, len, source_key, sizeof(source_key) - 1) != NULL;
}

static int key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(key, name, len) == 0;
}

int prefilter_is_bare_event(const char *data, size_t len)
{
	static const char *const blockers[] = { "detail", "Records", "data", "VpcPeeringConnections",
		"VpcPeeringConnection", "VpcPeeringConnectionId", NULL };
	int event = 0;
	size_t i = 1;

	if (len < 2 || data[0] != '{')
		return 0;
	for (;;) {
		const char *key;
		size_t key_len;
		scan_info info;

		while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
			i++;
		if (i >= len || data[i] != '"')
			return 0;
		key = data + i + 1;
		for (i++; i < len && data[i] != '"'; i++)
			if (data[i] == '\\')
				return 0;
		if (i >= len)
			return 0;
		key_len = (size_t)(data + i - key);
		if (key_is(key, key_len, "eventName") || key_is(key, key_len, "eventSource"))
			event = 1;
		for (size_t b = 0; blockers[b]; b++)
			if (key_is(key, key_len, blockers[b]))
				return 0;

		/* Skip the colon and the value. */
		for (i++; i < len && data[i] != ':'; i++)
			;
		for (i++; i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'); i++)
			;
		if (i >= len || json_scan_value(&info, data + i, len - i, SCAN_STACK_BITS) != SCAN_DONE)
			return 0;
		for (i += info.end; i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'); i++)
			;
		if (i >= len)
			return 0;
		if (data[i] == '}')
			return event;
		if (data[i] != ',')
			return 0;
		i++;
	}
}
