#include "poki/ideas/idea_cache.hpp"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "poki/core/crypto.hpp"
#include "poki/core/error.hpp"
#include "poki/ideas/idea_checks.hpp"

namespace poki::ideas {
namespace {

constexpr std::string_view pool_prefix = "ideas:pool:";
constexpr std::string_view born_prefix = "ideas:born:";
constexpr std::string_view claim_prefix = "ideas:fill:";
constexpr std::string_view frequency_key = "ideas:lfu";
constexpr std::string_view epoch_key = "ideas:lfu:epoch";
constexpr std::string_view backoff_key = "ideas:backoff";
constexpr std::string_view failures_key = "ideas:failures";
constexpr std::string_view bands_list = "3-6,7-9,10-13";

// `uses` uses of a tag at `now`: adds uses × 2^((now − epoch)/half_life) to its score. Past 2^256
// every score is divided by the same power of two and the epoch moves to now, which keeps the
// order.
constexpr std::string_view bump_function = R"lua(
local function bump(lfu, epoch_key, now, half_life, member, uses)
  local epoch = tonumber(redis.call('GET', epoch_key))
  if not epoch then
    epoch = now
    redis.call('SET', epoch_key, now)
  end
  local exponent = (now - epoch) / half_life
  if exponent > 256 then
    local all = redis.call('ZRANGE', lfu, 0, -1, 'WITHSCORES')
    for i = 1, #all, 2 do
      redis.call('ZADD', lfu, tonumber(all[i + 1]) / 2 ^ exponent, all[i])
    end
    redis.call('SET', epoch_key, now)
    exponent = 0
  elseif exponent < 0 then
    exponent = 0 -- another instance's clock ran ahead
  end
  redis.call('ZINCRBY', lfu, uses * 2 ^ exponent, member)
end
)lua";

// KEYS: pool, born, lfu, epoch, claim. ARGV: count, now, ttl, max_ttl, half_life, tag, uses.
// A hit: {pool size (0 when this was its last answer), 0, idea…}; a miss: {0, claim held}.
constexpr std::string_view pick_body = R"lua(
local picks = redis.call('HRANDFIELD', KEYS[1], tonumber(ARGV[1]), 'WITHVALUES')
if #picks == 0 then
  return {0, redis.call('EXISTS', KEYS[5])}
end
local now = tonumber(ARGV[2])
local born = tonumber(redis.call('GET', KEYS[2]) or ARGV[2])
local lifetime_end = math.min(now + tonumber(ARGV[3]), born + tonumber(ARGV[4]))
local size = redis.call('HLEN', KEYS[1])
if lifetime_end <= now then
  -- past its maximum: this is the pool's last answer (deleted here rather than by an
  -- expiry on Redis's clock, which may lag the instances')
  redis.call('DEL', KEYS[1], KEYS[2])
  size = 0
else
  redis.call('PEXPIREAT', KEYS[1], lifetime_end)
  redis.call('PEXPIREAT', KEYS[2], lifetime_end)
end
bump(KEYS[3], KEYS[4], now, tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]))
local out = {size, 0}
for i = 2, #picks, 2 do
  out[#out + 1] = picks[i]
end
return out
)lua";

// KEYS: pool, born, lfu, epoch. ARGV: now, ttl, max_ttl, half_life, tag, pool size,
// max tags, pool prefix, born prefix, bands, then title key and idea pairs.
// Returns {pool size, evicted tag…}.
constexpr std::string_view fill_body = R"lua(
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local max_ttl = tonumber(ARGV[3])
local tag = ARGV[5]
local born = tonumber(redis.call('GET', KEYS[2]))
if redis.call('EXISTS', KEYS[1]) == 0 or not born or born + max_ttl <= now then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], now)
  born = now
end
local size = redis.call('HLEN', KEYS[1])
local limit = tonumber(ARGV[6])
for i = 11, #ARGV, 2 do
  if size >= limit then
    break
  end
  size = size + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
end
local lifetime_end = math.min(now + ttl, born + max_ttl)
redis.call('PEXPIREAT', KEYS[1], lifetime_end)
redis.call('PEXPIREAT', KEYS[2], lifetime_end)
bump(KEYS[3], KEYS[4], now, tonumber(ARGV[4]), tag, 1)

local out = {size}
local max_tags = tonumber(ARGV[7])
if redis.call('ZCARD', KEYS[3]) <= max_tags then
  return out
end
local bands = {}
for band in string.gmatch(ARGV[10], '[^,]+') do
  bands[#bands + 1] = band
end
local function alive(member)
  for _, band in ipairs(bands) do
    if redis.call('EXISTS', ARGV[8] .. band .. ':' .. member) == 1 then
      return true
    end
  end
  return false
end
for _, member in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if member ~= tag and not alive(member) then
    redis.call('ZREM', KEYS[3], member)
  end
end
while redis.call('ZCARD', KEYS[3]) > max_tags do
  local lowest = redis.call('ZRANGE', KEYS[3], 0, 1)
  local victim = lowest[1]
  if victim == tag then
    victim = lowest[2]
  end
  for _, band in ipairs(bands) do
    redis.call('DEL', ARGV[8] .. band .. ':' .. victim, ARGV[9] .. band .. ':' .. victim)
  end
  redis.call('ZREM', KEYS[3], victim)
  out[#out + 1] = victim
end
return out
)lua";

constexpr std::string_view release_body = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

std::string key_of(std::string_view prefix, const idea_tag& tag, age_band band) {
    std::string key{prefix};
    key.append(to_string(band)).append(":").append(tag.key);
    return key;
}

void expect_reply(const cache::redis_reply& reply) {
    if (reply.is_error()) {
        throw error{errc::unavailable, "Redis refused an ideas command: " + reply.text};
    }
}

}  // namespace

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string pooled_text(const idea& i) {
    return nlohmann::json{{"id", i.id},
                          {"tag", i.tag},
                          {"title", i.title},
                          {"description", i.description},
                          {"reward", i.reward}}
        .dump();
}

std::optional<idea> pooled_idea(std::string_view text) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) {
        return std::nullopt;
    }
    try {
        return idea{doc.at("id").get<std::string>(), doc.at("tag").get<std::string>(),
                    doc.at("title").get<std::string>(), doc.at("description").get<std::string>(),
                    doc.at("reward").get<int>()};
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

idea_cache::idea_cache(cache::redis_client& redis, const ideas_config& cfg, wall_clock now)
    : redis_{redis}
    , cfg_{cfg}
    , now_{std::move(now)}
    , pick_script_{std::string{bump_function} + std::string{pick_body}}
    , fill_script_{std::string{bump_function} + std::string{fill_body}}
    , release_script_{std::string{release_body}} {}

std::vector<std::string> idea_cache::pool_keys(const idea_tag& tag, age_band band) const {
    return {key_of(pool_prefix, tag, band), key_of(born_prefix, tag, band),
            std::string{frequency_key}, std::string{epoch_key}};
}

awaitable<pool_pick> idea_cache::pick(const idea_tag& tag, age_band band, int count, int uses) {
    auto keys = pool_keys(tag, band);
    keys.push_back(key_of(claim_prefix, tag, band));
    std::vector<std::string> args{std::to_string(count),
                                  std::to_string(now_()),
                                  std::to_string(cfg_.ttl_s * 1000LL),
                                  std::to_string(cfg_.max_ttl_s * 1000LL),
                                  std::to_string(cfg_.half_life_s * 1000LL),
                                  tag.key,
                                  std::to_string(std::max(uses, 1))};
    const auto reply = co_await pick_script_.run(redis_, std::move(keys), std::move(args));
    expect_reply(reply);
    pool_pick out;
    if (reply.elements.size() < 2) {
        throw error{errc::unavailable, "Redis answered an ideas pick oddly"};
    }
    out.size = reply.elements[0].integer;
    out.filling = out.size == 0 && reply.elements[1].integer == 1;
    for (std::size_t i = 2; i < reply.elements.size(); ++i) {
        if (auto one = pooled_idea(reply.elements[i].text)) {
            out.ideas.push_back(std::move(*one));
        }
    }
    co_return out;
}

awaitable<fill_result> idea_cache::fill(const idea_tag& tag, age_band band,
                                        std::span<const idea> ideas) {
    std::vector<std::string> args{std::to_string(now_()),
                                  std::to_string(cfg_.ttl_s * 1000LL),
                                  std::to_string(cfg_.max_ttl_s * 1000LL),
                                  std::to_string(cfg_.half_life_s * 1000LL),
                                  tag.key,
                                  std::to_string(cfg_.pool_size),
                                  std::to_string(cfg_.max_tags),
                                  std::string{pool_prefix},
                                  std::string{born_prefix},
                                  std::string{bands_list}};
    for (const auto& i : ideas) {
        args.push_back(title_key(i.title));
        args.push_back(pooled_text(i));
    }
    auto keys = pool_keys(tag, band);
    const auto reply = co_await fill_script_.run(redis_, std::move(keys), std::move(args));
    expect_reply(reply);
    fill_result out;
    if (reply.elements.empty()) {
        throw error{errc::unavailable, "Redis answered an ideas fill oddly"};
    }
    out.size = reply.elements[0].integer;
    for (std::size_t i = 1; i < reply.elements.size(); ++i) {
        out.evicted.push_back(reply.elements[i].text);
    }
    co_return out;
}

awaitable<std::optional<std::string>> idea_cache::claim(const idea_tag& tag, age_band band,
                                                        milliseconds hold) {
    auto token = crypto::base64url_encode(crypto::random_bytes(16));
    cache::redis_command set{"SET", key_of(claim_prefix, tag, band), token, "NX",
                             "PX",  std::to_string(hold.count())};
    const auto reply = co_await redis_.command(std::move(set));
    expect_reply(reply);
    if (reply.is_nil()) {
        co_return std::nullopt;
    }
    co_return token;
}

awaitable<void> idea_cache::release(const idea_tag& tag, age_band band, const std::string& token) {
    std::vector<std::string> keys{key_of(claim_prefix, tag, band)};
    std::vector<std::string> args{token};
    const auto reply = co_await release_script_.run(redis_, std::move(keys), std::move(args));
    expect_reply(reply);
}

awaitable<bool> idea_cache::backing_off() {
    cache::redis_command exists{"EXISTS", std::string{backoff_key}};
    const auto reply = co_await redis_.command(std::move(exists));
    expect_reply(reply);
    co_return reply.integer == 1;
}

awaitable<milliseconds> idea_cache::record_failure() {
    std::vector<cache::redis_command> count{
        {"INCR", std::string{failures_key}},
        {"PEXPIRE", std::string{failures_key}, std::to_string(cfg_.backoff_max.count() * 2)}};
    const auto replies = co_await redis_.pipeline(std::move(count));
    expect_reply(replies.at(0));
    const auto failures = std::clamp<std::int64_t>(replies[0].integer, 1, 32);
    const auto grown =
        static_cast<double>(cfg_.backoff_base.count()) *
        static_cast<double>(std::int64_t{1} << std::min<std::int64_t>(failures - 1, 30));
    const milliseconds delay{
        static_cast<std::int64_t>(std::min(grown, static_cast<double>(cfg_.backoff_max.count())))};
    cache::redis_command back_off{"SET", std::string{backoff_key}, "1", "PX",
                                  std::to_string(delay.count())};
    const auto set = co_await redis_.command(std::move(back_off));
    expect_reply(set);
    co_return delay;
}

awaitable<void> idea_cache::record_success() {
    cache::redis_command forget{"DEL", std::string{failures_key}};
    const auto reply = co_await redis_.command(std::move(forget));
    expect_reply(reply);
}

awaitable<bool> idea_cache::allow_family_call(std::int64_t family_id) {
    constexpr std::int64_t hour_ms = std::int64_t{3600} * 1000;
    const auto window = now_() / hour_ms;
    const auto key = "ideas:family:" + std::to_string(family_id) + ":" + std::to_string(window);
    std::vector<cache::redis_command> count{{"INCR", key},
                                            {"PEXPIRE", key, std::to_string(hour_ms)}};
    const auto replies = co_await redis_.pipeline(std::move(count));
    expect_reply(replies.at(0));
    co_return replies[0].integer <= cfg_.family_calls_per_hour;
}

awaitable<std::vector<std::pair<std::string, double>>> idea_cache::frequencies() {
    cache::redis_command range{"ZRANGE", std::string{frequency_key}, "0", "-1", "WITHSCORES"};
    const auto reply = co_await redis_.command(std::move(range));
    expect_reply(reply);
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        out.emplace_back(reply.elements[i].text, std::stod(reply.elements[i + 1].text));
    }
    co_return out;
}

}  // namespace poki::ideas
