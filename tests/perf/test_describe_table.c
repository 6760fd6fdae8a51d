/*
 * Describe documents kept as text and cells give the decisions and errors
 * that parsing every record into a tree gives.
 *
 * PEERGUARD_PARSE_ALL turns the table off, so every input is evaluated
 * with PEERGUARD_MATCHED_ONLY with and without it, and the return codes,
 * decisions and error messages must be equal.  The inputs are the AWS
 * describe samples, examples/describe.json, documents written here around
 * each thing the scan leaves to jansson or to input_parse, and seeded
 * random byte-level changes of a valid document.  Other tests call the
 * scan directly to show which documents it keeps, which records it marks
 * slow, and what its cells contain.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "peerguard/peerguard.h"
#include "core/describe_table.h"
#include "core/input.h"
#include "core/internal.h"
#include "core/policy.h"

#define NOW 1768478400.0  /* 2026-01-15T12:00:00Z */

static const char policies[] =
	"policies:\n"
	"  - name: status-tag-region-cross\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: Status.Code, op: in, value: [active, pending-acceptance, '7']}\n"
	"      - {type: value, key: \"tag:Team\", value: present}\n"
	"      - {type: value, key: AccepterVpcInfo.Region, op: regex, value: '^(us|eu)-'}\n"
	"      - type: cross-account\n"
	"        whitelist: ['222222222222']\n"
	"  - name: absent-and-age\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - {type: value, key: \"tag:Owner\", value: absent}\n"
	"      - {type: value, key: ExpirationTime, value_type: age, op: gt, value: 1}\n"
	"  - name: cross-only\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - type: cross-account\n";

static peerguard_policy_set *load_policies(void)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	ck_assert_int_eq(peerguard_policy_set_load_string(&set, policies, strlen(policies), "table.yml", NULL, &err), 0);
	return set;
}

static size_t comparisons;

static char *decision_text(const peerguard_decision *d)
{
	char *text = NULL;

	ck_assert_int_eq(peerguard_decision_to_json(&text, d, 0), 0);
	return text;
}

/* Evaluates data with the table allowed and with every record parsed; everything must be equal. */
static void compare(const peerguard_policy_set *set, const char *data, size_t len, const char *label)
{
	peerguard_context table = PEERGUARD_CONTEXT_INIT, trees = PEERGUARD_CONTEXT_INIT;
	peerguard_result *a = NULL, *b = NULL;
	peerguard_error ea, eb;
	int ra, rb;

	table.account_id = trees.account_id = "111111111111";
	table.now = trees.now = NOW;
	table.flags = PEERGUARD_MATCHED_ONLY;
	trees.flags = PEERGUARD_MATCHED_ONLY | PEERGUARD_PARSE_ALL;
	ra = peerguard_evaluate(&a, set, &table, PEERGUARD_INPUT_AUTO, data, len, "in", &ea);
	rb = peerguard_evaluate(&b, set, &trees, PEERGUARD_INPUT_AUTO, data, len, "in", &eb);
	comparisons++;
	ck_assert_msg(ra == rb, "%s: return code %d with the table, %d with trees", label, ra, rb);
	if (ra != 0) {
		ck_assert_msg(strcmp(ea.message, eb.message) == 0, "%s: error '%s' with the table, '%s' with trees", label,
			ea.message, eb.message);
		return;
	}
	ck_assert_msg(peerguard_result_count(a) == peerguard_result_count(b), "%s: %zu decisions with the table, %zu with trees",
		label, peerguard_result_count(a), peerguard_result_count(b));
	for (size_t i = 0; i < peerguard_result_count(a); i++) {
		char *x = decision_text(peerguard_result_get(a, i));
		char *y = decision_text(peerguard_result_get(b, i));

		ck_assert_msg(strcmp(x, y) == 0, "%s: decision %zu differs:\n%s\n%s", label, i, x, y);
		peerguard_free(x);
		peerguard_free(y);
	}
	ck_assert_msg(peerguard_result_error_count(a) == peerguard_result_error_count(b),
		"%s: %zu errors with the table, %zu with trees", label, peerguard_result_error_count(a),
		peerguard_result_error_count(b));
	for (size_t i = 0; i < peerguard_result_error_count(a); i++) {
		ck_assert_int_eq(peerguard_result_error(a, i, &ea), 0);
		ck_assert_int_eq(peerguard_result_error(b, i, &eb), 0);
		ck_assert_msg(strcmp(ea.message, eb.message) == 0, "%s: error %zu differs:\n%s\n%s", label, i, ea.message,
			eb.message);
	}
	peerguard_result_free(a);
	peerguard_result_free(b);
}

/* One valid record, matched by every policy above, in which the documents below change one thing. */
#define RECORD(id) \
	"{\"VpcPeeringConnectionId\": \"" id "\", \"Status\": {\"Code\": \"active\", \"Message\": \"Active\"}," \
	" \"ExpirationTime\": \"2025-01-01T00:00:00Z\"," \
	" \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\", \"VpcId\": \"vpc-a\"}," \
	" \"RequesterVpcInfo\": {\"OwnerId\": \"111111111111\", \"Region\": \"eu-west-1\", \"VpcId\": \"vpc-r\"}," \
	" \"Tags\": [{\"Key\": \"Team\", \"Value\": \"net\"}]}"

/* Documents around each oddity: records the scan marks slow, documents it leaves to input_parse. */
static const char *const documents[] = {
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") ", " RECORD("pcx-2") "]}",
	"{\"VpcPeeringConnections\": []}",
	"  {\"VpcPeeringConnections\" : [ " RECORD("pcx-1") " ] , \"NextToken\": \"t\", \"ResponseMetadata\": {\"RequestId\": \"r\", \"HTTPStatusCode\": 200}}\n",
	/* Strings: escapes, \u escapes, UTF-8, invalid UTF-8, \u0000, lone surrogates, control characters. */
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-\\u0031\", \"Status\": {\"Code\": \"act\\u0069ve\"}, \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"n\\\"et\"}]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"}, \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"\xc3\xa9quipe\"}]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"\xc3\x28\"}]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"a\\u0000b\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"\\ud800\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"a\tb\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"a\\qb\"}}]}",
	/* Keys: escaped, duplicate (top level, nested, in a tag), dotted at the top level, many in one object. */
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"St\\u0061tus\": {\"Code\": \"active\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"x\"}], \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"}, \"Status\": {\"Code\": \"failed\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\", \"Code\": \"failed\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Tags\": [{\"Key\": \"Team\", \"Key\": \"Owner\"}]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status.Code\": \"active\", \"Status\": {\"Code\": \"failed\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"x\"}], \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\"}}]}",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "], \"VpcPeeringConnections\": []}",
	/* Values of other types where strings belong; paths through non-objects. */
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": 7}, \"Tags\": [{\"Key\": \"Team\", \"Value\": 1}], \"AccepterVpcInfo\": {\"OwnerId\": 999999999999, \"Region\": \"us-east-1\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": \"active\", \"AccepterVpcInfo\": [\"us-east-1\"], \"RequesterVpcInfo\": null, \"Tags\": {\"Team\": \"x\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": null}, \"Tags\": [{\"Key\": \"Team\", \"Value\": null}, {\"Key\": \"Team\", \"Value\": \"later\"}], \"AccepterVpcInfo\": {\"OwnerId\": \"\", \"Region\": \"us-east-1\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"}, \"Tags\": [\"Team\", {\"Value\": \"v\", \"Key\": \"Team\"}, {\"Key\": 5}], \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"eu-west-1\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": null, \"Status\": {\"Code\": \"active\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"x\"}], \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"Region\": \"us-east-1\"}}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"ExpirationTime\": 1700000000000, \"Tags\": []}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"ExpirationTime\": {\"__class__\": \"datetime\", \"year\": 2024, \"month\": 1, \"day\": 2, \"hour\": 3, \"minute\": 4, \"second\": 5, \"microsecond\": 0}}]}",
	/* Numbers jansson reads or refuses. */
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"N\": [0, -0, 1.5, -2e3, 1E+2, 123456789012345678901234567890, 1e400, 1e-400]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"N\": 01}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"N\": 1.}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"N\": -}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"N\": tru}]}",
	/* Shapes input_parse reads differently or reports. */
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") ", {\"Status\": {\"Code\": \"active\"}}]}",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") ", 5]}",
	"{\"VpcPeeringConnections\": {\"VpcPeeringConnectionId\": \"pcx-1\"}}",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "], \"data\": {\"VpcPeeringConnections\": []}, \"status_code\": 200}",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "]}\n{\"VpcPeeringConnections\": [" RECORD("pcx-2") "]}\n",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "]} trailing",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") ",]}",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "], }",
	"{\"VpcPeeringConnections\": [" RECORD("pcx-1") "]",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Deep\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}",
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Deep\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}",
	/* Owners longer than an account id, two of them alike in their first 31 characters: kept whole on both paths. */
	"{\"VpcPeeringConnections\": [{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"},"
	" \"AccepterVpcInfo\": {\"OwnerId\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\", \"Region\": \"us-east-1\"},"
	" \"RequesterVpcInfo\": {\"OwnerId\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC\"}, \"Tags\": [{\"Key\": \"Team\", \"Value\": \"x\"}]}]}",
};

static void compare_file(const peerguard_policy_set *set, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	peerguard_error err;

	ck_assert_msg(file_read_all(&data, &len, path, 1 << 26, 0, &err) == 0, "%s: %s", path, err.message);
	compare(set, data, len, path);
	free(data);
}

START_TEST(table_matches_trees)
{
	peerguard_policy_set *set = load_policies();
	char path[4096];
	struct dirent **list;
	int count;

	for (size_t i = 0; i < sizeof(documents) / sizeof(documents[0]); i++) {
		char label[64];

		snprintf(label, sizeof(label), "document %zu", i);
		compare(set, documents[i], strlen(documents[i]), label);
	}

	/* Objects of more keys than the scan compares for duplicates, with and without a late duplicate. */
	for (int duplicate = 0; duplicate < 2; duplicate++) {
		char doc[8192];
		size_t n = (size_t)snprintf(doc, sizeof(doc), "{\"VpcPeeringConnections\": [" RECORD("pcx-0") ", "
			"{\"VpcPeeringConnectionId\": \"pcx-1\", \"Status\": {\"Code\": \"active\"}");

		for (int k = 0; k < 100; k++)
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, ", \"K%d\": %d", duplicate && k == 99 ? 0 : k, k);
		snprintf(doc + n, sizeof(doc) - n, "}]}");
		compare(set, doc, strlen(doc), duplicate ? "many keys, a late duplicate" : "many keys");
	}

	snprintf(path, sizeof(path), "%s/examples/describe.json", getenv("PEERGUARD_SOURCE"));
	compare_file(set, path);
	snprintf(path, sizeof(path), "%s/testdata/aws/describe", getenv("PEERGUARD_SHARED"));
	count = scandir(path, &list, NULL, alphasort);
	ck_assert_int_gt(count, 2);
	for (int i = 0; i < count; i++) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", path, list[i]->d_name);
		if (strstr(file, ".json"))
			compare_file(set, file);
		free(list[i]);
	}
	free(list);
	peerguard_policy_set_free(set);
}
END_TEST

/* Changes one byte of a valid document at random: each result must be what parsing every record gives. */
START_TEST(table_matches_trees_on_mutations)
{
	static const char bytes[] = "{}[]\",:\\ u0e.-+9aZ\xc3\x80\t\n";
	peerguard_policy_set *set = load_policies();
	const char *doc = documents[0];
	size_t len = strlen(doc);
	unsigned int seed = 20261204;
	char *buf = malloc(len + 2);

	for (int i = 0; i < 3000; i++) {
		char label[64];
		size_t at = (size_t)rand_r(&seed) % len, n = len;
		int change = rand_r(&seed) % 3;

		memcpy(buf, doc, len);
		if (change == 0) {
			buf[at] = bytes[rand_r(&seed) % (sizeof(bytes) - 1)];
		} else if (change == 1) {
			memmove(buf + at, buf + at + 1, len - at - 1);
			n = len - 1;
		} else {
			memmove(buf + at + 1, buf + at, len - at);
			buf[at] = bytes[rand_r(&seed) % (sizeof(bytes) - 1)];
			n = len + 1;
		}
		snprintf(label, sizeof(label), "mutation %d (byte %zu, kind %d)", i, at, change);
		compare(set, buf, n, label);
	}
	ck_assert_uint_ge(comparisons, 3000);
	free(buf);
	peerguard_policy_set_free(set);
}
END_TEST

/* Scans text with the projection of the policies above.  Returns the scan's result; *out gets the table. */
static int scan(describe_table **out, const char *text)
{
	peerguard_policy_set *set = load_policies();
	projection proj;
	char *copy = strdup(text);
	int rc;

	ck_assert_int_eq(projection_init(&proj, set), 1);
	rc = describe_table_scan(out, copy, strlen(copy), &proj, &set->limits);
	if (rc != 1)
		free(copy);
	projection_clear(&proj);
	peerguard_policy_set_free(set);
	return rc;
}

static const char *cell_text(const describe_table *t, size_t row, const char *key, char *buf, size_t size)
{
	long col = projection_find(&t->proj, key);
	uint32_t cell;
	size_t len;
	const char *s;

	ck_assert_msg(col >= 0, "no cell for %s", key);
	cell = describe_table_cell(t, row, (size_t)col);
	if (cell == CELL_MISSING)
		return "(missing)";
	if (cell == CELL_OTHER)
		return "(other)";
	s = describe_table_string(t, cell, &len);
	snprintf(buf, size, "%.*s", (int)len, s);
	return buf;
}

START_TEST(scan_reads_cells)
{
	describe_table *t = NULL;
	char buf[64];

	ck_assert_int_eq(scan(&t, documents[0]), 1);
	ck_assert_uint_eq(t->rows, 2);
	ck_assert_int_eq(t->slow[0], 0);
	ck_assert_str_eq(cell_text(t, 0, "Status.Code", buf, sizeof(buf)), "active");
	ck_assert_str_eq(cell_text(t, 1, "tag:Team", buf, sizeof(buf)), "net");
	ck_assert_str_eq(cell_text(t, 1, "AccepterVpcInfo.OwnerId", buf, sizeof(buf)), "999999999999");
	ck_assert_str_eq(cell_text(t, 0, "tag:Owner", buf, sizeof(buf)), "(missing)");
	/* The same string is interned once. */
	ck_assert_uint_eq(describe_table_cell(t, 0, (size_t)projection_find(&t->proj, "Status.Code")),
		describe_table_cell(t, 1, (size_t)projection_find(&t->proj, "Status.Code")));
	ck_assert_str_eq(json_string_value(json_object_get(describe_table_record(t, 1), "VpcPeeringConnectionId")), "pcx-2");
	describe_table_free(t);

	/* The first tag with the key decides, even when its value is null; other types are left to the tree. */
	ck_assert_int_eq(scan(&t, documents[18]), 1);
	ck_assert_str_eq(cell_text(t, 0, "tag:Team", buf, sizeof(buf)), "(missing)");
	ck_assert_str_eq(cell_text(t, 0, "Status.Code", buf, sizeof(buf)), "(missing)");
	ck_assert_str_eq(cell_text(t, 0, "AccepterVpcInfo.OwnerId", buf, sizeof(buf)), "");
	describe_table_free(t);
	ck_assert_int_eq(scan(&t, documents[16]), 1);
	ck_assert_str_eq(cell_text(t, 0, "Status.Code", buf, sizeof(buf)), "(other)");
	ck_assert_str_eq(cell_text(t, 0, "AccepterVpcInfo.OwnerId", buf, sizeof(buf)), "(other)");
	describe_table_free(t);
	ck_assert_int_eq(scan(&t, documents[17]), 1);
	ck_assert_str_eq(cell_text(t, 0, "Status.Code", buf, sizeof(buf)), "(missing)");
	ck_assert_str_eq(cell_text(t, 0, "AccepterVpcInfo.OwnerId", buf, sizeof(buf)), "(missing)");
	describe_table_free(t);
}
END_TEST

START_TEST(scan_marks_slow_records_and_gives_up)
{
	describe_table *t = NULL;

	/* Escapes, UTF-8, escaped and dotted keys and reals: the record is parsed by jansson at once. */
	for (int i = 3; i <= 4; i++) {
		ck_assert_int_eq(scan(&t, documents[i]), 1);
		ck_assert_int_eq(t->slow[0], 1);
		ck_assert_ptr_nonnull(t->records[0]);
		describe_table_free(t);
	}
	ck_assert_int_eq(scan(&t, documents[10]), 1);
	ck_assert_int_eq(t->slow[0], 1);
	describe_table_free(t);
	ck_assert_int_eq(scan(&t, documents[14]), 1);
	ck_assert_int_eq(t->slow[0], 1);
	describe_table_free(t);

	/* Invalid JSON, duplicates, a record without an id, placebo data, JSON lines: input_parse's to read. */
	{
		static const int give_up[] = { 5, 6, 7, 8, 9, 11, 12, 13, 15, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
			34, 35, 36 };

		for (size_t i = 0; i < sizeof(give_up) / sizeof(give_up[0]); i++)
			ck_assert_msg(scan(&t, documents[give_up[i]]) == 0, "document %d was kept", give_up[i]);
	}
	ck_assert_int_eq(scan(&t, "[{\"VpcPeeringConnectionId\": \"pcx-1\"}]"), 0);
	ck_assert_int_eq(scan(&t, "{\"VpcPeeringConnection\": {\"VpcPeeringConnectionId\": \"pcx-1\"}}"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("describe_table");
	TCase *tc = tcase_create("same-as-trees");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, scan_reads_cells);
	tcase_add_test(tc, scan_marks_slow_records_and_gives_up);
	tcase_add_test(tc, table_matches_trees);
	tcase_add_test(tc, table_matches_trees_on_mutations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
