#include "poki/calls/call_relay.hpp"

#include <string_view>

#include "poki/core/error.hpp"
#include "poki/realtime/socket_hub.hpp"

namespace poki::calls {
namespace {

constexpr int live_ttl_s = 24 * 3600;  // a call is forgotten a day after its last change
constexpr int over_ttl_s = 120;        // a finished call's version, so a late copy is ignored

std::string live_key(const std::string& call_id) {
    return "poki:call:" + call_id;
}

// KEYS[1] the call; ARGV: version, ttl, over ("1"/"0"), then per party: user id, its
// channel, its device's connection id ("" while rung). Fields: v, p:<user>, b:<user>; held
// signals in <key>:held:<user>. Published held signals use socket_hub's "@<connection> " form.
constexpr std::string_view sync_script = R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1])
for i = 4, #ARGV, 3 do
  local held = KEYS[1] .. ':held:' .. ARGV[i]
  if ARGV[3] == '1' then
    redis.call('DEL', held)
  else
    redis.call('HSET', KEYS[1], 'p:' .. ARGV[i], '1')
    if ARGV[i + 2] ~= '' then
      redis.call('HSET', KEYS[1], 'b:' .. ARGV[i], ARGV[i + 2])
      for _, m in ipairs(redis.call('LRANGE', held, 0, -1)) do
        redis.call('PUBLISH', ARGV[i + 1], '@' .. ARGV[i + 2] .. ' ' .. m)
      end
      redis.call('DEL', held)
    end
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

// KEYS[1] the call; ARGV: sender, sender's connection, receiver, receiver's channel, message,
// max held, held ttl.
constexpr std::string_view relay_script = R"lua(
if redis.call('HGET', KEYS[1], 'b:' .. ARGV[1]) ~= ARGV[2] then return 'not_in_call' end
if redis.call('HEXISTS', KEYS[1], 'p:' .. ARGV[3]) == 0 then return 'not_a_party' end
local to = redis.call('HGET', KEYS[1], 'b:' .. ARGV[3])
if to then
  redis.call('PUBLISH', ARGV[4], '@' .. to .. ' ' .. ARGV[5])
  return 'sent'
end
local held = KEYS[1] .. ':held:' .. ARGV[3]
if redis.call('LLEN', held) >= tonumber(ARGV[6]) then return 'held_full' end
redis.call('RPUSH', held, ARGV[5])
redis.call('EXPIRE', held, ARGV[7])
return 'held'
)lua";

bool in_the_call(party_state s) {
    return s == party_state::ringing || s == party_state::joined;
}

}  // namespace

call_relay::call_relay(cache::redis_client& redis, int max_held)
    : redis_{redis}
    , max_held_{max_held}
    , sync_{std::string{sync_script}}
    , relay_{std::string{relay_script}} {}

awaitable<void> call_relay::sync(const call_record& call) {
    const bool over = is_final(call.state);
    std::vector<std::string> args{std::to_string(call.version),
                                  std::to_string(over ? over_ttl_s : live_ttl_s), over ? "1" : "0"};
    for (const auto& p : call.parties) {
        if (over || in_the_call(p.state)) {
            args.push_back(std::to_string(p.user_id));
            args.push_back(realtime::socket_hub::channel_of(p.user_id));
            args.push_back(p.in_call && p.state == party_state::joined ? p.in_call->connection_id
                                                                       : std::string{});
        }
    }
    std::vector<std::string> keys{live_key(call.id)};
    const auto reply = co_await sync_.run(redis_, std::move(keys), std::move(args));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Calls are unavailable right now."};
    }
}

awaitable<relay_result> call_relay::relay(const std::string& call_id, std::int64_t from_user,
                                          const std::string& from_connection, std::int64_t to_user,
                                          std::string message) {
    std::vector<std::string> keys{live_key(call_id)};
    std::vector<std::string> args{
        std::to_string(from_user), from_connection,
        std::to_string(to_user),   realtime::socket_hub::channel_of(to_user),
        std::move(message),        std::to_string(max_held_),
        std::to_string(live_ttl_s)};
    const auto reply = co_await relay_.run(redis_, std::move(keys), std::move(args));
    if (reply.is_error()) {
        throw error{errc::unavailable, "Calls are unavailable right now."};
    }
    const std::string_view r = reply.text;
    if (r == "sent") {
        co_return relay_result::sent;
    }
    if (r == "held") {
        co_return relay_result::held;
    }
    if (r == "held_full") {
        co_return relay_result::held_full;
    }
    co_return r == "not_a_party" ? relay_result::not_a_party : relay_result::not_in_call;
}

}  // namespace poki::calls
