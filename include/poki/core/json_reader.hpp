// Reads fields of a JSON object and collects every problem, so one 422 names all bad fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "poki/core/error.hpp"

namespace poki {

struct string_rule {
    std::size_t min_chars = 0;     ///< in Unicode code points
    std::size_t max_chars = 1000;  ///< in Unicode code points
    bool trim = true;
};

class json_reader {
  public:
    /// A body that is not a JSON object is reported as one error on the field "".
    explicit json_reader(const nlohmann::json& document);

    [[nodiscard]] std::string required_string(std::string_view name, string_rule rule = {});
    [[nodiscard]] std::optional<std::string> optional_string(std::string_view name,
                                                             string_rule rule = {});
    [[nodiscard]] std::int64_t required_integer(std::string_view name, std::int64_t min,
                                                std::int64_t max);
    [[nodiscard]] std::optional<std::int64_t> optional_integer(std::string_view name,
                                                               std::int64_t min, std::int64_t max);
    [[nodiscard]] std::optional<bool> optional_bool(std::string_view name);
    /// A required string that must be one of `allowed`.
    [[nodiscard]] std::string required_enum(std::string_view name,
                                            std::initializer_list<std::string_view> allowed);

    /// Records a problem found by the caller's own rule.
    void add_error(std::string_view field, std::string_view code, std::string message,
                   std::vector<std::pair<std::string, std::int64_t>> limits = {});

    /// Rejects members the route does not know, so typos do not pass silently.
    void reject_unknown(std::initializer_list<std::string_view> known);
    /// Whether the document names the field at all (null included): a PATCH's "leave it"
    /// versus "clear it".
    [[nodiscard]] bool has(std::string_view name) const;

    [[nodiscard]] bool ok() const noexcept { return errors_.empty(); }
    [[nodiscard]] const std::vector<field_error>& errors() const noexcept { return errors_; }

    /// Throws error::validation with every problem found, if any.
    void finish() const;

  private:
    const nlohmann::json* member(std::string_view name, bool required);

    const nlohmann::json& document_;
    std::vector<field_error> errors_;
};

/// Number of Unicode code points; nullopt for invalid UTF-8.
[[nodiscard]] std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

}  // namespace poki
