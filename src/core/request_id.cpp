#include "poki/core/request_id.hpp"

#include <array>
#include <random>

namespace poki {
namespace {

void append_hex(std::string& out, std::uint64_t value, int digits) {
    static constexpr std::string_view hex{"0123456789abcdef"};
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out.push_back(hex[(value >> static_cast<unsigned>(shift)) & 0xfU]);
    }
}

std::uint64_t random_prefix() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
}

}  // namespace

request_id_generator::request_id_generator() : prefix_{random_prefix()} {}

std::string request_id_generator::next() {
    const auto n = counter_.fetch_add(1, std::memory_order_relaxed);
    std::string id;
    id.reserve(25);
    append_hex(id, prefix_, 12);
    id.push_back('-');
    append_hex(id, n, 12);
    return id;
}

bool is_acceptable_request_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 128) {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string choose_request_id(std::string_view client_id, request_id_generator& generator) {
    return is_acceptable_request_id(client_id) ? std::string{client_id} : generator.next();
}

}  // namespace poki
