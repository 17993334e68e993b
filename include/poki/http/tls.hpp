// Server TLS context from PEM files (TLS 1.2 and newer only).
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "poki/core/net.hpp"

namespace poki::http {

/// Throws std::runtime_error naming the file that could not be used.
[[nodiscard]] net::ssl::context make_server_tls_context(const std::string& cert_file,
                                                        const std::string& key_file);

}  // namespace poki::http
