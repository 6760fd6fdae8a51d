/*
 * YAML documents as a tree that keeps line and column of every node, so
 * that policy errors can point at the exact place.  Plain scalars are
 * resolved with YAML 1.1 rules, as PyYAML (and so Cloud Custodian) does.
 */
#ifndef PEERGUARD_CORE_YAML_DOC_H
#define PEERGUARD_CORE_YAML_DOC_H

#include <stddef.h>
#include <jansson.h>

#include "peerguard/peerguard.h"

typedef enum ynode_kind { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING } ynode_kind;

/** How a plain scalar resolved under YAML 1.1. */
typedef enum yscalar_type {
	YSCALAR_STRING, YSCALAR_NULL, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT
} yscalar_type;

typedef struct ynode {
	ynode_kind kind;
	int line;               /* 1-based */
	int column;             /* 1-based */
	/* Scalars */
	char *value;            /* NUL-terminated text as written (after unquoting) */
	size_t length;
	int plain;              /* 1 when the scalar was not quoted */
	yscalar_type type;
	/* Sequences (items) and mappings (keys[i] -> items[i]) */
	struct ynode **keys;
	struct ynode **items;
	size_t count;
} ynode;

/**
 * Parses the first document of text.  JSON text is accepted too.  On
 * success *out is a new tree freed with ynode_free.  Aliases are expanded
 * as copies, bounded by limits->max_yaml_aliases; nesting is bounded by
 * limits->max_depth; duplicate mapping keys are an error.
 */
int ydoc_parse(ynode **out, const char *text, size_t len, const char *name,
	const peerguard_limits *limits, peerguard_error *err);

void ynode_free(ynode *node);

/** Returns the value for a scalar key in a mapping (borrowed), or NULL. */
ynode *ynode_map_get(const ynode *map, const char *key);

/** Converts a node to JSON with YAML 1.1 scalar types. Returns a new reference or NULL. */
json_t *ynode_to_json(const ynode *node);

/** Returns "string", "integer", "number", "boolean", "null", "list" or "mapping". */
const char *ynode_type_name(const ynode *node);

/** Returns 1 for a scalar that resolved to a string. */
int ynode_is_string(const ynode *node);

#endif
