/*
 * c7n's parse_cidr and the Python ipaddress objects it builds: strict
 * networks ("10.0.0.0/8", host bits clear, prefix length, netmask or
 * hostmask), addresses, and IPv4List for lists, with c7n's override that
 * makes `network in network` mean subnet-of.
 *
 * NOTE: c7n parses a string with '/' as IPv4Network only, so every IPv6 CIDR
 * becomes None there (and two unparsable values compare equal).  Here an
 * IPv6 CIDR parses as a network, and IPv6 addresses count in an IPv4List.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/value/pyvalue.h"

static int byte_len(const value_ip *ip)
{
	return ip->version == 4 ? 4 : 16;
}

static int parse_ipv4(uint8_t out[16], const char *s, size_t len)
{
	char buf[INET_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, 16);
	/* glibc's inet_pton takes exactly four decimal octets without leading zeros, as Python 3.11 does. */
	return inet_pton(AF_INET, buf, out) == 1 ? 0 : -1;
}

static int parse_ipv6(value_ip *ip, const char *s, size_t len, int allow_scope)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *percent = memchr(s, '%', len);
	size_t addr_len = percent != NULL ? (size_t)(percent - s) : len;

	memset(ip, 0, sizeof(*ip));
	ip->version = 6;
	if (percent != NULL) {
		size_t scope_len = len - addr_len - 1;

		/* NOTE: scope ids longer than 63 bytes are rejected here but accepted by Python. */
		if (!allow_scope || scope_len == 0 || scope_len >= sizeof(ip->scope) ||
		    memchr(percent + 1, '%', scope_len) != NULL || memchr(percent + 1, '\0', scope_len) != NULL)
			return -1;
		memcpy(ip->scope, percent + 1, scope_len);
	}
	if (addr_len == 0 || addr_len >= sizeof(buf) || memchr(s, '\0', addr_len) != NULL)
		return -1;
	memcpy(buf, s, addr_len);
	buf[addr_len] = '\0';
	return inet_pton(AF_INET6, buf, ip->bytes) == 1 ? 0 : -1;
}

/* ipaddress.ip_address(s): IPv4 first, then IPv6. */
static int parse_address(value_ip *ip, const char *s, size_t len)
{
	memset(ip, 0, sizeof(*ip));
	if (parse_ipv4(ip->bytes, s, len) == 0) {
		ip->version = 4;
		return 0;
	}
	return parse_ipv6(ip, s, len, 1);
}

/* Returns the prefix length of a contiguous mask of ones from the left, or -1. */
static int mask_prefix(const uint8_t *mask, int bytes)
{
	int bit, prefix = 0, seen_zero = 0;

	for (bit = 0; bit < bytes * 8; bit++) {
		int one = (mask[bit / 8] >> (7 - bit % 8)) & 1;

		if (one && seen_zero)
			return -1;
		if (one)
			prefix++;
		else
			seen_zero = 1;
	}
	return prefix;
}

/* _make_netmask: a prefix length of ASCII digits, or for IPv4 a dotted netmask or hostmask. */
static int parse_prefix(int *prefix, const char *s, size_t len, int version)
{
	int max = version == 4 ? 32 : 128;
	uint8_t mask[16];
	size_t i;
	int p;

	if (pystr_is_digits(s, len)) {
		long value = 0;

		for (i = 0; i < len && value <= max; i++)
			value = value * 10 + (s[i] - '0');
		if (value > max)
			return -1;
		*prefix = (int)value;
		return 0;
	}
	if (version != 4 || parse_ipv4(mask, s, len) != 0)
		return -1;

	p = mask_prefix(mask, 4);
	if (p < 0) {
		for (i = 0; i < 4; i++)
			mask[i] = (uint8_t)~mask[i];
		p = mask_prefix(mask, 4);
	}
	if (p < 0)
		return -1;
	*prefix = p;
	return 0;
}

static void apply_mask(uint8_t *out, const uint8_t *addr, int prefix, int bytes, int set_host_bits)
{
	int bit;

	memcpy(out, addr, (size_t)bytes);
	for (bit = prefix; bit < bytes * 8; bit++) {
		uint8_t m = (uint8_t)(1u << (7 - bit % 8));

		if (set_host_bits)
			out[bit / 8] |= m;
		else
			out[bit / 8] &= (uint8_t)~m;
	}
}

/* IPv4Network(s) with strict=True, or IPv6Network for an IPv6 address part. */
static int parse_network(value_ip *ip, const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	size_t addr_len = (size_t)(slash - s);
	const char *mask = slash + 1;
	size_t mask_len = len - addr_len - 1;
	uint8_t masked[16];

	memset(ip, 0, sizeof(*ip));
	if (memchr(mask, '/', mask_len) != NULL)
		return -1;

	if (memchr(s, ':', addr_len) != NULL) {
		if (parse_ipv6(ip, s, addr_len, 0) != 0)
			return -1;
	} else {
		if (parse_ipv4(ip->bytes, s, addr_len) != 0)
			return -1;
		ip->version = 4;
	}
	if (parse_prefix(&ip->prefixlen, mask, mask_len, ip->version) != 0)
		return -1;

	apply_mask(masked, ip->bytes, ip->prefixlen, byte_len(ip), 0);
	if (memcmp(masked, ip->bytes, (size_t)byte_len(ip)) != 0)
		return -1;  /* ValueError: has host bits set */
	return 0;
}

static int parse_item(value_ip_item *item, const pyvalue *value);

static int parse_list(pyvalue *out, json_t *list)
{
	size_t i, n = json_array_size(list);
	value_ip_item *items = calloc(n > 0 ? n : 1, sizeof(*items));

	if (items == NULL)
		return PY_FAIL;
	for (i = 0; i < n; i++) {
		pyvalue element = pyvalue_view(json_array_get(list, i));
		int status = parse_item(&items[i], &element);

		if (status != PY_OK) {
			free(items);
			return status;
		}
	}
	pyvalue_clear(out);
	out->kind = PYVALUE_IP_LIST;
	out->ip_items = items;
	out->ip_count = n;
	return PY_OK;
}

/* parse_cidr on a list element: nested lists become IPv4Lists, which IPv4List ignores. */
static int parse_item(value_ip_item *item, const pyvalue *value)
{
	pyvalue parsed;
	int status;

	memset(&parsed, 0, sizeof(parsed));
	parsed.owned = 1;
	status = value_cidr_parse(&parsed, value);
	if (status == PY_OK) {
		item->kind = parsed.kind == PYVALUE_IP_LIST ? PYVALUE_NONE : parsed.kind;
		item->ip = parsed.ip;
	}
	pyvalue_clear(&parsed);
	return status;
}

int value_cidr_parse(pyvalue *out, const pyvalue *value)
{
	value_ip ip;
	const char *s;
	size_t len;
	int parsed;

	switch (value->kind) {
	case PYVALUE_LIST:
		return parse_list(out, value->json);
	case PYVALUE_STR:
		break;
	case PYVALUE_DICT:
	case PYVALUE_TUPLE:
		/* '/' in value works, then str(value) is never an address */
		pyvalue_set_none(out);
		return PY_OK;
	default:
		/* TypeError from "'/' not in value", raised outside c7n's try */
		return PY_RAISE;
	}

	s = pyvalue_str(value, &len);
	if (memchr(s, '/', len) != NULL)
		parsed = parse_network(&ip, s, len) == 0 ? PYVALUE_IP_NETWORK : PYVALUE_NONE;
	else
		parsed = parse_address(&ip, s, len) == 0 ? PYVALUE_IP_ADDRESS : PYVALUE_NONE;

	pyvalue_set_none(out);
	if (parsed != PYVALUE_NONE) {
		out->kind = (pyvalue_kind)parsed;
		out->ip = ip;
	}
	return PY_OK;
}

int value_ip_eq(const pyvalue *a, const pyvalue *b)
{
	if (a->kind != b->kind || a->ip.version != b->ip.version)
		return 0;
	if (memcmp(a->ip.bytes, b->ip.bytes, (size_t)byte_len(&a->ip)) != 0)
		return 0;
	if (a->kind == PYVALUE_IP_NETWORK)
		return a->ip.prefixlen == b->ip.prefixlen;
	return strcmp(a->ip.scope, b->ip.scope) == 0;
}

int value_ip_order(int *cmp, const pyvalue *a, const pyvalue *b)
{
	int c;

	if (a->ip.version != b->ip.version)
		return PY_TYPE_ERROR;  /* not of the same version */
	c = memcmp(a->ip.bytes, b->ip.bytes, (size_t)byte_len(&a->ip));
	if (c == 0 && a->kind == PYVALUE_IP_NETWORK)
		c = a->ip.prefixlen - b->ip.prefixlen;
	*cmp = c < 0 ? -1 : c > 0;
	return PY_OK;
}

/* Whether network outer holds all of inner, both of one version. */
static int network_covers(const value_ip *outer, const value_ip *inner)
{
	uint8_t masked[16];

	if (inner->prefixlen < outer->prefixlen)
		return 0;
	apply_mask(masked, inner->bytes, outer->prefixlen, byte_len(outer), 0);
	return memcmp(masked, outer->bytes, (size_t)byte_len(outer)) == 0;
}

/* c7n's IPv4Network.__contains__: None is never in, a network means supernet_of. */
static int network_contains(int *out, const value_ip *net, const pyvalue *item)
{
	value_ip as_network;

	*out = 0;
	switch (item->kind) {
	case PYVALUE_NONE:
		return PY_OK;
	case PYVALUE_IP_NETWORK:
		if (item->ip.version != net->version)
			return PY_TYPE_ERROR;  /* supernet_of: not of the same version */
		*out = network_covers(net, &item->ip);
		return PY_OK;
	case PYVALUE_IP_ADDRESS:
		if (item->ip.version != net->version)
			return PY_OK;
		as_network = item->ip;
		as_network.prefixlen = byte_len(net) * 8;
		*out = network_covers(net, &as_network);
		return PY_OK;
	default:
		/* AttributeError: the item has no _version */
		return PY_RAISE;
	}
}

/* c7n's IPv4List.__contains__: any network holding the item, or any address equal to it. */
static int list_contains(int *out, const pyvalue *list, const pyvalue *item)
{
	int in_networks = 0, in_addresses = 0;
	size_t i;

	*out = 0;
	if (item->kind == PYVALUE_NONE)
		return PY_OK;

	for (i = 0; i < list->ip_count; i++) {
		const value_ip_item *element = &list->ip_items[i];
		int hit = 0, status;

		if (element->kind != PYVALUE_IP_NETWORK)
			continue;
		status = network_contains(&hit, &element->ip, item);
		if (status != PY_OK)
			return status;
		in_networks |= hit;
	}

	for (i = 0; i < list->ip_count; i++) {
		const value_ip_item *element = &list->ip_items[i];
		pyvalue address;

		if (element->kind != PYVALUE_IP_ADDRESS)
			continue;
		memset(&address, 0, sizeof(address));
		address.kind = PYVALUE_IP_ADDRESS;
		address.ip = element->ip;
		in_addresses |= value_ip_eq(item, &address);
	}

	*out = in_networks || in_addresses;
	return PY_OK;
}

int value_ip_contains(int *out, const pyvalue *container, const pyvalue *item)
{
	if (container->kind == PYVALUE_IP_LIST)
		return list_contains(out, container, item);
	return network_contains(out, &container->ip, item);
}

/*
 * set(x) of a network is all its addresses.  Only network-with-network
 * reaches here from the cidr value_type, because parse_cidr gives both
 * sides. An address, an IPv4List or None is not iterable (TypeError).
 */
int value_ip_set_op(int *out, int difference, const pyvalue *x, const pyvalue *y)
{
	*out = 0;
	if (x->kind != PYVALUE_IP_NETWORK || y->kind != PYVALUE_IP_NETWORK)
		return PY_TYPE_ERROR;

	if (x->ip.version != y->ip.version) {
		*out = difference;
		return PY_OK;
	}
	if (difference)
		*out = !network_covers(&y->ip, &x->ip);
	else
		*out = network_covers(&y->ip, &x->ip) || network_covers(&x->ip, &y->ip);
	return PY_OK;
}
