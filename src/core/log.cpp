#include "poki/core/log.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

namespace poki::log {
namespace {

/// syslog's priority of a level, as journald reads it from a "<N>" line prefix.
char syslog_priority(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::critical:
            return '2';
        case spdlog::level::err:
            return '3';
        case spdlog::level::warn:
            return '4';
        case spdlog::level::info:
            return '6';
        default:
            return '7';
    }
}

/// stdout without a flush per line: the async thread batches writes, flush_every drains them.
/// When stdout is the journal each line carries its priority, so `journalctl -p warning`
/// finds the warnings.
class stdout_sink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit stdout_sink(bool journal_priorities) : journal_priorities_{journal_priorities} {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        if (journal_priorities_) {
            const std::array<char, 3> prefix{'<', syslog_priority(msg.level), '>'};
            formatted.append(prefix.data(), prefix.data() + prefix.size());
        }
        formatter_->format(msg, formatted);
        std::fwrite(formatted.data(), 1, formatted.size(), stdout);
    }
    void flush_() override { std::fflush(stdout); }

  private:
    bool journal_priorities_;
};

/// systemd names the journal stream it connected to stdout as "device:inode" in
/// JOURNAL_STREAM; stdout redirected elsewhere since gets plain lines.
bool stdout_is_the_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe): at start
    struct stat out {};
    if (stream == nullptr || ::fstat(STDOUT_FILENO, &out) != 0) {
        return false;
    }
    const auto expected = std::to_string(out.st_dev) + ":" + std::to_string(out.st_ino);
    return expected == stream;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
    static constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                              '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    for (const char ch : s) {
        const auto byte = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (byte < 0x20 || byte == 0x7f) {
                    out += "\\u00";
                    out.push_back(hex[byte >> 4U]);
                    out.push_back(hex[byte & 0xfU]);
                } else {
                    out.push_back(ch);
                }
        }
    }
}

void field::append_to(std::string& out) const {
    out.push_back('"');
    append_escaped(out, key_);
    out += "\":";
    switch (kind_) {
        case kind::text:
            out.push_back('"');
            append_escaped(out, text_);
            out.push_back('"');
            break;
        case kind::integer:
            out += std::to_string(integer_);
            break;
        case kind::real: {
            std::array<char, 32> buf{};
            const int n = std::snprintf(buf.data(), buf.size(), "%.3f", real_);
            out.append(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
            break;
        }
        case kind::boolean:
            out += integer_ != 0 ? "true" : "false";
            break;
    }
}

std::string format_line(std::string_view message, std::initializer_list<field> fields) {
    std::string line;
    line.reserve(128);
    line += R"("msg":")";
    append_escaped(line, message);
    line.push_back('"');
    for (const auto& f : fields) {
        line.push_back(',');
        f.append_to(line);
    }
    return line;
}

void setup(std::string_view level) {
    if (!spdlog::thread_pool()) {
        spdlog::init_thread_pool(32768, 1);
    }
    auto sink = std::make_shared<stdout_sink>(stdout_is_the_journal());
    // Overrun rather than block: an io thread must never wait on the log.
    auto logger =
        std::make_shared<spdlog::async_logger>("poki", std::move(sink), spdlog::thread_pool(),
                                               spdlog::async_overflow_policy::overrun_oldest);
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})", spdlog::pattern_time_type::utc));
    logger->set_level(spdlog::level::from_str(std::string{level}));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    spdlog::flush_every(std::chrono::seconds{1});
}

void set_level(std::string_view level) {
    spdlog::default_logger()->set_level(spdlog::level::from_str(std::string{level}));
}

void shutdown() {
    spdlog::shutdown();
}

}  // namespace poki::log
