// Structured logging: every line is one JSON object with a message and typed fields.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace poki::log {

/// One key/value of a log line. Keys are code literals; values are escaped.
class field {
  public:
    field(std::string_view key, std::string_view value)
        : key_{key}, text_{value}, kind_{kind::text} {}
    field(std::string_view key, const char* value) : field{key, std::string_view{value}} {}
    field(std::string_view key, const std::string& value) : field{key, std::string_view{value}} {}
    field(std::string_view key, bool value)
        : key_{key}, integer_{value ? 1 : 0}, kind_{kind::boolean} {}
    template <std::integral T>
    requires(!std::same_as<T, bool>) field(std::string_view key, T value)
        : key_{key}, integer_{static_cast<std::int64_t>(value)}, kind_{kind::integer} {}
    field(std::string_view key, double value) : key_{key}, real_{value}, kind_{kind::real} {}

    void append_to(std::string& out) const;

  private:
    enum class kind { text, integer, real, boolean };
    std::string_view key_;
    std::string_view text_;
    std::int64_t integer_ = 0;
    double real_ = 0;
    kind kind_;
};

/// Appends s to out as the inside of a JSON string.
void append_escaped(std::string& out, std::string_view s);

/// Builds the JSON body of a line: "msg":"…","key":value,…
[[nodiscard]] std::string format_line(std::string_view message,
                                      std::initializer_list<field> fields);

/// Installs the process logger (asynchronous, JSON lines on stdout) at the given level.
void setup(std::string_view level);

/// Flushes and stops the logger; called once at exit.
void shutdown();

/// A new level for every line from now on (SIGHUP); `level` as for setup, already validated.
void set_level(std::string_view level);

inline void write(spdlog::level::level_enum level, std::string_view message,
                  std::initializer_list<field> fields) {
    if (spdlog::should_log(level)) {
        const auto line = format_line(message, fields);
        spdlog::log(level, spdlog::string_view_t{line.data(), line.size()});
    }
}

inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
    write(spdlog::level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
    write(spdlog::level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
    write(spdlog::level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
    write(spdlog::level::err, m, f);
}

}  // namespace poki::log
