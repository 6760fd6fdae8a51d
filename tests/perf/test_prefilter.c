/*
 * The prefilter and the streaming reader give the same decisions and errors
 * as parsing every record.
 *
 * Every policy file of examples/ and of the shared fault cases is run over
 * every input of examples/, of the shared AWS samples, of the cases, and of
 * documents built here around those events (decoy records, \u escapes, SNS
 * and SQS wrappers, JSON lines, pretty-printed logs, gzip): once with
 * PEERGUARD_PARSE_ALL, once from memory with the prefilter, and once from a
 * file (plain and gzip) through the stream.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <zlib.h>

#include "peerguard/peerguard.h"

#define NOW 1768478400.0  /* 2026-01-15T12:00:00Z */

typedef struct doc {
	char *name;
	char *data;
	size_t len;
} doc;

typedef struct doc_list {
	doc *items;
	size_t count;
} doc_list;

typedef struct policy_list {
	peerguard_policy_set **sets;
	char **names;
	size_t count;
} policy_list;

static size_t comparisons;

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static void add_doc(doc_list *docs, const char *name, char *data, size_t len)
{
	docs->items = realloc(docs->items, (docs->count + 1) * sizeof(*docs->items));
	ck_assert_ptr_nonnull(docs->items);
	docs->items[docs->count].name = strdup(name);
	docs->items[docs->count].data = data;
	docs->items[docs->count].len = len;
	docs->count++;
}

static void add_text(doc_list *docs, const char *name, const char *text)
{
	add_doc(docs, name, strdup(text), strlen(text));
}

/* Compresses data as one gzip member. */
static char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap = compressBound((uLong)len) + 64;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

static const char *shared_dir(void)
{
	const char *dir = getenv("PEERGUARD_SHARED");

	ck_assert_msg(dir != NULL, "PEERGUARD_SHARED is not set; run through meson test");
	return dir;
}

static const char *source_dir(void)
{
	const char *dir = getenv("PEERGUARD_SOURCE");

	ck_assert_msg(dir != NULL, "PEERGUARD_SOURCE is not set; run through meson test");
	return dir;
}

/* Adds every file of dir whose name ends with suffix, sorted by name. */
static void add_dir(doc_list *docs, const char *dir, const char *suffix)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	ck_assert_msg(n >= 0, "cannot list %s", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t nl = strlen(name), sl = strlen(suffix);
		char path[4096];
		size_t len;
		char *data;

		if (nl > sl && strcmp(name + nl - sl, suffix) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			data = read_text(path, &len);
			ck_assert_msg(data != NULL, "cannot read %s", path);
			add_doc(docs, path, data, len);
		}
		free(names[i]);
	}
	free(names);
}

/* ---------------------------------------------------------------- policies */

static const char multi_event_policy[] =
	"policies:\n"
	"  - name: every-peering-call\n"
	"    resource: peering-connection\n"
	"    mode:\n"
	"      type: cloudtrail\n"
	"      events:\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: CreateVpcPeeringConnection\n"
	"          ids: responseElements.vpcPeeringConnection.vpcPeeringConnectionId\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: AcceptVpcPeeringConnection\n"
	"          ids: requestParameters.vpcPeeringConnectionId\n"
	"        - source: ec2.amazonaws.com\n"
	"          event: DeleteVpcPeeringConnection\n"
	"          ids: requestParameters.vpcPeeringConnectionId\n"
	"    filters:\n"
	"      - type: cross-account\n"
	"  - name: sweep\n"
	"    resource: aws.peering-connection\n"
	"    filters:\n"
	"      - type: cross-account\n";

static void add_policy(policy_list *pl, const char *name, peerguard_policy_set *set)
{
	pl->sets = realloc(pl->sets, (pl->count + 1) * sizeof(*pl->sets));
	pl->names = realloc(pl->names, (pl->count + 1) * sizeof(*pl->names));
	ck_assert_ptr_nonnull(pl->sets);
	ck_assert_ptr_nonnull(pl->names);
	pl->sets[pl->count] = set;
	pl->names[pl->count] = strdup(name);
	pl->count++;
}

static void add_policy_file(policy_list *pl, const char *path)
{
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	/* Some cases hold policies that must fail to load; they have nothing to evaluate. */
	if (peerguard_policy_set_load_file(&set, path, NULL, &err) == 0)
		add_policy(pl, path, set);
}

static void load_policies(policy_list *pl)
{
	char path[4096];
	struct dirent **names;
	int n;
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	memset(pl, 0, sizeof(*pl));
	snprintf(path, sizeof(path), "%s/examples/cross-account-peering.yml", source_dir());
	add_policy_file(pl, path);
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, multi_event_policy, strlen(multi_event_policy),
		"multi-event.yml", NULL, &err), 0);
	add_policy(pl, "multi-event.yml", set);

	snprintf(path, sizeof(path), "%s/testdata/cases", shared_dir());
	n = scandir(path, &names, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (int i = 0; i < n; i++) {
		char file[4096];

		if (names[i]->d_name[0] == 'B') {
			snprintf(file, sizeof(file), "%s/%s/policy.yml", path, names[i]->d_name);
			if (access(file, R_OK) == 0)
				add_policy_file(pl, file);
		}
		free(names[i]);
	}
	free(names);
	ck_assert_uint_ge(pl->count, 5);
}

static void free_policies(policy_list *pl)
{
	for (size_t i = 0; i < pl->count; i++) {
		peerguard_policy_set_free(pl->sets[i]);
		free(pl->names[i]);
	}
	free(pl->sets);
	free(pl->names);
}

/* ---------------------------------------------------------------- inputs */

/* Collects, depth first, the CloudTrail records (bare, or the detail of an EventBridge event) and describe records in v. */
static void collect_records(json_t *v, json_t *events, json_t *describe)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		if (json_object_get(v, "eventName")) {
			json_array_append(events, v);
			return;
		}
		if (json_is_object(json_object_get(v, "detail")) && json_object_get(json_object_get(v, "detail"), "eventName")) {
			json_array_append(events, json_object_get(v, "detail"));
			return;
		}
		if (json_is_string(json_object_get(v, "VpcPeeringConnectionId"))) {
			json_array_append(describe, v);
			return;
		}
		json_object_foreach(v, key, child)
			collect_records(child, events, describe);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			collect_records(child, events, describe);
	}
}

/* A CloudTrail record that no peering policy listens to, with strings that look like JSON structure. */
static const char decoy[] =
	"{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111111111111:assumed-role/app/s\","
	"\"accountId\":\"111111111111\"},\"eventTime\":\"2026-01-15T11:00:00Z\",\"eventSource\":\"s3.amazonaws.com\","
	"\"eventName\":\"GetObject\",\"awsRegion\":\"us-east-1\",\"requestParameters\":{\"key\":\"a}b]{c[\\\"d\\\\\","
	"\"policy\":\"{\\\"Statement\\\":[{\\\"Action\\\":\\\"ec2:Describe*\\\"}]}\",\"path\":\"C:\\\\temp\\\\x\"},"
	"\"responseElements\":null,\"eventID\":\"%d\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"111111111111\"}";

/* The same event spelt with a \u escape: it must be parsed and decided like the plain one. */
static char *escape_event_name(const char *record)
{
	static const char plain[] = "\"eventName\":\"C";
	const char *at = strstr(record, plain);
	char *out;

	if (!at)
		return NULL;
	out = malloc(strlen(record) + 8);
	ck_assert_ptr_nonnull(out);
	memcpy(out, record, (size_t)(at - record) + sizeof(plain) - 2);
	strcpy(out + (at - record) + sizeof(plain) - 2, "\\u0043");
	strcat(out, at + sizeof(plain) - 1);
	return out;
}

typedef struct text {
	char *data;
	size_t len, cap;
} text;

static void append(text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->data = realloc(t->data, t->cap);
		ck_assert_ptr_nonnull(t->data);
	}
	memcpy(t->data + t->len, s, n + 1);
	t->len += n;
}

static void append_decoy(text *t, int id)
{
	char buf[sizeof(decoy) + 32];

	snprintf(buf, sizeof(buf), decoy, id);
	append(t, buf);
}

/* Wraps record in an SNS notification, or an SQS message when sqs is set. */
static char *wrap_message(const char *record, int sqs)
{
	json_t *msg = json_string(record);
	json_t *wrapped = sqs ? json_pack("{s:s,s:O}", "messageId", "m-1", "body", msg) :
		json_pack("{s:s,s:{s:s,s:O}}", "EventSource", "aws:sns", "Sns", "Type", "Notification", "Message", msg);
	char *out = json_dumps(wrapped, JSON_COMPACT);

	json_decref(msg);
	json_decref(wrapped);
	return out;
}

/* Builds log files and JSON lines that put the given records among decoys and odd items. */
static void add_synthetic(doc_list *docs, const char *base, json_t *events, json_t *describe)
{
	text log = { 0 }, lines = { 0 };
	size_t i;
	json_t *e;
	char name[4200];
	int id = 0;

	append(&log, "{\"Records\":[");
	append(&lines, "");
	json_array_foreach(events, i, e) {
		char *rec = json_dumps(e, JSON_COMPACT);
		char *esc = escape_event_name(rec);
		char *sns = wrap_message(rec, 0);
		char *sqs = wrap_message(esc ? esc : rec, 1);

		for (int k = 0; k < 3; k++) {
			append_decoy(&log, id);
			append_decoy(&lines, id++);
			append(&log, ",");
			append(&lines, "\n");
		}
		append(&log, rec);
		append(&lines, rec);
		append(&lines, "\n");
		if (esc) {
			append(&log, ",");
			append(&log, esc);
			append(&lines, esc);
			append(&lines, "\n");
		}
		append(&log, ",");
		append(&log, sns);
		append(&log, ",");
		append(&log, sqs);
		append(&log, ",");
		append_decoy(&log, id++);
		append(&log, ",");
		free(rec);
		free(esc);
		free(sns);
		free(sqs);
	}
	json_array_foreach(describe, i, e) {
		char *rec = json_dumps(e, JSON_COMPACT);

		append(&log, rec);
		append(&log, ",");
		free(rec);
	}
	/* Items that are not CloudTrail records get input_parse's errors either way. */
	append(&log, "42,[1,{\"a\":\"]\"}],{\"nothing\":\"here\"},\"text\"]}");

	snprintf(name, sizeof(name), "%s (log among decoys)", base);
	add_text(docs, name, log.data);
	snprintf(name, sizeof(name), "%s (JSON lines among decoys)", base);
	add_text(docs, name, lines.data);

	/* The log pretty-printed, a log per line, and two values on one line. */
	{
		json_error_t jerr;
		json_t *parsed = json_loads(log.data, 0, &jerr);
		char *pretty;
		text two = { 0 };

		ck_assert_msg(parsed != NULL, "synthetic log is invalid: %s", jerr.text);
		pretty = json_dumps(parsed, JSON_INDENT(2));
		snprintf(name, sizeof(name), "%s (pretty log)", base);
		add_doc(docs, name, pretty, strlen(pretty));
		json_decref(parsed);

		append(&two, log.data);
		append(&two, "\n\n  ");
		append(&two, log.data);
		append(&two, "\r\n");
		snprintf(name, sizeof(name), "%s (two logs as JSON lines)", base);
		add_doc(docs, name, two.data, two.len);

		snprintf(name, sizeof(name), "%s (two values on one line)", base);
		two.data = NULL;
		two.len = two.cap = 0;
		append(&two, lines.data);
		append(&two, "{\"eventName\":\"GetObject\"} {\"eventName\":\"CreateVpcPeeringConnection\"}\n");
		add_doc(docs, name, two.data, two.len);
	}

	/* A candidate of every policy set that is not valid JSON: the whole input is read as input_parse reads it. */
	{
		text bad = { 0 };

		append(&bad, lines.data);
		append(&bad, "{\"eventName\":\"CreateVpcPeeringConnection\",\"VpcPeeringConnectionId\":\"pcx-1\",}\n");
		snprintf(name, sizeof(name), "%s (invalid candidate line)", base);
		add_doc(docs, name, bad.data, bad.len);
	}
	free(log.data);
	free(lines.data);
}

static void add_case_documents(doc_list *docs)
{
	char dir[4096];
	struct dirent **names;
	int n;

	snprintf(dir, sizeof(dir), "%s/testdata/cases", shared_dir());
	n = scandir(dir, &names, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (int i = 0; i < n; i++) {
		char path[4200], name[4300];
		json_error_t jerr;
		json_t *input, *events, *describe, *e;
		size_t k;

		if (names[i]->d_name[0] != 'B') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/input.json", dir, names[i]->d_name);
		free(names[i]);
		input = json_load_file(path, 0, &jerr);
		if (!input)
			continue;
		events = json_array();
		describe = json_array();
		collect_records(input, events, describe);

		/* The harness file itself, each event alone, and the describe records as boto3 returns them. */
		add_doc(docs, path, json_dumps(input, JSON_INDENT(2)), 0);
		docs->items[docs->count - 1].len = strlen(docs->items[docs->count - 1].data);
		json_array_foreach(events, k, e) {
			char *one = json_dumps(e, JSON_INDENT(1));

			snprintf(name, sizeof(name), "%s event %zu", path, k);
			add_doc(docs, name, one, strlen(one));
		}
		if (json_array_size(describe)) {
			json_t *wrapped = json_pack("{s:O}", "VpcPeeringConnections", describe);
			char *text_out = json_dumps(wrapped, 0);

			snprintf(name, sizeof(name), "%s describe", path);
			add_doc(docs, name, text_out, strlen(text_out));
			json_decref(wrapped);
		}
		add_synthetic(docs, path, events, describe);
		json_decref(events);
		json_decref(describe);
		json_decref(input);
	}
	free(names);
}

static void add_sample_documents(doc_list *docs)
{
	char dir[4096];
	json_t *events = json_array(), *describe = json_array();
	size_t before;

	snprintf(dir, sizeof(dir), "%s/examples", source_dir());
	add_dir(docs, dir, ".json");
	snprintf(dir, sizeof(dir), "%s/testdata/aws/cloudtrail", shared_dir());
	add_dir(docs, dir, ".json");
	snprintf(dir, sizeof(dir), "%s/testdata/aws/describe", shared_dir());
	add_dir(docs, dir, ".json");

	/* All their records together, among decoys. */
	before = docs->count;
	for (size_t i = 0; i < before; i++) {
		json_error_t jerr;
		json_t *v = json_loadb(docs->items[i].data, docs->items[i].len, 0, &jerr);

		collect_records(v, events, describe);
		json_decref(v);
	}
	add_synthetic(docs, "samples", events, describe);
	json_decref(events);
	json_decref(describe);
}

static void free_docs(doc_list *docs)
{
	for (size_t i = 0; i < docs->count; i++) {
		free(docs->items[i].name);
		free(docs->items[i].data);
	}
	free(docs->items);
}

/* ---------------------------------------------------------------- comparison */

static void expect_same(const char *what, int rc_full, peerguard_result *full, peerguard_error *err_full,
	int rc_fast, peerguard_result *fast, peerguard_error *err_fast)
{
	ck_assert_msg(rc_full == rc_fast, "%s: return code %d with every record parsed, %d with the prefilter (%s | %s)",
		what, rc_full, rc_fast, err_full->message, err_fast->message);
	comparisons++;
	if (rc_full < 0) {
		ck_assert_msg(strcmp(err_full->message, err_fast->message) == 0, "%s: error '%s' became '%s'", what,
			err_full->message, err_fast->message);
		return;
	}
	ck_assert_msg(peerguard_result_count(full) == peerguard_result_count(fast),
		"%s: %zu decisions with every record parsed, %zu with the prefilter", what,
		peerguard_result_count(full), peerguard_result_count(fast));
	for (size_t i = 0; i < peerguard_result_count(full); i++) {
		char *a = NULL, *b = NULL;

		ck_assert_int_eq(peerguard_decision_to_json(&a, peerguard_result_get(full, i), 0), 0);
		ck_assert_int_eq(peerguard_decision_to_json(&b, peerguard_result_get(fast, i), 0), 0);
		ck_assert_msg(strcmp(a, b) == 0, "%s: decision %zu differs:\n%s\n%s", what, i, a, b);
		peerguard_free(a);
		peerguard_free(b);
	}
	ck_assert_msg(peerguard_result_error_count(full) == peerguard_result_error_count(fast),
		"%s: %zu errors with every record parsed, %zu with the prefilter", what,
		peerguard_result_error_count(full), peerguard_result_error_count(fast));
	for (size_t i = 0; i < peerguard_result_error_count(full); i++) {
		peerguard_error a, b;

		peerguard_result_error(full, i, &a);
		peerguard_result_error(fast, i, &b);
		ck_assert_msg(strcmp(a.message, b.message) == 0 && strcmp(a.path, b.path) == 0,
			"%s: error %zu differs:\n%s (%s)\n%s (%s)", what, i, a.message, a.path, b.message, b.path);
	}
}

static char *write_temp(const char *data, size_t len, const char *suffix)
{
	char *path = malloc(64);
	int fd;
	FILE *f;

	ck_assert_ptr_nonnull(path);
	snprintf(path, 64, "/tmp/pg-prefilter-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void compare_document(const policy_list *pl, const doc *d)
{
	static const peerguard_input_kind kinds[] = { PEERGUARD_INPUT_AUTO, PEERGUARD_INPUT_EVENTS };
	size_t gz_len;
	char *gz = gzip_bytes(d->data, d->len, &gz_len);
	char *plain_path = write_temp(d->data, d->len, ".json");
	char *gz_path = write_temp(gz, gz_len, ".json.gz");

	for (size_t pi = 0; pi < pl->count; pi++) {
		for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
			peerguard_context all = PEERGUARD_CONTEXT_INIT, fast = PEERGUARD_CONTEXT_INIT;
			peerguard_result *full = NULL, *got = NULL;
			peerguard_error err_full, err_got;
			char what[4600];
			int rc_full, rc;

			all.account_id = fast.account_id = "111111111111";
			all.region = fast.region = "us-east-1";
			all.now = fast.now = NOW;
			all.flags = PEERGUARD_PARSE_ALL;

			rc_full = peerguard_evaluate(&full, pl->sets[pi], &all, kinds[ki], d->data, d->len, "input", &err_full);

			snprintf(what, sizeof(what), "%s with %s, kind %d, from memory", d->name, pl->names[pi], (int)kinds[ki]);
			rc = peerguard_evaluate(&got, pl->sets[pi], &fast, kinds[ki], d->data, d->len, "input", &err_got);
			expect_same(what, rc_full, full, &err_full, rc, got, &err_got);
			peerguard_result_free(got);

			snprintf(what, sizeof(what), "%s with %s, kind %d, gzip from memory", d->name, pl->names[pi], (int)kinds[ki]);
			rc = peerguard_evaluate(&got, pl->sets[pi], &fast, kinds[ki], gz, gz_len, "input", &err_got);
			expect_same(what, rc_full, full, &err_full, rc, got, &err_got);
			peerguard_result_free(got);

			/* Files carry their path in messages, so they are compared with a full parse of the same file. */
			for (int z = 0; z < 2; z++) {
				const char *path = z ? gz_path : plain_path;
				peerguard_result *file_full = NULL;
				peerguard_error err_file_full;
				int rc_file_full = peerguard_evaluate_file(&file_full, pl->sets[pi], &all, kinds[ki], path,
					&err_file_full);

				snprintf(what, sizeof(what), "%s with %s, kind %d, streamed from a %s file", d->name,
					pl->names[pi], (int)kinds[ki], z ? "gzip" : "plain");
				rc = peerguard_evaluate_file(&got, pl->sets[pi], &fast, kinds[ki], path, &err_got);
				expect_same(what, rc_file_full, file_full, &err_file_full, rc, got, &err_got);
				peerguard_result_free(got);
				peerguard_result_free(file_full);
			}
			peerguard_result_free(full);
		}
	}
	unlink(plain_path);
	unlink(gz_path);
	free(plain_path);
	free(gz_path);
	free(gz);
}

START_TEST(prefilter_matches_full_parse)
{
	policy_list pl;
	doc_list docs = { 0 };
	size_t decided = 0;

	load_policies(&pl);
	add_sample_documents(&docs);
	add_case_documents(&docs);
	ck_assert_uint_ge(docs.count, 40);

	for (size_t i = 0; i < docs.count; i++)
		compare_document(&pl, &docs.items[i]);

	/* The inputs must give the prefilter something to keep: count matched decisions of one policy set. */
	for (size_t i = 0; i < docs.count; i++) {
		peerguard_result *r = NULL;
		peerguard_context ctx = PEERGUARD_CONTEXT_INIT;

		ctx.account_id = "111111111111";
		ctx.now = NOW;
		if (peerguard_evaluate(&r, pl.sets[1], &ctx, PEERGUARD_INPUT_AUTO, docs.items[i].data, docs.items[i].len,
			"input", NULL) == 0)
			decided += peerguard_result_count(r);
		peerguard_result_free(r);
	}
	ck_assert_uint_ge(decided, 50);
	ck_assert_uint_ge(comparisons, 1000);
	free_docs(&docs);
	free_policies(&pl);
}
END_TEST

START_TEST(prefilter_skips_decoys_without_errors)
{
	/* A broken record that names no watched event is skipped unparsed; PEERGUARD_PARSE_ALL reports it. */
	static const char lines[] =
		"{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\",\"readOnly\":tru}\n"
		"{\"eventName\":\"CreateVpcPeeringConnection\",\"eventSource\":\"ec2.amazonaws.com\","
		"\"responseElements\":{\"vpcPeeringConnection\":{\"vpcPeeringConnectionId\":\"pcx-1\"}}}\n";
	peerguard_policy_set *set = NULL;
	peerguard_result *r = NULL;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_error err;

	ck_assert_int_eq(peerguard_policy_set_load_string(&set, multi_event_policy, strlen(multi_event_policy), NULL,
		NULL, &err), 0);
	ctx.account_id = "111111111111";
	ctx.now = NOW;
	ck_assert_int_eq(peerguard_evaluate(&r, set, &ctx, PEERGUARD_INPUT_AUTO, lines, strlen(lines), "in", &err), 0);
	ck_assert_uint_eq(peerguard_result_count(r), 1);
	ck_assert_str_eq(peerguard_decision_resource_id(peerguard_result_get(r, 0)), "pcx-1");
	/* The invalid line makes input_parse read the input line by line; the prefilter never parses it. */
	ck_assert_uint_eq(peerguard_result_error_count(r), 0);
	peerguard_result_free(r);

	ctx.flags = PEERGUARD_PARSE_ALL;
	ck_assert_int_eq(peerguard_evaluate(&r, set, &ctx, PEERGUARD_INPUT_AUTO, lines, strlen(lines), "in", &err), 0);
	ck_assert_uint_eq(peerguard_result_count(r), 1);
	ck_assert_uint_eq(peerguard_result_error_count(r), 1);
	peerguard_result_free(r);
	peerguard_policy_set_free(set);
}
END_TEST

/* Writes a log of n decoys with a peering call at index peer, gzip when gz is set; returns its path (new). */
static char *write_log(size_t n, size_t peer, int gz, size_t *plain_len)
{
	text log = { 0 };
	char *path;

	append(&log, "{\"Records\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			append(&log, ",");
		if (i == peer)
			append(&log, "{\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"CreateVpcPeeringConnection\","
				"\"recipientAccountId\":\"111111111111\",\"responseElements\":{\"vpcPeeringConnection\":"
				"{\"vpcPeeringConnectionId\":\"pcx-big\",\"accepterVpcInfo\":{\"ownerId\":\"999999999999\"},"
				"\"requesterVpcInfo\":{\"ownerId\":\"111111111111\"},\"status\":{\"code\":\"pending-acceptance\"}}}}");
		else
			append_decoy(&log, (int)i);
	}
	append(&log, "]}");
	*plain_len = log.len;
	if (gz) {
		size_t gz_len;
		char *packed = gzip_bytes(log.data, log.len, &gz_len);

		path = write_temp(packed, gz_len, ".json.gz");
		free(packed);
	} else {
		path = write_temp(log.data, log.len, ".json");
	}
	free(log.data);
	return path;
}

static peerguard_policy_set *load_multi_event(size_t max_input_bytes)
{
	peerguard_load_options opts = PEERGUARD_LOAD_OPTIONS_INIT;
	peerguard_policy_set *set = NULL;
	peerguard_error err;

	opts.limits.max_input_bytes = max_input_bytes;
	ck_assert_int_eq(peerguard_policy_set_load_string(&set, multi_event_policy, strlen(multi_event_policy), NULL,
		&opts, &err), 0);
	return set;
}

START_TEST(stream_file_larger_than_limit)
{
	/* Records are small, so a streamed file may exceed max_input_bytes; parsing it whole may not. */
	peerguard_policy_set *set = load_multi_event(64 * 1024);
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *r = NULL;
	peerguard_error err;
	size_t plain_len;

	ctx.account_id = "111111111111";
	ctx.now = NOW;
	for (int gz = 0; gz < 2; gz++) {
		char *path = write_log(20000, 12345, gz, &plain_len);

		ck_assert_uint_gt(plain_len, 4u << 20);
		ctx.flags = 0;
		ck_assert_int_eq(peerguard_evaluate_file(&r, set, &ctx, PEERGUARD_INPUT_AUTO, path, &err), 0);
		ck_assert_uint_eq(peerguard_result_count(r), 1);
		ck_assert_str_eq(peerguard_decision_resource_id(peerguard_result_get(r, 0)), "pcx-big");
		ck_assert_uint_eq(peerguard_result_error_count(r), 0);
		peerguard_result_free(r);

		ctx.flags = PEERGUARD_PARSE_ALL;
		ck_assert_int_eq(peerguard_evaluate_file(&r, set, &ctx, PEERGUARD_INPUT_AUTO, path, &err), PEERGUARD_ELIMIT);
		ck_assert_ptr_null(r);
		unlink(path);
		free(path);
	}
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(stream_record_larger_than_limit)
{
	peerguard_policy_set *set = load_multi_event(4096);
	peerguard_result *r = NULL;
	peerguard_error err;
	text log = { 0 };
	char *path;

	append(&log, "{\"Records\":[{\"eventName\":\"GetObject\",\"pad\":\"");
	for (int i = 0; i < 1000; i++)
		append(&log, "0123456789");
	append(&log, "\"}]}");
	path = write_temp(log.data, log.len, ".json");
	ck_assert_int_eq(peerguard_evaluate_file(&r, set, NULL, PEERGUARD_INPUT_AUTO, path, &err), PEERGUARD_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.message, "max_input_bytes"));
	ck_assert_ptr_nonnull(strstr(err.message, path));
	unlink(path);
	free(path);
	free(log.data);
	peerguard_policy_set_free(set);
}
END_TEST

START_TEST(stream_gzip_members_and_truncation)
{
	peerguard_policy_set *set = load_multi_event(0);
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *r = NULL;
	peerguard_error err;
	size_t plain_len, len_a, len_b;
	char *a, *b, *both, *path;
	char *plain_path = write_log(3000, 100, 0, &plain_len);
	char *plain = read_text(plain_path, &plain_len);

	ctx.account_id = "111111111111";
	ctx.now = NOW;

	/* The same log cut in two gzip members, the cut falling inside a record. */
	a = gzip_bytes(plain, plain_len / 2 + 7, &len_a);
	b = gzip_bytes(plain + plain_len / 2 + 7, plain_len - plain_len / 2 - 7, &len_b);
	both = malloc(len_a + len_b);
	ck_assert_ptr_nonnull(both);
	memcpy(both, a, len_a);
	memcpy(both + len_a, b, len_b);
	path = write_temp(both, len_a + len_b, ".json.gz");
	ck_assert_int_eq(peerguard_evaluate_file(&r, set, &ctx, PEERGUARD_INPUT_AUTO, path, &err), 0);
	ck_assert_uint_eq(peerguard_result_count(r), 1);
	peerguard_result_free(r);
	unlink(path);
	free(path);

	/* The first member alone, cut short: the file's error names it. */
	path = write_temp(both, len_a - 10, ".json.gz");
	ck_assert_int_eq(peerguard_evaluate_file(&r, set, &ctx, PEERGUARD_INPUT_AUTO, path, &err), PEERGUARD_EINPUT);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(err.message, "truncated"));
	ck_assert_ptr_nonnull(strstr(err.message, path));
	unlink(path);
	free(path);

	unlink(plain_path);
	free(plain_path);
	free(plain);
	free(a);
	free(b);
	free(both);
	peerguard_policy_set_free(set);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prefilter");
	TCase *tc = tcase_create("equality");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, prefilter_matches_full_parse);
	tcase_add_test(tc, prefilter_skips_decoys_without_errors);
	tcase_add_test(tc, stream_file_larger_than_limit);
	tcase_add_test(tc, stream_record_larger_than_limit);
	tcase_add_test(tc, stream_gzip_members_and_truncation);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
