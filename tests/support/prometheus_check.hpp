// Runs tests/support/prometheus_check.py (Prometheus' reference text parser from Debian's
// python3-prometheus-client, installed by scripts/bootstrap, plus stricter checks) on a text.
#pragma once

#include <string>
#include <string_view>

namespace exsdk::test {

struct prometheus_verdict {
    bool ok = false;
    std::string output; ///< one line per family ("name type samples"), or the problem
};

/// Checks `text` with the reference parser (/usr/bin/python3, the interpreter Debian's package
/// installs into). Never skips: a missing parser is a failure that says so.
prometheus_verdict check_prometheus_text(std::string_view text);

} // namespace exsdk::test
