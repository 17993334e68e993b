#include "poki/cache/redis_client.hpp"

#include <set>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/error.hpp"
#include "poki/core/metrics.hpp"

#include "redis_connection.hpp"

namespace poki::cache {
namespace {

using detail::redis_connection;

std::exception_ptr unavailable(std::string_view why) {
    return std::make_exception_ptr(error{errc::unavailable, std::string{why}});
}

/// One client call (a command or a pipeline) waiting for its replies. Strand only.
struct pending_call {
    unique_function<void(std::exception_ptr, std::vector<redis_reply>)> complete;
    std::vector<redis_reply> replies;
    std::size_t outstanding = 0;
    bool done = false;
    std::optional<net::steady_timer> timer;

    void finish(std::exception_ptr failure) {
        if (done) {
            return;
        }
        done = true;
        if (timer) {
            timer->cancel();
        }
        complete(std::move(failure), std::move(replies));
    }
};

/// privdata of one command in a call; owned by hiredis until its callback runs (exactly once).
struct reply_slot {
    std::shared_ptr<pending_call> call;
    std::size_t index;
};

void on_reply(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
    const std::unique_ptr<reply_slot> slot{static_cast<reply_slot*>(privdata)};
    auto& call = *slot->call;
    if (call.done) {
        return;
    }
    if (reply == nullptr) {
        call.finish(unavailable("The connection to Redis was lost."));
        return;
    }
    call.replies[slot->index] = detail::to_reply(static_cast<const redisReply*>(reply));
    if (--call.outstanding == 0) {
        call.finish(nullptr);
    }
}

/// Sends every command of `commands` with one callback each.
void issue(redis_connection& conn, const std::shared_ptr<pending_call>& call,
           const std::vector<redis_command>& commands) {
    if (commands.empty()) {
        call->finish(nullptr);
        return;
    }
    auto* ac = conn.ready_context();
    if (ac == nullptr) {
        conn.count_failure();
        call->finish(unavailable("Redis is unavailable."));
        return;
    }
    call->replies.resize(commands.size());
    call->outstanding = commands.size();
    call->timer.emplace(conn.strand());
    call->timer->expires_after(conn.config().command_timeout);
    call->timer->async_wait(
        [call, owner = conn.shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && !call->done) {
                owner->count_failure();
                call->finish(unavailable("Redis did not answer in time."));
            }
        });
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        conn.count_command();
        argv.clear();
        lengths.clear();
        for (const auto& arg : commands[i]) {
            argv.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        auto slot = std::make_unique<reply_slot>(reply_slot{call, i});
        if (redisAsyncCommandArgv(ac, &on_reply, slot.get(), static_cast<int>(argv.size()),
                                  argv.data(), lengths.data()) != REDIS_OK) {
            conn.count_failure();
            call->finish(unavailable("Redis is unavailable."));
            return;
        }
        (void)slot.release();  // hiredis owns it until on_reply
    }
}

}  // namespace

std::optional<std::string> redis_reply::as_optional_string() const {
    switch (type) {
        case kind::nil:
            return std::nullopt;
        case kind::string:
        case kind::status:
            return text;
        case kind::integer:
            return std::to_string(integer);
        case kind::error:
            throw std::runtime_error{"redis error: " + text};
        case kind::array:
            break;
    }
    throw std::runtime_error{"redis: expected a string reply"};
}

std::int64_t redis_reply::as_integer() const {
    if (type == kind::integer) {
        return integer;
    }
    if (type == kind::error) {
        throw std::runtime_error{"redis error: " + text};
    }
    throw std::runtime_error{"redis: expected an integer reply"};
}

redis_client::redis_client(net::io_context& ioc, const redis_config& cfg)
    : connection_{std::make_shared<redis_connection>(ioc, cfg, "commands")} {}

redis_client::~redis_client() = default;

void redis_client::start() {
    connection_->start();
}
void redis_client::stop() {
    connection_->stop();
}

namespace {

/// Starts a call on the connection's strand; `deliver` gets the replies on the caller's
/// executor. Not a coroutine, so nothing passed by value crosses a coroutine frame.
template <class Signature, class Deliver>
auto initiate_call(const std::shared_ptr<redis_connection>& conn,
                   std::vector<redis_command> commands, Deliver deliver) {
    return net::async_initiate<const net::use_awaitable_t<>&, Signature>(
        [conn, deliver](auto handler, std::vector<redis_command> cmds) {
            auto call = std::make_shared<pending_call>();
            auto work = net::make_work_guard(net::get_associated_executor(handler, conn->strand()));
            call->complete = [h = std::move(handler), work = std::move(work), deliver](
                                 std::exception_ptr e, std::vector<redis_reply> r) mutable {
                auto executor = work.get_executor();
                net::post(executor, [h = std::move(h), e = std::move(e), r = std::move(r),
                                     deliver]() mutable {
                    deliver(std::move(h), std::move(e), std::move(r));
                });
            };
            net::dispatch(conn->strand(),
                          [conn, call, cmds = std::move(cmds)] { issue(*conn, call, cmds); });
        },
        net::use_awaitable, std::move(commands));
}

}  // namespace

awaitable<std::vector<redis_reply>> redis_client::pipeline(std::vector<redis_command> commands) {
    return initiate_call<void(std::exception_ptr, std::vector<redis_reply>)>(
        connection_, std::move(commands),
        [](auto handler, std::exception_ptr e, std::vector<redis_reply> r) {
            std::move(handler)(std::move(e), std::move(r));
        });
}

awaitable<redis_reply> redis_client::command(redis_command args) {
    std::vector<redis_command> one;
    one.push_back(std::move(args));
    return initiate_call<void(std::exception_ptr, redis_reply)>(
        connection_, std::move(one),
        [](auto handler, std::exception_ptr e, std::vector<redis_reply> r) {
            std::move(handler)(std::move(e), r.empty() ? redis_reply{} : std::move(r.front()));
        });
}

redis_stats redis_client::stats() const {
    return connection_->stats();
}

void render_redis_metrics(std::string& out, std::span<const named_redis_stats> connections) {
    const auto family = [&](std::string_view name, std::string_view type, std::string_view help,
                            auto value_of) {
        append_metric_header(out, name, type, help);
        for (const auto& c : connections) {
            append_metric(out, name, "connection=\"" + escape_label(c.connection) + "\"",
                          value_of(c.stats));
        }
    };
    family("poki_redis_connected", "gauge", "1 while the Redis connection is up.",
           [](const redis_stats& s) { return s.state == redis_state::connected ? 1.0 : 0.0; });
    family("poki_redis_connects_total", "counter",
           "Connections made to Redis, reconnects included.",
           [](const redis_stats& s) { return static_cast<double>(s.connects); });
    family("poki_redis_commands_total", "counter", "Commands sent to Redis.",
           [](const redis_stats& s) { return static_cast<double>(s.commands); });
    family("poki_redis_failures_total", "counter",
           "Commands refused while Redis was down, timed out, or lost with the connection.",
           [](const redis_stats& s) { return static_cast<double>(s.failures); });
}

// ---------------------------------------------------------------------------------------------

class redis_subscriber::state {
  public:
    explicit state(message_handler handler) : on_message{std::move(handler)} {}

    static void on_subscription(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
        auto* self = static_cast<state*>(privdata);
        const auto* r = static_cast<const redisReply*>(reply);
        if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
            return;
        }
        const std::string_view kind{r->element[0]->str, r->element[0]->len};
        const auto* channel = r->element[1];
        if (channel->type != REDIS_REPLY_STRING) {
            return;
        }
        const std::string_view name{channel->str, channel->len};
        if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING) {
            self->on_message(name, {r->element[2]->str, r->element[2]->len});
        } else if (kind == "subscribe") {
            self->confirmed.emplace(name);
            self->update_settled();
        } else if (kind == "unsubscribe") {
            self->confirmed.erase(std::string{name});
            self->update_settled();
        }
    }

    void send(redisAsyncContext* ac, std::string_view verb,
              const std::vector<std::string>& channels) {
        if (ac == nullptr || channels.empty()) {
            return;
        }
        std::vector<const char*> argv{verb.data()};
        std::vector<std::size_t> lengths{verb.size()};
        for (const auto& c : channels) {
            argv.push_back(c.data());
            lengths.push_back(c.size());
        }
        redisAsyncCommandArgv(ac, &on_subscription, this, static_cast<int>(argv.size()),
                              argv.data(), lengths.data());
    }

    void update_settled() {
        bool all = true;
        for (const auto& c : wanted) {
            all = all && confirmed.contains(c);
        }
        settled.store(all, std::memory_order_release);
    }

    message_handler on_message;
    std::set<std::string, std::less<>> wanted;     // strand only
    std::set<std::string, std::less<>> confirmed;  // strand only
    std::atomic<bool> settled{true};
};

redis_subscriber::redis_subscriber(net::io_context& ioc, const redis_config& cfg,
                                   message_handler on_message)
    : connection_{std::make_shared<redis_connection>(ioc, cfg, "subscriber")}
    , state_{std::make_shared<state>(std::move(on_message))} {
    connection_->on_connected = [s = state_](redisAsyncContext* ac) {
        s->confirmed.clear();
        s->update_settled();
        s->send(ac, "SUBSCRIBE", {s->wanted.begin(), s->wanted.end()});
    };
}

redis_subscriber::~redis_subscriber() = default;

void redis_subscriber::start() {
    connection_->start();
}
void redis_subscriber::stop() {
    connection_->stop();
}

void redis_subscriber::subscribe(std::string channel) {
    net::dispatch(connection_->strand(),
                  [conn = connection_, s = state_, channel = std::move(channel)] {
                      if (s->wanted.insert(channel).second) {
                          // A confirmation still standing from before an unsubscribe that is
                          // in flight does not count: wait for this subscription's own.
                          s->confirmed.erase(channel);
                          s->update_settled();
                          s->send(conn->ready_context(), "SUBSCRIBE", {channel});
                      }
                  });
}

void redis_subscriber::unsubscribe(std::string channel) {
    net::dispatch(connection_->strand(),
                  [conn = connection_, s = state_, channel = std::move(channel)] {
                      if (s->wanted.erase(channel) != 0) {
                          s->update_settled();
                          s->send(conn->ready_context(), "UNSUBSCRIBE", {channel});
                      }
                  });
}

awaitable<bool> redis_subscriber::wait_subscribed(milliseconds timeout) {
    net::steady_timer tick{co_await net::this_coro::executor};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // One round trip through the strand first, so channels asked for just now count as wanted.
    co_await net::post(connection_->strand(), net::use_awaitable);
    while (!state_->settled.load(std::memory_order_acquire) ||
           connection_->stats().state != redis_state::connected) {
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return false;
        }
        tick.expires_after(std::chrono::milliseconds{10});
        co_await tick.async_wait(net::use_awaitable);
    }
    co_return true;
}

awaitable<bool> redis_subscriber::wait_subscribed(std::string channel, milliseconds timeout) {
    net::steady_timer tick{co_await net::this_coro::executor};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto delay = std::chrono::milliseconds{1};
    // `confirmed` belongs to the strand: read it there.
    auto confirmed = [s = state_, &channel]() -> awaitable<bool> {
        co_return s->confirmed.contains(channel);
    };
    while (true) {
        if (co_await net::co_spawn(connection_->strand(), confirmed, net::use_awaitable)) {
            co_return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return false;
        }
        tick.expires_after(delay);
        co_await tick.async_wait(net::use_awaitable);
        delay = std::min(delay * 2, std::chrono::milliseconds{50});
    }
}

redis_stats redis_subscriber::stats() const {
    return connection_->stats();
}

}  // namespace poki::cache
