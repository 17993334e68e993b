// JSON text written straight into a string. The list answers (missions, messages,
// notifications) skip nlohmann's tree: a map node and a string per field cost more than the
// query behind them (measured: JSON and malloc were ~40% of the server's CPU on the missions
// list). Fields come out in the order written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "poki/core/paging.hpp"

namespace poki {

class json_writer {
  public:
    json_writer& begin_object();
    json_writer& end_object();
    json_writer& begin_array();
    json_writer& end_array();
    json_writer& key(std::string_view name);

    /// Text is UTF-8; a byte sequence that is not becomes U+FFFD, as json_response does.
    json_writer& value(std::string_view text);
    json_writer& value(const char* text) { return value(std::string_view{text}); }
    json_writer& value(const std::string& text) { return value(std::string_view{text}); }
    json_writer& value(std::int64_t number);
    json_writer& value(int number) { return value(static_cast<std::int64_t>(number)); }
    json_writer& value(bool flag);
    json_writer& null();
    /// The value, or null when absent (answers name every field, present or not).
    template <class T>
    json_writer& value(const std::optional<T>& maybe) {
        return maybe ? value(*maybe) : null();
    }

    template <class T>
    json_writer& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    /// Text already written as JSON (a nested answer built elsewhere).
    json_writer& raw(std::string_view json);

    [[nodiscard]] const std::string& text() const noexcept { return out_; }
    [[nodiscard]] std::string take() && { return std::move(out_); }
    /// Room for `bytes` more, so a long answer is not copied as it grows.
    void reserve(std::size_t bytes) { out_.reserve(out_.size() + bytes); }

  private:
    void separate();
    void escaped(std::string_view text);

    std::string out_;
    bool comma_ = false;  ///< a value precedes at this level, so the next one needs a comma
};

/// One value's text, written by write(json_writer&, const T&).
template <class T, class Write>
[[nodiscard]] std::string json_text(const T& value, Write write) {
    json_writer out;
    write(out, value);
    return std::move(out).take();
}

/// Every list's answer: {"items": [...], "next_cursor": id or null}, each item written by
/// write(json_writer&, const T&).
template <class T, class Write>
[[nodiscard]] std::string page_text(const page<T>& p, Write write) {
    constexpr std::size_t typical_item_bytes = 256;
    json_writer out;
    out.reserve(p.items.size() * typical_item_bytes + 64);
    out.begin_object().key("items").begin_array();
    for (const auto& item : p.items) {
        write(out, item);
    }
    out.end_array().field("next_cursor", p.next_cursor).end_object();
    return std::move(out).take();
}

}  // namespace poki
