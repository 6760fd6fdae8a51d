/*
 * Filter evaluation with Cloud Custodian's semantics on batches of
 * resources, list-item, and the corrected cross-account filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval.h"
#include "core/internal.h"
#include "core/value/pyvalue.h"

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

int eval_fail(eval_env *env, const filter *f, int code, const char *message)
{
	if (!env->failed) {
		error_site site = { NULL, f->line, f->column, env->policy->name, f->path };

		error_set(env->err, code, &site, "policy '%s', %s: %s", env->policy->name, f->path, message);
		env->failed = 1;
	}
	return -1;
}

/* Searches the JMESPath of key on record; a search error fails the resource, as c7n's raise does. */
static int search_path(json_t **out, const value_key *key, json_t *record, eval_env *env)
{
	jmespath_limits jl = { env->limits->jmespath_max_steps, env->limits->jmespath_max_length };
	jmespath_error jerr;
	json_t *v = NULL;

	*out = NULL;
	if (jmespath_search(&v, key->expr, record, &jl, &jerr) < 0) {
		if (!env->failed) {
			error_site site = { NULL, 0, 0, env->policy->name, NULL };

			error_set(env->err, jerr.kind == JMESPATH_ERR_LIMIT ? PEERGUARD_ELIMIT : PEERGUARD_EEVAL, &site,
				"policy '%s': key '%s' could not be evaluated: %s", env->policy->name, key->text,
				jerr.message);
			env->failed = 1;
		}
		return -1;
	}
	if (json_is_null(v))
		json_decref(v);
	else
		*out = v;
	return 0;
}

int key_resolve(json_t **out, const value_key *key, json_t *record, eval_env *env)
{
	json_t *v;

	*out = NULL;
	if (key->tag) {
		json_t *tags = json_object_get(record, "Tags");
		size_t i;
		json_t *tag;

		json_array_foreach(tags, i, tag) {
			const char *k = json_string_at(tag, "Key");

			if (k && strcmp(k, key->tag) == 0) {
				v = json_object_get(tag, "Value");
				*out = v && !json_is_null(v) ? json_incref(v) : NULL;
				return 0;
			}
		}
		return 0;
	}

	/* A literal top-level key wins over JMESPath, so "a.b" finds a key named "a.b". */
	v = json_object_get(record, key->text);
	if (v) {
		*out = json_is_null(v) ? NULL : json_incref(v);
		return 0;
	}

	return key->expr ? search_path(out, key, record, env) : 0;
}

int eval_value_regex(json_t **v, const value_regex *re, const filter *f, eval_env *env)
{
	value_match_env venv = { env->vars.now, env->limits->regex_match_limit, env->limits->regex_heap_limit_kib };
	char errbuf[256];
	long span[2] = { -1, -1 };
	int matched = 0;
	json_t *captured = NULL;

	if (!json_is_string(*v)) {
		json_decref(*v);
		*v = NULL;
		return 0;
	}
	if (value_regex_run(&matched, span, re, json_string_value(*v), json_string_length(*v), &venv, errbuf,
		sizeof(errbuf)) == PY_FAIL)
		return eval_fail(env, f, PEERGUARD_ELIMIT, errbuf);
	if (matched && span[0] >= 0)
		captured = json_stringn(json_string_value(*v) + span[0], (size_t)(span[1] - span[0]));
	json_decref(*v);
	*v = captured;
	return 0;
}

/* Returns the policy value for a value filter (new reference), after variables and value_from. */
static json_t *filter_value(const filter *f, json_t *resource, eval_env *env)
{
	json_t *cached = env->value_cache[f->slot];

	if (f->value_path.text) {
		json_t *v = NULL;

		if (f->spec.type != VALUE_TYPE_EXPR)
			return search_path(&v, &f->value_path, resource, env) < 0 ? NULL : v;

		/* value_type expr reads the value like a key, value_regex included (c7n's get_resource_value). */
		if (key_resolve(&v, &f->value_path, resource, env) < 0)
			return NULL;
		if (v && f->spec.value_regex && eval_value_regex(&v, f->spec.value_regex, f, env) < 0)
			return NULL;
		return v;
	}
	if (cached)
		return json_incref(cached);

	if (f->value_from) {
		json_t *values = f->value_from->values;

		if (!values) {
			peerguard_error fetch_err;

			values = value_source_fetch(f->value_from, &env->vars, env->limits, &fetch_err);
			if (!values) {
				eval_fail(env, f, fetch_err.code, fetch_err.message);
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
	else if (key_resolve(&r, &f->key, record, env) < 0) {
		json_decref(v);
		return -1;
	}

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
	 * The date is the one value_regex extracts, when there is one.
	 */
	if (is_date_type(spec.type) && !is_special_value(v)) {
		json_t *date = json_incref(r);
		double when;
		int unreadable;

		if (date && spec.value_regex && eval_value_regex(&date, spec.value_regex, f, env) < 0) {
			json_decref(r);
			json_decref(v);
			return -1;
		}
		unreadable = !date || value_parse_date(date, &when) < 0;

		json_decref(date);
		if (unreadable) {
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
			peerguard_error fetch_err;

			from = value_source_fetch(f->whitelist_from, &env->vars, env->limits, &fetch_err);
			if (!from) {
				json_decref(found);
				return eval_fail(env, f, fetch_err.code, fetch_err.message);
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

static int eval_list_item(int *matched, const filter *f, json_t *record, eval_env *env);

void eval_bind(eval_env *env, eval_record *rec)
{
	env->violations = rec->violations;
	env->explain = rec->explain;
	env->err = &rec->err;
	env->failed = rec->failed;
}

/* Evaluates a filter that decides each resource on its own. */
static int eval_each(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env)
{
	size_t out = 0;

	for (size_t p = 0; p < *n; p++) {
		eval_record *rec = &records[idx[p]];
		int matched = 0, rc;

		eval_bind(env, rec);
		if (f->kind == FILTER_VALUE)
			rc = eval_value(&matched, f, resources[idx[p]], env);
		else if (f->kind == FILTER_CROSS_ACCOUNT)
			rc = eval_cross_account(&matched, f, resources[idx[p]], env);
		else
			rc = eval_list_item(&matched, f, resources[idx[p]], env);
		if (rc < 0 || env->failed) {
			rec->failed = 1;
			continue;
		}
		if (matched)
			idx[out++] = idx[p];
	}
	*n = out;
	return 0;
}

/*
 * Evaluates a filter that passes all resources or none: an event filter
 * (against the envelope) or value_type resource_count (the batch size).
 * A failure fails every resource of the batch.
 */
static int eval_all_or_none(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env)
{
	eval_record *first = &records[idx[0]];
	int matched = 0;

	eval_bind(env, first);
	env->resource_count = *n;
	if (f->kind == FILTER_EVENT && !env->envelope) {
		/* Without an event (pull mode) an event filter lets everything through. */
		return 0;
	}
	if (eval_value(&matched, f, f->kind == FILTER_EVENT ? env->envelope : resources[idx[0]], env) < 0 ||
	    env->failed) {
		for (size_t p = 0; p < *n; p++) {
			records[idx[p]].failed = 1;
			if (p)
				records[idx[p]].err = first->err;
		}
		*n = 0;
		return 0;
	}
	if (!matched)
		*n = 0;
	return 0;
}

/*
 * Keeps the entries of idx[0..*n) that are (listed) or are not (!listed)
 * in sub[0..m), and have not failed, in their order.  Returns 0, or -1
 * when out of memory.
 */
static int keep_listed(size_t *idx, size_t *n, const size_t *sub, size_t m, int listed, const eval_record *records)
{
	size_t out = 0, top = 0;
	unsigned char *in_sub;

	for (size_t p = 0; p < *n; p++)
		if (idx[p] > top)
			top = idx[p];
	in_sub = calloc(top + 1, 1);
	if (!in_sub)
		return -1;
	for (size_t q = 0; q < m; q++)
		if (sub[q] <= top)
			in_sub[sub[q]] = 1;
	for (size_t p = 0; p < *n; p++)
		if (in_sub[idx[p]] == listed && !records[idx[p]].failed)
			idx[out++] = idx[p];
	*n = out;
	free(in_sub);
	return 0;
}

static int eval_children_and(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env)
{
	for (size_t i = 0; i < f->n_children && *n > 0; i++)
		if (filter_eval_batch(idx, n, f->children[i], resources, records, env) < 0)
			return -1;
	return 0;
}

int filter_eval_batch(size_t *idx, size_t *n, const filter *f, json_t **resources, eval_record *records,
	eval_env *env)
{
	size_t *sub, *all, m = 0;
	int rc = 0;

	if (*n == 0)
		return 0;
	switch (f->kind) {
	case FILTER_AND:
		return eval_children_and(idx, n, f, resources, records, env);
	case FILTER_VALUE:
		if (f->spec.type == VALUE_TYPE_RESOURCE_COUNT)
			return eval_all_or_none(idx, n, f, resources, records, env);
		return eval_each(idx, n, f, resources, records, env);
	case FILTER_EVENT:
		return eval_all_or_none(idx, n, f, resources, records, env);
	case FILTER_CROSS_ACCOUNT:
	case FILTER_LIST_ITEM:
		return eval_each(idx, n, f, resources, records, env);
	case FILTER_REDUCE:
		return reduce_apply(idx, n, f, resources, records, env);
	case FILTER_OR:
	case FILTER_NOT:
		break;
	}

	/*
	 * or: the union of what each child keeps from the whole batch.  not: the
	 * batch less what its children, as an and, keep.  c7n returns either in
	 * set order, which varies between runs; here the batch order is kept.
	 */
	sub = malloc(*n * sizeof(*sub));
	all = malloc((*n) * (f->kind == FILTER_OR && f->n_children ? f->n_children : 1) * sizeof(*all));
	if (!sub || !all) {
		free(sub);
		free(all);
		return -1;
	}
	if (f->kind == FILTER_NOT) {
		size_t k = *n;

		memcpy(sub, idx, *n * sizeof(*sub));
		rc = eval_children_and(sub, &k, f, resources, records, env);
		memcpy(all, sub, k * sizeof(*all));
		m = k;
	} else {
		for (size_t i = 0; i < f->n_children && rc == 0; i++) {
			size_t k = *n;

			memcpy(sub, idx, *n * sizeof(*sub));
			rc = filter_eval_batch(sub, &k, f->children[i], resources, records, env);
			memcpy(all + m, sub, k * sizeof(*all));
			m += k;
		}
	}
	if (rc == 0)
		rc = keep_listed(idx, n, all, m, f->kind == FILTER_OR, records);
	free(sub);
	free(all);
	return rc;
}

int filter_eval(int *matched, const filter *f, json_t *resource, eval_record *rec, eval_env *env)
{
	size_t idx = 0, n = 1;
	int rc = filter_eval_batch(&idx, &n, f, &resource, rec, env);

	*matched = rc == 0 && n == 1 && !rec->failed;
	if (rc < 0 && !rec->failed) {
		error_set(&rec->err, PEERGUARD_ENOMEM, NULL, "out of memory");
		rec->failed = 1;
	}
	return rec->failed ? -1 : 0;
}

static const char *json_type_text(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "mapping";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		break;
	}
	return "null";
}

/* Compares the number of matching items with count, as c7n's count_op(rcount, count). */
static int count_matches(int *matched, const filter *f, size_t count, eval_env *env)
{
	value_match_spec spec = { f->count_op, VALUE_TYPE_NONE, NULL, NULL };
	value_match_env venv = { env->vars.now, env->limits->regex_match_limit, env->limits->regex_heap_limit_kib };
	json_t *r = json_integer((json_int_t)count);
	char errbuf[128];
	int rc;

	if (!f->has_count) {
		*matched = count > 0;
		json_decref(r);
		return 0;
	}
	rc = value_match(matched, &spec, r, f->count, &venv, errbuf, sizeof(errbuf));
	json_decref(r);
	return rc < 0 ? eval_fail(env, f, PEERGUARD_EEVAL, errbuf) : 0;
}

/*
 * list-item: the items of the list at key, each a mapping, go through the
 * attrs filters as a batch of their own.  An empty or missing list passes
 * only a count that 0 satisfies; a value that is not a list, or an item
 * that is not a mapping, is an error, as in c7n.
 */
static int eval_list_item(int *matched, const filter *f, json_t *record, eval_env *env)
{
	jmespath_limits jl = { env->limits->jmespath_max_steps, env->limits->jmespath_max_length };
	json_t *list = NULL, *item;
	eval_record *items = NULL, saved = { env->violations, env->explain, { 0 }, 0 };
	json_t **values = NULL;
	peerguard_error *saved_err = env->err;
	size_t *idx = NULL, n, i, saved_count = env->resource_count;
	jmespath_error jerr;
	char message[256];
	int rc = 0;

	*matched = 0;
	if (jmespath_search(&list, f->key.expr, record, &jl, &jerr) < 0) {
		snprintf(message, sizeof(message), "list-item key '%s' could not be evaluated: %s", f->key.text,
			jerr.message);
		return eval_fail(env, f, PEERGUARD_EEVAL, message);
	}
	if (json_is_null(list) || json_is_false(list) || (json_is_array(list) && json_array_size(list) == 0) ||
	    (json_is_object(list) && json_object_size(list) == 0) ||
	    (json_is_string(list) && json_string_length(list) == 0) ||
	    (json_is_integer(list) && json_integer_value(list) == 0) ||
	    (json_is_real(list) && json_real_value(list) == 0)) {
		json_decref(list);
		return count_matches(matched, f, 0, env);
	}
	if (!json_is_array(list)) {
		snprintf(message, sizeof(message), "list-item key '%s' is a %s, not a list", f->key.text,
			json_type_text(list));
		json_decref(list);
		return eval_fail(env, f, PEERGUARD_EEVAL, message);
	}
	json_array_foreach(list, i, item) {
		if (!json_is_object(item)) {
			snprintf(message, sizeof(message), "list-item key '%s': item %zu is a %s, not a mapping",
				f->key.text, i, json_type_text(item));
			json_decref(list);
			return eval_fail(env, f, PEERGUARD_EEVAL, message);
		}
	}

	n = json_array_size(list);
	items = calloc(n, sizeof(*items));
	values = malloc(n * sizeof(*values));
	idx = malloc(n * sizeof(*idx));
	if (!items || !values || !idx) {
		rc = eval_fail(env, f, PEERGUARD_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		idx[i] = i;
		values[i] = json_array_get(list, i);
		items[i].explain = saved.explain;
	}
	rc = eval_children_and(idx, &n, f, values, items, env);

	/* Back to the resource: a failed item fails it. */
	env->violations = saved.violations;
	env->explain = saved.explain;
	env->err = saved_err;
	env->failed = 0;
	env->resource_count = saved_count;
	for (i = 0; rc == 0 && i < json_array_size(list); i++) {
		if (items[i].failed) {
			if (saved_err)
				*saved_err = items[i].err;
			env->failed = 1;
			rc = -1;
		}
	}
	if (rc == 0)
		rc = count_matches(matched, f, n, env);
	else if (!env->failed)
		rc = eval_fail(env, f, PEERGUARD_ENOMEM, "out of memory");

done:
	free(items);
	free(values);
	free(idx);
	json_decref(list);
	return rc;
}
