/* Filter evaluation with Cloud Custodian's semantics, and the corrected cross-account filter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval.h"
#include "core/internal.h"

int eval_env_init(eval_env *env, const policy *p, const peerguard_limits *limits)
{
	size_t n = p->n_slots ? p->n_slots : 1;

	env->policy = p;
	env->limits = limits;
	env->value_cache = calloc(n, sizeof(*env->value_cache));
	env->regex_cache = calloc(n, sizeof(*env->regex_cache));
	if (!env->value_cache || !env->regex_cache) {
		eval_env_clear(env);
		return -1;
	}
	return 0;
}

void eval_env_clear(eval_env *env)
{
	size_t n = env->policy && env->policy->n_slots ? env->policy->n_slots : 1;

	for (size_t i = 0; env->value_cache && i < n; i++)
		json_decref(env->value_cache[i]);
	for (size_t i = 0; env->regex_cache && i < n; i++)
		value_regex_free(env->regex_cache[i]);
	free(env->value_cache);
	free(env->regex_cache);
	env->value_cache = NULL;
	env->regex_cache = NULL;
}

static int eval_fail(eval_env *env, const filter *f, int code, const char *message)
{
	if (!env->failed) {
		error_site site = { NULL, f->line, f->column, env->policy->name, f->path };

		error_set(env->err, code, &site, "policy '%s', %s: %s", env->policy->name, f->path, message);
		env->failed = 1;
	}
	return -1;
}

json_t *key_resolve(const value_key *key, json_t *record, eval_env *env)
{
	json_t *v;

	if (key->tag) {
		json_t *tags = json_object_get(record, "Tags");
		size_t i;
		json_t *tag;

		json_array_foreach(tags, i, tag) {
			const char *k = json_string_at(tag, "Key");

			if (k && strcmp(k, key->tag) == 0) {
				v = json_object_get(tag, "Value");
				return v && !json_is_null(v) ? json_incref(v) : NULL;
			}
		}
		return NULL;
	}

	/* A literal top-level key wins over JMESPath, so "a.b" finds a key named "a.b". */
	v = json_object_get(record, key->text);
	if (v)
		return json_is_null(v) ? NULL : json_incref(v);

	if (key->expr) {
		jmespath_limits jl = { env->limits->jmespath_max_steps, env->limits->jmespath_max_length };
		jmespath_error jerr;

		v = NULL;
		if (jmespath_search(&v, key->expr, record, &jl, &jerr) < 0)
			return NULL;
		if (json_is_null(v)) {
			json_decref(v);
			return NULL;
		}
		return v;
	}
	return NULL;
}

/* Returns the policy value for a value filter (new reference), after variables and value_from. */
static json_t *filter_value(const filter *f, json_t *resource, eval_env *env)
{
	json_t *cached = env->value_cache[f->slot];

	if (f->value_path.text)
		return key_resolve(&f->value_path, resource, env);
	if (cached)
		return json_incref(cached);

	if (f->value_from) {
		json_t *values = f->value_from->values;

		if (!values) {
			char *url = vars_expand(f->value_from->url, &env->vars);

			values = url ? value_source_fetch(f->value_from, url, env->limits, env->err) : NULL;
			free(url);
			if (!values) {
				env->failed = 1;
				return NULL;
			}
			env->value_cache[f->slot] = values;
			return json_incref(values);
		}
		return json_incref(values);
	}
	if (f->value_templated) {
		env->value_cache[f->slot] = vars_expand_json(f->value, &env->vars);
		return env->value_cache[f->slot] ? json_incref(env->value_cache[f->slot]) : NULL;
	}
	return f->value ? json_incref(f->value) : json_null();
}

static void explain_add(eval_env *env, const filter *f, json_t *r, json_t *v, int matched)
{
	json_t *entry;

	if (!env->explain)
		return;
	entry = json_pack("{s:s,s:s,s:s,s:o,s:O,s:b}", "filter", f->path,
		"type", f->kind == FILTER_EVENT ? "event" : "value",
		"key", f->key.text ? f->key.text : "",
		"op", f->spec.op == VALUE_OP_NONE ? json_string("eq") : json_string(value_op_name(f->spec.op)),
		"resource_value", r ? r : json_null(), "matched", matched);
	if (!entry)
		return;
	json_object_set(entry, "value", v ? v : json_null());
	if (f->spec.type != VALUE_TYPE_NONE)
		json_object_set_new(entry, "value_type", json_string(value_type_name(f->spec.type)));
	if (!r && f->spec.type != VALUE_TYPE_RESOURCE_COUNT)
		json_object_set_new(entry, "warning", json_string(
			"the key is missing from the record; Cloud Custodian treats it as null, so ne and not-in match"));
	json_array_append_new(env->explain, entry);
}

static int is_date_type(value_type type)
{
	return type == VALUE_TYPE_AGE || type == VALUE_TYPE_EXPIRATION || type == VALUE_TYPE_DATE;
}

static int is_special_value(json_t *v)
{
	static const char *const specials[] = { "absent", "present", "not-null", "empty", NULL };

	for (const char *const *s = specials; json_is_string(v) && *s; s++)
		if (strcmp(json_string_value(v), *s) == 0)
			return 1;
	return 0;
}

static int eval_value(int *matched, const filter *f, json_t *record, eval_env *env)
{
	value_match_env venv = { env->vars.now, env->limits->regex_match_limit, env->limits->regex_heap_limit_kib };
	value_match_spec spec = f->spec;
	json_t *r = NULL, *v;
	char errbuf[256] = "";
	int rc;

	*matched = 0;
	v = filter_value(f, record, env);
	if (env->failed) {
		json_decref(v);
		return -1;
	}

	if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT)
		r = json_integer((json_int_t)env->resource_count);
	else
		r = key_resolve(&f->key, record, env);

	/* A regex value with variables is compiled once per evaluation. */
	if ((spec.op == VALUE_OP_REGEX || spec.op == VALUE_OP_REGEX_CASE) && !spec.op_regex && json_is_string(v)) {
		if (!env->regex_cache[f->slot]) {
			env->regex_cache[f->slot] = value_regex_compile(json_string_value(v), spec.op == VALUE_OP_REGEX,
				NULL, errbuf, sizeof(errbuf));
			if (!env->regex_cache[f->slot]) {
				json_decref(r);
				json_decref(v);
				return eval_fail(env, f, PEERGUARD_EEVAL, errbuf);
			}
		}
		spec.op_regex = env->regex_cache[f->slot];
	}

	/*
	 * A missing or unparseable date never matches.  Cloud Custodian compares
	 * it as 0, so ordered ops fail quietly but ne matches every record.
	 */
	if (is_date_type(spec.type) && !is_special_value(v)) {
		double when;

		if (!r || value_parse_date(r, &when) < 0) {
			explain_add(env, f, r, v, 0);
			json_decref(r);
			json_decref(v);
			return 0;
		}
	}

	rc = value_match(matched, &spec, r, v, &venv, errbuf, sizeof(errbuf));
	explain_add(env, f, r, v, *matched);
	json_decref(r);
	json_decref(v);
	if (rc < 0) {
		*matched = 0;
		return eval_fail(env, f, strstr(errbuf, "limit") ? PEERGUARD_ELIMIT : PEERGUARD_EEVAL, errbuf);
	}
	return 0;
}

static int account_in(json_t *accounts, const char *account)
{
	size_t i;
	json_t *a;
	char buf[32];

	json_array_foreach(accounts, i, a) {
		const char *text = account_id_text(a, buf, sizeof(buf));

		if (text && strcmp(text, account) == 0)
			return 1;
	}
	return 0;
}

/*
 * Cloud Custodian 0.9.x checks the owners of the first record only (its
 * owner expressions are an exhausted iterator after that) and returns a
 * record twice when both owners are foreign.  This checks every record,
 * both owners, once each, and never counts our own account as foreign.
 */
static int eval_cross_account(int *matched, const filter *f, json_t *record, eval_env *env)
{
	static const char *const infos[] = { "AccepterVpcInfo", "RequesterVpcInfo" };
	json_t *whitelist = f->whitelist, *from = NULL;
	json_t *found = json_array();

	*matched = 0;
	if (!found)
		return eval_fail(env, f, PEERGUARD_ENOMEM, "out of memory");
	if (f->whitelist_templated) {
		if (!env->value_cache[f->slot])
			env->value_cache[f->slot] = vars_expand_json(f->whitelist, &env->vars);
		whitelist = env->value_cache[f->slot];
	}
	if (f->whitelist_from) {
		from = f->whitelist_from->values;
		if (!from) {
			char *url = vars_expand(f->whitelist_from->url, &env->vars);

			from = url ? value_source_fetch(f->whitelist_from, url, env->limits, env->err) : NULL;
			free(url);
			if (!from) {
				json_decref(found);
				env->failed = 1;
				return -1;
			}
		} else {
			json_incref(from);
		}
	}

	for (int i = 0; i < 2; i++) {
		char buf[32];
		const char *owner = account_id_text(json_object_get(json_object_get(record, infos[i]), "OwnerId"),
			buf, sizeof(buf));

		if (!owner || !*owner)
			continue;
		if (env->vars.account_id && strcmp(owner, env->vars.account_id) == 0)
			continue;
		if (account_in(whitelist, owner) || (from && account_in(from, owner)) || account_in(found, owner))
			continue;
		json_array_append_new(found, json_string(owner));
	}
	json_decref(from);

	*matched = json_array_size(found) > 0;
	if (*matched && env->violations) {
		size_t i;
		json_t *a;

		json_array_foreach(found, i, a)
			if (!account_in(env->violations, json_string_value(a)))
				json_array_append(env->violations, a);
	}
	if (env->explain)
		json_array_append_new(env->explain, json_pack("{s:s,s:s,s:O,s:b}", "filter", f->path, "type",
			"cross-account", "violations", found, "matched", *matched));
	json_decref(found);
	return 0;
}

int filter_eval(int *matched, const filter *f, json_t *resource, eval_env *env)
{
	int child;

	*matched = 0;
	switch (f->kind) {
	case FILTER_AND:
		for (size_t i = 0; i < f->n_children; i++) {
			if (filter_eval(&child, f->children[i], resource, env) < 0)
				return -1;
			if (!child)
				return 0;
		}
		*matched = 1;
		return 0;
	case FILTER_OR:
		for (size_t i = 0; i < f->n_children; i++) {
			if (filter_eval(&child, f->children[i], resource, env) < 0)
				return -1;
			if (child) {
				*matched = 1;
				return 0;
			}
		}
		return 0;
	case FILTER_NOT:
		/* not: [A, B] keeps the resources that A AND B would drop. */
		for (size_t i = 0; i < f->n_children; i++) {
			if (filter_eval(&child, f->children[i], resource, env) < 0)
				return -1;
			if (!child) {
				*matched = 1;
				return 0;
			}
		}
		return 0;
	case FILTER_VALUE:
		return eval_value(matched, f, resource, env);
	case FILTER_EVENT:
		if (!env->envelope) {
			/* Without an event (pull mode) an event filter lets everything through. */
			*matched = 1;
			return 0;
		}
		return eval_value(matched, f, env->envelope, env);
	case FILTER_CROSS_ACCOUNT:
		return eval_cross_account(matched, f, resource, env);
	}
	return 0;
}
