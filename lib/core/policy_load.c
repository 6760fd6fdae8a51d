/* Loading and validating a Cloud Custodian policy file into a policy set. */
#include <libgen.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "core/internal.h"
#include "core/policy.h"
#include "core/vars.h"

int load_fail(load_ctx *lc, const ynode *node, const char *path, const char *fmt, ...)
{
	error_site site = { lc->file, node ? node->line : 0, node ? node->column : 0, lc->policy_name, path };
	char message[PEERGUARD_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);

	if (node)
		return error_set(lc->err, PEERGUARD_EPOLICY, &site, "%s:%d:%d: %s%s%s%s: %s", lc->file,
			node->line, node->column, lc->policy_name ? "policy '" : "",
			lc->policy_name ? lc->policy_name : "", lc->policy_name ? "', " : "", path, message);
	return error_set(lc->err, PEERGUARD_EPOLICY, &site, "%s: %s%s%s%s: %s", lc->file,
		lc->policy_name ? "policy '" : "", lc->policy_name ? lc->policy_name : "",
		lc->policy_name ? "', " : "", path, message);
}

static void policy_clear(policy *p)
{
	free(p->name);
	free(p->resource);
	free(p->description);
	free(p->schedule);
	for (size_t i = 0; i < p->n_events; i++) {
		free(p->events[i].source);
		free(p->events[i].event);
		free(p->events[i].ids_text);
		jmespath_free(p->events[i].ids);
	}
	free(p->events);
	filter_free(p->filters);
	filter_free(p->conditions);
	json_decref(p->passthrough);
	memset(p, 0, sizeof(*p));
}

void peerguard_policy_set_free(peerguard_policy_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		policy_clear(&set->policies[i]);
	free(set->policies);
	free(set->name);
	remote_cache_free(set->remote);
	free(set);
}

size_t peerguard_policy_set_count(const peerguard_policy_set *set)
{
	return set ? set->count : 0;
}

const char *peerguard_policy_set_name(const peerguard_policy_set *set, size_t i)
{
	return set && i < set->count ? set->policies[i].name : NULL;
}

const char *peerguard_policy_set_revision(const peerguard_policy_set *set)
{
	return set ? set->revision : NULL;
}

/* load_check_keys, plus a did-you-mean for the singular of a list key, a slip that would drop the list. */
static int check_keys(load_ctx *lc, const ynode *map, const char *path, const char *const *allowed,
	const char *hint)
{
	for (size_t i = 0; i < map->count; i++) {
		const char *key = map->keys[i]->value;
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a)
			continue;
		if (strcmp(key, "filter") == 0 || strcmp(key, "action") == 0 || strcmp(key, "condition") == 0) {
			char keypath[PEERGUARD_ERROR_PATH_MAX];

			snprintf(keypath, sizeof(keypath), "%s.%s", path, key);
			return load_fail(lc, map->keys[i], keypath, "unknown key '%s'; did you mean '%ss'?", key, key);
		}
		break;
	}
	return load_check_keys(lc, map, path, allowed, NULL, hint);
}

static int require_string(load_ctx *lc, const ynode *node, const char *path, const char *what)
{
	if (!node)
		return load_fail(lc, NULL, path, "%s is required", what);
	if (!ynode_is_string(node))
		return load_fail(lc, node, path, "%s must be a string, got %s", what, ynode_type_name(node));
	return 0;
}

/* Policy names follow c7n's schema pattern ^[A-z][A-z0-9]*(-[A-z0-9]+)*$ (A-z admits [\]^_`). */
static int policy_name_valid(const char *name)
{
	const char *p = name;
	int need_alnum = 0;

	if (!(*p >= 'A' && *p <= 'z'))
		return 0;
	for (p++; *p; p++) {
		if (*p == '-') {
			if (need_alnum)
				return 0;
			need_alnum = 1;
			continue;
		}
		if (!((*p >= 'A' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return 0;
		need_alnum = 0;
	}
	return !need_alnum;
}

static const char *const lambda_mode_keys[] = {
	"type", "execution-options", "function-prefix", "member-role", "packages", "layers", "concurrency",
	"runtime", "role", "handler", "pattern", "timeout", "memory", "environment", "tags",
	"dead_letter_config", "kms_key_arn", "tracing_config", "security_groups", "subnets",
	/* per mode */
	"schedule", "events", "delay", NULL
};

int load_jmespath(jmespath_expr **out, load_ctx *lc, const ynode *node, const char *path, const char *text)
{
	jmespath_limits jl = { lc->limits->jmespath_max_steps, lc->limits->jmespath_max_length };
	jmespath_error jerr;

	memset(&jerr, 0, sizeof(jerr));
	*out = jmespath_compile(text, strlen(text), &jl, &jerr);
	if (*out)
		return 0;
	if (jerr.kind == JMESPATH_ERR_NOMEM)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory compiling '%s'", text);
	if (jerr.kind == JMESPATH_ERR_LIMIT) {
		size_t len = strlen(text);

		/* The expression may be kilobytes long, so only its start is quoted and the fix fits the message. */
		if (len > lc->limits->jmespath_max_length)
			load_fail(lc, node, path,
				"JMESPath expression '%.40s...' is %zu bytes, more than jmespath_max_length (%zu); shorten it or raise the limit",
				text, len, lc->limits->jmespath_max_length);
		else
			load_fail(lc, node, path, "JMESPath expression '%.40s%s' is too complex: %s; simplify it",
				text, len > 40 ? "..." : "", jerr.message);
		if (lc->err)
			lc->err->code = PEERGUARD_ELIMIT;
		return PEERGUARD_ELIMIT;
	}
	{
		ynode at = *node;
		int rc;

		/* Point at the character in the expression when the scalar is on one line. */
		if (jerr.column > 0 && node->plain)
			at.column = node->column + (int)jerr.column - 1;
		rc = load_fail(lc, &at, path, "invalid JMESPath expression '%s': %s (column %zu of the expression)",
			text, jerr.message, jerr.column);
		return rc;
	}
}

static int load_mode(policy *p, load_ctx *lc, const ynode *mode, const char *path)
{
	static const char *const pull_keys[] = { "type", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *type, *events, *schedule;
	int rc;

	if (mode->kind != YNODE_MAPPING)
		return load_fail(lc, mode, path, "mode must be a mapping with a type, got %s", ynode_type_name(mode));
	snprintf(sub, sizeof(sub), "%s.type", path);
	type = ynode_map_get(mode, "type");
	if ((rc = require_string(lc, type, sub, "mode.type")) < 0)
		return rc;

	p->has_mode = 1;
	if (strcmp(type->value, "pull") == 0) {
		p->mode = MODE_PULL;
		return check_keys(lc, mode, path, pull_keys, "type");
	} else if (strcmp(type->value, "periodic") == 0) {
		p->mode = MODE_PERIODIC;
	} else if (strcmp(type->value, "cloudtrail") == 0) {
		p->mode = MODE_CLOUDTRAIL;
	} else {
		return load_fail(lc, type, sub,
			"mode type '%s' is not supported for peering-connection; use pull, periodic or cloudtrail",
			type->value);
	}
	if ((rc = check_keys(lc, mode, path, lambda_mode_keys, "type, events, schedule, delay and Lambda settings")) < 0)
		return rc;

	schedule = ynode_map_get(mode, "schedule");
	if (schedule) {
		snprintf(sub, sizeof(sub), "%s.schedule", path);
		if ((rc = require_string(lc, schedule, sub, "mode.schedule")) < 0)
			return rc;
		p->schedule = string_dup(schedule->value);
	}
	if (p->mode == MODE_PERIODIC) {
		if (ynode_map_get(mode, "events"))
			return load_fail(lc, ynode_map_get(mode, "events"), path,
				"events belongs to cloudtrail mode, not periodic");
		return 0;
	}

	if (ynode_map_get(mode, "delay")) {
		const ynode *delay = ynode_map_get(mode, "delay");

		if (delay->kind != YNODE_SCALAR || delay->type != YSCALAR_INT)
			return load_fail(lc, delay, path, "mode.delay must be an integer number of seconds");
	}

	events = ynode_map_get(mode, "events");
	snprintf(sub, sizeof(sub), "%s.events", path);
	if (!events)
		return load_fail(lc, mode, sub,
			"cloudtrail mode needs events, e.g. [{source: ec2.amazonaws.com, event: CreateVpcPeeringConnection, ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId}]");
	if (events->kind != YNODE_SEQUENCE || events->count == 0)
		return load_fail(lc, events, sub, "events must be a non-empty list");

	p->events = calloc(events->count, sizeof(*p->events));
	if (!p->events)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < events->count; i++) {
		static const char *const event_keys[] = { "source", "event", "ids", NULL };
		const ynode *item = events->items[i];
		trail_event *te = &p->events[p->n_events];
		char ipath[PEERGUARD_ERROR_PATH_MAX], kpath[PEERGUARD_ERROR_PATH_MAX];
		const char *fields[3] = { "source", "event", "ids" };

		snprintf(ipath, sizeof(ipath), "%s[%zu]", sub, i);
		if (ynode_is_string(item))
			return load_fail(lc, item, ipath,
				"'%s' is not a Cloud Custodian event shortcut for peering connections (there is none); write {source: ec2.amazonaws.com, event: %s, ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId}",
				item->value, item->value);
		if (item->kind != YNODE_MAPPING)
			return load_fail(lc, item, ipath, "each event must be a mapping with source, event and ids");
		if ((rc = check_keys(lc, item, ipath, event_keys, "source, event, ids")) < 0)
			return rc;
		for (int f = 0; f < 3; f++) {
			snprintf(kpath, sizeof(kpath), "%s.%s", ipath, fields[f]);
			if ((rc = require_string(lc, ynode_map_get(item, fields[f]), kpath, fields[f])) < 0)
				return rc;
		}
		p->n_events++;
		te->source = string_dup(ynode_map_get(item, "source")->value);
		te->event = string_dup(ynode_map_get(item, "event")->value);
		te->ids_text = string_dup(ynode_map_get(item, "ids")->value);
		if (!te->source || !te->event || !te->ids_text)
			return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");

		if ((rc = trail_event_check(lc, item, ipath, te->source, te->event)) < 0)
			return rc;

		snprintf(kpath, sizeof(kpath), "%s.ids", ipath);
		{
			const char *ids = te->ids_text;

			/* ids are relative to the CloudTrail record; a leading "detail." addresses the envelope. */
			if (strncmp(ids, "detail.", 7) == 0)
				te->ids_on_envelope = 1;
			if ((rc = load_jmespath(&te->ids, lc, ynode_map_get(item, "ids"), kpath, ids)) < 0)
				return rc;
		}
	}
	return 0;
}

static int load_actions(policy *p, load_ctx *lc, const ynode *actions, const char *path)
{
	char ipath[PEERGUARD_ERROR_PATH_MAX];
	int rc;

	if (actions->kind != YNODE_SEQUENCE)
		return load_fail(lc, actions, path, "actions must be a list, got %s", ynode_type_name(actions));
	p->passthrough = json_array();
	if (!p->passthrough)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");

	for (size_t i = 0; i < actions->count; i++) {
		const ynode *a = actions->items[i];
		const ynode *type_node = a;
		const char *type;

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (a->kind == YNODE_MAPPING) {
			type_node = ynode_map_get(a, "type");
			if (!type_node)
				return load_fail(lc, a, ipath, "action needs a type (delete, reject, notify, webhook or invoke-lambda)");
		}
		if (!ynode_is_string(type_node))
			return load_fail(lc, type_node, ipath, "action type must be a string, got %s",
				ynode_type_name(type_node));
		type = type_node->value;

		if (strcmp(type, "delete") == 0 || strcmp(type, "reject") == 0) {
			static const char *const delete_keys[] = { "type", NULL };
			static const char *const reject_keys[] = { "type", "fallback", NULL };

			if (p->removal != REMOVAL_NONE)
				return load_fail(lc, a, ipath, "a policy takes one delete or reject action; remove the second");
			p->removal = type[0] == 'd' ? REMOVAL_DELETE : REMOVAL_REJECT;
			if (a->kind == YNODE_MAPPING) {
				if ((rc = check_keys(lc, a, ipath, p->removal == REMOVAL_DELETE ? delete_keys : reject_keys,
					p->removal == REMOVAL_DELETE ? "type" : "type, fallback")) < 0)
					return rc;
				if (ynode_map_get(a, "fallback")) {
					const ynode *fb = ynode_map_get(a, "fallback");

					if (!ynode_is_string(fb) || (strcmp(fb->value, "delete") && strcmp(fb->value, "none")))
						return load_fail(lc, fb, ipath, "fallback must be 'delete' or 'none'");
					p->reject_fallback_delete = strcmp(fb->value, "delete") == 0;
				}
			}
			continue;
		}

		if (strcmp(type, "notify") == 0 || strcmp(type, "webhook") == 0 || strcmp(type, "invoke-lambda") == 0) {
			json_t *spec;

			if (a->kind == YNODE_MAPPING) {
				if (strcmp(type, "webhook") == 0) {
					static const char *const keys[] = { "type", "url", "body", "batch", "batch-size",
						"method", "query-params", "headers", NULL };
					const ynode *method = ynode_map_get(a, "method");

					if ((rc = check_keys(lc, a, ipath, keys,
						"type, url, body, batch, batch-size, method, query-params, headers")) < 0)
						return rc;
					if ((rc = require_string(lc, ynode_map_get(a, "url"), ipath, "webhook url")) < 0)
						return rc;
					if (method && (!ynode_is_string(method) ||
						!strstr(" PUT POST GET PATCH DELETE ", method->value) ||
						strchr(method->value, ' ') || !method->value[0]))
						return load_fail(lc, method, ipath, "webhook method must be PUT, POST, GET, PATCH or DELETE");
				} else if (strcmp(type, "invoke-lambda") == 0) {
					static const char *const keys[] = { "type", "function", "assume-role", "region",
						"async", "qualifier", "batch_size", "timeout", "vars", NULL };

					if ((rc = check_keys(lc, a, ipath, keys,
						"type, function, assume-role, region, async, qualifier, batch_size, timeout, vars")) < 0)
						return rc;
					if ((rc = require_string(lc, ynode_map_get(a, "function"), ipath, "invoke-lambda function")) < 0)
						return rc;
				} else {
					const ynode *transport = ynode_map_get(a, "transport");

					if (!ynode_map_get(a, "to") && !ynode_map_get(a, "to_from"))
						return load_fail(lc, a, ipath, "notify needs 'to' or 'to_from'");
					if (!transport || transport->kind != YNODE_MAPPING || !ynode_is_string(ynode_map_get(transport, "type")))
						return load_fail(lc, transport ? transport : a, ipath,
							"notify needs a transport mapping with type sqs (queue) or sns (topic)");
				}
			} else {
				return load_fail(lc, a, ipath, "%s needs settings; write it as a mapping with type: %s", type, type);
			}
			spec = ynode_to_json(a);
			if (!spec || json_array_append_new(p->passthrough, spec) < 0)
				return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
			continue;
		}
		return load_fail(lc, type_node, ipath,
			"action '%s' is not supported for peering-connection; use delete, reject, notify, webhook or invoke-lambda",
			type);
	}
	return 0;
}

static int load_policy(policy *p, load_ctx *lc, const ynode *node, const char *path)
{
	static const char *const policy_keys[] = { "name", "resource", "description", "comment", "comments",
		"mode", "tags", "metadata", "filters", "actions", "conditions", "source", "max-resources",
		"max-resources-percent", "query", NULL };
	char sub[PEERGUARD_ERROR_PATH_MAX];
	const ynode *name, *resource, *n;
	int rc;

	p->line = node->line;
	if (node->kind != YNODE_MAPPING)
		return load_fail(lc, node, path, "each policy must be a mapping with name and resource, got %s",
			ynode_type_name(node));

	name = ynode_map_get(node, "name");
	snprintf(sub, sizeof(sub), "%s.name", path);
	if ((rc = require_string(lc, name, sub, "name")) < 0)
		return rc;
	lc->policy_name = name->value;
	if (!policy_name_valid(name->value))
		return load_fail(lc, name, sub,
			"policy name '%s' is invalid; use letters and digits separated by single hyphens, starting with a letter",
			name->value);
	p->name = string_dup(name->value);

	if ((rc = check_keys(lc, node, path, policy_keys,
		"name, resource, description, mode, filters, actions, conditions, tags, metadata")) < 0)
		return rc;

	resource = ynode_map_get(node, "resource");
	snprintf(sub, sizeof(sub), "%s.resource", path);
	if ((rc = require_string(lc, resource, sub, "resource")) < 0)
		return rc;
	if (strcmp(resource->value, "peering-connection") != 0 && strcmp(resource->value, "aws.peering-connection") != 0)
		return load_fail(lc, resource, sub,
			"resource '%s' is not supported; libpeerguard evaluates aws.peering-connection (or peering-connection)",
			resource->value);
	p->resource = string_dup("aws.peering-connection");

	if ((n = ynode_map_get(node, "description"))) {
		snprintf(sub, sizeof(sub), "%s.description", path);
		if ((rc = require_string(lc, n, sub, "description")) < 0)
			return rc;
		p->description = string_dup(n->value);
	}
	if ((n = ynode_map_get(node, "tags")) && n->kind != YNODE_SEQUENCE)
		return load_fail(lc, n, path, "tags must be a list of strings");
	if ((n = ynode_map_get(node, "metadata")) && n->kind != YNODE_MAPPING)
		return load_fail(lc, n, path, "metadata must be a mapping");
	if ((n = ynode_map_get(node, "source")) &&
	    (!ynode_is_string(n) || strcmp(n->value, "describe") != 0))
		return load_fail(lc, n, path, "source must be 'describe' (the only source libpeerguard reads)");
	if ((n = ynode_map_get(node, "max-resources"))) {
		if (n->kind != YNODE_SCALAR || n->type != YSCALAR_INT || atol(n->value) < 1)
			return load_fail(lc, n, path, "max-resources must be an integer of at least 1");
		p->max_resources = atol(n->value);
	}

	if ((n = ynode_map_get(node, "mode"))) {
		snprintf(sub, sizeof(sub), "%s.mode", path);
		if ((rc = load_mode(p, lc, n, sub)) < 0)
			return rc;
	}

	lc->n_filters = 0;
	snprintf(sub, sizeof(sub), "%s.filters", path);
	if ((rc = filter_load_list(&p->filters, lc, ynode_map_get(node, "filters"), sub, 1, p->has_mode)) < 0)
		return rc;
	if ((n = ynode_map_get(node, "conditions"))) {
		snprintf(sub, sizeof(sub), "%s.conditions", path);
		if ((rc = filter_load_list(&p->conditions, lc, n, sub, 1, 1)) < 0)
			return rc;
	}
	p->n_slots = lc->n_filters;

	if ((n = ynode_map_get(node, "actions"))) {
		snprintf(sub, sizeof(sub), "%s.actions", path);
		if ((rc = load_actions(p, lc, n, sub)) < 0)
			return rc;
	}
	if (!p->passthrough && !(p->passthrough = json_array()))
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");

	if (!p->name || !p->resource)
		return error_set(lc->err, PEERGUARD_ENOMEM, NULL, "out of memory");
	lc->policy_name = NULL;
	return 0;
}

static int name_selected(const char *name, const char *const *only)
{
	if (!only)
		return 1;
	for (; *only; only++)
		if (strcmp(*only, name) == 0)
			return 1;
	return 0;
}

static void digest_hex(const char *text, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	out[0] = '\0';
	if (!EVP_Digest(text, len, md, &md_len, EVP_sha256(), NULL))
		return;
	for (unsigned int i = 0; i < md_len && i < 32; i++)
		snprintf(out + i * 2, 3, "%02x", md[i]);
}

/* Returns the fetcher of opts; version 1 options end before the field. */
static peerguard_fetch_fn load_fetch(const peerguard_load_options *opts)
{
	return opts && opts->version >= 2 ? opts->fetch : NULL;
}

static void *load_fetch_userdata(const peerguard_load_options *opts)
{
	return opts && opts->version >= 2 ? opts->fetch_userdata : NULL;
}

static int load_document(peerguard_policy_set **out, const char *text, size_t len, const char *name,
	const char *base_dir, const peerguard_load_options *opts, peerguard_error *err)
{
	static const char *const top_keys[] = { "policies", "vars", NULL };
	peerguard_policy_set *set = NULL;
	peerguard_limits limits;
	load_ctx lc;
	ynode *doc = NULL;
	const ynode *list;
	int rc;

	limits_resolve(&limits, opts ? &opts->limits : NULL);
	memset(&lc, 0, sizeof(lc));
	lc.file = name;
	lc.base_dir = base_dir;
	lc.limits = &limits;
	lc.err = err;
	lc.log = opts ? opts->log : NULL;
	lc.log_userdata = opts ? opts->log_userdata : NULL;

	if (len > limits.max_policy_bytes) {
		error_site site = { name, 0, 0, NULL, NULL };

		return error_set(err, PEERGUARD_ELIMIT, &site,
			"%s is larger than max_policy_bytes (%zu bytes); split it or raise the limit", name,
			limits.max_policy_bytes);
	}
	if (memchr(text, '\0', len)) {
		error_site site = { name, 0, 0, NULL, NULL };

		return error_set(err, PEERGUARD_EPOLICY, &site, "%s contains a NUL byte; policy files are text", name);
	}

	if ((rc = ydoc_parse(&doc, text, len, name, &limits, err)) < 0)
		return rc;

	if (!doc || doc->kind != YNODE_MAPPING) {
		rc = load_fail(&lc, doc, "(top level)",
			"a policy file must be a mapping with a 'policies' list, got %s", doc ? ynode_type_name(doc) : "an empty document");
		goto fail;
	}
	if ((rc = check_keys(&lc, doc, "(top level)", top_keys, "policies, vars")) < 0)
		goto fail;
	list = ynode_map_get(doc, "policies");
	if (!list) {
		rc = load_fail(&lc, doc, "policies", "'policies' is required");
		goto fail;
	}
	if (list->kind == YNODE_SCALAR && list->type == YSCALAR_NULL) {
		list = NULL;
	} else if (list->kind != YNODE_SEQUENCE) {
		rc = load_fail(&lc, list, "policies", "'policies' must be a list, got %s", ynode_type_name(list));
		goto fail;
	}
	if (list && list->count > limits.max_policies) {
		rc = load_fail(&lc, list, "policies", "more policies than max_policies (%u); split the file or raise the limit",
			limits.max_policies);
		if (err)
			err->code = PEERGUARD_ELIMIT;
		rc = PEERGUARD_ELIMIT;
		goto fail;
	}

	set = calloc(1, sizeof(*set));
	if (!set || !(set->name = string_dup(name)) ||
	    !(set->remote = remote_cache_new(load_fetch(opts), load_fetch_userdata(opts))) ||
	    (list && list->count && !(set->policies = calloc(list->count, sizeof(*set->policies))))) {
		rc = error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	set->limits = limits;
	lc.remote = set->remote;

	for (size_t i = 0; list && i < list->count; i++) {
		const ynode *item = list->items[i];
		const ynode *pname = item->kind == YNODE_MAPPING ? ynode_map_get(item, "name") : NULL;
		char path[64];

		/* Duplicate names are an error, checked across the whole file. */
		for (size_t j = 0; pname && ynode_is_string(pname) && j < i; j++) {
			const ynode *other = list->items[j]->kind == YNODE_MAPPING ?
				ynode_map_get(list->items[j], "name") : NULL;

			if (other && ynode_is_string(other) && strcmp(other->value, pname->value) == 0) {
				lc.policy_name = pname->value;
				rc = load_fail(&lc, pname, "policies", "duplicate policy name '%s' (first at line %d)",
					pname->value, other->line);
				goto fail;
			}
		}
		if (pname && ynode_is_string(pname) && !name_selected(pname->value, opts ? opts->only : NULL))
			continue;

		snprintf(path, sizeof(path), "policies[%zu]", i);
		if ((rc = load_policy(&set->policies[set->count], &lc, item, path)) < 0) {
			set->count++;
			goto fail;
		}
		set->count++;
	}

	if (opts && opts->only) {
		for (const char *const *o = opts->only; *o; o++) {
			size_t k;

			for (k = 0; k < set->count; k++)
				if (strcmp(set->policies[k].name, *o) == 0)
					break;
			if (k == set->count) {
				rc = load_fail(&lc, NULL, "policies", "no policy named '%s' in this file", *o);
				if (err)
					err->code = PEERGUARD_ENOTFOUND;
				rc = PEERGUARD_ENOTFOUND;
				goto fail;
			}
		}
	}

	digest_hex(text, len, set->revision);
	ynode_free(doc);
	*out = set;
	return 0;

fail:
	ynode_free(doc);
	peerguard_policy_set_free(set);
	return rc;
}

int peerguard_policy_set_load_string(peerguard_policy_set **out, const char *text, size_t len,
	const char *name, const peerguard_load_options *opts, peerguard_error *err)
{
	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!text)
		return error_set(err, PEERGUARD_EINVAL, NULL, "text must not be NULL");
	if (opts && (opts->version < 1 || opts->version > PEERGUARD_LOAD_OPTIONS_VERSION))
		return error_set(err, PEERGUARD_EINVAL, NULL,
			"peerguard_load_options.version is %u, expected 1 to %u; initialise it with PEERGUARD_LOAD_OPTIONS_INIT",
			opts->version, PEERGUARD_LOAD_OPTIONS_VERSION);
	peerguard_error_clear(err);
	return load_document(out, text, len, name ? name : "<string>",
		opts && opts->base_dir ? opts->base_dir : ".", opts, err);
}

int peerguard_policy_set_load_file(peerguard_policy_set **out, const char *path,
	const peerguard_load_options *opts, peerguard_error *err)
{
	peerguard_limits limits;
	char *text = NULL, *dir_copy = NULL;
	size_t len;
	int rc;

	if (!out)
		return error_set(err, PEERGUARD_EINVAL, NULL, "out must not be NULL");
	*out = NULL;
	if (!path)
		return error_set(err, PEERGUARD_EINVAL, NULL, "path must not be NULL");
	if (opts && (opts->version < 1 || opts->version > PEERGUARD_LOAD_OPTIONS_VERSION))
		return error_set(err, PEERGUARD_EINVAL, NULL,
			"peerguard_load_options.version is %u, expected 1 to %u; initialise it with PEERGUARD_LOAD_OPTIONS_INIT",
			opts->version, PEERGUARD_LOAD_OPTIONS_VERSION);
	peerguard_error_clear(err);

	limits_resolve(&limits, opts ? &opts->limits : NULL);
	if ((rc = file_read_all(&text, &len, path, limits.max_policy_bytes, 0, err)) < 0) {
		if (rc == PEERGUARD_ELIMIT) {
			error_site site = { path, 0, 0, NULL, NULL };

			/* file_read_all names max_input_bytes, the limit of the other files it reads. */
			error_set(err, rc, &site, "%s is larger than max_policy_bytes (%zu bytes); split it or raise the limit",
				path, limits.max_policy_bytes);
		}
		return rc;
	}

	dir_copy = string_dup(path);
	if (!dir_copy) {
		free(text);
		return error_set(err, PEERGUARD_ENOMEM, NULL, "out of memory");
	}
	rc = load_document(out, text, len, path,
		opts && opts->base_dir ? opts->base_dir : dirname(dir_copy), opts, err);
	free(dir_copy);
	free(text);
	return rc;
}
