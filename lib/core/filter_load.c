/* Loading and validating filters: value, event, cross-account and the and/or/not blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/policy.h"
#include "core/vars.h"

static const char *const known_filter_types[] = {
	"value", "event", "cross-account", "list-item", "reduce", "and", "or", "not", NULL
};

/* Filters Cloud Custodian has for peering connections that libpeerguard does not evaluate. */
static const char *const unsupported_filter_types[] = {
	"missing-route", "marked-for-op", "tag-count", "config-compliance", "finding", "ops-item", "json-diff", NULL
};

void filter_free(filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_children; i++)
		filter_free(f->children[i]);
	free(f->children);
	free(f->path);
	free(f->key.text);
	free(f->key.tag);
	jmespath_free(f->key.expr);
	free(f->value_path.text);
	free(f->value_path.tag);
	jmespath_free(f->value_path.expr);
	value_regex_free(f->value_regex);
	value_regex_free(f->op_regex);
	json_decref(f->value);
	value_source_free(f->value_from);
	json_decref(f->whitelist);
	value_source_free(f->whitelist_from);
	json_decref(f->count);
	if (f->reduce) {
		sort_spec *specs[2] = { &f->reduce->group_by, &f->reduce->sort_by };

		for (int i = 0; i < 2; i++) {
			free(specs[i]->key.text);
			free(specs[i]->key.tag);
			jmespath_free(specs[i]->key.expr);
			value_regex_free(specs[i]->regex);
		}
		free(f->reduce);
	}
	free(f);
}

static filter *filter_new(load_ctx *lc, filter_kind kind, const ynode *node, const char *path)
{
	filter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	f->line = node ? node->line : 0;
	f->column = node ? node->column : 0;
	f->path = string_dup(path);
	f->slot = lc->n_filters++;
	if (!f->path) {
		free(f);
		return NULL;
	}
	return f;
}

static int oom(load_ctx *lc)
{
	return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory loading %s", lc->file);
}

int load_value_regex(value_regex **out, load_ctx *lc, const ynode *node, const char *path)
{
	char errbuf[256];
	int groups = 0;

	if (!ynode_is_string(node))
		return load_fail(lc, node, path, "value_regex must be a string");
	*out = value_regex_compile(node->value, 0, &groups, errbuf, sizeof(errbuf));
	if (!*out)
		return load_fail(lc, node, path, "invalid value_regex '%s': %s", node->value, errbuf);
	if (groups != 1)
		return load_fail(lc, node, path, "value_regex must have exactly one capture group, '%s' has %d",
			node->value, groups);
	return 0;
}

int load_check_keys(load_ctx *lc, const ynode *node, const char *path, const char *const *allowed,
	const char *what, const char *hint)
{
	char sub[PEERGUARD_ERROR_PATH_MAX];

	for (size_t i = 0; i < node->count; i++) {
		const char *const *k;

		for (k = allowed; *k; k++)
			if (strcmp(*k, node->keys[i]->value) == 0)
				break;
		if (!*k) {
			snprintf(sub, sizeof(sub), "%s.%s", path, node->keys[i]->value);
			if (!what)
				return load_fail(lc, node->keys[i], sub, "unknown key '%s'; allowed: %s",
					node->keys[i]->value, hint);
			return load_fail(lc, node->keys[i], sub, "unknown key '%s' in a %s filter; allowed: %s",
				node->keys[i]->value, what, hint);
		}
	}
	return 0;
}

/* Returns 1 for integers whose text looks like an account id that YAML turned into a number. */
static int looks_like_unquoted_account(const ynode *n)
{
	const char *s = n->value;
	size_t digits = 0;

	if (n->kind != YNODE_SCALAR || n->type != YSCALAR_INT)
		return 0;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			digits++;
	return digits == 12 || (n->value[0] == '0' && digits >= 9);
}

/* Rejects unquoted account ids anywhere in a policy value. */
static int check_account_scalars(load_ctx *lc, const ynode *n, const char *path)
{
	char sub[PEERGUARD_ERROR_PATH_MAX];

	if (n->kind == YNODE_SCALAR) {
		if (looks_like_unquoted_account(n))
			return load_fail(lc, n, path,
				"account id must be a quoted 12-digit string; got integer (YAML reads unquoted %s as a number%s); write \"%s\"",
				n->value, n->value[0] == '0' ? ", and as octal because of the leading zero" : "", n->value);
		return 0;
	}
	for (size_t i = 0; i < n->count; i++) {
		int rc;

		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if ((rc = check_account_scalars(lc, n->items[i], sub)) < 0)
			return rc;
	}
	return 0;
}

/* Rejects strings with unbalanced braces, which Cloud Custodian cannot expand. */
static int check_templates(load_ctx *lc, const ynode *n, const char *path)
{
	char errbuf[128];

	if (n->kind == YNODE_SCALAR) {
		if (n->type == YSCALAR_STRING && vars_check(n->value, errbuf, sizeof(errbuf)) < 0)
			return load_fail(lc, n, path, "invalid variable syntax in '%s': %s; write literal braces as {{ and }}",
				n->value, errbuf);
		return 0;
	}
	for (size_t i = 0; i < n->count; i++) {
		int rc = check_templates(lc, n->items[i], path);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int value_key_load(load_ctx *lc, value_key *key, const ynode *node, const char *path)
{
	if (!ynode_is_string(node))
		return load_fail(lc, node, path, "key must be a string, got %s", ynode_type_name(node));
	key->text = string_dup(node->value);
	if (!key->text)
		return oom(lc);
	if (strncmp(node->value, "tag:", 4) == 0) {
		key->tag = string_dup(node->value + 4);
		return key->tag ? 0 : oom(lc);
	}
	return load_jmespath(&key->expr, lc, node, path, node->value);
}

static int load_value_filter(filter *f, load_ctx *lc, const ynode *node, const char *path, int is_event)
{
	static const char *const keys[] = { "type", "key", "value_type", "default", "value_regex", "value_from",
		"value", "op", "value_path", "tag_key_transforms", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *key = ynode_map_get(node, "key");
	const ynode *op = ynode_map_get(node, "op");
	const ynode *vtype = ynode_map_get(node, "value_type");
	const ynode *value = ynode_map_get(node, "value");
	const ynode *value_from = ynode_map_get(node, "value_from");
	const ynode *value_path = ynode_map_get(node, "value_path");
	const ynode *regex_node = ynode_map_get(node, "value_regex");
	int rc;

	if ((rc = load_check_keys(lc, node, path, keys, is_event ? "event" : "value",
		"key, op, value, value_type, value_from, value_regex, value_path")) < 0)
		return rc;
	if (ynode_map_get(node, "tag_key_transforms"))
		return load_fail(lc, ynode_map_get(node, "tag_key_transforms"), path,
			"tag_key_transforms is not supported; normalise the tag key in the key itself");

	if (vtype) {
		snprintf(sub, sizeof(sub), "%s.value_type", path);
		if (!ynode_is_string(vtype) || value_type_parse(vtype->value, &f->spec.type) < 0)
			return load_fail(lc, vtype, sub,
				"unknown value_type '%s'; use age, expiration, size, cidr, cidr_size, swap, resource_count, integer, float, normalize, date, version, expr or unique_size",
				vtype->kind == YNODE_SCALAR ? vtype->value : "(not a string)");
	}
	if (op) {
		snprintf(sub, sizeof(sub), "%s.op", path);
		if (!ynode_is_string(op) || value_op_parse(op->value, &f->spec.op) < 0)
			return load_fail(lc, op, sub,
				"unknown op '%s'; use eq, ne, gt, ge, lt, le, in, not-in, contains, regex, regex-case, glob, intersect, difference or mod",
				op->kind == YNODE_SCALAR ? op->value : "(not a string)");
	} else {
		f->spec.op = VALUE_OP_EQ;
	}

	snprintf(sub, sizeof(sub), "%s.key", path);
	if (!key) {
		if (f->spec.type != VALUE_TYPE_RESOURCE_COUNT)
			return load_fail(lc, node, sub, "a value filter needs a key");
		f->key_missing_ok = 1;
	} else if ((rc = value_key_load(lc, &f->key, key, sub)) < 0) {
		return rc;
	}
	if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT && is_event)
		return load_fail(lc, vtype, path, "value_type resource_count does not apply to an event filter");
	if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT && !op)
		return load_fail(lc, vtype, path, "value_type resource_count needs an op, e.g. op: gte");
	if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT && value &&
	    !(value->kind == YNODE_SEQUENCE || (value->kind == YNODE_SCALAR &&
	      (value->type == YSCALAR_INT || value->type == YSCALAR_BOOL)))) {
		snprintf(sub, sizeof(sub), "%s.value", path);
		return load_fail(lc, value, sub, "value_type resource_count needs a whole number as its value, got %s",
			ynode_type_name(value));
	}

	if (!value && !value_from && !value_path)
		return load_fail(lc, node, path, "a value filter needs value, value_from or value_path");
	if (!!value + !!value_from + !!value_path > 1)
		return load_fail(lc, node, path, "give only one of value, value_from and value_path");

	if (value) {
		snprintf(sub, sizeof(sub), "%s.value", path);
		if (value->kind == YNODE_MAPPING)
			return load_fail(lc, value, sub,
				"value must be a string, number, boolean, null or list, got a mapping; an unquoted {account_id} is a YAML mapping, so write \"{account_id}\"");
		if (value->kind == YNODE_SEQUENCE)
			for (size_t i = 0; i < value->count; i++)
				if (value->items[i]->kind == YNODE_MAPPING)
					return load_fail(lc, value->items[i], sub,
						"list items must be scalars; quote {account_id}-style values");
		if ((rc = check_account_scalars(lc, value, sub)) < 0)
			return rc;
		if ((rc = check_templates(lc, value, sub)) < 0)
			return rc;
		f->value = ynode_to_json(value);
		if (!f->value)
			return oom(lc);
		f->value_templated = vars_json_has_fields(f->value);
		/* With value_type cidr, swap or expr the string is not the container that in searches. */
		if ((f->spec.op == VALUE_OP_IN || f->spec.op == VALUE_OP_NOT_IN || f->spec.op == VALUE_OP_NI) &&
		    json_is_string(f->value) && (f->spec.type == VALUE_TYPE_NONE || f->spec.type == VALUE_TYPE_NORMALIZE))
			log_message(lc->log, lc->log_userdata, PEERGUARD_LOG_WARN,
				"%s:%d:%d: policy '%s', %s: op %s with a string value is a substring test, as in Cloud Custodian; use a list for membership",
				lc->file, value->line, value->column, lc->policy_name, sub, value_op_name(f->spec.op));
		if (f->spec.type == VALUE_TYPE_DATE && json_is_string(f->value) && !f->value_templated) {
			double t;

			if (value_parse_date(f->value, &t) < 0)
				return load_fail(lc, value, sub, "value_type date needs a date value, got '%s'",
					json_string_value(f->value));
		}
		if ((f->spec.type == VALUE_TYPE_AGE || f->spec.type == VALUE_TYPE_EXPIRATION) &&
		    !json_is_number(f->value))
			return load_fail(lc, value, sub, "value_type %s needs a number of days, got %s",
				value_type_name(f->spec.type), ynode_type_name(value));
		if (f->spec.type == VALUE_TYPE_EXPR) {
			/* The value names another key of the same resource. */
			if (!ynode_is_string(value))
				return load_fail(lc, value, sub, "value_type expr needs a key as its value");
			if ((rc = value_key_load(lc, &f->value_path, value, sub)) < 0)
				return rc;
		}
	}
	if (value_path) {
		snprintf(sub, sizeof(sub), "%s.value_path", path);
		/* c7n searches value_path as plain JMESPath: no tag: keys, no literal top-level keys. */
		if (!ynode_is_string(value_path))
			return load_fail(lc, value_path, sub, "value_path must be a string, got %s", ynode_type_name(value_path));
		f->value_path.text = string_dup(value_path->value);
		if (!f->value_path.text)
			return oom(lc);
		if ((rc = load_jmespath(&f->value_path.expr, lc, value_path, sub, value_path->value)) < 0)
			return rc;
	}
	if (value_from) {
		snprintf(sub, sizeof(sub), "%s.value_from", path);
		if ((rc = value_source_load(&f->value_from, lc, value_from, sub)) < 0)
			return rc;
	}

	if (regex_node) {
		snprintf(sub, sizeof(sub), "%s.value_regex", path);
		if ((rc = load_value_regex(&f->value_regex, lc, regex_node, sub)) < 0)
			return rc;
		f->spec.value_regex = f->value_regex;
	}

	if (f->spec.op == VALUE_OP_REGEX || f->spec.op == VALUE_OP_REGEX_CASE) {
		char errbuf[256];

		snprintf(sub, sizeof(sub), "%s.value", path);
		if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT)
			return load_fail(lc, op, path, "regex ops do not apply to value_type resource_count");
		if (!f->value || !json_is_string(f->value))
			return load_fail(lc, value ? value : node, sub, "op %s needs a string pattern as its value",
				value_op_name(f->spec.op));
		if (!f->value_templated) {
			f->op_regex = value_regex_compile(json_string_value(f->value), f->spec.op == VALUE_OP_REGEX,
				NULL, errbuf, sizeof(errbuf));
			if (!f->op_regex)
				return load_fail(lc, value, sub, "invalid regex '%s': %s", json_string_value(f->value), errbuf);
			f->spec.op_regex = f->op_regex;
		}
	}
	return 0;
}

static int load_cross_account(filter *f, load_ctx *lc, const ynode *node, const char *path)
{
	static const char *const keys[] = { "type", "whitelist", "whitelist_from", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *wl = ynode_map_get(node, "whitelist");
	const ynode *wf = ynode_map_get(node, "whitelist_from");
	int rc;

	if ((rc = load_check_keys(lc, node, path, keys, "cross-account", "whitelist, whitelist_from")) < 0)
		return rc;

	f->whitelist = json_array();
	if (!f->whitelist)
		return oom(lc);
	if (wl) {
		snprintf(sub, sizeof(sub), "%s.whitelist", path);
		if (wl->kind != YNODE_SEQUENCE)
			return load_fail(lc, wl, sub, "whitelist must be a list of quoted 12-digit account ids");
		for (size_t i = 0; i < wl->count; i++) {
			const ynode *item = wl->items[i];
			char errbuf[128];

			snprintf(sub, sizeof(sub), "%s.whitelist[%zu]", path, i);
			if (item->kind == YNODE_SCALAR && (item->type == YSCALAR_INT || item->type == YSCALAR_FLOAT))
				return load_fail(lc, item, sub,
					"account id must be a quoted 12-digit string; got integer (YAML reads unquoted %s as %s); write \"%s\"",
					item->value, item->value[0] == '0' ? "an octal number" : "a number", item->value);
			if (!ynode_is_string(item))
				return load_fail(lc, item, sub, "account id must be a quoted 12-digit string; got %s",
					ynode_type_name(item));
			rc = vars_check(item->value, errbuf, sizeof(errbuf));
			if (rc < 0)
				return load_fail(lc, item, sub, "invalid variable syntax in '%s': %s", item->value, errbuf);
			if (rc == 0 && !account_id_valid(item->value))
				return load_fail(lc, item, sub, "'%s' is not a 12-digit account id", item->value);
			if (rc == 1)
				f->whitelist_templated = 1;
			json_array_append_new(f->whitelist, json_string(item->value));
		}
	}
	if (wf) {
		snprintf(sub, sizeof(sub), "%s.whitelist_from", path);
		if ((rc = value_source_load(&f->whitelist_from, lc, wf, sub)) < 0)
			return rc;
	}
	return 0;
}

static int load_filter(filter **out, load_ctx *lc, const ynode *node, const char *path, int allow_event,
	int has_mode, unsigned int depth);

static int load_block(filter *f, load_ctx *lc, const ynode *list, const char *path, int allow_event,
	int has_mode, unsigned int depth)
{
	char sub[PEERGUARD_ERROR_PATH_MAX];

	if (list->kind != YNODE_SEQUENCE)
		return load_fail(lc, list, path, "an and/or/not block takes a list of filters, got %s",
			ynode_type_name(list));
	f->children = calloc(list->count ? list->count : 1, sizeof(*f->children));
	if (!f->children)
		return oom(lc);
	for (size_t i = 0; i < list->count; i++) {
		int rc;

		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		rc = load_filter(&f->children[f->n_children], lc, list->items[i], sub, allow_event, has_mode, depth + 1);
		if (rc < 0)
			return rc;
		f->n_children++;
	}
	return 0;
}

/*
 * list-item: key names a list of mappings, attrs filter its items as if
 * they were resources, and count/count_op compare the number of items that
 * pass.  Inside attrs only value filters, reduce and and/or/not blocks fit,
 * as in Cloud Custodian's ListItemRegistry.
 */
static int load_list_item(filter *f, load_ctx *lc, const ynode *node, const char *path, int has_mode,
	unsigned int depth)
{
	static const char *const keys[] = { "type", "key", "attrs", "count", "count_op", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *key = ynode_map_get(node, "key");
	const ynode *attrs = ynode_map_get(node, "attrs");
	const ynode *count = ynode_map_get(node, "count");
	const ynode *count_op = ynode_map_get(node, "count_op");
	int rc;

	if ((rc = load_check_keys(lc, node, path, keys, "list-item", "key, attrs, count, count_op")) < 0)
		return rc;

	snprintf(sub, sizeof(sub), "%s.key", path);
	if (!key)
		return load_fail(lc, node, sub, "a list-item filter needs a key naming a list, e.g. AccepterVpcInfo.CidrBlockSet");
	if (!ynode_is_string(key))
		return load_fail(lc, key, sub, "key must be a string, got %s", ynode_type_name(key));
	f->key.text = string_dup(key->value);
	if (!f->key.text)
		return oom(lc);
	if ((rc = load_jmespath(&f->key.expr, lc, key, sub, key->value)) < 0)
		return rc;

	f->count_op = VALUE_OP_EQ;
	if (count) {
		snprintf(sub, sizeof(sub), "%s.count", path);
		if (count->kind != YNODE_SCALAR || (count->type != YSCALAR_INT && count->type != YSCALAR_FLOAT))
			return load_fail(lc, count, sub, "count must be a number, got %s", ynode_type_name(count));
		f->has_count = 1;
		f->count = ynode_to_json(count);
		if (!f->count)
			return oom(lc);
	}
	if (count_op) {
		snprintf(sub, sizeof(sub), "%s.count_op", path);
		if (!ynode_is_string(count_op) || value_op_parse(count_op->value, &f->count_op) < 0)
			return load_fail(lc, count_op, sub,
				"unknown count_op '%s'; use eq, ne, gt, ge, lt or le",
				count_op->kind == YNODE_SCALAR ? count_op->value : "(not a string)");
	}

	if (attrs && !(attrs->kind == YNODE_SCALAR && attrs->type == YSCALAR_NULL)) {
		snprintf(sub, sizeof(sub), "%s.attrs", path);
		lc->in_list_item++;
		rc = load_block(f, lc, attrs, sub, 0, has_mode, depth);
		lc->in_list_item--;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int load_filter(filter **out, load_ctx *lc, const ynode *node, const char *path, int allow_event,
	int has_mode, unsigned int depth)
{
	filter *f = NULL;
	const ynode *type_node;
	const char *type;
	int rc;

	*out = NULL;
	if (depth > lc->limits->max_depth)
		return load_fail(lc, node, path, "filters nest deeper than max_depth (%u)", lc->limits->max_depth);
	if (lc->n_filters >= lc->limits->max_filters) {
		load_fail(lc, node, path, "more filters than max_filters (%u)", lc->limits->max_filters);
		if (lc->err)
			lc->err->code = PEERGUARD_ELIMIT;
		return PEERGUARD_ELIMIT;
	}

	/* A bare string is a filter type without settings, e.g. "- cross-account". */
	if (ynode_is_string(node)) {
		type_node = node;
	} else if (node->kind != YNODE_MAPPING) {
		return load_fail(lc, node, path, "a filter must be a mapping or a filter type name, got %s",
			ynode_type_name(node));
	} else if (!(type_node = ynode_map_get(node, "type"))) {
		const char *k;

		if (node->count != 1)
			return load_fail(lc, node, path,
				"a filter needs a type (value, event, cross-account) unless it is a {KEY: VALUE} shorthand or an and/or/not block");
		k = node->keys[0]->value;
		if (strcmp(k, "and") == 0 || strcmp(k, "or") == 0 || strcmp(k, "not") == 0) {
			char sub[PEERGUARD_ERROR_PATH_MAX];
			filter_kind kind = FILTER_NOT;

			if (k[0] == 'a')
				kind = FILTER_AND;
			else if (k[0] == 'o')
				kind = FILTER_OR;
			f = filter_new(lc, kind, node, path);
			if (!f)
				return oom(lc);
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			rc = load_block(f, lc, node->items[0], sub, allow_event, has_mode, depth);
			if (rc < 0) {
				filter_free(f);
				return rc;
			}
			*out = f;
			return 0;
		}

		/* {KEY: VALUE} shorthand: equality, value a scalar or an empty list. */
		{
			const ynode *v = node->items[0];
			char sub[PEERGUARD_ERROR_PATH_MAX];

			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (v->kind == YNODE_MAPPING || (v->kind == YNODE_SEQUENCE && v->count > 0))
				return load_fail(lc, v, sub,
					"a {KEY: VALUE} filter takes a scalar or an empty list; use type: value with op for anything else");
			f = filter_new(lc, FILTER_VALUE, node, path);
			if (!f)
				return oom(lc);
			f->spec.op = VALUE_OP_NONE;
			if ((rc = check_account_scalars(lc, v, sub)) < 0 || (rc = check_templates(lc, v, sub)) < 0) {
				filter_free(f);
				return rc;
			}
			f->key.text = string_dup(k);
			if (!f->key.text) {
				filter_free(f);
				return oom(lc);
			}
			if (strncmp(k, "tag:", 4) == 0) {
				f->key.tag = string_dup(k + 4);
			} else if ((rc = load_jmespath(&f->key.expr, lc, node->keys[0], sub, k)) < 0) {
				filter_free(f);
				return rc;
			}
			f->value = ynode_to_json(v);
			f->value_templated = f->value && vars_json_has_fields(f->value);
			*out = f;
			return f->value ? 0 : oom(lc);
		}
	}

	if (!ynode_is_string(type_node))
		return load_fail(lc, type_node, path, "filter type must be a string, got %s", ynode_type_name(type_node));
	type = type_node->value;

	if (strcmp(type, "value") == 0 || strcmp(type, "event") == 0) {
		int is_event = type[0] == 'e';

		if (node->kind != YNODE_MAPPING)
			return load_fail(lc, node, path, "a %s filter needs key and value", type);
		if (is_event && !allow_event)
			return load_fail(lc, node, path, "event filters are not allowed here");
		if (is_event && !has_mode)
			return load_fail(lc, node, path,
				"an event filter needs a policy mode (cloudtrail or periodic); in pull mode there is no event");
		f = filter_new(lc, is_event ? FILTER_EVENT : FILTER_VALUE, node, path);
		if (!f)
			return oom(lc);
		if ((rc = load_value_filter(f, lc, node, path, is_event)) < 0) {
			filter_free(f);
			return rc;
		}
		*out = f;
		return 0;
	}
	if (lc->in_list_item && strcmp(type, "value") != 0 && strcmp(type, "reduce") != 0)
		return load_fail(lc, type_node, path,
			"list-item attrs take value and reduce filters and and/or/not blocks, not '%s'", type);
	if (strcmp(type, "list-item") == 0 || strcmp(type, "reduce") == 0) {
		int is_reduce = type[0] == 'r';

		if (node->kind != YNODE_MAPPING)
			return load_fail(lc, node, path, "a %s filter needs settings; write it as a mapping with type: %s",
				type, type);
		f = filter_new(lc, is_reduce ? FILTER_REDUCE : FILTER_LIST_ITEM, node, path);
		if (!f)
			return oom(lc);
		rc = is_reduce ? reduce_load(&f->reduce, lc, node, path) :
			load_list_item(f, lc, node, path, has_mode, depth);
		if (rc < 0) {
			filter_free(f);
			return rc;
		}
		*out = f;
		return 0;
	}
	if (strcmp(type, "cross-account") == 0) {
		f = filter_new(lc, FILTER_CROSS_ACCOUNT, node, path);
		if (!f)
			return oom(lc);
		if (node->kind == YNODE_MAPPING && (rc = load_cross_account(f, lc, node, path)) < 0) {
			filter_free(f);
			return rc;
		}
		if (!f->whitelist && !(f->whitelist = json_array())) {
			filter_free(f);
			return oom(lc);
		}
		*out = f;
		return 0;
	}
	for (const char *const *u = unsupported_filter_types; *u; u++)
		if (strcmp(*u, type) == 0)
			return load_fail(lc, type_node, path,
				"filter type '%s' exists in Cloud Custodian but libpeerguard does not evaluate it yet; see docs/custodian-compatibility.md",
				type);
	{
		const char *best = NULL;

		for (const char *const *k = known_filter_types; *k; k++)
			if (strncmp(*k, type, 3) == 0 || strstr(type, *k))
				best = *k;
		if (best)
			return load_fail(lc, type_node, path, "unknown filter type '%s'; did you mean '%s'?", type, best);
		return load_fail(lc, type_node, path,
			"unknown filter type '%s'; use value, event, cross-account, list-item, reduce, and, or, not", type);
	}
}

int filter_load_list(filter **out, load_ctx *lc, const ynode *list, const char *path, int allow_event,
	int has_mode)
{
	filter *root = filter_new(lc, FILTER_AND, list, path);
	int rc = 0;

	*out = NULL;
	if (!root)
		return oom(lc);
	if (list && !(list->kind == YNODE_SCALAR && list->type == YSCALAR_NULL))
		rc = load_block(root, lc, list, path, allow_event, has_mode, 0);
	if (rc < 0) {
		filter_free(root);
		return rc;
	}
	*out = root;
	return 0;
}
