#include "redis_connection.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "poki/core/log.hpp"

namespace poki::cache::detail {

redis_reply to_reply(const redisReply* reply) {
    redis_reply out;
    if (reply == nullptr) {
        return out;
    }
    switch (reply->type) {
        case REDIS_REPLY_STRING:
            out.type = redis_reply::kind::string;
            out.text.assign(reply->str, reply->len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = redis_reply::kind::status;
            out.text.assign(reply->str, reply->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = redis_reply::kind::error;
            out.text.assign(reply->str, reply->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = redis_reply::kind::integer;
            out.integer = reply->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = redis_reply::kind::array;
            out.elements.reserve(reply->elements);
            for (std::size_t i = 0; i < reply->elements; ++i) {
                out.elements.push_back(to_reply(reply->element[i]));
            }
            break;
        default:
            out.type = redis_reply::kind::nil;
            break;
    }
    return out;
}

redis_connection::redis_connection(net::io_context& ioc, const redis_config& cfg, std::string name)
    : ioc_{ioc}
    , config_{cfg}
    , name_{std::move(name)}
    , strand_{net::make_strand(ioc)}
    , reconnect_timer_{strand_}
    , resolver_{strand_}
    , backoff_{cfg.reconnect_min} {}

redis_connection::~redis_connection() {
    // Normally stop() ran on the strand already; this only covers an io_context that stopped
    // first, when no handler can run any more.
    if (context_ != nullptr) {
        auto* ac = context_;
        context_ = nullptr;
        ac->data = nullptr;
        redisAsyncFree(ac);
    }
}

void redis_connection::start() {
    net::dispatch(strand_, [self = shared_from_this()] {
        self->stopping_ = false;
        self->connect();
    });
}

void redis_connection::stop() {
    net::dispatch(strand_, [self = shared_from_this()] {
        self->stopping_ = true;
        self->reconnect_timer_.cancel();
        self->resolver_.cancel();
        if (self->context_ != nullptr) {
            // Calls every pending callback with a null reply, then our cleanup hook.
            redisAsyncFree(self->context_);
            self->context_ = nullptr;
        }
        self->set_state(redis_state::stopped);
    });
}

redis_stats redis_connection::stats() const noexcept {
    return redis_stats{
        state_.load(std::memory_order_relaxed), connects_.load(std::memory_order_relaxed),
        commands_.load(std::memory_order_relaxed), failures_.load(std::memory_order_relaxed)};
}

void redis_connection::set_state(redis_state s) noexcept {
    state_.store(s, std::memory_order_relaxed);
}

void redis_connection::connect() {
    if (stopping_ || context_ != nullptr) {
        return;
    }
    set_state(redis_state::connecting);
    boost::system::error_code ec;
    const auto address = net::ip::make_address(config_.host, ec);
    if (!ec) {
        connect_to(address.to_string());
        return;
    }
    // hiredis would resolve a host name with a blocking getaddrinfo on this io thread.
    resolver_.async_resolve(
        config_.host, std::to_string(config_.port),
        [self = shared_from_this()](const boost::system::error_code& error,
                                    const net::ip::tcp::resolver::results_type& results) {
            if (self->stopping_) {
                return;
            }
            if (error || results.empty()) {
                log::warn("redis host not found",
                          {{"connection", self->name_}, {"host", self->config_.host}});
                self->schedule_reconnect();
                return;
            }
            // Prefer IPv4: local servers often listen on 127.0.0.1 only.
            auto chosen = results.begin()->endpoint().address();
            for (const auto& entry : results) {
                if (entry.endpoint().address().is_v4()) {
                    chosen = entry.endpoint().address();
                    break;
                }
            }
            self->connect_to(chosen.to_string());
        });
}

void redis_connection::connect_to(const std::string& ip) {
    if (stopping_ || context_ != nullptr) {
        return;
    }
    redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), config_.port);
    if (ac == nullptr) {
        schedule_reconnect();
        return;
    }
    if (ac->err != 0) {
        log::warn("redis connect failed", {{"connection", name_}, {"error", ac->errstr}});
        redisAsyncFree(ac);
        schedule_reconnect();
        return;
    }
    ++generation_;
    context_ = ac;
    ac->data = this;
    socket_.emplace(strand_, ac->c.fd);
    want_read_ = want_write_ = read_waiting_ = write_waiting_ = false;
    ac->ev.data = this;
    ac->ev.addRead = &hook_add_read;
    ac->ev.delRead = &hook_del_read;
    ac->ev.addWrite = &hook_add_write;
    ac->ev.delWrite = &hook_del_write;
    ac->ev.cleanup = &hook_cleanup;
    // Setting the connect callback asks (through hook_add_write) for writability, which is how
    // hiredis learns that the non-blocking connect finished; so the hooks go in first.
    redisAsyncSetDisconnectCallback(ac, &handle_disconnect);
    redisAsyncSetConnectCallback(ac, &handle_connect);
}

void redis_connection::schedule_reconnect() {
    if (stopping_) {
        return;
    }
    set_state(redis_state::disconnected);
    reconnect_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, config_.reconnect_max);
    reconnect_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) {
            self->connect();
        }
    });
}

void redis_connection::handle_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<redis_connection*>(ac->data);
    if (self == nullptr) {
        return;
    }
    if (status != REDIS_OK) {
        // hiredis frees the context after this returns; cleanup clears context_.
        log::warn("redis connect failed", {{"connection", self->name_}, {"error", ac->errstr}});
        self->schedule_reconnect();
        return;
    }
    auto* mutable_ac = self->context_;
    if (!self->config_.password.empty()) {
        const std::string password = self->config_.password;
        std::array<const char*, 2> argv{"AUTH", password.c_str()};
        std::array<std::size_t, 2> lengths{4, password.size()};
        redisAsyncCommandArgv(mutable_ac, nullptr, nullptr, 2, argv.data(), lengths.data());
    }
    if (self->config_.database != 0) {
        const auto db = std::to_string(self->config_.database);
        std::array<const char*, 2> argv{"SELECT", db.c_str()};
        std::array<std::size_t, 2> lengths{6, db.size()};
        redisAsyncCommandArgv(mutable_ac, nullptr, nullptr, 2, argv.data(), lengths.data());
    }
    self->backoff_ = self->config_.reconnect_min;
    self->connects_.fetch_add(1, std::memory_order_relaxed);
    self->set_state(redis_state::connected);
    log::info("redis connected", {{"connection", self->name_}});
    if (self->on_connected) {
        self->on_connected(mutable_ac);
    }
}

void redis_connection::handle_disconnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<redis_connection*>(ac->data);
    if (self == nullptr) {
        return;
    }
    if (!self->stopping_) {
        log::warn("redis disconnected", {{"connection", self->name_},
                                         {"error", status == REDIS_OK ? "closed" : ac->errstr}});
    }
    // The context is freed after this returns; cleanup clears context_.
    self->schedule_reconnect();
}

void redis_connection::hook_add_read(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->want_read_ = true;
    self->wait(direction::read);
}

void redis_connection::hook_del_read(void* p) {
    static_cast<redis_connection*>(p)->want_read_ = false;
}

void redis_connection::hook_add_write(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->want_write_ = true;
    self->wait(direction::write);
}

void redis_connection::hook_del_write(void* p) {
    static_cast<redis_connection*>(p)->want_write_ = false;
}

void redis_connection::hook_cleanup(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->want_read_ = self->want_write_ = false;
    if (self->socket_) {
        boost::system::error_code ignored;
        self->socket_->cancel(ignored);
        (void)self->socket_->release();  // hiredis closes the descriptor itself
        self->socket_.reset();
    }
    self->context_ = nullptr;
    if (self->state_ == redis_state::connected) {
        self->set_state(redis_state::disconnected);
    }
}

void redis_connection::wait(direction d) {
    const bool reading = d == direction::read;
    bool& waiting = reading ? read_waiting_ : write_waiting_;
    if (waiting || !socket_) {
        return;
    }
    waiting = true;
    socket_->async_wait(
        reading ? net::posix::stream_descriptor::wait_read
                : net::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), generation = generation_,
         d](const boost::system::error_code& ec) {
            if (generation != self->generation_) {
                return;
            }
            const bool read = d == direction::read;
            (read ? self->read_waiting_ : self->write_waiting_) = false;
            const bool& wanted = read ? self->want_read_ : self->want_write_;
            if (ec || self->context_ == nullptr || !wanted) {
                return;
            }
            if (read) {
                redisAsyncHandleRead(self->context_);
            } else {
                redisAsyncHandleWrite(self->context_);
            }
            // The context may be gone now (EOF frees it); only go on if not.
            if (generation == self->generation_ && self->context_ != nullptr && wanted) {
                self->wait(d);
            }
        });
}

}  // namespace poki::cache::detail
