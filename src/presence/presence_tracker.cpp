#include "poki/presence/presence_tracker.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "poki/core/crypto.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"

namespace poki::presence {
namespace {

constexpr std::size_t heartbeat_chunk = 1000;
constexpr std::int64_t last_seen_keep_ms = std::int64_t{90} * 24 * 3600 * 1000;
constexpr std::string_view instances_key{"poki:presence:instances"};

// Two records per member: "connected" is exact (pushes skip whoever has a live connection);
// "present" also covers the grace after the last connection closed (what families see).
std::string connected_key(std::int64_t user_id) {
    return "poki:online:" + std::to_string(user_id);
}
std::string present_key(std::int64_t user_id) {
    return "poki:present:" + std::to_string(user_id);
}
std::string held_key(std::string_view instance) {
    return "poki:presence:held:" + std::string{instance};
}
std::string last_seen_key(std::int64_t family_id) {
    return "poki:last_seen:" + std::to_string(family_id);
}
std::string holding(std::int64_t user_id, std::int64_t family_id) {
    return std::to_string(user_id) + ':' + std::to_string(family_id);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_holding(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    try {
        return std::pair{std::stoll(std::string{text.substr(0, colon)}),
                         std::stoll(std::string{text.substr(colon + 1)})};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

presence_hold::~presence_hold() {
    if (tracker_ != nullptr) {
        tracker_->disconnect(user_id_);
    }
}

presence_tracker::presence_tracker(net::io_context& ioc, cache::redis_client& redis,
                                   const presence_config& cfg)
    : ioc_{ioc}
    , redis_{redis}
    , config_{cfg}
    , instance_id_{crypto::base64url_encode(crypto::random_bytes(9))} {}

std::int64_t presence_tracker::ttl_ms() const noexcept {
    return std::int64_t{config_.heartbeat_s} * 3000;
}

void presence_tracker::start() {
    spawn(heartbeat_loop());
}

void presence_tracker::spawn(awaitable<void> work) {
    net::co_spawn(ioc_, std::move(work), [](const std::exception_ptr& failure) {
        if (!failure) {
            return;
        }
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            // Redis is down: the next heartbeat puts presence right once it is back.
            log::debug("presence update failed", {{"error", e.what()}});
        }
    });
}

presence_hold presence_tracker::connect(const principal& who) {
    bool arrived = false;
    bool back = false;
    {
        const std::lock_guard lock{mutex_};
        auto [entry, made] = users_.try_emplace(who.user_id);
        entry->second.family_id = who.family_id;
        back = !made && entry->second.connections == 0;  // within the grace period
        ++entry->second.connections;
        entry->second.generation = next_generation_++;
        arrived = made;
    }
    if (arrived) {
        spawn(went_online(who.user_id, who.family_id));
    } else if (back) {
        spawn(set_connected(who.user_id, true));
    }
    return presence_hold{*this, who.user_id};
}

awaitable<void> presence_tracker::set_connected(std::int64_t user_id, bool connected) {
    std::vector<cache::redis_command> batch;
    if (connected) {
        batch.push_back(
            {"ZADD", connected_key(user_id), std::to_string(now_ms() + ttl_ms()), instance_id_});
        batch.push_back({"PEXPIRE", connected_key(user_id), std::to_string(ttl_ms())});
    } else {
        batch.push_back({"ZREM", connected_key(user_id), instance_id_});
    }
    co_await redis_.pipeline(std::move(batch));
}

void presence_tracker::disconnect(std::int64_t user_id) {
    std::uint64_t generation = 0;
    {
        const std::lock_guard lock{mutex_};
        const auto found = users_.find(user_id);
        if (found == users_.end() || --found->second.connections > 0) {
            return;
        }
        generation = found->second.generation = next_generation_++;
    }
    spawn(set_connected(user_id, false));  // pushes reach them again from now on
    spawn(after_grace(user_id, generation));
}

awaitable<void> presence_tracker::after_grace(std::int64_t user_id, std::uint64_t generation) {
    net::steady_timer grace{ioc_, config_.offline_grace};
    co_await grace.async_wait(net::use_awaitable);
    std::int64_t family_id = 0;
    {
        const std::lock_guard lock{mutex_};
        const auto found = users_.find(user_id);
        if (found == users_.end() || found->second.connections > 0 ||
            found->second.generation != generation) {
            co_return;  // back in time
        }
        family_id = found->second.family_id;
        users_.erase(found);
    }
    co_await went_offline(user_id, family_id, instance_id_);
}

awaitable<void> presence_tracker::went_online(std::int64_t user_id, std::int64_t family_id) {
    const auto now = now_ms();
    const auto expires = std::to_string(now + ttl_ms());
    const auto ttl = std::to_string(ttl_ms());
    std::vector<cache::redis_command> batch{
        {"ZCOUNT", present_key(user_id), std::to_string(now), "+inf"},
        {"ZADD", present_key(user_id), expires, instance_id_},
        {"PEXPIRE", present_key(user_id), ttl},
        {"ZADD", connected_key(user_id), expires, instance_id_},
        {"PEXPIRE", connected_key(user_id), ttl},
        {"SADD", held_key(instance_id_), holding(user_id, family_id)},
        {"ZADD", std::string{instances_key}, expires, instance_id_},
    };
    const auto replies = co_await redis_.pipeline(std::move(batch));
    if (replies.at(0).is_error() || replies.at(0).integer > 0) {
        co_return;  // online elsewhere already: nothing changed for the family
    }
    cache::redis_command publish{"PUBLISH", presence_channel(family_id),
                                 encode_change({family_id, {user_id, true, std::nullopt}})};
    co_await redis_.command(std::move(publish));
    published_.fetch_add(1, std::memory_order_relaxed);
}

awaitable<void> presence_tracker::went_offline(std::int64_t user_id, std::int64_t family_id,
                                               std::string_view instance) {
    const auto now = now_ms();
    std::vector<cache::redis_command> batch{
        {"ZREM", present_key(user_id), std::string{instance}},
        {"ZREM", connected_key(user_id), std::string{instance}},
        {"SREM", held_key(instance), holding(user_id, family_id)},
        {"ZCOUNT", present_key(user_id), std::to_string(now), "+inf"},
    };
    const auto replies = co_await redis_.pipeline(std::move(batch));
    if (replies.at(3).is_error() || replies.at(3).integer > 0) {
        co_return;  // still connected on another instance
    }
    std::vector<cache::redis_command> record{
        {"HSET", last_seen_key(family_id), std::to_string(user_id), std::to_string(now)},
        {"PEXPIRE", last_seen_key(family_id), std::to_string(last_seen_keep_ms)},
        {"PUBLISH", presence_channel(family_id),
         encode_change({family_id, {user_id, false, timestamp{milliseconds{now}}}})},
    };
    co_await redis_.pipeline(std::move(record));
    published_.fetch_add(1, std::memory_order_relaxed);
}

awaitable<bool> presence_tracker::online(std::int64_t user_id) {
    cache::redis_command count{"ZCOUNT", connected_key(user_id), std::to_string(now_ms()), "+inf"};
    const auto reply = co_await redis_.command(std::move(count));
    co_return !reply.is_error() && reply.integer > 0;
}

awaitable<std::vector<member_presence>> presence_tracker::of_members(
    std::int64_t family_id, std::span<const std::int64_t> members) {
    std::vector<member_presence> out;
    out.reserve(members.size());
    if (members.empty()) {
        co_return out;
    }
    const auto now = std::to_string(now_ms());
    std::vector<cache::redis_command> batch;
    batch.reserve(members.size() + 1);
    cache::redis_command seen{"HMGET", last_seen_key(family_id)};
    for (const auto id : members) {
        batch.push_back({"ZCOUNT", present_key(id), now, "+inf"});
        seen.push_back(std::to_string(id));
    }
    batch.push_back(std::move(seen));
    const auto replies = co_await redis_.pipeline(std::move(batch));
    const auto& last_seen = replies.back();
    for (std::size_t i = 0; i < members.size(); ++i) {
        member_presence p{members[i], !replies[i].is_error() && replies[i].integer > 0,
                          std::nullopt};
        if (!p.online && i < last_seen.elements.size()) {
            if (const auto ms = last_seen.elements[i].as_optional_string()) {
                try {
                    p.last_seen = timestamp{milliseconds{std::stoll(*ms)}};
                } catch (const std::exception&) {
                    // not a number: say nothing rather than something wrong
                }
            }
        }
        out.push_back(p);
    }
    co_return out;
}

awaitable<void> presence_tracker::heartbeat_loop() {
    net::steady_timer timer{ioc_};
    while (true) {
        try {
            co_await heartbeat_once();
        } catch (const std::exception& e) {
            log::debug("presence heartbeat failed", {{"error", e.what()}});
        }
        timer.expires_after(std::chrono::seconds{config_.heartbeat_s});
        co_await timer.async_wait(net::use_awaitable);
    }
}

awaitable<void> presence_tracker::heartbeat_once() {
    struct held_user {
        std::int64_t user_id;
        std::int64_t family_id;
        bool connected;
    };
    std::vector<held_user> here;
    {
        const std::lock_guard lock{mutex_};
        here.reserve(users_.size());
        for (const auto& [user, entry] : users_) {
            here.push_back({user, entry.family_id, entry.connections > 0});
        }
    }
    const auto expires = std::to_string(now_ms() + ttl_ms());
    const auto ttl = std::to_string(ttl_ms());
    for (std::size_t from = 0; from < here.size(); from += heartbeat_chunk) {
        const auto end = std::min(here.size(), from + heartbeat_chunk);
        std::vector<cache::redis_command> batch;
        batch.reserve((end - from) * 5);
        for (std::size_t i = from; i < end; ++i) {
            const auto& h = here[i];
            batch.push_back({"ZADD", present_key(h.user_id), expires, instance_id_});
            batch.push_back({"PEXPIRE", present_key(h.user_id), ttl});
            if (h.connected) {
                batch.push_back({"ZADD", connected_key(h.user_id), expires, instance_id_});
                batch.push_back({"PEXPIRE", connected_key(h.user_id), ttl});
            }
            batch.push_back({"SADD", held_key(instance_id_), holding(h.user_id, h.family_id)});
        }
        co_await redis_.pipeline(std::move(batch));
    }
    // The instance's record outlives its users' by far, so a sweeper still finds it.
    std::vector<cache::redis_command> self{
        {"ZADD", std::string{instances_key}, expires, instance_id_},
        {"PEXPIRE", held_key(instance_id_), std::to_string(ttl_ms() * 20)},
    };
    co_await redis_.pipeline(std::move(self));
    co_await sweep_dead_instances();
}

awaitable<std::optional<std::vector<std::string>>> presence_tracker::live_instances() {
    cache::redis_command live{"ZRANGEBYSCORE", std::string{instances_key}, std::to_string(now_ms()),
                              "+inf"};
    const auto reply = co_await redis_.command(std::move(live));
    if (reply.type != cache::redis_reply::kind::array) {
        co_return std::nullopt;
    }
    std::vector<std::string> out{instance_id_};
    for (const auto& entry : reply.elements) {
        if (entry.text != instance_id_) {
            out.push_back(entry.text);
        }
    }
    co_return out;
}

awaitable<void> presence_tracker::sweep_dead_instances() {
    cache::redis_command due{"ZRANGEBYSCORE",
                             std::string{instances_key},
                             "-inf",
                             std::to_string(now_ms()),
                             "LIMIT",
                             "0",
                             "16"};
    const auto dead = co_await redis_.command(std::move(due));
    for (const auto& entry : dead.elements) {
        const auto& instance = entry.text;
        if (instance == instance_id_) {
            continue;
        }
        // Whoever removes the record sweeps that instance: once, across instances.
        cache::redis_command claim{"ZREM", std::string{instances_key}, instance};
        if ((co_await redis_.command(std::move(claim))).integer != 1) {
            continue;
        }
        cache::redis_command members{"SMEMBERS", held_key(instance)};
        const auto held = co_await redis_.command(std::move(members));
        for (const auto& h : held.elements) {
            if (const auto parsed = parse_holding(h.text)) {
                co_await went_offline(parsed->first, parsed->second, instance);
            }
        }
        cache::redis_command drop{"DEL", held_key(instance)};
        co_await redis_.command(std::move(drop));
        swept_.fetch_add(1, std::memory_order_relaxed);
        log::info("presence: swept a stopped instance",
                  {{"instance", instance}, {"users", held.elements.size()}});
    }
}

std::size_t presence_tracker::users_here() const {
    const std::lock_guard lock{mutex_};
    return users_.size();
}

void presence_tracker::render_metrics(std::string& out) const {
    append_metric_header(out, "poki_presence_users", "gauge",
                         "Members with a live connection here (or in their offline grace).");
    append_metric(out, "poki_presence_users", "", static_cast<double>(users_here()));
    append_metric_header(out, "poki_presence_changes_total", "counter",
                         "Online and offline changes published to families.");
    append_metric(out, "poki_presence_changes_total", "", static_cast<double>(published_.load()));
    append_metric_header(out, "poki_presence_instances_swept_total", "counter",
                         "Stopped instances whose users this instance took offline.");
    append_metric(out, "poki_presence_instances_swept_total", "",
                  static_cast<double>(swept_.load()));
}

}  // namespace poki::presence
