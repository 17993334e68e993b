#include "poki/http/proxy_trust.hpp"

#include <optional>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

#include "poki/core/comma_list.hpp"

namespace poki::http {
namespace {

/// IPv4 addresses are kept as IPv4-mapped IPv6, so one comparison serves both families.
std::optional<std::array<std::uint8_t, 16>> address_bytes(std::string_view text) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string{text}, ec);
    if (ec) {
        return std::nullopt;
    }
    const auto v6 = address.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped,
                                                                       address.to_v4())
                                    : address.to_v6();
    return v6.to_bytes();
}

bool is_v4_text(std::string_view text) {
    return text.find(':') == std::string_view::npos;
}

}  // namespace

proxy_trust::proxy_trust(std::string_view spec) {
    for (const auto entry : comma_list(spec)) {
        const auto slash = entry.find('/');
        const auto address_text = entry.substr(0, slash);
        const auto bytes = address_bytes(address_text);
        const unsigned width = is_v4_text(address_text) ? 32 : 128;
        unsigned prefix = width;
        if (slash != std::string_view::npos) {
            const auto digits = entry.substr(slash + 1);
            prefix = 0;
            for (const char c : digits) {
                if (c < '0' || c > '9' || prefix > width) {
                    prefix = width + 1;
                    break;
                }
                prefix = prefix * 10 + static_cast<unsigned>(c - '0');
            }
            if (digits.empty()) {
                prefix = width + 1;
            }
        }
        if (!bytes || prefix > width) {
            throw std::invalid_argument{"not an address or CIDR: '" + std::string{entry} + "'"};
        }
        networks_.push_back(network{*bytes, prefix + (128 - width)});
    }
}

bool proxy_trust::trusts(std::string_view address) const {
    const auto bytes = address_bytes(trim_blanks(address));
    if (!bytes) {
        return false;
    }
    for (const auto& n : networks_) {
        unsigned bits = n.prefix;
        bool match = true;
        for (std::size_t i = 0; i < 16 && bits > 0 && match; ++i) {
            const unsigned take = bits >= 8 ? 8 : bits;
            const auto mask = static_cast<std::uint8_t>(0xFFU << (8 - take));
            match = ((*bytes)[i] & mask) == (n.bytes[i] & mask);
            bits -= take;
        }
        if (match) {
            return true;
        }
    }
    return false;
}

std::string proxy_trust::client_address(std::string_view peer,
                                        std::string_view forwarded_for) const {
    if (networks_.empty() || forwarded_for.empty() || !trusts(peer)) {
        return std::string{peer};
    }
    std::string client{peer};
    // Each proxy appends the address it saw, so the list is read from the right.
    while (true) {
        const auto comma = forwarded_for.rfind(',');
        const auto hop = trim_blanks(
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        if (!address_bytes(hop)) {
            return client;  // not an address: what comes before it cannot be trusted either
        }
        client = std::string{hop};
        if (!trusts(hop) || comma == std::string_view::npos) {
            return client;
        }
        forwarded_for = forwarded_for.substr(0, comma);
    }
}

}  // namespace poki::http
