// Who the client is behind a reverse proxy: X-Forwarded-For is believed only when the peer is
// one of the configured proxies, and then only up to the first hop that is not one of them,
// so a client cannot choose the address its rate limits are counted under.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poki::http {

class proxy_trust {
  public:
    proxy_trust() = default;
    /// "10.0.0.0/8, 127.0.0.1, ::1": addresses and CIDRs, IPv4 or IPv6. Throws
    /// std::invalid_argument naming the entry it cannot read.
    explicit proxy_trust(std::string_view spec);

    [[nodiscard]] bool trusts(std::string_view address) const;

    /// The address rate limits and logs use: the peer itself, unless it is a trusted proxy
    /// and sent X-Forwarded-For; then the rightmost hop that is not a trusted proxy (or the
    /// leftmost, when every hop is one). A malformed hop ends the walk where it stands.
    [[nodiscard]] std::string client_address(std::string_view peer,
                                             std::string_view forwarded_for) const;

  private:
    struct network {
        std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
        unsigned prefix = 0;                   // of 128
    };
    std::vector<network> networks_;
};

}  // namespace poki::http
