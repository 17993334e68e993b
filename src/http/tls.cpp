#include "poki/http/tls.hpp"

#include <stdexcept>

namespace poki::http {

net::ssl::context make_server_tls_context(const std::string& cert_file,
                                          const std::string& key_file) {
    net::ssl::context ctx{net::ssl::context::tls_server};
    ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                    net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(cert_file, ec);
    if (ec) {
        throw std::runtime_error{"tls: cannot use certificate " + cert_file + ": " + ec.message()};
    }
    ctx.use_private_key_file(key_file, net::ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error{"tls: cannot use private key " + key_file + ": " + ec.message()};
    }
    return ctx;
}

}  // namespace poki::http
