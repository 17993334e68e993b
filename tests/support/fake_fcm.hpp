// A stand-in for FCM on loopback: the OAuth token endpoint (/token) and the v1 send
// endpoint (/v1/projects/<id>/messages:send). Records every request; send answers come
// from a script (200 once it runs out). Also makes the service account the server uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "support/loopback_server.hpp"

namespace poki::test {

struct scripted_reply {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
};

class fake_fcm {
  public:
    fake_fcm();
    ~fake_fcm();
    fake_fcm(const fake_fcm&) = delete;
    fake_fcm& operator=(const fake_fcm&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return server_.port(); }
    [[nodiscard]] std::string token_url() const;
    [[nodiscard]] std::string send_url() const;  ///< with {project}, as in the config

    /// Answers for the next sends, in order.
    void script(std::vector<scripted_reply> replies);

    [[nodiscard]] std::vector<recorded_request> sends() const;
    [[nodiscard]] std::vector<recorded_request> token_requests() const;
    /// Waits until at least n sends arrived; returns them.
    std::vector<recorded_request> wait_for_sends(std::size_t n,
                                                 std::chrono::milliseconds timeout) const;

    /// A service-account JSON file with a fresh RSA key, in `dir`.
    std::filesystem::path write_service_account(const std::filesystem::path& dir);
    /// True when `jwt` is signed RS256 by that service account's key.
    [[nodiscard]] bool signature_valid(const std::string& jwt) const;

    static constexpr const char* project_id = "poki-test";
    static constexpr const char* client_email = "push@poki-test.iam.gserviceaccount.com";
    static constexpr const char* access_token = "fake-access-token";

  private:
    struct key_pair;
    boost::asio::awaitable<void> answer(boost::asio::ip::tcp::socket& socket, recorded_request rec);

    mutable std::mutex mutex_;
    std::vector<recorded_request> sends_;
    std::vector<recorded_request> tokens_;
    std::deque<scripted_reply> script_;
    std::unique_ptr<key_pair> key_;
    loopback_server server_;  // last: stopped before the rest goes
};

}  // namespace poki::test
