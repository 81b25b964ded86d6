#!/usr/bin/python3
"""Checks a Prometheus text exposition (file argument, or stdin) with the reference parser.

prometheus_client's text parser (Debian's python3-prometheus-client) must accept it; on top,
stricter rules that parser does not enforce: every family has # HELP and # TYPE once, before its
samples; no sample appears twice; histogram buckets are cumulative, end with le="+Inf" equal to
_count, and come with _sum. Prints one line per family ("name type samples") and exits 0, or
prints the problem and exits 1.
"""
import math
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def fail(message):
    print("prometheus_check: " + message)
    sys.exit(1)


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    if text and not text.endswith("\n"):
        fail("the text does not end with a newline")
    helps, types, seen_samples, order = {}, {}, set(), []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not NAME.match(parts[2]):
                fail("line %d: malformed comment: %r" % (number, line))
            table = helps if parts[1] == "HELP" else types
            if parts[2] in table:
                fail("line %d: second # %s for %s" % (number, parts[1], parts[2]))
            table[parts[2]] = parts[3]
            if parts[1] == "TYPE":
                order.append(parts[2])
            continue
        if line.startswith("#"):
            continue
        if line in seen_samples:
            fail("line %d: duplicate sample %r" % (number, line))
        seen_samples.add(line)
    for name in types:
        if name not in helps:
            fail("family %s has no # HELP" % name)
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the reference parser's verdict
        fail("rejected by prometheus_client: %s" % e)
    keys = set()
    for family in families:
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in keys:
                fail("sample %s%s appears twice" % key)
            keys.add(key)
            if math.isnan(s.value):
                fail("sample %s is NaN" % s.name)
        if family.type == "histogram":
            series = {}
            for s in family.samples:
                labels = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                entry = series.setdefault(labels, {"buckets": [], "count": None, "sum": None})
                if s.name.endswith("_bucket"):
                    entry["buckets"].append((float(s.labels["le"]), s.value))
                elif s.name.endswith("_count"):
                    entry["count"] = s.value
                elif s.name.endswith("_sum"):
                    entry["sum"] = s.value
            for labels, entry in series.items():
                buckets = entry["buckets"]
                if not buckets or buckets[-1][0] != math.inf:
                    fail("%s%s: no le=\"+Inf\" bucket last" % (family.name, labels))
                for (le_a, n_a), (le_b, n_b) in zip(buckets, buckets[1:]):
                    if le_b <= le_a or n_b < n_a:
                        fail("%s%s: buckets not cumulative at le=%s" % (family.name, labels, le_b))
                if entry["count"] != buckets[-1][1] or entry["sum"] is None:
                    fail("%s%s: _count/_sum missing or +Inf != _count" % (family.name, labels))
        print("%s %s %d" % (family.name, family.type, len(family.samples)))
    if len(families) != len(types):
        fail("%d families parsed, %d # TYPE lines" % (len(families), len(types)))


if __name__ == "__main__":
    main()
