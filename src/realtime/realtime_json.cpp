#include "poki/realtime/realtime_json.hpp"

#include "poki/core/timestamp.hpp"

namespace poki::realtime {

nlohmann::json presence_json(const presence::member_presence& member) {
    return {{"user_id", member.user_id},
            {"online", member.online},
            {"last_seen", member.last_seen ? nlohmann::json(format_rfc3339(*member.last_seen))
                                           : nlohmann::json(nullptr)}};
}

std::string hello_message(const principal& who,
                          const std::vector<presence::member_presence>& members) {
    auto list = nlohmann::json::array();
    for (const auto& m : members) {
        list.push_back(presence_json(m));
    }
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return nlohmann::json{{"type", "hello"},
                          {"user_id", who.user_id},
                          {"family_id", who.family_id},
                          {"role", to_string(who.role)},
                          {"server_time", format_rfc3339(now)},
                          {"presence", std::move(list)}}
        .dump();
}

std::string presence_message(const presence::member_presence& member) {
    auto doc = presence_json(member);
    doc["type"] = "presence";
    return doc.dump();
}

std::string error_message(std::string_view code, std::string_view detail,
                          const std::string& in_reply_to) {
    nlohmann::json doc{{"type", "error"}, {"code", code}, {"detail", detail}};
    if (!in_reply_to.empty()) {
        doc["in_reply_to"] = in_reply_to;
    }
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string message_id(const nlohmann::json& message) {
    const auto id = message.find("id");
    if (id == message.end()) {
        return {};
    }
    if (id->is_string()) {
        return id->get<std::string>().substr(0, 64);
    }
    if (id->is_number_integer()) {
        return std::to_string(id->get<std::int64_t>());
    }
    return {};
}

}  // namespace poki::realtime
