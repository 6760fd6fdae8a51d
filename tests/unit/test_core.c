/* Unit tests of the decision core: YAML, variables, policies, inputs, decisions and the public API. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "peerguard/peerguard.h"
#include "core/decide.h"
#include "core/input.h"
#include "core/internal.h"
#include "core/vars.h"
#include "core/yaml_doc.h"

/* ---------------------------------------------------------------- helpers */

static peerguard_policy_set *load_ok(const char *yaml)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	int rc = peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "test.yml", NULL, &err);

	ck_assert_msg(rc == 0, "load failed: %s", err.message);
	ck_assert_ptr_nonnull(set);
	return set;
}

static int load_fails(const char *yaml, peerguard_error *err)
{
	peerguard_policy_set *set = NULL;
	int rc = peerguard_policy_set_load_string(&set, yaml, strlen(yaml), "test.yml", NULL, err);

	ck_assert_ptr_null(set);
	return rc;
}

static peerguard_result *eval_ok(const peerguard_policy_set *set, const char *account, const char *json)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	peerguard_error err;
	int rc;

	ctx.account_id = account;
	ctx.region = "us-east-1";
	ctx.now = 1768478400; /* 2026-01-15T12:00:00Z */
	rc = peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, json, strlen(json), "input.json", &err);
	ck_assert_msg(rc == 0, "evaluate failed: %s", err.message);
	return result;
}

static const char *CROSS_ACCOUNT_DELETE =
	"policies:\n"
	"  - name: remove-unknown\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - type: cross-account\n"
	"        whitelist: [\"222222222222\"]\n"
	"    actions:\n"
	"      - delete\n";

static char *describe_record(char *buf, size_t size, const char *id, const char *state, const char *requester,
	const char *accepter)
{
	snprintf(buf, size,
		"{\"VpcPeeringConnectionId\": \"%s\", \"Status\": {\"Code\": \"%s\"},"
		" \"RequesterVpcInfo\": {\"OwnerId\": \"%s\", \"Region\": \"us-east-1\"},"
		" \"AccepterVpcInfo\": {\"OwnerId\": \"%s\", \"Region\": \"eu-west-1\"}}",
		id, state, requester, accepter);
	return buf;
}

/* ---------------------------------------------------------------- YAML */

START_TEST(yaml_resolves_yaml11_scalars)
{
	static const struct { const char *text; const char *type; } cases[] = {
		{ "111111111111", "integer" }, { "011111111111", "integer" }, { "012345678901", "string" },
		{ "0x1F", "integer" }, { "1_000", "integer" }, { "1:20", "integer" }, { "1.5", "number" },
		{ "1e5", "string" }, { "1.0e+5", "number" }, { "yes", "boolean" }, { "Off", "boolean" },
		{ "~", "null" }, { "null", "null" }, { "\"111111111111\"", "string" }, { "'yes'", "string" },
		{ "pcx-1", "string" }, { ".inf", "number" }, { "2026-01-14", "string" },
	};
	peerguard_limits limits;

	limits_resolve(&limits, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[64];
		ynode *root = NULL;
		peerguard_error err;

		snprintf(doc, sizeof(doc), "k: %s\n", cases[i].text);
		ck_assert_int_eq(ydoc_parse(&root, doc, strlen(doc), "t", &limits, &err), 0);
		ck_assert_msg(strcmp(ynode_type_name(ynode_map_get(root, "k")), cases[i].type) == 0,
			"%s resolved to %s, expected %s", cases[i].text, ynode_type_name(ynode_map_get(root, "k")),
			cases[i].type);
		ynode_free(root);
	}
}
END_TEST

START_TEST(yaml_octal_account_converts_like_pyyaml)
{
	peerguard_limits limits;
	ynode *root = NULL;
	peerguard_error err;
	json_t *v;

	limits_resolve(&limits, NULL);
	ck_assert_int_eq(ydoc_parse(&root, "k: 011111111111\n", 16, "t", &limits, &err), 0);
	v = ynode_to_json(ynode_map_get(root, "k"));
	ck_assert(json_is_integer(v));
	ck_assert_int_eq(json_integer_value(v), 1227133513);
	json_decref(v);
	ynode_free(root);
}
END_TEST

START_TEST(yaml_rejects_duplicate_keys)
{
	peerguard_limits limits;
	ynode *root = NULL;
	peerguard_error err;
	const char *doc = "a: 1\nb: 2\na: 3\n";

	limits_resolve(&limits, NULL);
	ck_assert_int_eq(ydoc_parse(&root, doc, strlen(doc), "t", &limits, &err), PEERGUARD_EPOLICY);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.message, "duplicate key 'a'"));
}
END_TEST

START_TEST(yaml_limits_alias_expansion)
{
	/* A billion-laughs document: each level doubles the previous ten times. */
	const char *doc =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
	peerguard_error err;

	ck_assert_int_eq(load_fails(doc, &err), PEERGUARD_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.message, "alias"));
}
END_TEST

START_TEST(yaml_limits_depth)
{
	char doc[4096];
	size_t n = 0;
	peerguard_error err;

	n += (size_t)snprintf(doc, sizeof(doc), "policies: ");
	for (int i = 0; i < 200; i++)
		doc[n++] = '[';
	for (int i = 0; i < 200; i++)
		doc[n++] = ']';
	doc[n] = '\0';
	ck_assert_int_eq(load_fails(doc, &err), PEERGUARD_ELIMIT);
}
END_TEST


START_TEST(yaml_merge_key)
{
	const char *doc =
		"defaults: &defaults\n"
		"  resource: aws.peering-connection\n"
		"  filters: [cross-account]\n"
		"policies:\n"
		"  - <<: *defaults\n"
		"    name: merged\n";
	const char *bad = "policies:\n  - <<: 5\n    name: x\n    resource: peering-connection\n";
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	/* The top-level key 'defaults' is not allowed, so load the merged policy on its own. */
	ck_assert_int_eq(load_fails(doc, &err), PEERGUARD_EPOLICY);
	ck_assert_ptr_nonnull(strstr(err.message, "unknown key 'defaults'"));
	doc = "policies:\n"
		"  - &base {name: base, resource: aws.peering-connection, filters: [cross-account]}\n"
		"  - <<: *base\n"
		"    name: merged\n";
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, doc, strlen(doc), NULL, NULL, &err), 0);
	ck_assert_uint_eq(peerguard_policy_set_count(set), 2);
	ck_assert_str_eq(peerguard_policy_set_name(set, 1), "merged");
	peerguard_policy_set_free(set);
	ck_assert_int_eq(load_fails(bad, &err), PEERGUARD_EPOLICY);
	ck_assert_ptr_nonnull(strstr(err.message, "merge key"));
}
END_TEST

/* ---------------------------------------------------------------- variables */

START_TEST(vars_expand_known_and_keep_unknown)
{
	vars v = { "111111111111", "eu-west-1", 1768478400, "p" };
	char errbuf[64];
	char *s;

	s = vars_expand("acct-{account_id}-{region}", &v);
	ck_assert_str_eq(s, "acct-111111111111-eu-west-1");
	free(s);
	s = vars_expand("^pcx-[0-9a-f]{17}$", &v);
	ck_assert_str_eq(s, "^pcx-[0-9a-f]{17}$");
	free(s);
	s = vars_expand("{account_id}-{unknown}", &v);
	ck_assert_str_eq(s, "{account_id}-{unknown}");
	free(s);
	s = vars_expand("{{literal}} {partition}", &v);
	ck_assert_str_eq(s, "{literal} aws");
	free(s);
	s = vars_expand("{now:%Y-%m-%d}", &v);
	ck_assert_str_eq(s, "2026-01-15");
	free(s);
	ck_assert_int_eq(vars_check("^pcx-}", errbuf, sizeof(errbuf)), -1);
	ck_assert_int_eq(vars_check("{account_id", errbuf, sizeof(errbuf)), -1);
	ck_assert_int_eq(vars_check("{region}", errbuf, sizeof(errbuf)), 1);
	ck_assert_int_eq(vars_check("plain", errbuf, sizeof(errbuf)), 0);
	ck_assert_str_eq(vars_partition("cn-north-1"), "aws-cn");
	ck_assert_str_eq(vars_partition("us-gov-west-1"), "aws-us-gov");
}
END_TEST

/* ---------------------------------------------------------------- policy loading */

START_TEST(policy_load_valid_set)
{
	peerguard_policy_set *set = load_ok(CROSS_ACCOUNT_DELETE);

	ck_assert_uint_eq(peerguard_policy_set_count(set), 1);
	ck_assert_str_eq(peerguard_policy_set_name(set, 0), "remove-unknown");
	ck_assert_ptr_null(peerguard_policy_set_name(set, 1));
	ck_assert_uint_eq(strlen(peerguard_policy_set_revision(set)), 64);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(policy_load_errors_name_location)
{
	static const struct { const char *doc; int line; const char *needle; const char *path; } cases[] = {
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filter:\n      - cross-account\n",
			4, "did you mean 'filters'", "policies[0].filter" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: value\n        key: Status.Code\n        op: regx\n        value: x\n",
			7, "unknown op 'regx'", "policies[0].filters[0].op" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: value\n        key: Status.Code\n        op: regex\n        value: '(unclosed'\n",
			8, "invalid regex", "policies[0].filters[0].value" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: cross-acount\n",
			5, "did you mean 'cross-account'", "policies[0].filters[0]" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - {AccepterVpcInfo.OwnerId: 222222222222}\n",
			5, "quoted 12-digit", "policies[0].filters[0].AccepterVpcInfo.OwnerId" },
		{ "policies:\n  - name: p\n    resource: aws.ec2\n", 3, "not supported", "policies[0].resource" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    title: x\n", 4, "unknown key 'title'", "policies[0].title" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    actions: [mark-for-op]\n", 4, "not supported", "policies[0].actions[0]" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: value\n        key: Status.Code\n        value: '^pcx-}'\n",
			7, "single '}'", "policies[0].filters[0].value" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    mode:\n      type: cloudtrail\n      events: [CreateVpcPeeringConnection]\n",
			6, "shortcut", "policies[0].mode.events[0]" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n  - name: p\n    resource: peering-connection\n",
			4, "duplicate policy name", "policies" },
		{ "policies:\n  - name: bad name\n    resource: peering-connection\n", 2, "invalid", "policies[0].name" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: value\n        key: 'Tags[?Key==`x`'\n        value: y\n",
			6, "invalid JMESPath", "policies[0].filters[0].key" },
		{ "policies:\n  - name: p\n    resource: peering-connection\n    filters:\n      - type: event\n        key: detail.eventName\n        value: x\n",
			5, "needs a policy mode", "policies[0].filters[0]" },
		{ "- name: p\n", 1, "must be a mapping", "(top level)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		peerguard_error err;
		int rc = load_fails(cases[i].doc, &err);

		ck_assert_msg(rc == PEERGUARD_EPOLICY, "case %zu: rc %d", i, rc);
		ck_assert_msg(err.line == cases[i].line, "case %zu: line %d, expected %d (%s)", i, err.line,
			cases[i].line, err.message);
		ck_assert_msg(err.column > 0, "case %zu: no column", i);
		ck_assert_msg(strstr(err.message, cases[i].needle) != NULL, "case %zu: message '%s' lacks '%s'", i,
			err.message, cases[i].needle);
		ck_assert_msg(strcmp(err.path, cases[i].path) == 0, "case %zu: path '%s', expected '%s'", i, err.path,
			cases[i].path);
		ck_assert_str_eq(err.file, "test.yml");
	}
}
END_TEST

START_TEST(policy_load_name_pattern)
{
	static const struct { const char *name; int valid; } cases[] = {
		{ "p", 1 }, { "a-b", 1 }, { "pcx-remove-unknown", 1 }, { "p_1", 1 }, { "A1-b2-c3", 1 },
		{ "-a", 0 }, { "a-", 0 }, { "a--b", 0 }, { "1a", 0 }, { "a b", 0 }, { "a.b", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[128];
		peerguard_policy_set *set = NULL;
		peerguard_error err;
		int rc;

		snprintf(doc, sizeof(doc), "policies:\n  - name: '%s'\n    resource: peering-connection\n", cases[i].name);
		rc = peerguard_policy_set_load_string(&set, doc, strlen(doc), NULL, NULL, &err);
		ck_assert_msg((rc == 0) == cases[i].valid, "name '%s': rc %d", cases[i].name, rc);
		peerguard_policy_set_free(set);
	}
}
END_TEST

START_TEST(policy_load_names_policy_in_error)
{
	peerguard_error err;
	const char *doc = "policies:\n  - name: first\n    resource: peering-connection\n"
		"  - name: second\n    resource: peering-connection\n    filters: [{type: nope}]\n";

	load_fails(doc, &err);
	ck_assert_str_eq(err.policy, "second");
}
END_TEST

START_TEST(policy_load_only_selects)
{
	const char *doc = "policies:\n  - name: good\n    resource: peering-connection\n"
		"  - name: bad\n    resource: peering-connection\n    filters: [{type: nope}]\n";
	const char *only_good[] = { "good", NULL };
	const char *only_missing[] = { "missing", NULL };
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	opts.only = only_good;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, doc, strlen(doc), NULL, &opts, &err), 0);
	ck_assert_uint_eq(peerguard_policy_set_count(set), 1);
	peerguard_policy_set_free(set);

	opts.only = only_missing;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, doc, strlen(doc), NULL, &opts, &err),
		PEERGUARD_ENOTFOUND);
	ck_assert_ptr_null(set);
}
END_TEST

START_TEST(policy_load_accepts_json)
{
	const char *doc = "{\"policies\": [{\"name\": \"p\", \"resource\": \"aws.peering-connection\","
		" \"filters\": [{\"type\": \"cross-account\", \"whitelist\": [\"222222222222\"]}],"
		" \"actions\": [{\"type\": \"reject\", \"fallback\": \"delete\"}]}]}";
	peerguard_policy_set *set = load_ok(doc);

	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(policy_load_limits_policies)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	const char *doc = "policies:\n  - {name: a, resource: peering-connection}\n  - {name: b, resource: peering-connection}\n";

	opts.limits.max_policies = 1;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, doc, strlen(doc), NULL, &opts, &err), PEERGUARD_ELIMIT);
}
END_TEST

/* ---------------------------------------------------------------- decisions */

START_TEST(decide_table)
{
	static const struct {
		const char *state; const char *requester; const char *accepter;
		peerguard_side side; peerguard_action action; const char *region;
	} cases[] = {
		{ "pending-acceptance", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_DELETE, "us-east-1" },
		{ "pending-acceptance", "999999999999", "111111111111", PEERGUARD_SIDE_ACCEPTER, PEERGUARD_ACTION_REJECT, "eu-west-1" },
		{ "pending-acceptance", "111111111111", "111111111111", PEERGUARD_SIDE_BOTH, PEERGUARD_ACTION_REJECT, "eu-west-1" },
		{ "active", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_DELETE, "us-east-1" },
		{ "active", "999999999999", "111111111111", PEERGUARD_SIDE_ACCEPTER, PEERGUARD_ACTION_DELETE, "eu-west-1" },
		{ "initiating-request", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_WAIT, "us-east-1" },
		{ "provisioning", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_WAIT, "us-east-1" },
		{ "provisioning", "999999999999", "111111111111", PEERGUARD_SIDE_ACCEPTER, PEERGUARD_ACTION_WAIT, "eu-west-1" },
		{ "failed", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_NONE, "" },
		{ "rejected", "999999999999", "111111111111", PEERGUARD_SIDE_ACCEPTER, PEERGUARD_ACTION_NONE, "" },
		{ "expired", "999999999999", "111111111111", PEERGUARD_SIDE_ACCEPTER, PEERGUARD_ACTION_NONE, "" },
		{ "deleting", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_NONE, "" },
		{ "deleted", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_NONE, "" },
		{ "active", "888888888888", "999999999999", PEERGUARD_SIDE_NEITHER, PEERGUARD_ACTION_NONE, "" },
		{ "something-new", "111111111111", "999999999999", PEERGUARD_SIDE_REQUESTER, PEERGUARD_ACTION_WAIT, "us-east-1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512];
		json_t *r = json_loads(describe_record(buf, sizeof(buf), "pcx-1", cases[i].state, cases[i].requester,
			cases[i].accepter), 0, NULL);
		decide_out d;

		decide_action(&d, r, "111111111111", REMOVAL_DELETE, 0, "ap-south-1");
		ck_assert_msg(d.side == cases[i].side, "case %zu: side %d", i, d.side);
		ck_assert_msg(d.action == cases[i].action, "case %zu (%s): action %d: %s", i, cases[i].state, d.action, d.reason);
		ck_assert_msg(strcmp(d.region, cases[i].region) == 0, "case %zu: region %s", i, d.region);
		ck_assert_msg(strlen(d.reason) > 10, "case %zu: no reason", i);
		json_decref(r);
	}
}
END_TEST

START_TEST(decide_reject_only_and_fallback)
{
	char buf[512];
	json_t *active = json_loads(describe_record(buf, sizeof(buf), "pcx-1", "active", "999999999999", "111111111111"), 0, NULL);
	json_t *pending = json_loads(describe_record(buf, sizeof(buf), "pcx-2", "pending-acceptance", "111111111111", "999999999999"), 0, NULL);
	decide_out d;

	decide_action(&d, active, "111111111111", REMOVAL_REJECT, 0, NULL);
	ck_assert_int_eq(d.action, PEERGUARD_ACTION_NONE);
	ck_assert_ptr_nonnull(strstr(d.reason, "fallback: delete"));
	decide_action(&d, active, "111111111111", REMOVAL_REJECT, 1, NULL);
	ck_assert_int_eq(d.action, PEERGUARD_ACTION_DELETE);
	ck_assert_str_eq(d.api_call, "DeleteVpcPeeringConnection");
	decide_action(&d, pending, "111111111111", REMOVAL_REJECT, 0, NULL);
	ck_assert_int_eq(d.action, PEERGUARD_ACTION_NONE);
	ck_assert_ptr_nonnull(strstr(d.reason, "requester"));
	{
		json_t *initiating = json_loads(describe_record(buf, sizeof(buf), "pcx-3", "initiating-request",
			"999999999999", "111111111111"), 0, NULL);
		json_t *no_region = json_pack("{s:s,s:{s:s},s:{s:s},s:{s:s}}", "VpcPeeringConnectionId", "pcx-4",
			"Status", "Code", "active", "RequesterVpcInfo", "OwnerId", "111111111111",
			"AccepterVpcInfo", "OwnerId", "999999999999");

		decide_action(&d, initiating, "111111111111", REMOVAL_REJECT, 0, NULL);
		ck_assert_int_eq(d.action, PEERGUARD_ACTION_WAIT);
		decide_action(&d, no_region, "111111111111", REMOVAL_DELETE, 0, NULL);
		ck_assert_int_eq(d.action, PEERGUARD_ACTION_WAIT);
		ck_assert_ptr_nonnull(strstr(d.reason, "no region"));
		decide_action(&d, no_region, "111111111111", REMOVAL_DELETE, 0, "us-west-2");
		ck_assert_int_eq(d.action, PEERGUARD_ACTION_DELETE);
		ck_assert_str_eq(d.region, "us-west-2");
		json_decref(initiating);
		json_decref(no_region);
	}
	decide_action(&d, pending, NULL, REMOVAL_DELETE, 0, NULL);
	ck_assert_int_eq(d.side, PEERGUARD_SIDE_UNKNOWN);
	ck_assert_int_eq(d.action, PEERGUARD_ACTION_NONE);
	json_decref(active);
	json_decref(pending);
}
END_TEST

START_TEST(evaluate_cross_account_every_record_once)
{
	peerguard_policy_set *set = load_ok(CROSS_ACCOUNT_DELETE);
	char r1[512], r2[512], r3[512], r4[512], doc[2400];
	peerguard_result *result;
	const peerguard_decision *d;

	snprintf(doc, sizeof(doc), "{\"VpcPeeringConnections\": [%s, %s, %s, %s]}",
		describe_record(r1, sizeof(r1), "pcx-a", "active", "111111111111", "222222222222"),
		describe_record(r2, sizeof(r2), "pcx-b", "active", "111111111111", "999999999999"),
		describe_record(r3, sizeof(r3), "pcx-c", "active", "888888888888", "999999999999"),
		describe_record(r4, sizeof(r4), "pcx-d", "active", "111111111111", "111111111111"));
	result = eval_ok(set, "111111111111", doc);

	ck_assert_uint_eq(peerguard_result_count(result), 4);
	ck_assert_uint_eq(peerguard_result_matched_count(result), 2);
	d = peerguard_result_get(result, 1);
	ck_assert(peerguard_decision_matched(d));
	ck_assert_str_eq(peerguard_decision_resource_id(d), "pcx-b");
	ck_assert_uint_eq(peerguard_decision_violation_count(d), 1);
	ck_assert_str_eq(peerguard_decision_violation(d, 0), "999999999999");
	d = peerguard_result_get(result, 2);
	ck_assert(peerguard_decision_matched(d));
	ck_assert_uint_eq(peerguard_decision_violation_count(d), 2);
	ck_assert_int_eq(peerguard_decision_side(d), PEERGUARD_SIDE_NEITHER);
	ck_assert_int_eq(peerguard_decision_action(d), PEERGUARD_ACTION_NONE);
	ck_assert(!peerguard_decision_matched(peerguard_result_get(result, 3)));
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(evaluate_decision_json_has_keys)
{
	static const char *const keys[] = { "policy", "resource_id", "matched", "side", "state", "state_source",
		"action", "api_call", "region", "reason", "violations", "policy_revision", NULL };
	peerguard_policy_set *set = load_ok(CROSS_ACCOUNT_DELETE);
	char rec[512];
	peerguard_result *result = eval_ok(set, "111111111111",
		describe_record(rec, sizeof(rec), "pcx-b", "pending-acceptance", "111111111111", "999999999999"));
	char *json = NULL;
	json_t *obj;

	ck_assert_int_eq(peerguard_decision_to_json(&json, peerguard_result_get(result, 0), 0), 0);
	obj = json_loads(json, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	for (const char *const *k = keys; *k; k++)
		ck_assert_msg(json_object_get(obj, *k) != NULL, "missing key %s in %s", *k, json);
	ck_assert_str_eq(json_string_value(json_object_get(obj, "action")), "delete");
	ck_assert_str_eq(json_string_value(json_object_get(obj, "state_source")), "describe");
	json_decref(obj);
	peerguard_free(json);
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
}
END_TEST

/* ---------------------------------------------------------------- inputs */

static const char *CLOUDTRAIL_POLICY =
	"policies:\n"
	"  - name: realtime\n"
	"    resource: aws.peering-connection\n"
	"    mode:\n"
	"      type: cloudtrail\n"
	"      events:\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: CreateVpcPeeringConnection\n"
	"          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId\n"
	"    filters:\n"
	"      - type: cross-account\n"
	"    actions: [delete]\n";

static const char *RECORD =
	"{\"eventSource\": \"ec2.amazonaws.com\", \"eventName\": \"CreateVpcPeeringConnection\","
	" \"eventID\": \"e-1\", \"eventTime\": \"2026-01-15T12:00:01Z\", \"awsRegion\": \"us-east-1\","
	" \"recipientAccountId\": \"111111111111\","
	" \"responseElements\": {\"vpcPeeringConnection\": {\"vpcPeeringConnectionId\": \"pcx-1\","
	" \"requesterVpcInfo\": {\"ownerId\": 111111111111, \"region\": \"us-east-1\"},"
	" \"accepterVpcInfo\": {\"ownerId\": \"999999999999\", \"region\": \"us-east-1\"},"
	" \"status\": {\"code\": \"pending-acceptance\"}, \"expirationTime\": 1769083201000, \"tagSet\": {}}}}";

static size_t decisions_for(const char *policy_yaml, const char *doc, size_t *errors)
{
	peerguard_policy_set *set = load_ok(policy_yaml);
	peerguard_result *result = eval_ok(set, NULL, doc);
	size_t n = peerguard_result_count(result);

	*errors = peerguard_result_error_count(result);
	peerguard_result_free(result);
	peerguard_policy_set_free(set);
	return n;
}

START_TEST(input_shapes)
{
	char doc[8192], escaped[4096];
	size_t errors, j = 0;

	/* The record as a JSON string, for the SNS shape. */
	for (const char *p = RECORD; *p; p++) {
		if (*p == '"')
			escaped[j++] = '\\';
		escaped[j++] = *p;
	}
	escaped[j] = '\0';

	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, RECORD, &errors), 1);
	ck_assert_uint_eq(errors, 0);
	snprintf(doc, sizeof(doc), "{\"detail-type\": \"AWS API Call via CloudTrail\", \"id\": \"x\", \"detail\": %s}", RECORD);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 1);
	snprintf(doc, sizeof(doc), "{\"Records\": [%s, {\"eventName\": \"RunInstances\", \"eventSource\": \"ec2.amazonaws.com\"}]}", RECORD);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 1);
	snprintf(doc, sizeof(doc), "{\"Records\": [{\"Sns\": {\"Message\": \"{\\\"detail\\\": %s}\"}}]}", escaped);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 1);
	ck_assert_uint_eq(errors, 0);
	snprintf(doc, sizeof(doc), "%s\n\n%s\nnot json\n", RECORD, RECORD);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 2);
	ck_assert_uint_eq(errors, 1);
	snprintf(doc, sizeof(doc), "[%s, 42]", RECORD);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 1);
	ck_assert_uint_eq(errors, 1);
}
END_TEST

START_TEST(input_event_view_is_describe_shaped)
{
	json_t *event = json_loads(RECORD, 0, NULL);
	json_t *element = json_object_get(json_object_get(event, "responseElements"), "vpcPeeringConnection");
	json_t *view = input_describe_from_event(element);

	ck_assert_str_eq(json_string_value(json_object_get(view, "VpcPeeringConnectionId")), "pcx-1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(view, "RequesterVpcInfo"), "OwnerId")),
		"111111111111");
	ck_assert_str_eq(json_string_value(json_object_get(view, "ExpirationTime")), "2026-01-22T12:00:01.000Z");
	ck_assert(json_is_array(json_object_get(view, "Tags")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(view, "Status"), "Code")), "pending-acceptance");
	json_decref(view);
	json_decref(event);
}
END_TEST

START_TEST(input_skips_error_and_dryrun_events)
{
	char doc[4096];
	size_t errors;

	snprintf(doc, sizeof(doc), "%.*s, \"errorCode\": \"Client.DryRunOperation\"}", (int)strlen(RECORD) - 1, RECORD);
	ck_assert_uint_eq(decisions_for(CLOUDTRAIL_POLICY, doc, &errors), 0);
	ck_assert_uint_eq(errors, 0);
}
END_TEST

static size_t gzip_bytes(unsigned char *out, size_t cap, const char *text)
{
	z_stream zs;
	size_t n;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

START_TEST(input_gzip_and_truncation)
{
	peerguard_policy_set *set = load_ok(CLOUDTRAIL_POLICY);
	char doc[4096];
	unsigned char gz[4096];
	size_t n;
	peerguard_result *result = NULL;
	peerguard_error err;

	snprintf(doc, sizeof(doc), "{\"Records\": [%s]}", RECORD);
	n = gzip_bytes(gz, sizeof(gz), doc);
	ck_assert_int_eq(peerguard_evaluate(&result, set, NULL, PEERGUARD_INPUT_AUTO, (char *)gz, n, "log.json.gz", &err), 0);
	ck_assert_uint_eq(peerguard_result_count(result), 1);
	peerguard_result_free(result);

	ck_assert_int_eq(peerguard_evaluate(&result, set, NULL, PEERGUARD_INPUT_AUTO, (char *)gz, n / 2, "log.json.gz", &err),
		PEERGUARD_EINPUT);
	ck_assert_ptr_null(result);
	ck_assert_ptr_nonnull(strstr(err.message, "truncated"));
	ck_assert_ptr_nonnull(strstr(err.message, "log.json.gz"));
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(input_limits_depth_and_size)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_result *result = NULL;
	peerguard_error err;
	char *deep = malloc(200001);

	opts.limits.max_input_bytes = 100000;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, CLOUDTRAIL_POLICY, strlen(CLOUDTRAIL_POLICY), NULL, &opts, &err), 0);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	deep[200000] = '\0';
	ck_assert_int_eq(peerguard_evaluate(&result, set, NULL, PEERGUARD_INPUT_AUTO, deep, 200000, "big", &err), PEERGUARD_ELIMIT);
	ck_assert_int_eq(peerguard_evaluate(&result, set, NULL, PEERGUARD_INPUT_AUTO, deep, 90000, "deep", &err), PEERGUARD_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.message, "max_depth"));
	free(deep);
	peerguard_policy_set_free(set);
}
END_TEST

/* ---------------------------------------------------------------- public API */

START_TEST(api_null_and_codes)
{
	peerguard_policy_set *set = (peerguard_policy_set *)1;
	peerguard_result *result = (peerguard_result *)1;
	peerguard_error err;

	peerguard_policy_set_free(NULL);
	peerguard_result_free(NULL);
	peerguard_free(NULL);
	peerguard_error_clear(NULL);
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, NULL, 0, NULL, NULL, &err), PEERGUARD_EINVAL);
	ck_assert_ptr_null(set);
	ck_assert_int_eq(peerguard_policy_set_load_file(&set, "/nonexistent/policy.yml", NULL, &err), PEERGUARD_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/policy.yml"));
	ck_assert_int_eq(peerguard_evaluate(&result, NULL, NULL, PEERGUARD_INPUT_AUTO, "{}", 2, NULL, &err), PEERGUARD_EINVAL);
	ck_assert_uint_eq(peerguard_result_count(NULL), 0);
	ck_assert_ptr_null(peerguard_result_get(NULL, 0));
	ck_assert_str_eq(peerguard_decision_policy(NULL), "");
	for (int code = 0; code >= -10; code--)
		ck_assert_str_ne(peerguard_strerror(code), "unknown error code");
	ck_assert_str_eq(peerguard_strerror(-1000), "unknown error code");
	ck_assert_int_eq(peerguard_version_number(), PEERGUARD_VERSION_NUMBER);
	ck_assert_str_eq(peerguard_version(), PEERGUARD_VERSION);
}
END_TEST

START_TEST(api_rejects_bad_context)
{
	peerguard_policy_set *set = load_ok(CROSS_ACCOUNT_DELETE);
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	peerguard_error err;

	ctx.account_id = "12345";
	ck_assert_int_eq(peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, "{}", 2, NULL, &err), PEERGUARD_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "12345"));
	ctx.account_id = NULL;
	ctx.version = 99;
	ck_assert_int_eq(peerguard_evaluate(&result, set, &ctx, PEERGUARD_INPUT_AUTO, "{}", 2, NULL, &err), PEERGUARD_EINVAL);
	peerguard_policy_set_free(set);
}
END_TEST

typedef struct thread_job {
	const peerguard_policy_set *set;
	const char *doc;
	int failures;
} thread_job;

static void *evaluate_many(void *arg)
{
	thread_job *job = arg;

	for (int i = 0; i < 200; i++) {
		peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
		peerguard_result *result = NULL;

		ctx.account_id = "111111111111";
		ctx.now = 1768478400;
		if (peerguard_evaluate(&result, job->set, &ctx, PEERGUARD_INPUT_AUTO, job->doc, strlen(job->doc), NULL, NULL) != 0 ||
		    peerguard_result_matched_count(result) != 1)
			job->failures++;
		peerguard_result_free(result);
	}
	return NULL;
}

START_TEST(api_shared_set_across_threads)
{
	peerguard_policy_set *set = load_ok(CROSS_ACCOUNT_DELETE);
	char rec[512];
	thread_job jobs[8];
	pthread_t threads[8];

	describe_record(rec, sizeof(rec), "pcx-b", "active", "111111111111", "999999999999");
	for (int i = 0; i < 8; i++) {
		jobs[i].set = set;
		jobs[i].doc = rec;
		jobs[i].failures = 0;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, evaluate_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(jobs[i].failures, 0);
	}
	peerguard_policy_set_free(set);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, yaml_resolves_yaml11_scalars);
	tcase_add_test(tc, yaml_octal_account_converts_like_pyyaml);
	tcase_add_test(tc, yaml_rejects_duplicate_keys);
	tcase_add_test(tc, yaml_limits_alias_expansion);
	tcase_add_test(tc, yaml_limits_depth);
	tcase_add_test(tc, yaml_merge_key);
	tcase_add_test(tc, vars_expand_known_and_keep_unknown);
	tcase_add_test(tc, policy_load_valid_set);
	tcase_add_test(tc, policy_load_errors_name_location);
	tcase_add_test(tc, policy_load_name_pattern);
	tcase_add_test(tc, policy_load_names_policy_in_error);
	tcase_add_test(tc, policy_load_only_selects);
	tcase_add_test(tc, policy_load_accepts_json);
	tcase_add_test(tc, policy_load_limits_policies);
	tcase_add_test(tc, decide_table);
	tcase_add_test(tc, decide_reject_only_and_fallback);
	tcase_add_test(tc, evaluate_cross_account_every_record_once);
	tcase_add_test(tc, evaluate_decision_json_has_keys);
	tcase_add_test(tc, input_shapes);
	tcase_add_test(tc, input_event_view_is_describe_shaped);
	tcase_add_test(tc, input_skips_error_and_dryrun_events);
	tcase_add_test(tc, input_gzip_and_truncation);
	tcase_add_test(tc, input_limits_depth_and_size);
	tcase_add_test(tc, api_null_and_codes);
	tcase_add_test(tc, api_rejects_bad_context);
	tcase_add_test(tc, api_shared_set_across_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
