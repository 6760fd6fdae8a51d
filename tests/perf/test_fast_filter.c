/*
 * Record-by-record evaluation with memoised value matches gives the same
 * decisions and errors as the batch evaluation.
 *
 * PEERGUARD_EXPLAIN turns the record-by-record plan off, so each input is
 * evaluated with and without it and the decisions are compared with their
 * "explain" member removed.  The inputs are examples/describe.json and
 * 3,000 seeded random records with odd shapes: numbers, lists and nulls
 * where strings belong, literal dotted keys, integer owners, tags without
 * values.  The policies are those of examples/, bench/policies/ and the
 * shared cases, and a set written here around each value operator.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "peerguard/peerguard.h"

#define NOW 1768478400.0  /* 2026-01-15T12:00:00Z */

static const char operator_policies[] =
	"policies:\n"
	"  - name: status-in\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: Status.Code, op: in, value: [active, pending-acceptance, '7']}\n"
	"      - {type: value, key: \"tag:Team\", value: present}\n"
	"      - {type: value, key: AccepterVpcInfo.Region, op: regex, value: '^(us|eu)-'}\n"
	"      - type: cross-account\n"
	"        whitelist: ['222222222222', '333333333333']\n"
	"  - name: ne-absent\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: Status.Code, op: ne, value: deleted}\n"
	"      - {type: value, key: \"tag:Owner\", value: absent}\n"
	"      - {type: value, key: RequesterVpcInfo.OwnerId, op: not-in, value: ['111111111111']}\n"
	"  - name: eq-empty-notnull\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: Status.Message, value: not-null}\n"
	"      - {type: value, key: AccepterVpcInfo.CidrBlock, value: empty}\n"
	"      - {type: value, key: VpcPeeringConnectionId, op: eq, value: pcx-1}\n"
	"  - name: regex-case-glob\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: \"tag:Name\", op: regex-case, value: '^PEER'}\n"
	"      - {type: value, key: Status.Code, op: glob, value: 'pend*'}\n"
	"  - name: only-cross-account\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - type: cross-account\n"
	"        whitelist: ['222222222222']\n"
	"      - type: cross-account\n";

static size_t comparisons;

/* Removes "explain" from a decision's JSON and returns the text (new). */
static char *decision_text(const peerguard_decision *d)
{
	char *text = NULL;
	json_error_t jerr;
	json_t *obj;
	char *out;

	ck_assert_int_eq(peerguard_decision_to_json(&text, d, 0), 0);
	obj = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(obj);
	json_object_del(obj, "explain");
	out = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	peerguard_free(text);
	return out;
}

static void compare(const peerguard_policy_set *set, const char *policy_name, const char *data, size_t len,
	const char *what, const char *account)
{
	peerguard_context plain = PEERGUARD_CONTEXT_INIT, explained = PEERGUARD_CONTEXT_INIT;
	peerguard_result *a = NULL, *b = NULL;
	peerguard_error ea, eb;
	int ra, rb;

	plain.account_id = explained.account_id = account;
	plain.now = explained.now = NOW;
	explained.flags = PEERGUARD_EXPLAIN;
	for (int only = 0; only < 2; only++) {
		plain.flags = only ? PEERGUARD_MATCHED_ONLY : 0;
		explained.flags = PEERGUARD_EXPLAIN | plain.flags;
		ra = peerguard_evaluate(&a, set, &explained, PEERGUARD_INPUT_AUTO, data, len, "in", &ea);
		rb = peerguard_evaluate(&b, set, &plain, PEERGUARD_INPUT_AUTO, data, len, "in", &eb);
		comparisons++;
		ck_assert_msg(ra == rb, "%s with %s: return code %d in batches, %d record by record", what, policy_name,
			ra, rb);
		if (ra == 0) {
			ck_assert_msg(peerguard_result_count(a) == peerguard_result_count(b),
				"%s with %s: %zu decisions in batches, %zu record by record", what, policy_name,
				peerguard_result_count(a), peerguard_result_count(b));
			for (size_t i = 0; i < peerguard_result_count(a); i++) {
				char *x = decision_text(peerguard_result_get(a, i));
				char *y = decision_text(peerguard_result_get(b, i));

				ck_assert_msg(strcmp(x, y) == 0, "%s with %s: decision %zu differs:\n%s\n%s", what, policy_name,
					i, x, y);
				free(x);
				free(y);
			}
			ck_assert_uint_eq(peerguard_result_error_count(a), peerguard_result_error_count(b));
		}
		peerguard_result_free(a);
		peerguard_result_free(b);
	}
}

/* A seeded random describe record, with the odd shapes records can take. */
static json_t *random_record(unsigned int *seed, int i)
{
	static const char *const states[] = { "active", "pending-acceptance", "deleted", "failed", "provisioning" };
	static const char *const owners[] = { "111111111111", "222222222222", "333333333333", "999999999999", "" };
	static const char *const regions[] = { "us-east-1", "eu-west-1", "ap-southeast-2", "US-EAST-1" };
	json_t *r = json_object();
	json_t *tags = json_array();
	char id[32];
	int roll;

	snprintf(id, sizeof(id), "pcx-%d", i % 50 == 0 ? 1 : i);
	json_object_set_new(r, "VpcPeeringConnectionId", json_string(id));

	roll = rand_r(seed) % 12;
	if (roll == 0)
		json_object_set_new(r, "Status", json_pack("{s:i}", "Code", 7));
	else if (roll == 1)
		json_object_set_new(r, "Status", json_pack("{s:[s]}", "Code", "active"));
	else if (roll == 2)
		json_object_set_new(r, "Status", json_null());
	else if (roll == 3)
		json_object_set_new(r, "Status.Code", json_string("active"));
	else if (roll != 4)
		json_object_set_new(r, "Status", json_pack("{s:s,s:s}", "Code", states[rand_r(seed) % 5], "Message", "m"));

	for (int side = 0; side < 2; side++) {
		json_t *info = json_object();

		roll = rand_r(seed) % 10;
		if (roll == 0)
			json_object_set_new(info, "OwnerId", json_integer(222222222222LL));
		else if (roll == 1)
			json_object_set_new(info, "OwnerId", json_null());
		else if (roll != 2)
			json_object_set_new(info, "OwnerId", json_string(owners[rand_r(seed) % 5]));
		if (rand_r(seed) % 8)
			json_object_set_new(info, "Region", json_string(regions[rand_r(seed) % 4]));
		if (rand_r(seed) % 3 == 0)
			json_object_set_new(info, "CidrBlock", rand_r(seed) % 2 ? json_string("") : json_string("10.0.0.0/16"));
		json_object_set_new(r, side ? "RequesterVpcInfo" : "AccepterVpcInfo", info);
	}

	for (int t = rand_r(seed) % 4; t > 0; t--) {
		static const char *const keys[] = { "Team", "Name", "Owner", "team" };
		const char *key = keys[rand_r(seed) % 4];

		roll = rand_r(seed) % 6;
		json_array_append_new(tags, roll == 0 ? json_pack("{s:s}", "Key", key) :
			roll == 1 ? json_pack("{s:s,s:n}", "Key", key, "Value") :
			json_pack("{s:s,s:s}", "Key", key, "Value", roll == 2 ? "peer-x" : "network"));
	}
	if (rand_r(seed) % 10)
		json_object_set_new(r, "Tags", tags);
	else
		json_decref(tags);
	return r;
}

static void load_dir_policies(const char *dir, peerguard_policy_set ***sets, char ***names, size_t *n)
{
	struct dirent **list;
	int count = scandir(dir, &list, NULL, alphasort);

	for (int i = 0; i < count; i++) {
		char path[4096];
		peerguard_policy_set *set = NULL;
		peerguard_error err;

		if (list[i]->d_name[0] == 'B')
			snprintf(path, sizeof(path), "%s/%s/policy.yml", dir, list[i]->d_name);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (strstr(path, ".yml") && peerguard_policy_set_load_file(&set, path, NULL, &err) == 0) {
			*sets = realloc(*sets, (*n + 1) * sizeof(**sets));
			*names = realloc(*names, (*n + 1) * sizeof(**names));
			(*sets)[*n] = set;
			(*names)[*n] = strdup(path);
			(*n)++;
		}
		free(list[i]);
	}
	free(list);
}

START_TEST(fast_filter_matches_batches)
{
	peerguard_policy_set **sets = NULL;
	char **names = NULL;
	size_t n_sets = 0;
	peerguard_error err;
	peerguard_policy_set *own = NULL;
	char dir[4096];
	unsigned int seed = 20260615;
	json_t *records = json_array();
	json_t *wrapped;
	char *text;

	ck_assert_int_eq(peerguard_policy_set_load_string(&own, operator_policies, strlen(operator_policies),
		"operators.yml", NULL, &err), 0);
	sets = malloc(sizeof(*sets));
	names = malloc(sizeof(*names));
	sets[0] = own;
	names[0] = strdup("operators.yml");
	n_sets = 1;
	snprintf(dir, sizeof(dir), "%s/examples", getenv("PEERGUARD_SOURCE"));
	load_dir_policies(dir, &sets, &names, &n_sets);
	snprintf(dir, sizeof(dir), "%s/bench/policies", getenv("PEERGUARD_SOURCE"));
	load_dir_policies(dir, &sets, &names, &n_sets);
	snprintf(dir, sizeof(dir), "%s/testdata/cases", getenv("PEERGUARD_SHARED"));
	load_dir_policies(dir, &sets, &names, &n_sets);
	ck_assert_uint_ge(n_sets, 8);

	for (int i = 0; i < 3000; i++)
		json_array_append_new(records, random_record(&seed, i));
	wrapped = json_pack("{s:o}", "VpcPeeringConnections", records);
	text = json_dumps(wrapped, JSON_COMPACT);

	for (size_t s = 0; s < n_sets; s++) {
		char path[4096];
		size_t len;
		FILE *f;

		compare(sets[s], names[s], text, strlen(text), "random records", "111111111111");
		compare(sets[s], names[s], text, strlen(text), "random records, no account", NULL);

		snprintf(path, sizeof(path), "%s/examples/describe.json", getenv("PEERGUARD_SOURCE"));
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		{
			char buf[1 << 16];

			len = fread(buf, 1, sizeof(buf), f);
			compare(sets[s], names[s], buf, len, path, "111111111111");
		}
		fclose(f);
	}
	ck_assert_uint_ge(comparisons, 30);

	free(text);
	json_decref(wrapped);
	for (size_t s = 0; s < n_sets; s++) {
		peerguard_policy_set_free(sets[s]);
		free(names[s]);
	}
	free(sets);
	free(names);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fast_filter");
	TCase *tc = tcase_create("same-as-batches");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fast_filter_matches_batches);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
