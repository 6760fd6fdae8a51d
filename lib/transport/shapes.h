/*
 * Conversion of Query API responses into boto3-shaped JSON, driven by tables
 * of the botocore output shapes the transport needs.
 */
#ifndef TRANSPORT_SHAPES_H
#define TRANSPORT_SHAPES_H

#include <jansson.h>

#include "transport/xml.h"

typedef enum shape_type {
	SHAPE_STRING,
	SHAPE_BOOLEAN,
	SHAPE_INTEGER,
	SHAPE_STRUCT,
	SHAPE_LIST      /* children named "item" or "member", each of the item shape */
} shape_type;

typedef struct shape shape;

typedef struct shape_member {
	const char *xml_name;
	const char *json_name;
	const shape *shape;
} shape_member;

struct shape {
	shape_type type;
	const shape_member *members;  /* SHAPE_STRUCT */
	size_t n_members;
	const shape *item;            /* SHAPE_LIST */
};

/* EC2 results (children of the response's root element). */
extern const shape shape_describe_vpc_peering_connections_result;
extern const shape shape_vpc_peering_connection_result;   /* Create and Accept */
extern const shape shape_return_result;                   /* Delete and Reject */

/* STS and SNS results (the <Action>Result element). */
extern const shape shape_assume_role_result;
extern const shape shape_get_caller_identity_result;
extern const shape shape_publish_result;

/*
 * Converts node by shape into a new JSON value.  Members are matched by
 * element name, never by position; a missing list becomes [] and any other
 * missing member is left out.  Returns NULL when memory runs out.
 */
json_t *shape_to_json(const shape *s, const xml_node *node);

/*
 * Converts any element generically: text-only elements become strings,
 * elements whose children are all "item" or "member" become arrays, others
 * objects keyed by child name (repeated names become arrays).
 */
json_t *shape_generic_json(const xml_node *node);

#endif
