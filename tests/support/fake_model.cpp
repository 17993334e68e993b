#include "support/fake_model.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace poki::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    if (d.count() <= 0) {
        co_return;
    }
    net::steady_timer timer{co_await net::this_coro::executor, d};
    co_await timer.async_wait(net::use_awaitable);
}

/// Splits UTF-8 text into about `n` pieces without cutting a character.
std::vector<std::string> split(const std::string& text, std::size_t n) {
    std::vector<std::string> out;
    const auto step = std::max<std::size_t>(1, text.size() / std::max<std::size_t>(n, 1));
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = std::min(text.size(), start + step);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
            ++end;
        }
        out.push_back(text.substr(start, end - start));
        start = end;
    }
    return out;
}

std::string chunk(const nlohmann::json& doc) {
    return "data: " + doc.dump() + "\n\n";
}

}  // namespace

std::string six_ideas() {
    return fake_model::ideas_content(6, "아이디어");
}

fake_model::fake_model()
    : server_{[this](net::ip::tcp::socket& socket, recorded_request rec) {
        return answer(socket, std::move(rec));
    }} {}

fake_model::~fake_model() = default;

std::string fake_model::base_url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
}

void fake_model::set_default(model_reply reply) {
    const std::lock_guard lock{mutex_};
    default_ = std::move(reply);
}

void fake_model::script(std::vector<model_reply> replies) {
    const std::lock_guard lock{mutex_};
    for (auto& r : replies) {
        script_.push_back(std::move(r));
    }
}

std::vector<recorded_request> fake_model::requests() const {
    const std::lock_guard lock{mutex_};
    return requests_;
}

std::size_t fake_model::calls() const {
    const std::lock_guard lock{mutex_};
    return requests_.size();
}

std::string fake_model::ideas_content(int count, const std::string& prefix) {
    nlohmann::json ideas = nlohmann::json::array();
    for (int i = 1; i <= count; ++i) {
        ideas.push_back({{"title", prefix + " " + std::to_string(i)},
                         {"description", prefix + " 미션 " + std::to_string(i) + "번을 해 보아요."},
                         {"reward", 1 + (i % 3)}});
    }
    return nlohmann::json{{"ideas", ideas}}.dump();
}

model_reply fake_model::next_reply(recorded_request rec) {
    const std::lock_guard lock{mutex_};
    requests_.push_back(std::move(rec));
    if (script_.empty()) {
        return default_;
    }
    auto reply = std::move(script_.front());
    script_.pop_front();
    return reply;
}

net::awaitable<void> fake_model::answer(net::ip::tcp::socket& socket, recorded_request rec) {
    const auto asked = nlohmann::json::parse(rec.body, nullptr, false);
    const bool streamed = asked.is_object() && asked.value("stream", false);
    const auto reply = next_reply(std::move(rec));
    co_await sleep_for(reply.delay);

    if (!streamed || reply.status != 200) {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = reply.status != 200
                         ? R"({"error":{"message":"scripted failure"}})"
                         : nlohmann::json{{"id", "chatcmpl-1"},
                                          {"object", "chat.completion"},
                                          {"choices",
                                           {{{"index", 0},
                                             {"message",
                                              {{"role", "assistant"}, {"content", reply.content}}},
                                             {"finish_reason", "stop"}}}},
                                          {"usage", {{"total_tokens", reply.tokens}}}}
                               .dump();
        res.keep_alive(false);
        res.prepare_payload();
        co_await bhttp::async_write(socket, res, net::use_awaitable);
    } else {
        bhttp::response<bhttp::empty_body> res{bhttp::status::ok, 11};
        res.set(bhttp::field::content_type, "text/event-stream");
        res.chunked(true);
        bhttp::response_serializer<bhttp::empty_body> head{res};
        co_await bhttp::async_write_header(socket, head, net::use_awaitable);
        const auto send = [&socket](std::string text) -> net::awaitable<void> {
            const auto size = bhttp::make_chunk(net::buffer(text));
            co_await net::async_write(socket, size, net::use_awaitable);
        };
        for (const auto& piece : split(reply.content, reply.pieces)) {
            co_await sleep_for(reply.piece_gap);
            nlohmann::json delta;
            delta["content"] = piece;
            nlohmann::json doc;
            doc["choices"] =
                nlohmann::json::array({nlohmann::json{{"index", 0}, {"delta", delta}}});
            co_await send(chunk(doc));
        }
        if (reply.finish) {
            nlohmann::json usage;
            usage["choices"] = nlohmann::json::array();
            usage["usage"] = {{"total_tokens", reply.tokens}};
            co_await send(chunk(usage));
            co_await send("data: [DONE]\n\n");
        }
        co_await net::async_write(socket, bhttp::make_chunk_last(), net::use_awaitable);
    }
}

nlohmann::json model_config(const fake_model& model, const nlohmann::json& overrides) {
    nlohmann::json ideas{{"provider_url", model.base_url()},
                         {"model", "test-model"},
                         {"api_key", "sk-test-secret-key-0123456789"},
                         {"request_timeout_ms", 2000},
                         {"stream_idle_timeout_ms", 500},
                         {"fill_wait_ms", 3000},
                         {"backoff_base_ms", 200},
                         {"backoff_max_ms", 1000}};
    ideas.merge_patch(overrides);
    return nlohmann::json{{"ideas", ideas}};
}

}  // namespace poki::test
