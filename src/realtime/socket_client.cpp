#include "poki/realtime/socket_client.hpp"

#include <boost/asio/post.hpp>

#include "poki/realtime/realtime_json.hpp"

namespace poki::realtime {

namespace {
// Presence changes of one family during a hello's two reads: a handful at most.
constexpr std::size_t max_before_hello = 256;
}  // namespace

void socket_client::send(std::shared_ptr<const std::string> text) {
    net::post(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
        self->deliver(std::move(text));
    });
}

void socket_client::deliver(std::shared_ptr<const std::string> text) {
    if (channel_ == nullptr) {
        return;
    }
    if (!greeted_) {
        if (before_hello_.size() < max_before_hello) {
            before_hello_.push_back(std::move(text));
        }
        return;
    }
    channel_->send(std::move(text));
}

void socket_client::greet(std::shared_ptr<const std::string> hello) {
    greeted_ = true;
    if (channel_ == nullptr) {
        return;
    }
    channel_->send(std::move(hello));
    for (auto& text : std::exchange(before_hello_, {})) {
        channel_->send(std::move(text));
    }
}

void socket_client::close(http::close_code code, std::string reason) {
    net::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
        if (self->channel_ != nullptr) {
            self->channel_->close(code, reason);
        }
    });
}

bool socket_client::refuse(std::string_view code, std::string_view detail,
                           const std::string& in_reply_to, int max_per_minute) {
    const auto now = std::chrono::steady_clock::now();
    while (!refusals_.empty() && now - refusals_.front() > std::chrono::minutes{1}) {
        refusals_.pop_front();
    }
    refusals_.push_back(now);
    deliver(std::make_shared<const std::string>(error_message(code, detail, in_reply_to)));
    return refusals_.size() > static_cast<std::size_t>(max_per_minute);
}

}  // namespace poki::realtime
