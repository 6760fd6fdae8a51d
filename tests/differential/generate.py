"""Random policy and record cases for the differential test.

A group is a pool of describe records plus many policies, one per case,
that all run against that pool.  Values are drawn so that filters often
hit values present in the records, because a filter that never matches
tests little.  Everything is derived from one random.Random, so a seed always
gives the same cases.
"""
import copy
import datetime
import random

# The instant both engines take as "now": c7n's clock is frozen to it and
# peerguard gets it through --now.
NOW = datetime.datetime(2026, 6, 15, 12, 0, 0, tzinfo=datetime.timezone.utc)
NOW_TEXT = "2026-06-15T12:00:00Z"

OPS = ["eq", "equal", "ne", "not-equal", "gt", "greater-than", "ge", "gte", "lt", "less-than",
       "le", "lte", "in", "ni", "not-in", "contains", "regex", "regex-case", "glob", "intersect",
       "difference", "mod"]

VALUE_TYPES = ["age", "expiration", "size", "cidr", "cidr_size", "swap", "resource_count",
               "integer", "normalize", "date", "version", "expr", "unique_size", "float"]

SPECIALS = ["absent", "present", "empty", "not-null"]

STATES = ["pending-acceptance", "active", "rejected", "deleted", "provisioning", "failed", "expired"]

WORDS = ["active", "ACTIVE", " Active ", "inactive", "prod", "Prod", "dev", "vendor-a", "vendor_b",
         "a.b", "x*y", "10", " 42 ", "1.5", "-3", "0", "", "true", "None", "null", "absent",
         "café", "CAFÉ", "straße", "STRASSE", "日本", "İstanbul", "emoji-\U0001f600", "tab\there",
         "line\nbreak", "pcx-123", "peer", "peering", "Peering-Prod", "it's", "say \"hi\"", "\\d", "nbsp\u00a0"]

ACCOUNTS = ["111111111111", "222222222222", "999999999999", "012345678901"]

# Dates in every shape c7n's parse_date reads, relative to NOW, plus ones it cannot read.
def date_values(rng):
    """Return one date-like value: ISO text in several shapes, epoch numbers, or junk."""
    offset = datetime.timedelta(days=rng.choice([-4000, -400, -45, -30, -7.5, -3, -1, -0.25, 0,
                                                 0.25, 1, 3, 7.5, 29, 30, 31, 45, 400, 4000]),
                                seconds=rng.choice([0, 0, 0, 1, 59, 3600]))
    when = NOW + offset
    epoch = int(when.timestamp())
    shape = rng.randrange(16)
    if shape == 0:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if shape == 1:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % rng.randrange(1000)
    if shape == 2:
        return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if shape == 3:
        shifted = when.astimezone(datetime.timezone(datetime.timedelta(hours=rng.choice([-8, 5, 9]))))
        return shifted.isoformat()
    if shape == 4:
        return when.strftime("%Y-%m-%d")
    if shape == 5:
        return when.strftime("%Y-%m-%dT%H:%M:%S")
    if shape == 6:
        return when.strftime("%Y-%m-%d %H:%M:%S")
    if shape == 7:
        return epoch
    if shape == 8:
        return epoch * 1000 + rng.randrange(1000)
    if shape == 9:
        return str(epoch)
    if shape == 10:
        return float(epoch) + 0.5
    if shape == 11:
        return when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if shape == 12:
        return when.strftime("%d %B %Y")
    if shape == 13:
        return when.strftime("%Y/%m/%d %H:%M")
    if shape == 14:
        return rng.choice(["not a date", "", "2026-13-45", "yesterday", None, 12, "0", True, [], "T"])
    return when.strftime("%Y%m%dT%H%M%SZ")


def cidr_value(rng):
    """Return an IPv4/IPv6 network, an address, a list of them, or junk."""
    choices = ["10.0.0.0/16", "10.0.1.0/24", "10.0.1.5", "10.1.0.0/16", "172.16.0.0/12",
               "192.168.1.0/24", "192.168.1.7/32", "0.0.0.0/0", "10.0.0.0/8", "2001:db8::/32",
               "2001:db8::1", "fd00::/8", "not-an-ip", "", "10.0.0.0/33", "10.0.1.5/24"]
    if rng.random() < 0.15:
        return rng.sample(choices[:10], rng.randint(1, 3))
    return rng.choice(choices)


def version_value(rng):
    """Return a version-like value."""
    return rng.choice(["1.0", "1.9", "1.10", "1.10.0", "2.0", "2.0rc1", "2.0.1", "10.0", "1.a",
                       "v1.2", 1, 2.5, "", "3"])


def number_value(rng):
    """Return a number, a numeric string, a bool or null."""
    return rng.choice([0, 1, 2, 3, 5, 7, 10, 42, -1, -3, 0.5, 1.0, 2.5, 10.0, 1e20, True, False,
                       "5", " 7 ", "1.5", "x", "", None, 100, 1000])


def scalar_value(rng):
    """Return a scalar of any JSON type."""
    kind = rng.randrange(6)
    if kind == 0:
        return number_value(rng)
    if kind == 1:
        return rng.choice([True, False, None])
    return rng.choice(WORDS)


def list_value(rng):
    """Return a list of scalars, sometimes nested or empty."""
    kind = rng.randrange(6)
    if kind == 0:
        return []
    if kind == 1:
        return [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
    if kind == 2:
        return [number_value(rng) for _ in range(rng.randint(1, 4))]
    if kind == 3:
        return [scalar_value(rng) for _ in range(rng.randint(1, 4))]
    if kind == 4:
        return [[rng.choice(WORDS)], rng.choice(WORDS)]
    return [rng.choice(["a", "b", "c"]) for _ in range(rng.randint(2, 5))]


def list_items(rng):
    """Return a list of dicts for list-item, sometimes with a non-dict member or not a list."""
    roll = rng.random()
    if roll < 0.04:
        return rng.choice(["not-a-list", {"CidrBlock": "10.0.0.0/16"}, 5, ["x"], [{"CidrBlock": "x"}, "y"]])
    if roll < 0.12:
        return []
    items = []
    for _ in range(rng.randint(1, 4)):
        item = {}
        if rng.random() < 0.9:
            item["CidrBlock"] = cidr_value(rng) if rng.random() < 0.8 else rng.choice(WORDS)
        if rng.random() < 0.6:
            item["Port"] = rng.choice([22, 80, 443, "22", None, 0])
        if rng.random() < 0.4:
            item["Name"] = rng.choice(WORDS)
        items.append(item)
    return items


def tags_value(rng):
    """Return a Tags list, with duplicates, null and odd values."""
    roll = rng.random()
    if roll < 0.1:
        return []
    if roll < 0.13:
        return None
    tags = []
    for _ in range(rng.randint(1, 4)):
        tag = {"Key": rng.choice(["env", "Env", "owner", "Name", "team", "env ", "cost:center", "a.b"])}
        if rng.random() < 0.93:
            tag["Value"] = rng.choice(WORDS + [None, 5])
        tags.append(tag)
    return tags


def side_info(rng):
    """Return a RequesterVpcInfo or AccepterVpcInfo mapping."""
    info = {"VpcId": "vpc-%08x" % rng.randrange(1 << 32), "Region": rng.choice(["us-east-1", "eu-west-1"])}
    roll = rng.random()
    if roll < 0.85:
        info["OwnerId"] = rng.choice(ACCOUNTS)
    elif roll < 0.92:
        info["OwnerId"] = rng.choice(["", None])
    info["CidrBlock"] = cidr_value(rng)
    return info


# Record fields: each entry draws a value, or the field is left out.
FIELDS = {
    "Name": lambda rng: rng.choice(WORDS),
    "Count": number_value,
    "Flag": lambda rng: rng.choice([True, False, 0, 1, "true", None]),
    "Items": list_value,
    "Letters": lambda rng: rng.choice(["abc", "cab", "xyz", "", "aab", ["a", "b"]]),
    "Created": date_values,
    "Cidr": cidr_value,
    "Version": version_value,
    "Tags": tags_value,
    "Nested": lambda rng: {"a": {"b": scalar_value(rng)}, "x-y": rng.choice(WORDS), "list": list_value(rng)},
    "a.b": scalar_value,
    "Uni": lambda rng: rng.choice(["café", "CAFÉ", "Café", "straße", "日本語", "ß", "ǅ", "İ", "ı"]),
    "CidrBlockSet": list_items,
    "Status": lambda rng: {"Code": rng.choice(STATES), "Message": rng.choice(WORDS)},
    "Other": lambda rng: rng.choice(["Name", "Count", "Missing", "Version"]),
}

# Keys a filter may name, with the field whose values suit it (None: any value).
KEYS = [
    ("Name", "Name"), ("Count", "Count"), ("Flag", "Flag"), ("Items", "Items"),
    ("Letters", "Letters"), ("Created", "Created"), ("Cidr", "Cidr"), ("Version", "Version"),
    ("Uni", "Uni"), ("a.b", "a.b"), ("Nested.a.b", "a.b"), ('Nested."x-y"', "Name"),
    ("Nested.list", "Items"), ("Items[0]", "Name"), ("length(Items)", "Count"),
    ("Status.Code", "Status"), ("Status.Message", "Name"), ("tag:env", "Name"), ("tag:Name", "Name"),
    ("tag:cost:center", "Name"), ("tag:a.b", "Name"), ("Tags[?Key=='owner'].Value | [0]", "Name"),
    ("Tags[].Key", "Items"), ("Missing", None), ("CidrBlockSet[].CidrBlock", "Cidr"),
    ("RequesterVpcInfo.CidrBlock", "Cidr"), ("AccepterVpcInfo.OwnerId", "Account"),
    ("RequesterVpcInfo.OwnerId", "Account"), ("Tags", "Items"), ("Nested", None),
]


def make_records(rng, group):
    """Return the record pool of one group."""
    records = []
    for i in range(rng.randint(3, 9)):
        record = {"VpcPeeringConnectionId": "pcx-g%04dr%02d" % (group, i)}
        for name, make in FIELDS.items():
            if rng.random() < 0.75:
                record[name] = make(rng)
        record["RequesterVpcInfo"] = side_info(rng)
        record["AccepterVpcInfo"] = side_info(rng)
        records.append(record)
    return records


def field_samples(records, field):
    """Return the values field takes in the pool (JSON values, possibly nested)."""
    found = []
    for r in records:
        if field == "Account":
            for side in ("RequesterVpcInfo", "AccepterVpcInfo"):
                if r.get(side, {}).get("OwnerId"):
                    found.append(r[side]["OwnerId"])
        elif field == "Status" and "Status" in r:
            found.append(r["Status"]["Code"])
        elif field in r:
            found.append(r[field])
    return found


def value_for(rng, field, records):
    """Return a policy value near the values field takes in the pool."""
    samples = [v for v in field_samples(records, field) if not isinstance(v, dict)] if field else []
    roll = rng.random()
    if samples and roll < 0.45:
        v = copy.deepcopy(rng.choice(samples))
        if isinstance(v, list) and any(isinstance(x, (list, dict)) for x in v):
            v = [x for x in v if not isinstance(x, (list, dict))]
        return v
    if roll < 0.6:
        return scalar_value(rng)
    if roll < 0.7:
        return list_value(rng)
    if field == "Created":
        return date_values(rng)
    if field == "Cidr":
        return cidr_value(rng)
    if field == "Version":
        return version_value(rng)
    return rng.choice(WORDS)


REGEXES = ["act", "^act", "active$", ".*ive", "[a-z]+", "[A-Z]", "\\d+", "\\w+$", "(prod|dev)",
           "caf.", "CAFÉ", "stra(ss|ß)e", "^$", "x\\*y", "a.b", "\\s", "p(e)+r", "[0-9]{2}", "\\bpeer\\b",
           "日", "v\\d", ".", "^-?\\d+(\\.\\d+)?$", "(?i)PROD", "pcx-"]
GLOBS = ["act*", "*ive", "?ctive", "[ap]*", "[!a]*", "*", "", "a.b", "x*y", "*.*", "caf?", "peer*",
         "[0-9]*", "ACTIVE", "*-*"]


def op_value(rng, op, field, records):
    """Return a value suited to op (and sometimes not, to test the TypeError rule)."""
    if op in ("regex", "regex-case"):
        return rng.choice(REGEXES)
    if op == "glob":
        return rng.choice(GLOBS)
    if op in ("in", "ni", "not-in", "intersect", "difference"):
        if rng.random() < 0.75:
            v = [value_for(rng, field, records) for _ in range(rng.randint(1, 4))]
            return [x for x in v if not isinstance(x, (dict, list))] or ["a"]
        return rng.choice(["active", "abc", "prod,dev", "", "a"])
    if op == "mod":
        return rng.choice([2, 3, 5, 10, 1.5, -2, 7])
    return value_for(rng, field, records)


def value_filter(rng, records, allow_count=True):
    """Return one type: value filter."""
    key, field = rng.choice(KEYS)
    f = {"type": "value", "key": key}
    op = rng.choice(OPS) if rng.random() < 0.85 else None
    vtype = rng.choice(VALUE_TYPES) if rng.random() < 0.45 else None
    if vtype == "resource_count" and not allow_count:
        vtype = None

    if vtype in ("age", "expiration"):
        f["key"] = rng.choice(["Created", "Created", "Missing", "Name", "Count"])
        value = rng.choice([0, 1, 3, 7, 7.5, 29.5, 30, 45, 365, -1, -30])
        op = op if op in ("gt", "ge", "lt", "le", "gte", "lte", "eq", "ne", "greater-than", "less-than") else \
            rng.choice(["gt", "lt", "ge", "le", "ne"])
    elif vtype == "date":
        f["key"] = rng.choice(["Created", "Created", "Missing", "Name"])
        value = date_values(rng)
        if not isinstance(value, str) or rng.random() < 0.3:
            value = (NOW + datetime.timedelta(days=rng.choice([-30, 0, 30]))).strftime("%Y-%m-%dT%H:%M:%SZ")
        op = op if op and op not in ("regex", "regex-case", "glob") else rng.choice(["gt", "lt", "eq", "ne"])
    elif vtype in ("size", "unique_size"):
        value = rng.choice([0, 1, 2, 3, 5])
        op = op if op not in ("regex", "regex-case", "glob") else "eq"
    elif vtype == "cidr":
        f["key"] = rng.choice(["Cidr", "Cidr", "RequesterVpcInfo.CidrBlock", "Name", "CidrBlockSet[].CidrBlock"])
        value = cidr_value(rng)
        op = op if op in ("in", "ni", "not-in", "eq", "ne", "contains") else rng.choice(["in", "eq", "ne", "not-in"])
    elif vtype == "cidr_size":
        f["key"] = rng.choice(["Cidr", "RequesterVpcInfo.CidrBlock", "Name"])
        value = rng.choice([0, 8, 16, 24, 32])
        op = op if op in ("eq", "ne", "gt", "lt", "ge", "le") else "gt"
    elif vtype == "resource_count":
        f.pop("key")
        value = rng.choice([0, 1, 2, 3, 5, 10])
        op = op if op not in ("regex", "regex-case", "glob", None) else "gte"
    elif vtype == "version":
        f["key"] = rng.choice(["Version", "Version", "Name"])
        value = version_value(rng)
        op = op if op not in ("regex", "regex-case", "glob") else "gt"
    elif vtype == "expr":
        value = rng.choice(["Name", "Count", "Items", "Nested.a.b", "Missing", "Uni", "tag:env"])
    elif vtype in ("integer", "float"):
        value = rng.choice([0, 1, 5, 7, 42, -3, 1.5, "5"])
    elif vtype == "normalize":
        value = rng.choice(["active", "ACTIVE", "café", "prod", "straße", ""])
    else:
        value = op_value(rng, op, field, records)

    if rng.random() < 0.07:
        value = rng.choice(SPECIALS)
    if op:
        f["op"] = op
    if vtype:
        f["value_type"] = vtype
    if rng.random() < 0.05 and vtype not in ("resource_count",):
        f["value_regex"] = rng.choice(["^(\\w+)", "(\\d+)", "^pcx-(.*)$", "(?:x)?([a-z]+)-", "([A-Z])"])
    if rng.random() < 0.04 and vtype not in ("resource_count", "date", "age", "expiration", "expr"):
        f["value_path"] = rng.choice(["Name", "Nested.a.b", "Items", "Tags[0].Value", "Missing", "a.b"])
    else:
        f["value"] = value
    return f


def shorthand_filter(rng, records):
    """Return a {KEY: VALUE} filter."""
    key, field = rng.choice(KEYS)
    value = value_for(rng, field, records)
    if isinstance(value, list):
        value = [] if rng.random() < 0.5 else rng.choice(WORDS)
    if rng.random() < 0.15:
        value = rng.choice(SPECIALS)
    return {key: value}


def list_item_filter(rng, records, depth):
    """Return a list-item filter over CidrBlockSet or Tags."""
    f = {"type": "list-item", "key": rng.choice(["CidrBlockSet", "CidrBlockSet", "Tags", "Missing", "Name"])}
    attrs = []
    for _ in range(rng.randint(0, 2)):
        roll = rng.random()
        if roll < 0.4:
            attrs.append({"type": "value", "key": rng.choice(["CidrBlock", "Port", "Name", "Key", "Value"]),
                          "op": rng.choice(["eq", "ne", "in", "regex", "glob"]),
                          "value": rng.choice(["10.0.0.0/16", "10.0.1.5", 22, "22", "env", "active", "10.*"])})
            if attrs[-1]["op"] in ("regex",):
                attrs[-1]["value"] = rng.choice(["10\\.", "env", "a"])
            if attrs[-1]["op"] == "in":
                attrs[-1]["value"] = [attrs[-1]["value"]]
        elif roll < 0.6:
            attrs.append({"type": "value", "key": "CidrBlock", "value_type": "cidr", "op": "in",
                          "value": rng.choice(["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"])})
        elif roll < 0.75:
            attrs.append({rng.choice(["Port", "Name", "Key"]): rng.choice([22, "env", "absent", "present"])})
        elif roll < 0.85 and depth < 2:
            attrs.append({rng.choice(["or", "not"]): [value_filter(rng, records) for _ in range(rng.randint(1, 2))]})
        elif roll < 0.9 and not any(scrambles_order(a) for a in attrs):
            attrs.append({"type": "reduce", "sort-by": rng.choice(["CidrBlock", "Port", "Name"]),
                          "order": rng.choice(["asc", "desc"]), "limit": rng.choice([1, 2])})
        else:
            attrs.append({"type": "value", "value_type": "resource_count", "op": rng.choice(["gte", "eq", "lt"]),
                          "value": rng.choice([1, 2, 3])})
    if attrs or rng.random() < 0.5:
        f["attrs"] = attrs
    if rng.random() < 0.4:
        f["count"] = rng.choice([0, 1, 2])
        if rng.random() < 0.6:
            f["count_op"] = rng.choice(["eq", "gte", "lt", "ne", "gt"])
    return f


def reduce_filter(rng):
    """Return a reduce filter with a deterministic order."""
    f = {"type": "reduce"}
    sort_keys = ["Name", "Count", "Created", "Version", "Missing", "tag:env", "Status.Code", "Flag", "Items",
                 "Nested", "Uni"]
    if rng.random() < 0.6:
        g = rng.choice(sort_keys)
        f["group-by"] = g if rng.random() < 0.7 else {"key": g, "value_type": rng.choice(["string", "number", "date"])}
    if rng.random() < 0.7:
        s = rng.choice(sort_keys)
        if rng.random() < 0.5:
            s = {"key": s, "value_type": rng.choice(["string", "number", "date"])}
            if rng.random() < 0.2:
                s["value_regex"] = rng.choice(["(\\d+)", "^(\\w)"])
        f["sort-by"] = s
    if rng.random() < 0.7:
        f["order"] = rng.choice(["asc", "desc", "reverse"])
    if rng.random() < 0.4:
        f["null-order"] = rng.choice(["first", "last"])
    for name, choices in (("limit", [0, 1, 2, 3]), ("limit-percent", [0, 10, 50, 75.5, 100]),
                          ("discard", [0, 1, 2]), ("discard-percent", [0, 25, 50, 99])):
        if rng.random() < 0.3:
            f[name] = rng.choice(choices)
    return f


def cross_account_filter(rng):
    """Return a cross-account filter."""
    f = {"type": "cross-account"}
    if rng.random() < 0.6:
        f["whitelist"] = rng.sample(ACCOUNTS[1:], rng.randint(0, 2))
    if rng.random() < 0.1:
        return "cross-account"
    return f


def scrambles_order(f):
    """Return True when c7n returns f's result in set order (or, not), which varies between runs."""
    if isinstance(f, dict) and len(f) == 1:
        block = next(iter(f))
        if block in ("or", "not"):
            return True
        if block == "and":
            return any(scrambles_order(child) for child in f["and"])
    return False


def filter_sequence(rng, records, depth, features, count, ordered=True):
    """Return count filters applied in turn.

    A reduce filter depends on the order of its input, so it is only drawn while no
    earlier filter of the sequence returned its result in set order.
    """
    filters = []
    for _ in range(count):
        f = any_filter(rng, records, depth, features, ordered)
        ordered = ordered and not scrambles_order(f)
        filters.append(f)
    return filters


def any_filter(rng, records, depth, features, ordered=True):
    """Return one filter of any kind; blocks nest up to depth 2."""
    roll = rng.random()
    if depth < 2 and roll < 0.18:
        block = rng.choice(["and", "or", "not"])
        children = filter_sequence(rng, records, depth + 1, features, rng.randint(1, 3), ordered)
        if block == "or":
            children = [any_filter(rng, records, depth + 1, features, ordered) for _ in range(rng.randint(1, 3))]
        return {block: children}
    if roll < 0.3:
        return shorthand_filter(rng, records)
    if "list-item" in features and roll < 0.36:
        return list_item_filter(rng, records, depth)
    if "reduce" in features and ordered and roll < 0.41:
        return reduce_filter(rng)
    if "cross-account" in features and roll < 0.44:
        return cross_account_filter(rng)
    return value_filter(rng, records)


def make_policy(rng, name, records, features):
    """Return one policy (a dict) whose filters were drawn for records."""
    filters = filter_sequence(rng, records, 0, features, rng.choice([1, 1, 1, 2, 2, 3]))
    return {"name": name, "resource": rng.choice(["peering-connection", "aws.peering-connection"]),
            "filters": filters}


def fixed_filters():
    """Return (name, filters) cases on loading and variables that random values rarely hit."""
    return [
        ("unquoted-account", [{"type": "value", "key": "RequesterVpcInfo.OwnerId", "op": "ne",
                               "value": 222222222222}]),
        ("account-id-variable", [{"type": "value", "key": "AccepterVpcInfo.OwnerId", "value": "{account_id}"}]),
        ("region-variable", [{"type": "value", "key": "RequesterVpcInfo.Region", "value": "{region}"}]),
        ("escaped-braces", [{"type": "value", "key": "Name", "op": "ne", "value": "{{literal}}"}]),
        ("unbalanced-brace", [{"type": "value", "key": "Name", "op": "regex", "value": "^pcx-}"}]),
        ("regex-repeat-braces", [{"type": "value", "key": "Name", "op": "regex", "value": "^[a-z]{2,5}$"}]),
        ("mapping-value", [{"type": "value", "key": "Name", "value": {"a": 1}}]),
        ("tag-key-transforms", [{"type": "value", "key": "tag:env", "value": "prod",
                                 "tag_key_transforms": ["lower"]}]),
        ("key-syntax-error", [{"type": "value", "key": "Status.[", "value": "active"}]),
        ("missing-route", ["missing-route"]),
        ("event-in-pull-mode", [{"type": "event", "key": "detail.eventName", "value": "x"}]),
        ("resource-count-no-op", [{"type": "value", "value_type": "resource_count", "value": 1}]),
        ("value-regex-two-groups", [{"type": "value", "key": "Name", "value_regex": "(a)(b)", "value": "a"}]),
        ("bad-regex", [{"type": "value", "key": "Name", "op": "regex", "value": "("}]),
        ("date-value-special", [{"type": "value", "key": "Created", "value_type": "date", "value": "present"}]),
        ("reduce-fraction-limit", [{"type": "reduce", "sort-by": "Name", "limit": 1.5}]),
        ("reduce-unknown-sort-type", [{"type": "reduce", "sort-by": {"key": "Name", "value_type": "text"},
                                       "limit": 1}]),
        ("reduce-randomize", [{"type": "reduce", "order": "randomize", "limit": 1}]),
        ("list-item-nested", [{"type": "list-item", "key": "CidrBlockSet",
                               "attrs": [{"type": "list-item", "key": "x"}]}]),
        ("mod-zero", [{"type": "value", "key": "Count", "op": "mod", "value": 0}]),
    ]


def make_groups(seed, n_cases, per_group=25, features=("list-item", "reduce", "cross-account")):
    """Return [(records, [policy, ...])] holding n_cases random policies in all, plus the fixed ones in group 0."""
    rng = random.Random(seed)
    groups = []
    made = 0
    g = 0
    while made < n_cases:
        records = make_records(rng, g)
        count = min(per_group, n_cases - made)
        policies = [make_policy(rng, "c%05d" % (made + i), records, features) for i in range(count)]
        if g == 0:
            policies += [{"name": "fixed-" + name, "resource": "peering-connection", "filters": filters}
                         for name, filters in fixed_filters()]
            # c7n's name pattern ^[A-z][A-z0-9]*(-[A-z0-9]+)*$ admits a one-letter first part.
            policies.append({"name": "x-one-letter-name", "resource": "peering-connection",
                             "filters": [{"Name": "present"}]})
        groups.append((records, policies))
        made += count
        g += 1
    return groups
