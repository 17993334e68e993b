#include "poki/notify/service_account.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "poki/core/crypto.hpp"

namespace poki::notify {

struct service_account::key {
    struct deleter {
        void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
    };
    std::unique_ptr<EVP_PKEY, deleter> pkey;
};

service_account::~service_account() = default;
service_account::service_account(service_account&&) noexcept = default;
service_account& service_account::operator=(service_account&&) noexcept = default;

service_account service_account::load(const std::string& path) {
    std::ifstream in{path};
    if (!in) {
        throw std::runtime_error{"push.service_account_file: cannot read " + path};
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str());
}

service_account service_account::parse(const std::string& json_text) {
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (!doc.is_object()) {
        throw std::runtime_error{"push.service_account_file: not a JSON object"};
    }
    const auto field = [&doc](const char* name, bool required) -> std::string {
        const auto found = doc.find(name);
        if (found == doc.end() || !found->is_string() || found->get<std::string>().empty()) {
            if (required) {
                throw std::runtime_error{std::string{"push.service_account_file: missing "} + name};
            }
            return {};
        }
        return found->get<std::string>();
    };
    service_account out;
    out.client_email_ = field("client_email", true);
    out.project_id_ = field("project_id", true);
    out.token_uri_ = field("token_uri", false);
    if (out.token_uri_.empty()) {
        out.token_uri_ = "https://oauth2.googleapis.com/token";
    }
    out.key_id_ = field("private_key_id", false);
    const auto pem = field("private_key", true);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
    out.key_ = std::make_unique<key>();
    out.key_->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!out.key_->pkey || EVP_PKEY_get_base_id(out.key_->pkey.get()) != EVP_PKEY_RSA) {
        throw std::runtime_error{"push.service_account_file: private_key is not an RSA PEM key"};
    }
    return out;
}

std::string service_account::assertion(const std::string& audience, std::int64_t now_s) const {
    nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}};
    if (!key_id_.empty()) {
        header["kid"] = key_id_;
    }
    const nlohmann::json claims{{"iss", client_email_},
                                {"scope", fcm_scope},
                                {"aud", audience},
                                {"iat", now_s},
                                {"exp", now_s + 3600}};
    const auto signing_input =
        crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims.dump());

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    std::size_t length = 0;
    if (!ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),  // NOLINT
                       signing_input.size()) != 1) {
        throw std::runtime_error{"RS256 signing failed"};
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),  // NOLINT
                       &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),  // NOLINT
                       signing_input.size()) != 1) {
        throw std::runtime_error{"RS256 signing failed"};
    }
    signature.resize(length);
    return signing_input + "." + crypto::base64url_encode(signature);
}

}  // namespace poki::notify
