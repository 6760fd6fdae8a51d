/* Running a policy's filters record by record, with memoised value matches. */
#include <stdlib.h>
#include <string.h>

#include "core/fast_filter.h"
#include "core/internal.h"

/* Distinct values remembered per filter; past this, values are matched without a memo. */
#define FAST_MEMO_SLOTS 512
#define FAST_MEMO_MAX (FAST_MEMO_SLOTS / 2)

static int is_identifier(const char *s, size_t len)
{
	if (len == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* Splits a key of plain identifiers joined by dots.  Returns 1, 0 when the key is not one, or -1 when out of memory. */
static int split_path(fast_step *step, const char *text)
{
	size_t n = 1;

	for (const char *p = text; *p; p++)
		n += *p == '.';
	step->segments = calloc(n, sizeof(*step->segments));
	if (!step->segments)
		return -1;
	for (const char *p = text;; ) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (!is_identifier(p, len))
			return 0;
		step->segments[step->n_segments] = malloc(len + 1);
		if (!step->segments[step->n_segments])
			return -1;
		memcpy(step->segments[step->n_segments], p, len);
		step->segments[step->n_segments++][len] = '\0';
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

/* Whether value filter f is a pure function of its key's value: a constant value and no value_type. */
static int memoisable(const filter *f)
{
	if (f->spec.type != VALUE_TYPE_NONE || f->value_from || f->value_path.text || f->value_templated || !f->value)
		return 0;
	if ((f->spec.op == VALUE_OP_REGEX || f->spec.op == VALUE_OP_REGEX_CASE) && !f->spec.op_regex)
		return 0;
	return f->key.tag || (f->key.expr && f->key.text);
}

static int compare_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copies a constant whitelist, as account ids, into a sorted array.  Returns 0, or -1 when out of memory. */
static int load_trusted(fast_step *step, json_t *whitelist)
{
	size_t i;
	json_t *entry;

	step->trusted = calloc(json_array_size(whitelist) + 1, sizeof(*step->trusted));
	if (!step->trusted)
		return -1;
	json_array_foreach(whitelist, i, entry) {
		char buf[32];
		const char *text = account_id_text(entry, buf, sizeof(buf));

		if (!text)
			continue;
		if (!(step->trusted[step->n_trusted] = string_dup(text)))
			return -1;
		step->n_trusted++;
	}
	qsort(step->trusted, step->n_trusted, sizeof(*step->trusted), compare_text);
	return 0;
}

static void clear_step(fast_step *step)
{
	for (size_t i = 0; i < step->n_trusted; i++)
		free(step->trusted[i]);
	free(step->trusted);
	for (size_t i = 0; i < step->n_segments; i++)
		free(step->segments[i]);
	free(step->segments);
	for (size_t i = 0; step->memo && i < FAST_MEMO_SLOTS; i++)
		free(step->memo[i].text);
	free(step->memo);
	free(step->by_id);
	memset(step, 0, sizeof(*step));
	step->column = step->owner_columns[0] = step->owner_columns[1] = -1;
}

int fast_plan_init(fast_plan *plan, const policy *p)
{
	const filter *top = p->filters;

	memset(plan, 0, sizeof(*plan));
	if (!top || top->kind != FILTER_AND)
		return 0;
	for (size_t i = 0; i < top->n_children; i++) {
		const filter *f = top->children[i];

		if (!(f->kind == FILTER_CROSS_ACCOUNT || f->kind == FILTER_LIST_ITEM ||
		      (f->kind == FILTER_VALUE && f->spec.type != VALUE_TYPE_RESOURCE_COUNT)))
			return 0;
	}

	plan->steps = calloc(top->n_children ? top->n_children : 1, sizeof(*plan->steps));
	if (!plan->steps)
		return -1;
	plan->count = top->n_children;
	for (size_t i = 0; i < plan->count; i++) {
		fast_step *step = &plan->steps[i];
		const filter *f = top->children[i];
		int rc = 1;

		step->f = f;
		step->missing = -1;
		step->column = step->owner_columns[0] = step->owner_columns[1] = -1;
		if (f->kind == FILTER_CROSS_ACCOUNT && !f->whitelist_templated && !f->whitelist_from) {
			if (load_trusted(step, f->whitelist) < 0)
				goto fail;
			step->cross_account = 1;
			continue;
		}
		if (f->kind != FILTER_VALUE || !memoisable(f))
			continue;
		if (!f->key.tag && (rc = split_path(step, f->key.text)) <= 0) {
			clear_step(step);
			step->f = f;
			step->missing = -1;
			if (rc < 0)
				goto fail;
			continue;
		}
		step->memo = calloc(FAST_MEMO_SLOTS, sizeof(*step->memo));
		if (!step->memo)
			goto fail;
		step->memoised = 1;
	}
	return 1;

fail:
	fast_plan_clear(plan);
	return -1;
}

void fast_plan_clear(fast_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++)
		clear_step(&plan->steps[i]);
	free(plan->steps);
	memset(plan, 0, sizeof(*plan));
}

/*
 * Reads the key as key_resolve does: tag:NAME from Tags; else the literal
 * top-level key; else the path, where a step into anything but an object
 * gives null as in JMESPath.  Returns the value (borrowed) or NULL when
 * missing or null.
 */
static json_t *read_key(const fast_step *step, json_t *record)
{
	const filter *f = step->f;
	json_t *v;

	if (f->key.tag) {
		json_t *tags = json_object_get(record, "Tags");
		size_t i;
		json_t *tag;

		json_array_foreach(tags, i, tag) {
			const char *k = json_string_at(tag, "Key");

			if (k && strcmp(k, f->key.tag) == 0) {
				v = json_object_get(tag, "Value");
				return json_is_null(v) ? NULL : v;
			}
		}
		return NULL;
	}
	v = json_object_get(record, f->key.text);
	if (!v) {
		v = record;
		for (size_t i = 0; v && i < step->n_segments; i++)
			v = json_is_object(v) ? json_object_get(v, step->segments[i]) : NULL;
	}
	return json_is_null(v) ? NULL : v;
}

static size_t hash_text(const char *s, size_t len)
{
	size_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Finds the memo slot of a value: its entry, or the empty slot where it would go. */
static memo_entry *memo_slot(fast_step *step, const char *s, size_t len)
{
	size_t i = hash_text(s, len) % FAST_MEMO_SLOTS;

	for (;;) {
		memo_entry *e = &step->memo[i];

		if (!e->text || (e->len == len && memcmp(e->text, s, len) == 0))
			return e;
		i = (i + 1) % FAST_MEMO_SLOTS;
	}
}

/* Decides a memoised value filter.  Returns 1 or 0, or -1 when filter_eval must decide. */
static int memo_match(fast_step *step, json_t *r, eval_env *env)
{
	value_match_env venv = { env->vars.now, env->limits->regex_match_limit, env->limits->regex_heap_limit_kib };
	const filter *f = step->f;
	memo_entry *slot = NULL;
	char errbuf[256];
	int matched = 0;

	if (!r && step->missing >= 0)
		return step->missing;
	if (r && !json_is_string(r))
		return -1;
	if (r) {
		slot = memo_slot(step, json_string_value(r), json_string_length(r));
		if (slot->text)
			return slot->matched;
	}

	/* First sight of this value: value_match decides, as eval_value would call it. */
	if (value_match(&matched, &f->spec, r, f->value, &venv, errbuf, sizeof(errbuf)) < 0)
		return -1;
	if (!r) {
		step->missing = matched;
	} else if (step->memo_used < FAST_MEMO_MAX) {
		slot->text = malloc(json_string_length(r) + 1);
		if (slot->text) {
			memcpy(slot->text, json_string_value(r), json_string_length(r) + 1);
			slot->len = json_string_length(r);
			slot->matched = (unsigned char)matched;
			step->memo_used++;
		}
	}
	return matched;
}

/* Whether owner text[0..len) is in the step's sorted whitelist (sorted by strcmp, which orders bytes as memcmp). */
static int trusted_text(const fast_step *step, const char *text, size_t len)
{
	size_t lo = 0, hi = step->n_trusted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, tlen = strlen(step->trusted[mid]);
		int c = memcmp(text, step->trusted[mid], len < tlen ? len : tlen);

		if (c == 0 && len < tlen)
			c = -1;
		else if (c == 0 && len > tlen)
			c = 1;
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int in_violations_text(json_t *violations, const char *text, size_t len)
{
	size_t i;
	json_t *a;

	json_array_foreach(violations, i, a)
		if (json_is_string(a) && json_string_length(a) == len && memcmp(json_string_value(a), text, len) == 0)
			return 1;
	return 0;
}

/*
 * Decides a cross-account filter with a constant whitelist as
 * eval_cross_account does: each owner of the record that is not our
 * account, not trusted and not seen already is a violation, and the
 * violations go to rec once each.  Returns 1 or 0.
 */
static int cross_account(const fast_step *step, json_t *record, eval_record *rec, eval_env *env)
{
	static const char *const infos[] = { "AccepterVpcInfo", "RequesterVpcInfo" };
	char bufs[2][32];
	const char *found[2];
	size_t n_found = 0;

	for (int i = 0; i < 2; i++) {
		const char *owner = account_id_text(json_object_get(json_object_get(record, infos[i]), "OwnerId"),
			bufs[i], sizeof(bufs[i]));

		if (!owner || !*owner)
			continue;
		if (env->vars.account_id && strcmp(owner, env->vars.account_id) == 0)
			continue;
		if (trusted_text(step, owner, strlen(owner)) || (n_found == 1 && strcmp(found[0], owner) == 0))
			continue;
		found[n_found++] = owner;
	}
	for (size_t i = 0; rec->violations && i < n_found; i++)
		if (!in_violations_text(rec->violations, found[i], strlen(found[i])))
			json_array_append_new(rec->violations, json_string(found[i]));
	return n_found > 0;
}

/* Runs one step of a plan on a record's tree.  Returns 1 or 0. */
static int step_eval(fast_step *step, json_t *resource, eval_record *rec, eval_env *env)
{
	int m = -1;

	/* Filters that record violations need the record's array before they run. */
	if (!step->memoised && !rec->violations)
		rec->violations = json_array();
	if (step->memoised)
		m = memo_match(step, read_key(step, resource), env);
	else if (step->cross_account)
		m = cross_account(step, resource, rec, env);
	if (m < 0 && filter_eval(&m, step->f, resource, rec, env) < 0)
		m = 0;
	return m;
}

void fast_plan_eval(int *matched, fast_plan *plan, json_t *resource, eval_record *rec, eval_env *env)
{
	*matched = 0;
	for (size_t i = 0; i < plan->count; i++)
		if (!step_eval(&plan->steps[i], resource, rec, env) || rec->failed)
			return;
	*matched = 1;
}

int fast_plan_bind(fast_plan *plan, const describe_table *t)
{
	for (size_t i = 0; i < plan->count; i++) {
		fast_step *step = &plan->steps[i];

		free(step->by_id);
		step->by_id = NULL;
		step->column = step->owner_columns[0] = step->owner_columns[1] = -1;
		if (step->memoised)
			step->column = projection_find(&t->proj, step->f->key.text);
		if (step->cross_account) {
			step->owner_columns[0] = projection_find(&t->proj, "AccepterVpcInfo.OwnerId");
			step->owner_columns[1] = projection_find(&t->proj, "RequesterVpcInfo.OwnerId");
		}
		if (step->column < 0 && step->owner_columns[0] < 0)
			continue;
		if (!(step->by_id = malloc(t->n_strings ? t->n_strings : 1)))
			return -1;
		memset(step->by_id, 0xff, t->n_strings ? t->n_strings : 1);
	}
	plan->table = t;
	return 0;
}

/* Decides a memoised value filter from a cell.  Returns 1 or 0, or -1 when the record's tree must decide. */
static int row_match(fast_step *step, const describe_table *t, uint32_t cell, eval_env *env)
{
	value_match_env venv = { env->vars.now, env->limits->regex_match_limit, env->limits->regex_heap_limit_kib };
	signed char *known;
	const char *text;
	size_t len;
	char errbuf[256];
	int matched = 0;
	json_t *value;

	if (cell == CELL_MISSING)
		return memo_match(step, NULL, env);
	if (cell == CELL_OTHER)
		return -1;
	known = &step->by_id[cell - CELL_STRING];
	if (*known >= 0)
		return *known;

	/* First sight of this string: value_match decides on it as a JSON string, as the tree contains it. */
	text = describe_table_string(t, cell, &len);
	if (!(value = json_stringn_nocheck(text, len)))
		return -1;
	if (value_match(&matched, &step->f->spec, value, step->f->value, &venv, errbuf, sizeof(errbuf)) < 0)
		matched = -1;
	json_decref(value);
	if (matched >= 0)
		*known = (signed char)matched;
	return matched;
}

/*
 * Decides a cross-account filter from the owner cells as cross_account
 * decides it from the tree.  Returns 1 or 0, or -1 when an owner is not a
 * string and the tree must decide.
 */
static int row_cross_account(fast_step *step, const describe_table *t, size_t row, eval_record *rec, eval_env *env)
{
	const char *found[2];
	size_t found_len[2], n_found = 0;
	size_t account_len = env->vars.account_id ? strlen(env->vars.account_id) : 0;

	for (int i = 0; i < 2; i++) {
		uint32_t cell = describe_table_cell(t, row, (size_t)step->owner_columns[i]);
		const char *owner;
		size_t len;
		signed char *trusted;

		if (cell == CELL_OTHER)
			return -1;
		if (cell == CELL_MISSING)
			continue;
		owner = describe_table_string(t, cell, &len);
		if (len == 0 || (env->vars.account_id && len == account_len && memcmp(owner, env->vars.account_id, len) == 0))
			continue;
		trusted = &step->by_id[cell - CELL_STRING];
		if (*trusted < 0)
			*trusted = (signed char)trusted_text(step, owner, len);
		if (*trusted || (n_found == 1 && found_len[0] == len && memcmp(found[0], owner, len) == 0))
			continue;
		found[n_found] = owner;
		found_len[n_found++] = len;
	}
	if (n_found && !rec->violations && !(rec->violations = json_array()))
		return -1;
	for (size_t i = 0; i < n_found; i++)
		if (!in_violations_text(rec->violations, found[i], found_len[i]))
			json_array_append_new(rec->violations, json_stringn_nocheck(found[i], found_len[i]));
	return n_found > 0;
}

void fast_plan_eval_row(int *matched, fast_plan *plan, describe_table *t, size_t row, eval_record *rec,
	eval_env *env)
{
	json_t *tree = NULL;

	*matched = 0;
	if (t->slow[row]) {
		fast_plan_eval(matched, plan, t->records[row], rec, env);
		return;
	}
	for (size_t i = 0; i < plan->count; i++) {
		fast_step *step = &plan->steps[i];
		int m = -1;

		if (step->memoised && step->column >= 0)
			m = row_match(step, t, describe_table_cell(t, row, (size_t)step->column), env);
		else if (step->cross_account && step->owner_columns[0] >= 0 && step->owner_columns[1] >= 0)
			m = row_cross_account(step, t, row, rec, env);

		/* What the cells cannot decide, the record's tree does, as fast_plan_eval would. */
		if (m < 0) {
			if (!tree && !(tree = describe_table_record(t, row))) {
				rec->failed = 1;
				error_set(&rec->err, PEERGUARD_ENOMEM, NULL, "out of memory");
				return;
			}
			m = step_eval(step, tree, rec, env);
		}
		if (rec->failed || !m)
			return;
	}
	*matched = 1;
}
