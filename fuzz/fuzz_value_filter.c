/*
 * Value filters with random settings: the first bytes choose the op, the
 * value_type, the key and the shape of the filter, and the rest (split at
 * NUL bytes) give the value.  The policy built from them is loaded and, if
 * it loads, evaluated on fixed describe records, so that every op and
 * value_type meets strings, numbers, lists, dates, CIDRs and missing keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peerguard/peerguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ops[] = {
	"eq", "ne", "gt", "ge", "lt", "le", "in", "not-in", "ni", "contains", "regex", "regex-case",
	"glob", "intersect", "difference", "mod", "equal", "not-equal", "greater-than", "gte", "lte",
	"less-than", "not-null"
};

static const char *const value_types[] = {
	"age", "expiration", "size", "cidr", "cidr_size", "swap", "resource_count", "integer", "float",
	"normalize", "date", "version", "expr", "unique_size"
};

static const char *const keys[] = {
	"VpcPeeringConnectionId", "Status.Code", "Status.Message", "ExpirationTime",
	"RequesterVpcInfo.CidrBlock", "RequesterVpcInfo.CidrBlockSet[].CidrBlock",
	"RequesterVpcInfo.Ipv6CidrBlockSet", "AccepterVpcInfo.OwnerId", "AccepterVpcInfo.Region",
	"AccepterVpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc", "Tags", "Tags[].Key",
	"Name", "Owner", "Missing", "Numbers", "Numbers[0]", "Float", "Version", "Epoch", "EpochMillis",
	"Empty", "EmptyList", "Null", "Nested.a.b", "length(Tags)", "Weird", "Big"
};

/* Values that have a meaning of their own in Cloud Custodian's value filter. */
static const char *const special_values[] = {
	"absent", "present", "not-null", "empty", "null", "true", "[]", "{account_id}", "\"{region}\"",
	"[2, 0]", "[0, 0]", "[-3, 1]", "0", "-1", "1e400", "99999999999999999999999", ".nan", ".inf",
	"10.0.0.0/8", "'::/0'", "'2026-01-15'", "'2026-01-15T12:00:00Z'", "1768478400", "'1.2.3'"
};

static const char records[] =
	"[{\"VpcPeeringConnectionId\": \"pcx-1\","
	" \"Status\": {\"Code\": \"pending-acceptance\", \"Message\": \"Pending Acceptance by 999999999999\"},"
	" \"ExpirationTime\": \"2026-01-22T12:00:00.000Z\","
	" \"RequesterVpcInfo\": {\"OwnerId\": \"111111111111\", \"VpcId\": \"vpc-1\", \"Region\": \"us-east-1\","
	"   \"CidrBlock\": \"10.1.0.0/16\", \"CidrBlockSet\": [{\"CidrBlock\": \"10.1.0.0/16\"}, {\"CidrBlock\": \"172.16.0.0/12\"}],"
	"   \"Ipv6CidrBlockSet\": [{\"Ipv6CidrBlock\": \"2600:1f18::/56\"}]},"
	" \"AccepterVpcInfo\": {\"OwnerId\": \"999999999999\", \"VpcId\": \"vpc-2\", \"Region\": \"eu-west-1\","
	"   \"PeeringOptions\": {\"AllowDnsResolutionFromRemoteVpc\": false}},"
	" \"Tags\": [{\"Key\": \"Name\", \"Value\": \"Prod Link\"}, {\"Key\": \"Owner\", \"Value\": \"\"}],"
	" \"Numbers\": [3, 1.5, -2], \"Float\": 2.5, \"Version\": \"1.10.2-rc1\", \"Epoch\": 1768478400,"
	" \"EpochMillis\": 1768478400000, \"Empty\": \"\", \"EmptyList\": [], \"Null\": null,"
	" \"Nested\": {\"a\": {\"b\": [\"x\", {\"c\": 1}]}}, \"Weird\": \"\\u0001\\u00e9\\ud83d\\ude00\","
	" \"Big\": 9223372036854775807},"
	" {\"VpcPeeringConnectionId\": \"pcx-2\", \"Status\": {\"Code\": \"active\"},"
	" \"ExpirationTime\": 1768478400, \"RequesterVpcInfo\": {\"OwnerId\": 111111111111, \"CidrBlock\": \"not-a-cidr\"},"
	" \"AccepterVpcInfo\": {\"OwnerId\": \"222222222222\"}, \"Tags\": \"not-a-list\", \"Numbers\": \"3\","
	" \"Float\": \"2.5\", \"Version\": 7, \"Epoch\": \"garbage\", \"Big\": -1e308}]";

typedef struct text {
	char *data;
	size_t len;
	size_t cap;
} text;

static void put(text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *d = realloc(t->data, cap);

		if (!d)
			abort();
		t->data = d;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void puts_text(text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Writes bytes as a YAML double-quoted scalar, escaping all that is not printable ASCII. */
static void put_quoted(text *t, const uint8_t *s, size_t n)
{
	put(t, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char esc[8];

		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			put(t, esc, 2);
		} else if (s[i] < 0x20 || s[i] >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			put(t, esc, 4);
		} else {
			put(t, (const char *)&s[i], 1);
		}
	}
	put(t, "\"", 1);
}

/* Writes bytes as a plain scalar, keeping only characters that cannot end or start a YAML construct. */
static void put_plain(text *t, const uint8_t *s, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		char c = (char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (kept > 0 && strchr("._/+-:", c))) {
			put(t, &c, 1);
			kept++;
		}
	}
	if (!kept)
		put(t, "x", 1);
}

/* Splits data at NUL bytes; returns the number of pieces (at most max). */
static size_t split(const uint8_t *data, size_t size, const uint8_t **piece, size_t *len, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= size && n < max; i++) {
		if (i == size || data[i] == '\0') {
			piece[n] = data + start;
			len[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static void put_value(text *t, unsigned int form, const uint8_t *const *piece, const size_t *len, size_t n,
	unsigned int pick)
{
	switch (form) {
	case 0:
		put_plain(t, piece[0], len[0]);
		break;
	case 1:
		put_quoted(t, piece[0], len[0]);
		break;
	case 2:
		put(t, "[", 1);
		for (size_t i = 0; i < n; i++) {
			if (i)
				put(t, ", ", 2);
			if (len[i] && piece[i][0] >= '0' && piece[i][0] <= '9')
				put_plain(t, piece[i], len[i]);
			else
				put_quoted(t, piece[i], len[i]);
		}
		put(t, "]", 1);
		break;
	default:
		puts_text(t, special_values[pick % (sizeof(special_values) / sizeof(*special_values))]);
		break;
	}
}

static void evaluate(peerguard_policy_set *set)
{
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;

	ctx.account_id = "111111111111";
	ctx.region = "us-east-1";
	ctx.now = 1768478400.0;
	ctx.flags = PEERGUARD_EXPLAIN;
	if (peerguard_evaluate_resources(&result, set, &ctx, records, sizeof(records) - 1, NULL) < 0)
		abort();
	for (size_t i = 0; i < peerguard_result_count(result); i++) {
		char *json = NULL;

		if (peerguard_decision_to_json(&json, peerguard_result_get(result, i), 0) == 0)
			peerguard_free(json);
	}
	peerguard_result_free(result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t n_ops = sizeof(ops) / sizeof(*ops);
	const size_t n_types = sizeof(value_types) / sizeof(*value_types);
	const size_t n_keys = sizeof(keys) / sizeof(*keys);
	const uint8_t *piece[8];
	size_t len[8], n;
	unsigned int op, type, key, flags;
	peerguard_policy_set *set = NULL;
	peerguard_error err;
	text t = { NULL, 0, 0 };

	if (size < 4)
		return 0;
	op = data[0] % (n_ops + 1);
	type = data[1] % (n_types + 1);
	key = data[2] % n_keys;
	flags = data[3];
	n = split(data + 4, size - 4, piece, len, 8);

	puts_text(&t, "policies:\n  - name: fuzz\n    resource: peering-connection\n    filters:\n");
	if (flags & 0x04)
		puts_text(&t, "      - not:\n");
	else if (flags & 0x08)
		puts_text(&t, "      - or:\n        - cross-account\n");
	else
		puts_text(&t, "      - and:\n");
	puts_text(&t, "        - type: value\n          key: ");
	if (flags & 0x80) {
		puts_text(&t, "\"tag:");
		puts_text(&t, keys[key]);
		puts_text(&t, "\"");
	} else {
		puts_text(&t, keys[key]);
	}
	puts_text(&t, "\n");
	if (op < n_ops) {
		puts_text(&t, "          op: ");
		puts_text(&t, ops[op]);
		puts_text(&t, "\n");
	}
	if (type > 0) {
		puts_text(&t, "          value_type: ");
		puts_text(&t, value_types[type - 1]);
		puts_text(&t, "\n");
	}
	if (flags & 0x10) {
		puts_text(&t, "          value_regex: ");
		put_quoted(&t, piece[n - 1], len[n - 1]);
		puts_text(&t, "\n");
	}
	if (flags & 0x20) {
		puts_text(&t, "          value_path: ");
		puts_text(&t, keys[(key + flags) % n_keys]);
	} else {
		puts_text(&t, "          value: ");
		put_value(&t, flags & 0x03, piece, len, n, data[2] ^ data[0]);
	}
	puts_text(&t, "\n");

	if (peerguard_policy_set_load_string(&set, t.data, t.len, "fuzz.yml", NULL, &err) == 0) {
		evaluate(set);
		peerguard_policy_set_free(set);
	} else if (err.message[0] == '\0') {
		abort();
	}
	free(t.data);
	return 0;
}
