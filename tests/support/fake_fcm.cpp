#include "support/fake_fcm.hpp"

#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "poki/core/crypto.hpp"

namespace poki::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

}  // namespace

struct fake_fcm::key_pair {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
};

fake_fcm::fake_fcm()
    : key_{std::make_unique<key_pair>()}
    , server_{[this](net::ip::tcp::socket& socket, recorded_request rec) {
        return answer(socket, std::move(rec));
    }} {}

fake_fcm::~fake_fcm() = default;

std::string fake_fcm::token_url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/token";
}

std::string fake_fcm::send_url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1/projects/{project}/messages:send";
}

void fake_fcm::script(std::vector<scripted_reply> replies) {
    const std::lock_guard lock{mutex_};
    for (auto& r : replies) {
        script_.push_back(std::move(r));
    }
}

std::vector<recorded_request> fake_fcm::sends() const {
    const std::lock_guard lock{mutex_};
    return sends_;
}

std::vector<recorded_request> fake_fcm::token_requests() const {
    const std::lock_guard lock{mutex_};
    return tokens_;
}

std::vector<recorded_request> fake_fcm::wait_for_sends(std::size_t n,
                                                       std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto s = sends(); s.size() >= n) {
            return s;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return sends();
}

net::awaitable<void> fake_fcm::answer(net::ip::tcp::socket& socket, recorded_request rec) {
    scripted_reply reply;
    {
        const std::lock_guard lock{mutex_};
        if (rec.target == "/token") {
            tokens_.push_back(rec);
            reply.body = nlohmann::json{
                {"access_token", access_token},
                {"expires_in", 3599},
                {"token_type",
                 "Bearer"}}.dump();
        } else {
            sends_.push_back(rec);
            if (!script_.empty()) {
                reply = std::move(script_.front());
                script_.pop_front();
            } else {
                reply.body = R"({"name":"projects/poki-test/messages/1"})";
            }
        }
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
    res.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : reply.headers) {
        res.set(name, value);
    }
    res.body() = reply.body;
    res.keep_alive(false);
    res.prepare_payload();
    co_await bhttp::async_write(socket, res, net::use_awaitable);
}

std::filesystem::path fake_fcm::write_service_account(const std::filesystem::path& dir) {
    key_->pkey.reset(EVP_RSA_gen(2048));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), &BIO_free};
    PEM_write_bio_PrivateKey(bio.get(), key_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const auto length = BIO_get_mem_data(bio.get(), &data);
    const std::string pem(data, static_cast<std::size_t>(length));
    const nlohmann::json account{
        {"type", "service_account"},      {"project_id", project_id},
        {"private_key_id", "test-key-1"}, {"private_key", pem},
        {"client_email", client_email},   {"token_uri", "https://oauth2.googleapis.com/token"}};
    auto path = dir / "service-account.json";
    std::ofstream{path} << account.dump(2);
    return path;
}

bool fake_fcm::signature_valid(const std::string& jwt) const {
    const auto last_dot = jwt.rfind('.');
    if (last_dot == std::string::npos) {
        return false;
    }
    const auto signing_input = jwt.substr(0, last_dot);
    const auto signature = crypto::base64url_decode(jwt.substr(last_dot + 1));
    if (!signature) {
        return false;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
           EVP_DigestVerify(ctx.get(),
                            reinterpret_cast<const unsigned char*>(signature->data()),  // NOLINT
                            signature->size(),
                            reinterpret_cast<const unsigned char*>(signing_input.data()),  // NOLINT
                            signing_input.size()) == 1;
}

}  // namespace poki::test
