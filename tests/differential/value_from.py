"""value_from and whitelist_from cases, run through c7n's ValuesFrom and libpeerguard.

Each case writes one source file, builds one policy that reads it, and
runs both engines on the same records.  The files cover json with and
without expr, csv with and without a column number or expr, csv2dict and
txt.  They include the shapes that trip readers: a header row, blank
lines, CRLF, quoted commas, numbers where account ids are expected, and
expressions that select nothing.
"""
import os

RECORDS = [
    {"VpcPeeringConnectionId": "pcx-vf0", "Name": "alpha", "Count": 5,
     "AccepterVpcInfo": {"OwnerId": "111111111111"}, "RequesterVpcInfo": {"OwnerId": "222222222222"}},
    {"VpcPeeringConnectionId": "pcx-vf1", "Name": "beta", "Count": "5",
     "AccepterVpcInfo": {"OwnerId": "111111111111"}, "RequesterVpcInfo": {"OwnerId": "333333333333"}},
    {"VpcPeeringConnectionId": "pcx-vf2", "Name": "gamma delta", "Count": 7,
     "AccepterVpcInfo": {"OwnerId": "444444444444"}, "RequesterVpcInfo": {"OwnerId": "111111111111"}},
    {"VpcPeeringConnectionId": "pcx-vf3", "Name": "", "Count": None,
     "AccepterVpcInfo": {"OwnerId": "111111111111"}, "RequesterVpcInfo": {"OwnerId": "012345678901"}},
    {"VpcPeeringConnectionId": "pcx-vf4", "Name": "Alpha",
     "AccepterVpcInfo": {"OwnerId": "111111111111"}, "RequesterVpcInfo": {"OwnerId": "111111111111"}},
]

ACCOUNTS_JSON = '{"trusted": [{"id": "222222222222", "name": "vendor"}, {"id": "333333333333"}], "count": 2}'

# (name, file name, file contents, source settings other than url, filter settings)
CASES = [
    ("json-list", "names.json", '["alpha", "beta"]', {}, {"key": "Name", "op": "in"}),
    ("json-list-not-in", "names.json", '["alpha", "beta"]', {}, {"key": "Name", "op": "not-in"}),
    ("json-expr-list", "accounts.json", ACCOUNTS_JSON, {"expr": "trusted[].id"},
     {"key": "RequesterVpcInfo.OwnerId", "op": "in"}),
    ("json-expr-string", "accounts.json", ACCOUNTS_JSON, {"expr": "trusted[0].id"},
     {"key": "RequesterVpcInfo.OwnerId", "op": "in"}),
    ("json-expr-substring", "accounts.json", '{"first": "alphabet"}', {"expr": "first"},
     {"key": "Name", "op": "in"}),
    ("json-expr-number", "accounts.json", ACCOUNTS_JSON, {"expr": "count"}, {"key": "Count", "op": "eq"}),
    ("json-expr-nothing", "accounts.json", ACCOUNTS_JSON, {"expr": "missing[].id"},
     {"key": "RequesterVpcInfo.OwnerId", "op": "not-in"}),
    ("json-numbers", "numbers.json", "[5, 7.0, true]", {}, {"key": "Count", "op": "in"}),
    ("json-dict-no-expr", "accounts.json", ACCOUNTS_JSON, {}, {"key": "Name", "op": "in"}),
    ("json-format-given", "names.data", '["alpha"]', {"format": "json"}, {"key": "Name", "op": "in"}),
    ("csv-all-cells", "names.csv", "alpha,beta\ngamma delta,x\n", {}, {"key": "Name", "op": "in"}),
    ("csv-column-1", "names.csv", "id,name\n1,alpha\n2,beta\n", {"expr": 1}, {"key": "Name", "op": "in"}),
    ("csv-column-0-accounts", "accounts.csv", "222222222222,vendor\n012345678901,other\n", {"expr": 0},
     {"key": "RequesterVpcInfo.OwnerId", "op": "not-in"}),
    ("csv-quoted-comma", "names.csv", '"gamma delta",beta\n"alpha, beta",x\n', {"expr": 0},
     {"key": "Name", "op": "in"}),
    ("csv-crlf", "names.csv", "alpha\r\nbeta\r\n", {"expr": 0}, {"key": "Name", "op": "in"}),
    ("csv-expr-rows", "names.csv", "alpha,1\nbeta,2\n", {"expr": "[*][0]"}, {"key": "Name", "op": "in"}),
    ("csv-blank-line", "names.csv", "alpha\n\nbeta\n", {"expr": 0}, {"key": "Name", "op": "in"}),
    ("csv2dict-column", "accounts.csv", "account,name\n222222222222,vendor\n333333333333,partner\n",
     {"format": "csv2dict", "expr": "account"}, {"key": "RequesterVpcInfo.OwnerId", "op": "in"}),
    ("csv2dict-all", "accounts.csv", "account,name\n222222222222,alpha\n",
     {"format": "csv2dict"}, {"key": "Name", "op": "in"}),
    ("csv2dict-header-only", "accounts.csv", "222222222222,333333333333\n",
     {"format": "csv2dict"}, {"key": "RequesterVpcInfo.OwnerId", "op": "not-in"}),
    ("csv2dict-blank-line", "accounts.csv", "account\n222222222222\n\n333333333333\n",
     {"format": "csv2dict", "expr": "account"}, {"key": "RequesterVpcInfo.OwnerId", "op": "not-in"}),
    ("txt", "names.txt", "alpha\n  beta  \n", {}, {"key": "Name", "op": "in"}),
    ("txt-blank-line", "names.txt", "alpha\n\nbeta\n", {}, {"key": "Name", "op": "not-in"}),
    ("txt-no-newline", "names.txt", "gamma delta", {}, {"key": "Name", "op": "in"}),
    ("txt-unicode", "names.txt", "alpha\ncafé\n", {}, {"key": "Name", "op": "intersect"}),
    ("txt-format-given", "names.list", "alpha\n", {"format": "txt"}, {"key": "Name", "op": "in"}),
    ("txt-empty", "names.txt", "", {}, {"key": "Name", "op": "not-in"}),
]

# (name, file name, contents, source settings): whitelist_from of a cross-account filter.
WHITELIST_CASES = [
    ("whitelist-json", "accounts.json", ACCOUNTS_JSON, {"expr": "trusted[].id"}),
    ("whitelist-csv-column", "accounts.csv", "222222222222,vendor\n333333333333,partner\n", {"expr": 0}),
    ("whitelist-csv2dict", "accounts.csv", "account\n222222222222\n333333333333\n",
     {"format": "csv2dict", "expr": "account"}),
    ("whitelist-txt", "accounts.txt", "222222222222\n333333333333\n444444444444\n", {}),
    ("whitelist-txt-leading-zero", "accounts.txt", "012345678901\n", {}),
]


def build(workdir):
    """Write the source files under workdir; return [(name, policy)] for every case."""
    built = []
    for i, (name, file_name, contents, source, settings) in enumerate(CASES):
        path = write_source(workdir, i, file_name, contents)
        value_from = dict(source, url="file://" + path)
        f = dict(settings, type="value", value_from=value_from)
        built.append((name, {"name": "vf-" + name, "resource": "peering-connection", "filters": [f]}))
    for i, (name, file_name, contents, source) in enumerate(WHITELIST_CASES):
        path = write_source(workdir, 100 + i, file_name, contents)
        f = {"type": "cross-account", "whitelist_from": dict(source, url="file://" + path)}
        built.append((name, {"name": "vf-" + name, "resource": "peering-connection", "filters": [f]}))
    return built


def write_source(workdir, i, file_name, contents):
    folder = os.path.join(workdir, "source%03d" % i)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(contents)
    return path
