// Values captured from a path template such as /api/v1/chat/rooms/{id:int}/messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poki::http {

/// Captured parameters, percent-decoded. Integer parameters were checked when matching.
class route_params {
  public:
    void push(std::string_view name, std::string value) {
        values_.emplace_back(name, std::move(value));
    }
    void pop() { values_.pop_back(); }
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }

    /// The text of a parameter; throws std::out_of_range for a name the template does not have.
    [[nodiscard]] std::string_view text(std::string_view name) const;

    /// An {name:int} parameter; throws std::out_of_range for a name the template does not have.
    [[nodiscard]] std::int64_t integer(std::string_view name) const;

  private:
    std::vector<std::pair<std::string_view, std::string>> values_;
};

}  // namespace poki::http
