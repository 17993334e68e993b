#include "poki/calls/call_service.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "poki/calls/call_repository.hpp"
#include "poki/calls/calls_json.hpp"
#include "poki/calls/ice_servers.hpp"
#include "poki/core/log.hpp"
#include "poki/core/metrics.hpp"
#include "poki/core/periodic.hpp"
#include "poki/core/timestamp.hpp"

namespace poki::calls {
namespace {

error call_not_found() {
    return error{errc::not_found, "call_not_found", "There is no such call of yours."};
}

void reply_to(nlohmann::json& message, const std::string& message_id) {
    if (!message_id.empty()) {
        message["in_reply_to"] = message_id;
    }
}

notify::event_draft missed_call_event(const call_record& call, std::int64_t callee,
                                      const std::string& caller_name) {
    const bool video = call.media == call_media::video;
    return {callee,
            "call.missed",
            {{"call_id", call.id},
             {"caller_id", call.caller_id},
             {"caller_name", caller_name},
             {"media", to_string(call.media)},
             {"created_at", call.created_at}},
            notify::push_text{"부재중 통화",
                              caller_name + (video ? "님의 영상 통화" : "님의 음성 통화")}};
}

}  // namespace

call_service::call_service(net::io_context& ioc, db::pool& database, cache::redis_client& redis,
                           realtime::socket_hub& sockets, notify::event_service& events,
                           chat::message_writer& chat, presence::presence_tracker& presence,
                           const calls_config& cfg)
    : ioc_{ioc}
    , database_{database}
    , sockets_{sockets}
    , events_{events}
    , chat_{chat}
    , presence_{presence}
    , config_{cfg}
    , relay_{redis, cfg.max_held_signals} {
    call_repository::declare_statements(database_);
}

void call_service::start(job_monitor& jobs) {
    // The closure is moved into run_periodically's frame, which outlives this call.
    std::function<awaitable<void>()> job = [this]() -> awaitable<void> { co_await sweep_once(); };
    net::co_spawn(
        ioc_, run_periodically("call sweep", milliseconds{config_.sweep_ms}, std::move(job), jobs),
        net::detached);
}

std::string call_service::ice_servers_text(std::int64_t user_id) const {
    const auto now = now_in_seconds();
    return ice_servers_json(ice_servers_for(config_, user_id, now), now).dump();
}

std::optional<call_service::outcome> call_service::apply(pqxx::work& tx, call_record& call,
                                                         call_events events) const {
    if (events.empty()) {
        return std::nullopt;
    }
    call_repository::save(tx, call);
    outcome done{call, std::move(events), {}, std::nullopt, std::nullopt};
    std::vector<notify::event_draft> drafts;
    std::optional<std::string> caller_name;  // asked once, for the first who missed it
    for (const auto& e : done.events) {
        if (e.news == call_news::missed) {
            if (!caller_name) {
                caller_name = call_repository::display_name(tx, call.caller_id);
            }
            drafts.push_back(missed_call_event(call, e.user_id, *caller_name));
        }
    }
    if (!drafts.empty()) {
        done.recorded = events_.record(tx, std::move(drafts));
        done.missed_in_room = call_repository::family_room(tx, call.family_id);
    }
    return done;
}

template <class Change>
awaitable<void> call_service::change(std::string call_id, std::optional<std::int64_t> family_id,
                                     Change fn) {
    auto work = [this, call_id, family_id, fn](pqxx::work& tx) -> std::optional<outcome> {
        auto call = call_repository::lock(tx, call_id);
        if (!call || (family_id && call->family_id != *family_id)) {
            throw call_not_found();
        }
        auto events = fn(*call);
        return apply(tx, *call, std::move(events));
    };
    auto done = co_await database_.transaction(std::move(work));
    if (done) {
        co_await announce(std::move(*done));
    }
}

awaitable<void> call_service::send_to_parties(const call_record& call, std::string text) {
    for (const auto& p : call.parties) {
        co_await sockets_.send_to_user(p.user_id, text);
    }
}

awaitable<void> call_service::announce(outcome done) {
    const auto& call = done.call;
    try {
        co_await relay_.sync(call);
        for (const auto& e : done.events) {
            auto message = call_message("call.ended", call);
            switch (e.news) {
                case call_news::accepted: {
                    answered_.fetch_add(1, std::memory_order_relaxed);
                    remember(e.from->connection_id);
                    auto elsewhere = call_message("call.answered_elsewhere", call);
                    co_await sockets_.send_to_user_except(e.user_id, e.from->connection_id,
                                                          elsewhere.dump());
                    message = call_message("call.accepted", call);
                    break;
                }
                case call_news::declined:
                    message = call_message("call.declined", call);
                    break;
                case call_news::missed:
                    missed_.fetch_add(1, std::memory_order_relaxed);
                    message = call_message("call.missed", call);
                    break;
                case call_news::left:
                    message = call_message("call.left", call);
                    message["reason"] = to_string(e.reason.value_or(end_reason::hang_up));
                    break;
                case call_news::rejoined:
                    remember(e.from->connection_id);
                    message = call_message("call.rejoined", call);
                    break;
                case call_news::ended:
                    break;
            }
            if (e.user_id != 0) {
                message["user_id"] = e.user_id;
            }
            co_await send_to_parties(call, message.dump());
        }
    } catch (const std::exception& e) {
        // The change is committed; the parties see it when they reconnect or ask again.
        log::warn("call announcement failed", {{"call_id", call.id}, {"error", e.what()}});
    }
    co_await events_.publish(std::move(done.recorded));
    if (done.missed_in_room) {
        co_await note_in_chat(call, *done.missed_in_room);
    }
}

awaitable<void> call_service::note_in_chat(const call_record& call, std::int64_t room_id) {
    // Written by the caller, keyed by the call: a second sweep of the same call finds it. The
    // writer checks the author is in the family; the role does not matter to it.
    chat::send_request note{
        principal{call.caller_id, call.family_id, role::parent, 0}, room_id, call.id,
        call.media == call_media::video ? "부재중 영상 통화" : "부재중 음성 통화",
        chat::message_kind::missed_call};
    try {
        const auto written = co_await chat_.send(std::move(note));
        if (written.refused) {
            log::warn("missed call not noted in chat",
                      {{"call_id", call.id}, {"error", written.refused->detail()}});
        }
    } catch (const std::exception& e) {
        log::warn("missed call not noted in chat", {{"call_id", call.id}, {"error", e.what()}});
    }
}

awaitable<void> call_service::announce_new_call(const outcome& done) {
    const auto& call = done.call;
    const auto& from = *done.invited_by;
    remember(from.at.connection_id);
    try {
        co_await relay_.sync(call);
        auto ringing = call_message("call.ringing", call);
        ringing["ice_servers"] = nlohmann::json::parse(ice_servers_text(from.who.user_id));
        reply_to(ringing, from.message_id);
        co_await sockets_.send_to_connection(from.who.user_id, from.at.connection_id,
                                             ringing.dump());
        for (const auto& p : call.parties) {
            if (p.state != party_state::ringing) {
                continue;
            }
            auto incoming = call_message("call.incoming", call);
            incoming["from"] = call.caller_id;
            incoming["ice_servers"] = nlohmann::json::parse(ice_servers_text(p.user_id));
            co_await sockets_.send_to_user(p.user_id, incoming.dump());
        }
        if (is_final(call.state)) {
            co_await send_to_parties(call, call_message("call.ended", call).dump());
        }
    } catch (const std::exception& e) {
        log::warn("call announcement failed", {{"call_id", call.id}, {"error", e.what()}});
    }
}

awaitable<void> call_service::invite(sender from, std::vector<std::int64_t> to, call_media media) {
    std::sort(to.begin(), to.end());
    if (to.empty() || to.size() >= max_call_parties ||
        std::adjacent_find(to.begin(), to.end()) != to.end() ||
        std::find(to.begin(), to.end(), from.who.user_id) != to.end()) {
        throw error::validation("to", "Call one to three other members of your family, once each.");
    }
    auto work = [this, from, to, media](pqxx::work& tx) -> outcome {
        const auto caller = from.who.user_id;
        call_repository::lock_family(tx, from.who.family_id);
        if (call_repository::members_among(tx, from.who.family_id, to).size() != to.size()) {
            throw error{errc::not_found, "member_not_found",
                        "There is no such member in your family."};
        }
        auto involved = to;
        involved.push_back(caller);
        const auto active = call_repository::active_calls_of(tx, involved);
        std::set<std::int64_t> busy;
        for (const auto& a : active) {
            if (a.user_id != caller) {
                busy.insert(a.user_id);
                continue;
            }
            // They are calling us at this very moment: answer that call instead of a second one.
            if (to.size() == 1 && a.state == party_state::ringing && a.caller_id == to.front() &&
                a.parties == 2) {
                auto call = call_repository::lock(tx, a.call_id);
                auto events = call_machine::accept(*call, caller, from.at);
                return std::move(*apply(tx, *call, std::move(events)));
            }
            throw error{errc::conflict, "already_in_call",
                        "You are in another call; end it first."};
        }
        call_record call;
        call.family_id = from.who.family_id;
        call.caller_id = caller;
        call.media = media;
        call.parties.push_back({caller, party_state::joined, from.at, false});
        for (const auto id : to) {
            call.parties.push_back({id,
                                    busy.contains(id) ? party_state::busy : party_state::ringing,
                                    std::nullopt, false});
        }
        auto events = call_machine::open(call);
        call_repository::insert(tx, call, config_.ring_timeout_s);
        return outcome{std::move(call), std::move(events), {}, from, std::nullopt};
    };
    auto done = co_await database_.transaction(std::move(work));
    if (done.invited_by) {
        started_.fetch_add(1, std::memory_order_relaxed);
        co_await announce_new_call(done);
    } else {
        co_await announce(std::move(done));
    }
}

awaitable<void> call_service::accept(sender from, std::string call_id) {
    auto fn = [from](call_record& c) { return call_machine::accept(c, from.who.user_id, from.at); };
    co_await change(std::move(call_id), from.who.family_id, std::move(fn));
}

awaitable<void> call_service::reject(sender from, std::string call_id) {
    auto fn = [from](call_record& c) { return call_machine::reject(c, from.who.user_id); };
    co_await change(std::move(call_id), from.who.family_id, std::move(fn));
}

awaitable<void> call_service::cancel(sender from, std::string call_id) {
    auto fn = [from](call_record& c) { return call_machine::cancel(c, from.who.user_id); };
    co_await change(std::move(call_id), from.who.family_id, std::move(fn));
}

awaitable<void> call_service::end(sender from, std::string call_id, end_reason why) {
    auto fn = [from, why](call_record& c) {
        return call_machine::hang_up(c, from.who.user_id, why);
    };
    co_await change(std::move(call_id), from.who.family_id, std::move(fn));
}

awaitable<void> call_service::rejoin(sender from, std::string call_id) {
    auto fn = [from](call_record& c) { return call_machine::rejoin(c, from.who.user_id, from.at); };
    co_await change(std::move(call_id), from.who.family_id, std::move(fn));
}

awaitable<void> call_service::signal(sender from, signal_message message) {
    if (message.to == from.who.user_id) {
        throw error::validation("to", "A signal goes to another party of the call.");
    }
    nlohmann::json relayed{{"type", "signal"},
                           {"call_id", message.call_id},
                           {"from", from.who.user_id},
                           {message.kind, std::move(message.payload)}};
    const auto result = co_await relay_.relay(message.call_id, from.who.user_id,
                                              from.at.connection_id, message.to, relayed.dump());
    switch (result) {
        case relay_result::sent:
            relayed_.fetch_add(1, std::memory_order_relaxed);
            co_return;
        case relay_result::held:
            held_.fetch_add(1, std::memory_order_relaxed);
            co_return;
        case relay_result::held_full:
            refused_signals_.fetch_add(1, std::memory_order_relaxed);
            throw error{errc::conflict, "too_many_held_signals",
                        "The other side has not answered; no more signals are kept for them."};
        case relay_result::not_a_party:
            refused_signals_.fetch_add(1, std::memory_order_relaxed);
            throw error{errc::not_found, "not_a_party", "That member is not in this call."};
        case relay_result::not_in_call:
            break;
    }
    refused_signals_.fetch_add(1, std::memory_order_relaxed);
    throw error{errc::not_found, "not_in_call",
                "This connection is not in that call (answer or rejoin it first)."};
}

void call_service::remember(const std::string& connection_id) {
    const std::lock_guard lock{mutex_};
    in_calls_here_.insert(connection_id);
}

awaitable<void> call_service::connection_closed(device gone) {
    {
        const std::lock_guard lock{mutex_};
        if (in_calls_here_.erase(gone.connection_id) == 0) {
            co_return;  // never in a call: nothing to look up
        }
    }
    auto mark = [gone](pqxx::work& tx) { call_repository::mark_lost(tx, gone.connection_id); };
    try {
        co_await database_.transaction(std::move(mark));
    } catch (const std::exception& e) {
        // The sweep still finds the party once its instance stops, or the peer hangs up.
        log::warn("could not mark a call's connection lost", {{"error", e.what()}});
    }
}

awaitable<void> call_service::sweep_once() {
    // Every instance sweeps; the row lock and the rules make a second look change nothing.
    auto due = [](pqxx::work& tx) { return call_repository::rings_due(tx); };
    const auto rings = co_await database_.transaction(std::move(due));
    for (const auto& id : rings) {
        auto fn = [](call_record& c) { return call_machine::time_out(c); };
        co_await change_quietly(id, std::move(fn));
    }
    std::optional<std::vector<std::string>> live;
    try {
        live = co_await presence_.live_instances();
    } catch (const std::exception&) {
        // Redis cannot say which instances live: nobody is taken for lost meanwhile.
    }
    if (live) {
        auto mark = [instances = std::move(*live)](pqxx::work& tx) {
            call_repository::mark_lost_unless_on(tx, instances);
        };
        co_await database_.transaction(std::move(mark));
    }
    auto lost = [grace = config_.reconnect_grace_s](pqxx::work& tx) {
        return call_repository::lost_for(tx, grace);
    };
    const auto gone = co_await database_.transaction(std::move(lost));
    for (const auto& l : gone) {
        auto fn = [l](call_record& c) { return call_machine::lose(c, l.user_id, l.lost); };
        co_await change_quietly(l.call_id, std::move(fn));
    }
}

template <class Change>
awaitable<void> call_service::change_quietly(std::string call_id, Change fn) {
    try {
        co_await change(call_id, std::nullopt, std::move(fn));
    } catch (const std::exception& e) {
        log::warn("call sweep could not change a call",
                  {{"call_id", call_id}, {"error", e.what()}});
    }
}

awaitable<call_page> call_service::list(principal who, std::optional<std::int64_t> cursor,
                                        int limit) {
    auto read = [family = who.family_id, cursor, limit](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        return call_repository::page(tx, family, cursor, rows_for_page(limit));
    };
    auto rows = co_await database_.run(std::move(read));
    co_return page_of(std::move(rows), limit, [](const call_record& c) { return c.seq; });
}

void call_service::render_metrics(std::string& out) const {
    append_counter(out, "poki_calls_started_total", "Calls rung.", started_);
    append_counter(out, "poki_calls_answered_total", "Parties who answered a call.", answered_);
    append_counter(out, "poki_calls_missed_total", "Parties who did not answer in time.", missed_);
    append_counter(out, "poki_call_signals_relayed_total",
                   "Signals passed to the other party's device.", relayed_);
    append_counter(out, "poki_call_signals_held_total",
                   "Signals kept until the other party answered.", held_);
    append_counter(out, "poki_call_signals_refused_total",
                   "Signals refused (not in the call, or too many held).", refused_signals_);
}

}  // namespace poki::calls
