/* libyaml event stream to a positioned node tree, with YAML 1.1 scalar resolution. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/internal.h"
#include "core/yaml_doc.h"

typedef struct anchor {
	char *name;
	ynode *node;
	struct anchor *next;
} anchor;

typedef struct builder {
	yaml_parser_t parser;
	const char *name;
	const peerguard_limits *limits;
	peerguard_error *err;
	anchor *anchors;
	unsigned int aliases;
	size_t nodes;
	size_t alias_bytes;     /* scalar bytes copied by alias expansion */
} builder;

/* A bound on nodes created by alias copies, so that nested aliases cannot multiply without end. */
#define YDOC_MAX_NODES 2000000

/* Mappings with more keys than this look keys up through an index instead of a scan. */
#define YDOC_SCAN_KEYS 16

static ynode *node_new(ynode_kind kind, const yaml_mark_t *mark)
{
	ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (int)mark->line + 1;
	n->column = (int)mark->column + 1;
	return n;
}

void ynode_free(ynode *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->count; i++) {
		if (node->keys)
			ynode_free(node->keys[i]);
		ynode_free(node->items[i]);
	}
	free(node->keys);
	free(node->items);
	free(node->value);
	free(node);
}

static int match_all(const char *s, const char *allowed)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s != '_' && !strchr(allowed, *s))
			return 0;
	return 1;
}

static const char *const yaml11_true[] = { "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL };
static const char *const yaml11_false[] = { "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL };

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Returns 1 for YAML 1.1 sexagesimal integers such as 1:20 (base 60). */
static int is_sexagesimal_int(const char *s)
{
	if (*s < '1' || *s > '9')
		return 0;
	while (*s && *s != ':') {
		if ((*s < '0' || *s > '9') && *s != '_')
			return 0;
		s++;
	}
	if (*s != ':')
		return 0;
	while (*s == ':') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		s++;
		if (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int is_yaml11_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && s[1] == 'b')
		return match_all(s + 2, "01");
	if (s[0] == '0' && s[1] == 'x')
		return match_all(s + 2, "0123456789abcdefABCDEF");
	if (s[0] == '0' && s[1] == '\0')
		return 1;
	if (s[0] == '0')
		return match_all(s + 1, "01234567");
	if (s[0] >= '1' && s[0] <= '9')
		return match_all(s, "0123456789") || is_sexagesimal_int(s);
	return 0;
}

static int is_yaml11_float(const char *s)
{
	const char *p = s;
	int digits_before = 0, dot = 0;

	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return 1;
	if (*p == '+' || *p == '-')
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0)
		return 1;

	while ((*p >= '0' && *p <= '9') || (*p == '_' && digits_before)) {
		digits_before = 1;
		p++;
	}
	if (*p == '.') {
		dot = 1;
		p++;
		if (!digits_before && !(*p >= '0' && *p <= '9'))
			return 0;
		while ((*p >= '0' && *p <= '9') || *p == '_')
			p++;
	}
	if (!digits_before && !dot)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p != '+' && *p != '-')
			return 0;
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0' && dot;
}

static yscalar_type resolve_plain(const char *s)
{
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return YSCALAR_NULL;
	if (in_list(s, yaml11_true) || in_list(s, yaml11_false))
		return YSCALAR_BOOL;
	if (is_yaml11_int(s))
		return YSCALAR_INT;
	if (is_yaml11_float(s))
		return YSCALAR_FLOAT;
	return YSCALAR_STRING;
}

static int fail(builder *b, int code, const yaml_mark_t *mark, const char *fmt, const char *detail)
{
	error_site site = { b->name, mark ? (int)mark->line + 1 : 0, mark ? (int)mark->column + 1 : 0, NULL, NULL };
	char where[PEERGUARD_ERROR_FILE_MAX + 32];

	/* Every format starts with "%s: ", which receives file:line:column. */
	if (mark)
		snprintf(where, sizeof(where), "%s:%d:%d", b->name, site.line, site.column);
	else
		snprintf(where, sizeof(where), "%s", b->name);
	return error_set(b->err, code, &site, fmt, where, detail);
}

/*
 * Returns the number of slots allocated for count children: the next power
 * of two, so that appending one child at a time costs amortised O(1).
 */
static size_t child_slots(size_t count)
{
	size_t slots = 1;

	while (slots < count)
		slots *= 2;
	return slots;
}

/* Fails with PEERGUARD_ELIMIT at mark, with the file name before the formatted message. */
static int fail_limit(builder *b, const yaml_mark_t *mark, const char *fmt, ...) PG_PRINTF(3, 4);

static int fail_limit(builder *b, const yaml_mark_t *mark, const char *fmt, ...)
{
	char message[PEERGUARD_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return fail(b, PEERGUARD_ELIMIT, mark, "%s: %s", message);
}

static ynode *node_copy(builder *b, const ynode *src)
{
	ynode *n;

	if (++b->nodes > YDOC_MAX_NODES)
		return NULL;
	/* Copies of one large scalar would otherwise turn a small file into gigabytes. */
	b->alias_bytes += src->length;
	if (b->alias_bytes > b->limits->max_policy_bytes)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	*n = *src;
	n->value = NULL;
	n->keys = NULL;
	n->items = NULL;
	n->count = 0;
	if (src->value) {
		n->value = malloc(src->length + 1);
		if (!n->value)
			goto oom;
		memcpy(n->value, src->value, src->length + 1);
	}
	if (src->count) {
		n->items = calloc(child_slots(src->count), sizeof(*n->items));
		if (src->keys)
			n->keys = calloc(child_slots(src->count), sizeof(*n->keys));
		if (!n->items || (src->keys && !n->keys))
			goto oom;
		for (size_t i = 0; i < src->count; i++) {
			n->count = i + 1;
			n->items[i] = node_copy(b, src->items[i]);
			if (src->keys)
				n->keys[i] = node_copy(b, src->keys[i]);
			if (!n->items[i] || (src->keys && !n->keys[i]))
				goto oom;
		}
	}
	return n;
oom:
	ynode_free(n);
	return NULL;
}

/* Returns the nesting height of n (1 for a scalar), counting no further than limit + 1. */
static unsigned int node_height(const ynode *n, unsigned int limit)
{
	unsigned int highest = 0;

	if (n->kind == YNODE_SCALAR || limit == 0)
		return 1;
	for (size_t i = 0; i < n->count && highest <= limit; i++) {
		unsigned int h = node_height(n->items[i], limit - 1);

		if (h > highest)
			highest = h;
	}
	return highest + 1;
}

static int add_anchor(builder *b, const yaml_char_t *name, ynode *node)
{
	anchor *a;

	if (!name)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->name = string_dup((const char *)name);
	if (!a->name) {
		free(a);
		return -1;
	}
	a->node = node;
	a->next = b->anchors;
	b->anchors = a;
	return 0;
}

static int append(ynode *parent, ynode *key, ynode *value)
{
	/* Storage doubles when count reaches a power of two, matching child_slots. */
	if (parent->count == 0 || child_slots(parent->count) == parent->count) {
		size_t slots = parent->count ? parent->count * 2 : 1;
		ynode **items = realloc(parent->items, slots * sizeof(*items));

		if (!items)
			return -1;
		parent->items = items;
		if (parent->kind == YNODE_MAPPING) {
			ynode **keys = realloc(parent->keys, slots * sizeof(*keys));

			if (!keys)
				return -1;
			parent->keys = keys;
		}
	}
	if (parent->kind == YNODE_MAPPING)
		parent->keys[parent->count] = key;
	parent->items[parent->count++] = value;
	return 0;
}

/*
 * The keys of one mapping, for the duplicate check and for merges.  Small
 * mappings are scanned.  Larger ones get a jansson object from key to
 * index, whose seeded hash keeps crafted keys from colliding on purpose.
 */
typedef struct key_index {
	json_t *index;
	size_t indexed;     /* keys of the mapping already in index */
} key_index;

/* Returns the index of a key of n equal to key (as C strings), or n->count when there is none. */
static size_t key_find(const key_index *ki, const ynode *n, const char *key)
{
	json_t *found;

	if (!ki->index) {
		for (size_t i = 0; i < n->count; i++)
			if (strcmp(n->keys[i]->value, key) == 0)
				return i;
		return n->count;
	}
	found = json_object_get(ki->index, key);
	return found ? (size_t)json_integer_value(found) : n->count;
}

/* Adds the keys of n not yet indexed, once n has more than YDOC_SCAN_KEYS keys.  Returns 0 or -1. */
static int key_index_update(key_index *ki, const ynode *n)
{
	if (n->count <= YDOC_SCAN_KEYS)
		return 0;
	if (!ki->index && !(ki->index = json_object()))
		return -1;
	for (; ki->indexed < n->count; ki->indexed++) {
		/* The first of equal keys wins, as in a scan. */
		if (json_object_get(ki->index, n->keys[ki->indexed]->value))
			continue;
		if (json_object_set_new_nocheck(ki->index, n->keys[ki->indexed]->value,
			json_integer((json_int_t)ki->indexed)) < 0)
			return -1;
	}
	return 0;
}

/* Copies the entries of src that map lacks into map (YAML's merge key). */
static int merge_from(builder *b, ynode *map, const ynode *src)
{
	key_index ki = { NULL, 0 };
	int rc = key_index_update(&ki, map);

	for (size_t i = 0; i < src->count && rc == 0; i++) {
		ynode *key, *value;

		if (key_find(&ki, map, src->keys[i]->value) < map->count)
			continue;
		key = node_copy(b, src->keys[i]);
		value = node_copy(b, src->items[i]);
		if (!key || !value || append(map, key, value) < 0) {
			ynode_free(key);
			ynode_free(value);
			rc = -1;
			break;
		}
		rc = key_index_update(&ki, map);
	}
	json_decref(ki.index);
	return rc;
}

/*
 * Applies a "<<" merge key, as PyYAML does: the mapping (or each mapping of
 * a list, earlier ones first) supplies the keys this mapping does not set.
 */
static int apply_merge_key(builder *b, ynode *map)
{
	size_t at;
	ynode *key, *src;
	int rc = 0;

	for (at = 0; at < map->count; at++)
		if (map->keys[at]->plain && strcmp(map->keys[at]->value, "<<") == 0)
			break;
	if (at == map->count)
		return 0;

	key = map->keys[at];
	src = map->items[at];
	memmove(map->keys + at, map->keys + at + 1, (map->count - at - 1) * sizeof(*map->keys));
	memmove(map->items + at, map->items + at + 1, (map->count - at - 1) * sizeof(*map->items));
	map->count--;

	if (src->kind == YNODE_MAPPING) {
		rc = merge_from(b, map, src);
	} else if (src->kind == YNODE_SEQUENCE) {
		for (size_t i = 0; i < src->count && rc == 0; i++) {
			if (src->items[i]->kind != YNODE_MAPPING) {
				rc = -2;
				break;
			}
			rc = merge_from(b, map, src->items[i]);
		}
	} else {
		rc = -2;
	}

	if (rc < 0) {
		error_site site = { b->name, key->line, key->column, NULL, NULL };

		if (rc == -2)
			rc = error_set(b->err, PEERGUARD_EPOLICY, &site,
				"%s: the merge key << takes a mapping or a list of mappings", b->name);
		else
			rc = error_set(b->err, PEERGUARD_ELIMIT, &site,
				"%s: YAML merge keys expand to more than %d nodes or more than max_policy_bytes (%zu bytes) of text; write the values out",
				b->name, YDOC_MAX_NODES, b->limits->max_policy_bytes);
	}
	ynode_free(key);
	ynode_free(src);
	return rc;
}

static int parse_node(builder *b, yaml_event_t *ev, unsigned int depth, ynode **out);

static int parse_collection_keys(builder *b, ynode *n, yaml_event_type_t end_type, unsigned int depth,
	key_index *ki);

/* Reads events until the end of the collection started by start. */
static int parse_collection(builder *b, ynode *n, yaml_event_type_t end_type, unsigned int depth)
{
	key_index ki = { NULL, 0 };
	int rc = parse_collection_keys(b, n, end_type, depth, &ki);

	json_decref(ki.index);
	return rc;
}

static int parse_collection_keys(builder *b, ynode *n, yaml_event_type_t end_type, unsigned int depth,
	key_index *ki)
{
	for (;;) {
		yaml_event_t ev;
		ynode *key = NULL, *value = NULL;
		int rc;

		if (!yaml_parser_parse(&b->parser, &ev))
			return fail(b, PEERGUARD_EPOLICY, &b->parser.problem_mark, "%s: invalid YAML: %s",
				b->parser.problem ? b->parser.problem : "syntax error");
		if (ev.type == end_type) {
			yaml_event_delete(&ev);
			return 0;
		}

		if (n->kind == YNODE_MAPPING) {
			rc = parse_node(b, &ev, depth + 1, &key);
			yaml_event_delete(&ev);
			if (rc < 0)
				return rc;
			if (key->kind != YNODE_SCALAR) {
				error_site site = { b->name, key->line, key->column, NULL, NULL };

				ynode_free(key);
				return error_set(b->err, PEERGUARD_EPOLICY, &site,
					"%s: mapping keys must be plain strings; quote the key", b->name);
			}
			{
				size_t i = key_find(ki, n, key->value);

				if (i < n->count) {
					error_site site = { b->name, key->line, key->column, NULL, NULL };

					error_set(b->err, PEERGUARD_EPOLICY, &site,
						"%s: duplicate key '%s' (first at line %d); remove one of them",
						b->name, key->value, n->keys[i]->line);
					ynode_free(key);
					return PEERGUARD_EPOLICY;
				}
			}
			if (!yaml_parser_parse(&b->parser, &ev)) {
				ynode_free(key);
				return fail(b, PEERGUARD_EPOLICY, &b->parser.problem_mark, "%s: invalid YAML: %s",
					b->parser.problem ? b->parser.problem : "syntax error");
			}
		}

		rc = parse_node(b, &ev, depth + 1, &value);
		yaml_event_delete(&ev);
		if (rc < 0) {
			ynode_free(key);
			return rc;
		}
		if (append(n, key, value) < 0) {
			ynode_free(key);
			ynode_free(value);
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		}
		if (n->kind == YNODE_MAPPING && key_index_update(ki, n) < 0)
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
	}
}

static int parse_node(builder *b, yaml_event_t *ev, unsigned int depth, ynode **out)
{
	ynode *n = NULL;
	int rc;

	*out = NULL;
	if (depth > b->limits->max_depth)
		return fail_limit(b, &ev->start_mark,
			"nesting is deeper than max_depth (%u levels); flatten the document or raise the limit",
			b->limits->max_depth);

	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		anchor *a;

		if (++b->aliases > b->limits->max_yaml_aliases)
			return fail_limit(b, &ev->start_mark,
				"more YAML aliases than max_yaml_aliases (%u); write the values out or raise the limit",
				b->limits->max_yaml_aliases);
		for (a = b->anchors; a; a = a->next)
			if (strcmp(a->name, (const char *)ev->data.alias.anchor) == 0)
				break;
		if (!a)
			return fail(b, PEERGUARD_EPOLICY, &ev->start_mark, "%s: unknown YAML alias *%s",
				(const char *)ev->data.alias.anchor);
		/* The copy lands at this depth, so a nest of aliases cannot grow past max_depth. */
		if (depth - 1 + node_height(a->node, b->limits->max_depth) > b->limits->max_depth)
			return fail_limit(b, &ev->start_mark,
				"with alias *%s expanded, nesting is deeper than max_depth (%u levels); flatten the document or raise the limit",
				a->name, b->limits->max_depth);
		n = node_copy(b, a->node);
		if (!n && b->alias_bytes > b->limits->max_policy_bytes)
			return fail_limit(b, &ev->start_mark,
				"YAML aliases expand to more than max_policy_bytes (%zu bytes) of text; write the values out or raise the limit",
				b->limits->max_policy_bytes);
		if (!n && b->nodes > YDOC_MAX_NODES)
			return fail_limit(b, &ev->start_mark,
				"YAML aliases expand to more than %d nodes; write the values out", YDOC_MAX_NODES);
		if (!n)
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		n->line = (int)ev->start_mark.line + 1;
		n->column = (int)ev->start_mark.column + 1;
		*out = n;
		return 0;
	}
	case YAML_SCALAR_EVENT: {
		const char *tag = (const char *)ev->data.scalar.tag;

		n = node_new(YNODE_SCALAR, &ev->start_mark);
		if (!n)
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		n->length = ev->data.scalar.length;
		n->value = malloc(n->length + 1);
		if (!n->value) {
			ynode_free(n);
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		}
		memcpy(n->value, ev->data.scalar.value, n->length);
		n->value[n->length] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->type = YSCALAR_STRING;
		if (tag && strcmp(tag, "!") != 0) {
			n->plain = 0;
			if (strcmp(tag, YAML_INT_TAG) == 0 && is_yaml11_int(n->value))
				n->type = YSCALAR_INT;
			else if (strcmp(tag, YAML_FLOAT_TAG) == 0 && is_yaml11_float(n->value))
				n->type = YSCALAR_FLOAT;
			else if (strcmp(tag, YAML_BOOL_TAG) == 0 && resolve_plain(n->value) == YSCALAR_BOOL)
				n->type = YSCALAR_BOOL;
			else if (strcmp(tag, YAML_NULL_TAG) == 0)
				n->type = YSCALAR_NULL;
		} else if (n->plain && strlen(n->value) == n->length) {
			n->type = resolve_plain(n->value);
		}
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		n = node_new(YNODE_SEQUENCE, &ev->start_mark);
		if (!n)
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		rc = parse_collection(b, n, YAML_SEQUENCE_END_EVENT, depth);
		if (rc < 0) {
			ynode_free(n);
			return rc;
		}
		break;
	case YAML_MAPPING_START_EVENT:
		n = node_new(YNODE_MAPPING, &ev->start_mark);
		if (!n)
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		rc = parse_collection(b, n, YAML_MAPPING_END_EVENT, depth);
		if (rc == 0)
			rc = apply_merge_key(b, n);
		if (rc < 0) {
			ynode_free(n);
			return rc;
		}
		break;
	default:
		return fail(b, PEERGUARD_EPOLICY, &ev->start_mark, "%s: unexpected YAML event%s", "");
	}

	{
		const yaml_char_t *anchor_name = NULL;

		if (ev->type == YAML_SCALAR_EVENT)
			anchor_name = ev->data.scalar.anchor;
		else if (ev->type == YAML_SEQUENCE_START_EVENT)
			anchor_name = ev->data.sequence_start.anchor;
		else if (ev->type == YAML_MAPPING_START_EVENT)
			anchor_name = ev->data.mapping_start.anchor;
		if (add_anchor(b, anchor_name, n) < 0) {
			ynode_free(n);
			return fail(b, PEERGUARD_ENOMEM, NULL, "%s: %s", "out of memory");
		}
	}
	*out = n;
	return 0;
}

int ydoc_parse(ynode **out, const char *text, size_t len, const char *name,
	const peerguard_limits *limits, peerguard_error *err)
{
	builder b;
	yaml_event_t ev;
	int rc = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.name = name;
	b.limits = limits;
	b.err = err;
	if (!yaml_parser_initialize(&b.parser))
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory starting the YAML parser");
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);

	/* Skip STREAM-START and DOCUMENT-START; an empty stream is an empty document. */
	for (;;) {
		if (!yaml_parser_parse(&b.parser, &ev)) {
			rc = fail(&b, PEERGUARD_EPOLICY, &b.parser.problem_mark, "%s: invalid YAML: %s",
				b.parser.problem ? b.parser.problem : "syntax error");
			goto done;
		}
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		break;
	}
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		goto done;
	}
	rc = parse_node(&b, &ev, 1, out);
	yaml_event_delete(&ev);

	/* A second document would be silently ignored; PyYAML's safe_load rejects it too. */
	while (rc == 0) {
		if (!yaml_parser_parse(&b.parser, &ev)) {
			rc = fail(&b, PEERGUARD_EPOLICY, &b.parser.problem_mark, "%s: invalid YAML: %s",
				b.parser.problem ? b.parser.problem : "syntax error");
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			rc = fail(&b, PEERGUARD_EPOLICY, &ev.start_mark,
				"%s: a second YAML document starts here%s; put every policy in one document's policies list", "");
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}

done:
	while (b.anchors) {
		anchor *next = b.anchors->next;

		free(b.anchors->name);
		free(b.anchors);
		b.anchors = next;
	}
	yaml_parser_delete(&b.parser);
	if (rc < 0) {
		ynode_free(*out);
		*out = NULL;
	}
	return rc;
}

ynode *ynode_map_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return map->items[i];
	return NULL;
}

/*
 * Returns d as a JSON real, or the scalar's text when d is infinite (a
 * number such as 1.0e+400 past the range of a double): JSON has no
 * infinity, and jansson refuses to make one.
 */
static json_t *real_or_text(double d, const ynode *n)
{
	return isfinite(d) ? json_real(d) : json_stringn(n->value, n->length);
}

static json_t *scalar_to_json(const ynode *n)
{
	char *clean, *w;
	const char *r;
	json_t *result;

	switch (n->type) {
	case YSCALAR_NULL:
		return json_null();
	case YSCALAR_BOOL:
		return json_boolean(in_list(n->value, yaml11_true));
	case YSCALAR_STRING:
		return json_stringn(n->value, n->length);
	case YSCALAR_INT:
	case YSCALAR_FLOAT:
		break;
	}

	/* Numbers: drop '_' separators, then apply the base. */
	clean = malloc(n->length + 1);
	if (!clean)
		return NULL;
	for (r = n->value, w = clean; *r; r++)
		if (*r != '_')
			*w++ = *r;
	*w = '\0';

	if (n->type == YSCALAR_INT) {
		const char *digits = clean;
		int negative = 0, base = 10;
		long long value = 0;

		if (*digits == '+' || *digits == '-')
			negative = *digits++ == '-';
		if (strchr(digits, ':')) {
			/* Sexagesimal: 1:20 is 80.  Past the range of an integer it becomes a real. */
			char *saved = NULL;
			char *part = strtok_r(clean + (digits - clean), ":", &saved);
			double approx = 0;
			int overflow = 0;

			while (part) {
				long long digit;

				errno = 0;
				digit = strtoll(part, NULL, 10);
				approx = approx * 60 + strtod(part, NULL);
				if (errno == ERANGE || value > (LLONG_MAX - digit) / 60)
					overflow = 1;
				else
					value = value * 60 + digit;
				part = strtok_r(NULL, ":", &saved);
			}
			if (overflow) {
				free(clean);
				return real_or_text(negative ? -approx : approx, n);
			}
		} else {
			if (digits[0] == '0' && digits[1] == 'x')
				base = 16, digits += 2;
			else if (digits[0] == '0' && digits[1] == 'b')
				base = 2, digits += 2;
			else if (digits[0] == '0' && digits[1])
				base = 8, digits += 1;
			errno = 0;
			value = strtoll(digits, NULL, base);
			if (errno == ERANGE) {
				result = real_or_text(strtod(clean, NULL), n);
				free(clean);
				return result;
			}
		}
		result = json_integer(negative ? -value : value);
	} else {
		const char *p = clean;
		double d;

		if (*p == '+' || *p == '-')
			p++;
		if (strcasecmp(p, ".inf") == 0 || strcasecmp(p, ".nan") == 0) {
			/* JSON has no infinity or NaN; keep the text so nothing silently becomes a number. */
			result = json_string(n->value);
		} else {
			d = strtod(clean, NULL);
			result = real_or_text(d, n);
		}
	}
	free(clean);
	return result;
}

json_t *ynode_to_json(const ynode *n)
{
	json_t *out;

	if (!n)
		return json_null();
	if (n->kind == YNODE_SCALAR)
		return scalar_to_json(n);

	out = n->kind == YNODE_SEQUENCE ? json_array() : json_object();
	if (!out)
		return NULL;
	for (size_t i = 0; i < n->count; i++) {
		json_t *item = ynode_to_json(n->items[i]);

		if (!item) {
			json_decref(out);
			return NULL;
		}
		if (n->kind == YNODE_SEQUENCE)
			json_array_append_new(out, item);
		else
			json_object_set_new(out, n->keys[i]->value, item);
	}
	return out;
}

const char *ynode_type_name(const ynode *n)
{
	if (!n)
		return "null";
	if (n->kind == YNODE_SEQUENCE)
		return "list";
	if (n->kind == YNODE_MAPPING)
		return "mapping";
	switch (n->type) {
	case YSCALAR_NULL: return "null";
	case YSCALAR_BOOL: return "boolean";
	case YSCALAR_INT: return "integer";
	case YSCALAR_FLOAT: return "number";
	default: return "string";
	}
}

int ynode_is_string(const ynode *n)
{
	return n && n->kind == YNODE_SCALAR && n->type == YSCALAR_STRING;
}
