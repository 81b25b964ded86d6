#include <exsdk/prometheus.hpp>

#include <charconv>
#include <cmath>

namespace exsdk {

namespace {

const char* type_name(prometheus_writer::type t) {
    switch (t) {
    case prometheus_writer::type::counter: return "counter";
    case prometheus_writer::type::gauge: return "gauge";
    case prometheus_writer::type::histogram: return "histogram";
    }
    return "untyped";
}

void append_label_name(std::string& out, std::string_view name) {
    if (name.empty()) {
        out += '_';
        return;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        out += ok ? c : '_';
    }
}

void append_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }
}

void append_help(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

} // namespace

void prometheus_writer::family(std::string_view name, type t, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ");
    append_help(out_, help);
    out_.append("\n# TYPE ").append(name).append(" ").append(type_name(t)).append("\n");
}

void prometheus_writer::labels_text(const metric_labels& labels, std::string_view extra_name,
                                    std::string_view extra_value) {
    if (labels.empty() && extra_name.empty()) {
        return;
    }
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        out_ += first ? "" : ",";
        first = false;
        append_label_name(out_, k);
        out_ += "=\"";
        append_label_value(out_, v);
        out_ += '"';
    }
    if (!extra_name.empty()) {
        out_ += first ? "" : ",";
        out_.append(extra_name).append("=\"");
        append_label_value(out_, extra_value);
        out_ += '"';
    }
    out_ += '}';
}

void prometheus_writer::sample(std::string_view name, const metric_labels& labels, double value) {
    out_.append(name);
    labels_text(labels);
    out_ += ' ';
    append_number(out_, value);
    out_ += '\n';
}

void prometheus_writer::sample(std::string_view name, const metric_labels& labels,
                               std::uint64_t value) {
    out_.append(name);
    labels_text(labels);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
}

void prometheus_writer::histogram(std::string_view name, const metric_labels& labels,
                                  const histogram_snapshot& h) {
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds_seconds.size(); ++i) {
        cumulative += i < h.bucket_counts.size() ? h.bucket_counts[i] : 0;
        std::string le;
        append_number(le, h.bounds_seconds[i]);
        out_.append(bucket);
        labels_text(labels, "le", le);
        out_ += ' ';
        out_ += std::to_string(cumulative);
        out_ += '\n';
    }
    out_.append(bucket);
    labels_text(labels, "le", "+Inf");
    out_ += ' ';
    out_ += std::to_string(h.count);
    out_ += '\n';
    sample(std::string(name) + "_sum", labels, h.sum_seconds);
    sample(std::string(name) + "_count", labels, h.count);
}

} // namespace exsdk
