#include "poki/realtime/socket_hub.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "poki/core/error.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/family/family_lookup.hpp"
#include "poki/realtime/realtime_json.hpp"

namespace poki::realtime {
namespace {

constexpr std::string_view revoked_channel{"poki:revoked"};
constexpr std::string_view presence_prefix{"poki:presence:"};
constexpr std::string_view socket_prefix{"poki:ws:"};

std::string socket_channel(std::int64_t user_id) {
    return std::string{socket_prefix} + std::to_string(user_id);
}

std::optional<std::int64_t> number_after(std::string_view text, std::string_view prefix) {
    if (!text.starts_with(prefix)) {
        return std::nullopt;
    }
    text.remove_prefix(prefix.size());
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

template <class Map>
void forget(Map& map, std::int64_t key, const socket_client* client) {
    const auto found = map.find(key);
    if (found == map.end()) {
        return;
    }
    std::erase_if(found->second, [client](const std::weak_ptr<socket_client>& w) {
        const auto c = w.lock();
        return !c || c.get() == client;
    });
}

}  // namespace

socket_hub::socket_hub(net::io_context& ioc, db::pool& database,
                       presence::presence_tracker& presence, const redis_config& redis_cfg,
                       cache::redis_client& redis, const websocket_config& cfg,
                       revoked_elsewhere on_revoked_elsewhere)
    : ioc_{ioc}
    , database_{database}
    , presence_{presence}
    , redis_{redis}
    , config_{cfg}
    , on_revoked_elsewhere_{std::move(on_revoked_elsewhere)}
    , places_{cfg.max_connections_per_user}
    , subscriber_{ioc, redis_cfg, [this](std::string_view channel, std::string_view payload) {
                      on_message(channel, payload);
                  }} {}

socket_hub::~socket_hub() = default;

void socket_hub::start() {
    subscriber_.subscribe(std::string{revoked_channel});
    subscriber_.start();
}

void socket_hub::stop() {
    subscriber_.stop();
}

void socket_hub::handle(std::string type, message_handler fn) {
    handlers_.insert_or_assign(std::move(type), std::move(fn));
}

void socket_hub::attach(const std::shared_ptr<socket_client>& client) {
    const auto& who = client->who();
    bool first_of_user = false;
    bool first_of_family = false;
    {
        const std::lock_guard lock{mutex_};
        auto& mine = by_user_[who.user_id];
        first_of_user = mine.empty();
        mine.push_back(client);
        auto& family = by_family_[who.family_id];
        first_of_family = family.empty();
        family.push_back(client);
        ++count_;
    }
    if (first_of_user) {
        subscriber_.subscribe(socket_channel(who.user_id));
    }
    if (first_of_family) {
        subscriber_.subscribe(presence::presence_channel(who.family_id));
    }
}

void socket_hub::detach(const socket_client* client) {
    const auto& who = client->who();
    bool last_of_user = false;
    bool last_of_family = false;
    {
        const std::lock_guard lock{mutex_};
        forget(by_user_, who.user_id, client);
        forget(by_family_, who.family_id, client);
        if (const auto u = by_user_.find(who.user_id); u != by_user_.end() && u->second.empty()) {
            by_user_.erase(u);
            last_of_user = true;
        }
        if (const auto f = by_family_.find(who.family_id);
            f != by_family_.end() && f->second.empty()) {
            by_family_.erase(f);
            last_of_family = true;
        }
        --count_;
    }
    if (last_of_user) {
        subscriber_.unsubscribe(socket_channel(who.user_id));
    }
    if (last_of_family) {
        subscriber_.unsubscribe(presence::presence_channel(who.family_id));
    }
}

std::vector<std::shared_ptr<socket_client>> socket_hub::clients_of_user(
    std::int64_t user_id) const {
    std::vector<std::shared_ptr<socket_client>> live;
    const std::lock_guard lock{mutex_};
    if (const auto found = by_user_.find(user_id); found != by_user_.end()) {
        for (const auto& w : found->second) {
            if (auto c = w.lock()) {
                live.push_back(std::move(c));
            }
        }
    }
    return live;
}

awaitable<void> socket_hub::serve(principal who, http::websocket_channel& channel) {
    auto client = std::make_shared<socket_client>(
        who,
        presence_.instance_id() + "/" +
            std::to_string(next_connection_.fetch_add(1, std::memory_order_relaxed)),
        channel);
    opened_.fetch_add(1, std::memory_order_relaxed);
    attach(client);
    const auto online = presence_.connect(who);
    try {
        // Subscribed before presence is read, so no change falls between the two.
        co_await subscriber_.wait_subscribed(presence::presence_channel(who.family_id),
                                             std::chrono::seconds{3});
        co_await say_hello(*client);
        while (auto text = co_await channel.read()) {
            messages_.fetch_add(1, std::memory_order_relaxed);
            co_await dispatch(*client, *text);
        }
    } catch (const std::exception& e) {
        log::warn("websocket connection failed", {{"user_id", who.user_id}, {"error", e.what()}});
        channel.close(http::close_code::internal_error, "The server failed; reconnect.");
    }
    client->detach();
    detach(client.get());
    for (const auto& fn : disconnect_handlers_) {
        fn(*client);
    }
}

awaitable<void> socket_hub::say_hello(socket_client& client) {
    const auto who = client.who();
    auto read = [family = who.family_id](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        return family::member_ids(tx, family);
    };
    const auto members = co_await database_.run(std::move(read));
    std::vector<presence::member_presence> states;
    try {
        states = co_await presence_.of_members(who.family_id, members);
    } catch (const error&) {
        // Redis is down: say who is in the family; presence follows when it is back.
        for (const auto id : members) {
            states.push_back({id, id == who.user_id, std::nullopt});
        }
    }
    client.greet(std::make_shared<const std::string>(hello_message(who, states)));
}

awaitable<void> socket_hub::dispatch(socket_client& client, const std::string& text) {
    const auto refuse = [&](std::string_view code, std::string_view detail,
                            const std::string& in_reply_to) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        if (client.refuse(code, detail, in_reply_to, config_.max_errors_per_minute)) {
            client.close(http::close_code::policy_violation,
                         "Too many refused messages; fix the client and reconnect.");
        }
    };
    const auto message = nlohmann::json::parse(text, nullptr, false);
    if (message.is_discarded()) {
        refuse("malformed_json", "The message is not valid JSON.", {});
        co_return;
    }
    if (!message.is_object()) {
        refuse("not_an_object", "A message is a JSON object with a \"type\".", {});
        co_return;
    }
    const auto id = message_id(message);
    const auto type = message.find("type");
    if (type == message.end() || !type->is_string()) {
        refuse("missing_type", "A message needs a \"type\" string.", id);
        co_return;
    }
    const auto& name = type->get_ref<const std::string&>();
    if (name == "ping") {
        nlohmann::json pong{{"type", "pong"}};
        if (!id.empty()) {
            pong["in_reply_to"] = id;
        }
        client.send(std::make_shared<const std::string>(pong.dump()));
        co_return;
    }
    const auto handler = handlers_.find(name);
    if (handler == handlers_.end()) {
        refuse("unknown_type", "This server does not know messages of this type.", id);
        co_return;
    }
    std::optional<error> refused;
    try {
        co_await handler->second(client, message);
    } catch (const error& e) {
        refused = e;
    }
    if (refused) {
        const auto& reason = refused->reason();
        refuse(reason.empty() ? to_string(refused->code()) : std::string_view{reason},
               refused->detail(), id);
    }
}

void socket_hub::end_sessions(std::int64_t user_id) {
    for (const auto& c : clients_of_user(user_id)) {
        c->close(http::close_code::session_ended, "This session has ended; sign in again.");
        ended_.fetch_add(1, std::memory_order_relaxed);
    }
}

void socket_hub::announce_revocation(std::int64_t user_id, std::int64_t generation_floor) {
    // "<user>:<floor>"
    auto publish = [](cache::redis_client& redis, std::string payload) -> awaitable<void> {
        try {
            cache::redis_command command{"PUBLISH", std::string{revoked_channel},
                                         std::move(payload)};
            co_await redis.command(std::move(command));
        } catch (const std::exception&) {
            // Redis is down: other instances read the removal from PostgreSQL on their poll.
        }
    };
    net::co_spawn(ioc_,
                  publish(redis_, std::to_string(user_id) + ":" + std::to_string(generation_floor)),
                  net::detached);
}

awaitable<void> socket_hub::send_to_user(std::int64_t user_id, std::string text) {
    cache::redis_command publish{"PUBLISH", socket_channel(user_id), std::move(text)};
    co_await redis_.command(std::move(publish));
}

awaitable<void> socket_hub::send_to_connection(std::int64_t user_id,
                                               const std::string& connection_id, std::string text) {
    co_await send_to_user(user_id, addressed(connection_id, text));
}

awaitable<void> socket_hub::send_to_user_except(std::int64_t user_id,
                                                const std::string& connection_id,
                                                std::string text) {
    auto payload = addressed(connection_id, text);
    payload.front() = '!';
    co_await send_to_user(user_id, std::move(payload));
}

std::string socket_hub::channel_of(std::int64_t user_id) {
    return socket_channel(user_id);
}

std::string socket_hub::addressed(std::string_view connection_id, std::string_view text) {
    std::string out;
    out.reserve(connection_id.size() + text.size() + 2);
    out += '@';
    out += connection_id;
    out += ' ';
    out += text;
    return out;
}

const std::string& socket_hub::instance_id() const noexcept {
    return presence_.instance_id();
}

void socket_hub::on_message(std::string_view channel, std::string_view payload) {
    if (channel == revoked_channel) {
        const auto colon = payload.find(':');
        const auto user = number_after(payload.substr(0, colon), "");
        const auto floor = colon == std::string_view::npos
                               ? std::nullopt
                               : number_after(payload.substr(colon + 1), "");
        if (user && floor && on_revoked_elsewhere_) {
            on_revoked_elsewhere_(*user, *floor);
        }
        return;
    }
    if (channel.starts_with(presence_prefix)) {
        deliver_presence(payload);
        return;
    }
    if (const auto user = number_after(channel, socket_prefix)) {
        // A message ("{…}"), or one addressed to a connection ("@<id> {…}") or to all but one
        // ("!<id> {…}").
        std::string_view connection;
        const char mark = payload.empty() ? '{' : payload.front();
        if (mark == '@' || mark == '!') {
            const auto space = payload.find(' ');
            if (space == std::string_view::npos) {
                return;
            }
            connection = payload.substr(1, space - 1);
            payload.remove_prefix(space + 1);
        }
        const auto text = std::make_shared<const std::string>(payload);
        for (const auto& c : clients_of_user(*user)) {
            const bool is_it = c->connection_id() == connection;
            if (mark == '@' ? is_it : (mark != '!' || !is_it)) {
                c->send(text);
            }
        }
    }
}

void socket_hub::deliver_presence(std::string_view payload) {
    const auto change = presence::decode_change(payload);
    if (!change) {
        return;
    }
    std::vector<std::shared_ptr<socket_client>> family;
    {
        const std::lock_guard lock{mutex_};
        if (const auto found = by_family_.find(change->family_id); found != by_family_.end()) {
            for (const auto& w : found->second) {
                if (auto c = w.lock()) {
                    family.push_back(std::move(c));
                }
            }
        }
    }
    // Serialised once, shared by every connection of the family.
    const auto text = std::make_shared<const std::string>(presence_message(change->member));
    for (const auto& c : family) {
        c->send(text);
    }
}

std::size_t socket_hub::connection_count() const {
    const std::lock_guard lock{mutex_};
    return count_;
}

void socket_hub::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_websockets", "gauge", "Open WebSocket connections here.");
    append_metric(out, "poki_websockets", "", static_cast<double>(connection_count()));
    append_counter(out, "poki_websockets_opened_total", "WebSocket connections opened.", opened_);
    append_counter(out, "poki_websocket_messages_total", "Messages received from clients.",
                   messages_);
    append_counter(out, "poki_websocket_refused_total", "Client messages answered with an error.",
                   refused_);
    append_counter(out, "poki_websockets_ended_total",
                   "Connections closed because their session ended (signed out, removed).", ended_);
}

}  // namespace poki::realtime
