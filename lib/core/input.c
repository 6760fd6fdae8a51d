/* Recognising the shapes in which CloudTrail records and describe records arrive. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/input.h"
#include "core/internal.h"
#include "core/json_fast.h"

void input_batch_clear(input_batch *batch)
{
	for (size_t i = 0; i < batch->count; i++) {
		json_decref(batch->items[i].record);
		json_decref(batch->items[i].envelope);
	}
	free(batch->items);
	free(batch->errors);
	describe_table_free(batch->table);
	memset(batch, 0, sizeof(*batch));
}

json_t *input_item_record(input_batch *batch, const input_item *item)
{
	if (item->record || !batch->table)
		return item->record;
	return describe_table_record(batch->table, item->row);
}

static void record_error(input_parser *ps, size_t index, int code, const char *fmt, const char *detail)
{
	input_batch *b = ps->batch;
	error_site site = { ps->name, 0, 0, NULL, NULL };
	peerguard_error e;
	char where[64];

	snprintf(where, sizeof(where), "record %zu", index);
	site.path = where;
	error_set(&e, code, &site, fmt, ps->name, index, detail);
	error_list_add(&b->errors, &b->n_errors, &b->errors_cap, &b->errors_dropped, &e);
}

static int add_item(input_parser *ps, int is_event, json_t *record, json_t *envelope, size_t index)
{
	input_batch *b = ps->batch;

	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		input_item *items = realloc(b->items, cap * sizeof(*items));

		if (!items)
			return -1;
		b->items = items;
		b->cap = cap;
	}
	b->items[b->count].is_event = is_event;
	b->items[b->count].record = json_incref(record);
	b->items[b->count].envelope = envelope ? json_incref(envelope) : NULL;
	b->items[b->count].index = index;
	b->count++;
	return 0;
}

static json_t *placebo_datetime(json_t *v)
{
	char buf[64];

	/* Recorded boto3 responses (placebo) store datetimes as {"__class__": "datetime", "year": ...}. */
	if (!json_is_object(v) || !json_string_at(v, "__class__") ||
	    strcmp(json_string_at(v, "__class__"), "datetime") != 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		(int)json_integer_value(json_object_get(v, "year")), (int)json_integer_value(json_object_get(v, "month")),
		(int)json_integer_value(json_object_get(v, "day")), (int)json_integer_value(json_object_get(v, "hour")),
		(int)json_integer_value(json_object_get(v, "minute")), (int)json_integer_value(json_object_get(v, "second")),
		(int)(json_integer_value(json_object_get(v, "microsecond")) / 1000));
	return json_string(buf);
}

void input_normalise_describe(json_t *record)
{
	static const char *const infos[] = { "RequesterVpcInfo", "AccepterVpcInfo" };
	json_t *exp = json_object_get(record, "ExpirationTime");
	json_t *fixed;

	for (int i = 0; i < 2; i++) {
		json_t *info = json_object_get(record, infos[i]);
		json_t *owner = json_object_get(info, "OwnerId");
		char buf[32];

		if (json_is_integer(owner) && account_id_text(owner, buf, sizeof(buf)))
			json_object_set_new(info, "OwnerId", json_string(buf));
	}
	if ((fixed = placebo_datetime(exp)))
		json_object_set_new(record, "ExpirationTime", fixed);
	else if (json_is_number(exp)) {
		char buf[40];
		double t = json_number_value(exp);

		/* Epoch milliseconds (CloudTrail) or seconds. */
		time_format_rfc3339(t > 1e11 ? t / 1000.0 : t, buf, sizeof(buf));
		json_object_set_new(record, "ExpirationTime", json_string(buf));
	}
}

/* lowerCamel to PascalCase: vpcPeeringConnectionId -> VpcPeeringConnectionId. */
static void pascal_case(char *dst, size_t size, const char *src)
{
	copy_truncated(dst, size, src);
	if (dst[0] >= 'a' && dst[0] <= 'z')
		dst[0] = (char)(dst[0] - 'a' + 'A');
}

static json_t *convert_event_value(const char *key, json_t *v);

static json_t *convert_event_object(json_t *obj)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;

	if (!out)
		return NULL;
	json_object_foreach(obj, key, v) {
		char name[128];
		json_t *converted;

		if (strcmp(key, "tagSet") == 0) {
			/* {"items": [{"key", "value"}]} or {} -> Tags: [{"Key", "Value"}] */
			json_t *items = json_object_get(v, "items");
			json_t *tags = json_array();
			size_t i;
			json_t *t;

			if (json_is_object(items))
				items = json_pack("[O]", items);
			else
				json_incref(items);
			json_array_foreach(items, i, t)
				json_array_append_new(tags, json_pack("{s:O?,s:O?}", "Key", json_object_get(t, "key"),
					"Value", json_object_get(t, "value")));
			json_decref(items);
			json_object_set_new(out, "Tags", tags);
			continue;
		}
		if (strcmp(key, "expirationTime") == 0 && json_is_number(v)) {
			char buf[40];
			double t = json_number_value(v);

			time_format_rfc3339(t > 1e11 ? t / 1000.0 : t, buf, sizeof(buf));
			json_object_set_new(out, "ExpirationTime", json_string(buf));
			continue;
		}
		pascal_case(name, sizeof(name), key);
		converted = convert_event_value(key, v);
		if (converted)
			json_object_set_new(out, name, converted);
	}
	return out;
}

static json_t *convert_event_value(const char *key, json_t *v)
{
	char buf[32];

	if (json_is_object(v)) {
		json_t *items = json_object_get(v, "items");
		size_t len = strlen(key);

		/* EC2 sets arrive as {"items": [...]}, an empty set as {}. */
		if (len > 3 && strcmp(key + len - 3, "Set") == 0 && (json_is_array(items) || json_is_object(items) ||
			json_object_size(v) == 0)) {
			json_t *list = json_array();
			size_t i;
			json_t *item;

			if (json_is_object(items)) {
				json_array_append_new(list, convert_event_object(items));
				return list;
			}
			json_array_foreach(items, i, item)
				json_array_append_new(list, json_is_object(item) ? convert_event_object(item) : json_incref(item));
			return list;
		}
		return convert_event_object(v);
	}
	if (strcmp(key, "ownerId") == 0 && json_is_integer(v) && account_id_text(v, buf, sizeof(buf)))
		return json_string(buf);
	return json_incref(v);
}

json_t *input_describe_from_event(json_t *element)
{
	json_t *out;

	if (!json_is_object(element))
		return NULL;
	out = convert_event_object(element);
	if (out)
		input_normalise_describe(out);
	return out;
}

static int is_cloudtrail_record(json_t *v)
{
	return json_is_object(v) && (json_object_get(v, "eventName") || json_object_get(v, "eventSource"));
}

static int is_describe_record(json_t *v)
{
	return json_is_object(v) && json_object_get(v, "VpcPeeringConnectionId");
}

static int nesting_exceeds(const char *data, size_t len, unsigned int max_depth);
static void classify(input_parser *ps, json_t *doc, size_t index, unsigned int depth);

static void add_describe(input_parser *ps, json_t *record, size_t index)
{
	if (ps->kind == PEERGUARD_INPUT_EVENTS) {
		record_error(ps, index, PEERGUARD_EINPUT,
			"%s, record %zu: a describe record where CloudTrail events were expected%s", "");
		return;
	}
	input_normalise_describe(record);
	if (add_item(ps, 0, record, NULL, index) < 0)
		record_error(ps, index, PEERGUARD_ENOMEM, "%s, record %zu: out of memory%s", "");
}

static void add_event(input_parser *ps, json_t *record, json_t *envelope, size_t index)
{
	json_t *built = NULL;

	if (ps->kind == PEERGUARD_INPUT_RESOURCES) {
		record_error(ps, index, PEERGUARD_EINPUT,
			"%s, record %zu: a CloudTrail record where describe records were expected%s", "");
		return;
	}
	if (!envelope) {
		/* A bare record gets the envelope EventBridge would have put around it. */
		const char *region = json_string_at(record, "awsRegion");
		const char *account = json_string_at(record, "recipientAccountId");
		const char *time = json_string_at(record, "eventTime");

		built = json_pack("{s:s,s:s,s:O}", "detail-type", "AWS API Call via CloudTrail", "source", "aws.ec2",
			"detail", record);
		if (built && region)
			json_object_set_new(built, "region", json_string(region));
		if (built && account)
			json_object_set_new(built, "account", json_string(account));
		if (built && time)
			json_object_set_new(built, "time", json_string(time));
		envelope = built;
	}
	if (!envelope || add_item(ps, 1, record, envelope, index) < 0)
		record_error(ps, index, PEERGUARD_ENOMEM, "%s, record %zu: out of memory%s", "");
	json_decref(built);
}

/* Classifies one item of a Records list: an SNS or SQS wrapper, a CloudTrail record or a describe record. */
static void classify_list_item(input_parser *ps, json_t *r, size_t index, unsigned int depth)
{
	json_t *sns = json_object_get(r, "Sns");
	const char *body = json_string_at(r, "body");

	if (json_is_object(sns) || body) {
		/* SNS notification or SQS message: the event is a JSON string inside. */
		const char *message = sns ? json_string_at(sns, "Message") : body;
		json_error_t jerr;
		json_t *inner;

		if (!message) {
			record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: SNS record has no Message string%s", "");
			return;
		}
		/* The message is input like any other: the same depth limit, no duplicate keys. */
		if (nesting_exceeds(message, strlen(message), ps->limits->max_depth)) {
			char detail[64];

			snprintf(detail, sizeof(detail), "%u", ps->limits->max_depth);
			record_error(ps, index, PEERGUARD_ELIMIT, "%s, record %zu: message nests deeper than max_depth (%s)",
				detail);
			return;
		}
		inner = json_loads(message, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (!inner) {
			record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: message is not valid JSON: %s",
				jerr.text);
			return;
		}
		classify(ps, inner, index, depth + 1);
		json_decref(inner);
		return;
	}
	if (is_cloudtrail_record(r))
		add_event(ps, r, NULL, index);
	else if (is_describe_record(r))
		add_describe(ps, r, index);
	else
		record_error(ps, index, PEERGUARD_EINPUT,
			"%s, record %zu: not a CloudTrail record (no eventName or eventSource)%s", "");
}

static void classify_records_list(input_parser *ps, json_t *records, unsigned int depth)
{
	size_t i;
	json_t *r;

	json_array_foreach(records, i, r)
		classify_list_item(ps, r, ps->next_index++, depth);
}

static void classify(input_parser *ps, json_t *doc, size_t index, unsigned int depth)
{
	json_t *v;

	if (depth > 8) {
		record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: events are wrapped too deeply%s", "");
		return;
	}
	if (json_is_array(doc)) {
		size_t i;
		json_t *item;

		json_array_foreach(doc, i, item) {
			size_t item_index = i == 0 ? index : ps->next_index++;

			if (is_describe_record(item))
				add_describe(ps, item, item_index);
			else if (is_cloudtrail_record(item))
				add_event(ps, item, NULL, item_index);
			else if (json_is_object(item) && json_object_get(item, "detail"))
				classify(ps, item, item_index, depth + 1);
			else
				record_error(ps, item_index, PEERGUARD_EINPUT,
					"%s, record %zu: list item is neither a describe record nor a CloudTrail record%s", "");
		}
		return;
	}
	if (!json_is_object(doc)) {
		record_error(ps, index, PEERGUARD_EINPUT,
			"%s, record %zu: expected a JSON object, got a bare %s", json_is_string(doc) ? "string" :
			json_is_number(doc) ? "number" : json_is_null(doc) ? "null" : "boolean");
		return;
	}

	/* Placebo recordings wrap the boto3 response as {"status_code": ..., "data": {...}}. */
	if (json_is_object(json_object_get(doc, "data")) && json_object_get(doc, "status_code"))
		doc = json_object_get(doc, "data");

	if ((v = json_object_get(doc, "VpcPeeringConnections"))) {
		size_t i;
		json_t *item;

		if (!json_is_array(v)) {
			record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: VpcPeeringConnections is not a list%s", "");
			return;
		}
		json_array_foreach(v, i, item) {
			size_t item_index = i == 0 ? index : ps->next_index++;

			if (is_describe_record(item))
				add_describe(ps, item, item_index);
			else
				record_error(ps, item_index, PEERGUARD_EINPUT,
					"%s, record %zu: describe record has no VpcPeeringConnectionId%s", "");
		}
		return;
	}
	if (is_describe_record(doc)) {
		add_describe(ps, doc, index);
		return;
	}
	/* CreateVpcPeeringConnection and AcceptVpcPeeringConnection responses carry one connection. */
	if (is_describe_record(json_object_get(doc, "VpcPeeringConnection"))) {
		add_describe(ps, json_object_get(doc, "VpcPeeringConnection"), index);
		return;
	}
	/* An SNS notification as HTTPS endpoints and SQS queues receive it: the event is the Message string. */
	if (json_is_string(json_object_get(doc, "Message")) && json_string_at(doc, "Type") &&
	    strcmp(json_string_at(doc, "Type"), "Notification") == 0) {
		json_error_t jerr;
		json_t *inner = json_loads(json_string_at(doc, "Message"), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);

		if (!inner) {
			record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: SNS Message is not valid JSON: %s",
				jerr.text);
			return;
		}
		classify(ps, inner, index, depth + 1);
		json_decref(inner);
		return;
	}
	if ((v = json_object_get(doc, "Records"))) {
		if (!json_is_array(v)) {
			record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: Records is not a list%s", "");
			return;
		}
		ps->next_index--;
		classify_records_list(ps, v, depth);
		return;
	}
	if ((v = json_object_get(doc, "detail"))) {
		const char *detail_type = json_string_at(doc, "detail-type");

		if (is_cloudtrail_record(v)) {
			add_event(ps, v, doc, index);
			return;
		}
		if (detail_type && strcmp(detail_type, "Scheduled Event") == 0) {
			/* A scheduler tick carries no ids: the caller runs the periodic sweep instead. */
			ps->batch->n_notes++;
			return;
		}
		if (detail_type && strcmp(detail_type, "AWS API Call via CloudTrail") == 0) {
			record_error(ps, index, PEERGUARD_EINPUT,
				"%s, record %zu: the event's detail is not a CloudTrail record (no eventName or eventSource)%s",
				"");
			return;
		}
		record_error(ps, index, PEERGUARD_EINPUT,
			"%s, record %zu: EventBridge event of type '%s' is not an AWS API Call via CloudTrail",
			detail_type ? detail_type : "(none)");
		return;
	}
	if (is_cloudtrail_record(doc)) {
		add_event(ps, doc, NULL, index);
		return;
	}
	record_error(ps, index, PEERGUARD_EINPUT,
		"%s, record %zu: not a CloudTrail event or describe record%s; expected an EventBridge event (detail), a log file (Records), a CloudTrail record (eventName) or describe output (VpcPeeringConnections)",
		"");
}

/* Checks nesting depth before handing a document to jansson's recursive decoder. */
static int nesting_exceeds(const char *data, size_t len, unsigned int max_depth)
{
	unsigned int depth = 0;
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return 1;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
		else if (c == '\n' && depth == 0)
			continue;
	}
	return 0;
}

static void parse_one(input_parser *ps, const char *text, size_t len, size_t index)
{
	json_error_t jerr;
	json_t *doc;

	if (nesting_exceeds(text, len, ps->limits->max_depth)) {
		char detail[64];

		snprintf(detail, sizeof(detail), "%u", ps->limits->max_depth);
		record_error(ps, index, PEERGUARD_ELIMIT,
			"%s, record %zu: JSON nests deeper than max_depth (%s)", detail);
		return;
	}
	doc = json_fast_loadb(text, len, &jerr);
	if (!doc) {
		char detail[256];

		snprintf(detail, sizeof(detail), "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		record_error(ps, index, PEERGUARD_EINPUT, "%s, record %zu: invalid JSON at %s", detail);
		return;
	}
	classify(ps, doc, index, 0);
	json_decref(doc);
}

/* Adds the rows of a table as the batch's describe records; item i is record i of the list. */
static int add_table_rows(input_batch *batch, describe_table *t)
{
	batch->items = calloc(t->rows ? t->rows : 1, sizeof(*batch->items));
	if (!batch->items)
		return -1;
	for (size_t row = 0; row < t->rows; row++) {
		batch->items[row].index = row;
		batch->items[row].row = row;
	}
	batch->count = batch->cap = t->rows;
	batch->table = t;
	return 0;
}

/*
 * Keeps a describe document as a table when the scan accepts it, and only
 * then takes text.  Returns 1 when the batch contains the table, 0 when
 * the document goes to the general parse, or -1 when out of memory.
 */
static int parse_table(input_batch *batch, char *text, size_t len, const projection *proj,
	const peerguard_limits *limits)
{
	describe_table *t = NULL;
	int rc = describe_table_scan(&t, text, len, proj, limits);

	if (rc != 1)
		return rc;
	if (add_table_rows(batch, t) < 0) {
		t->text = NULL;
		describe_table_free(t);
		return -1;
	}
	return 1;
}

int input_opens_describe(const char *text, size_t len)
{
	static const char key[] = "\"VpcPeeringConnections\"";
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	if (i >= len || text[i++] != '{')
		return 0;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	return len - i >= sizeof(key) - 1 && memcmp(text + i, key, sizeof(key) - 1) == 0;
}

/*
 * Tries the table for a describe document: the text is plain (owned by
 * the parse), the caller's allocation (*owned), or copied.  Returns 1 when
 * the batch contains the table, 0 to parse as usual, or -1 when out of memory.
 */
static int try_table(input_batch *batch, char **plain, const char *data, size_t len, char **owned,
	const projection *proj, peerguard_input_kind kind, const peerguard_limits *limits)
{
	char *text;
	int rc;

	if (!proj || kind == PEERGUARD_INPUT_EVENTS || !input_opens_describe(data, len))
		return 0;
	if (*plain)
		text = *plain;
	else if (owned && *owned == data)
		text = *owned;
	else if (!(text = malloc(len ? len : 1)))
		return -1;
	else
		memcpy(text, data, len);

	rc = parse_table(batch, text, len, proj, limits);
	if (rc == 1 && text == *plain)
		*plain = NULL;
	else if (rc == 1 && owned && text == *owned)
		*owned = NULL;
	else if (rc != 1 && text != *plain && !(owned && text == *owned))
		free(text);
	return rc;
}

int input_parse(input_batch *batch, const char *data, size_t len, char **owned, const projection *proj,
	const char *name, peerguard_input_kind kind, const peerguard_limits *limits, peerguard_error *err)
{
	input_parser ps;
	char *plain = NULL;
	size_t plain_len = 0;
	json_error_t jerr;
	json_t *doc;
	int rc;

	input_parser_init(&ps, batch, name, kind, limits);
	if (len > limits->max_input_bytes) {
		error_site site = { name, 0, 0, NULL, NULL };

		return error_set(err, PEERGUARD_ELIMIT, &site,
			"%s is larger than max_input_bytes (%zu bytes); split it or raise the limit", name,
			limits->max_input_bytes);
	}
	if ((rc = gunzip_if_needed(&plain, &plain_len, data, len, limits->max_input_bytes, name, err)) < 0)
		return rc;
	if (plain) {
		data = plain;
		len = plain_len;
	}

	/* A describe document whose records the policies read only in part is kept as text and cells. */
	if ((rc = try_table(batch, &plain, data, len, owned, proj, kind, limits)) != 0) {
		error_site site = { name, 0, 0, NULL, NULL };

		free(plain);
		return rc < 0 ? error_set(err, PEERGUARD_ENOMEM, &site, "out of memory reading %s", name) : 0;
	}

	/* One JSON document, or else JSON lines. */
	doc = nesting_exceeds(data, len, limits->max_depth) ? NULL :
		json_fast_loadb(data, len, &jerr);
	if (doc) {
		ps.next_index = 1;
		classify(&ps, doc, 0, 0);
		json_decref(doc);
	} else {
		const char *p = data, *end = data + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			const char *q = p;

			while (q < stop && isspace((unsigned char)*q))
				q++;
			if (q < stop) {
				size_t index = ps.next_index++;

				parse_one(&ps, p, (size_t)(stop - p), index);
			}
			p = nl ? nl + 1 : end;
		}
		if (ps.next_index == 0) {
			error_site site = { name, 0, 0, NULL, NULL };

			free(plain);
			return error_set(err, PEERGUARD_EINPUT, &site, "%s is empty; expected JSON", name);
		}
	}
	free(plain);
	return 0;
}

void input_parser_init(input_parser *ps, input_batch *batch, const char *name, peerguard_input_kind kind,
	const peerguard_limits *limits)
{
	ps->batch = batch;
	ps->name = name;
	ps->kind = kind;
	ps->limits = limits;
	ps->next_index = 0;
}

int input_parse_document(input_parser *ps, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *doc;

	doc = json_fast_loadb(text, len, &jerr);
	if (!doc)
		return -1;
	classify(ps, doc, ps->next_index++, 0);
	json_decref(doc);
	return 0;
}

int input_parse_list_item(input_parser *ps, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *item = json_fast_loadb(text, len, &jerr);

	if (!item)
		return -1;
	classify_list_item(ps, item, ps->next_index++, 0);
	json_decref(item);
	return 0;
}

void input_skip_record(input_parser *ps)
{
	ps->next_index++;
}
