#include <exsdk/log.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace exsdk {

const char* to_string(log_level l) noexcept {
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::off: return "off";
    }
    return "?";
}

const log_field* log_event::find(std::string_view field_name) const noexcept {
    for (const auto& f : fields) {
        if (f.name == field_name) {
            return &f;
        }
    }
    return nullptr;
}

namespace {

bool needs_quotes(std::string_view s) {
    if (s.empty()) {
        return true;
    }
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') {
            return true;
        }
    }
    return false;
}

void append_text(std::string& out, std::string_view s) {
    if (!needs_quotes(s)) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_time(std::string& out, clock::wall_time t) {
    const auto ms = to_epoch_ms(t);
    const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
    const int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const int n =
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    out.append(buf, static_cast<std::size_t>(n > 0 ? n : 0));
}

} // namespace

std::string to_string(const log_event& e) {
    std::string out;
    out.reserve(160);
    append_time(out, e.time);
    out += ' ';
    out += to_string(e.level);
    out += ' ';
    out += e.source;
    out += ' ';
    out += e.name;
    for (const auto& f : e.fields) {
        out += ' ';
        out += f.name;
        out += '=';
        if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
            out += std::to_string(*i);
        } else if (const auto* d = std::get_if<double>(&f.value)) {
            char buf[32];
            const int n = std::snprintf(buf, sizeof buf, "%.3f", *d);
            out.append(buf, static_cast<std::size_t>(n > 0 ? n : 0));
        } else if (const auto* b = std::get_if<bool>(&f.value)) {
            out += *b ? "true" : "false";
        } else {
            append_text(out, std::get<std::string_view>(f.value));
        }
    }
    return out;
}

log_sink serialized(log_sink sink) {
    struct shared {
        std::mutex mutex;
        log_sink sink;
    };
    auto s = std::make_shared<shared>();
    s->sink = std::move(sink);
    return [s](const log_event& e) {
        std::lock_guard lock(s->mutex);
        if (s->sink) {
            s->sink(e);
        }
    };
}

} // namespace exsdk
