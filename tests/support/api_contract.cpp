#include "support/api_contract.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <stdexcept>

#include <gtest/gtest.h>

namespace poki::test {
namespace {

using json = nlohmann::json;

/// The schema a local `$ref` ("#/components/schemas/Mission") names.
const json& resolve(const json& document, const std::string& ref) {
    if (!ref.starts_with("#/")) {
        throw std::runtime_error{"only local $refs are supported: " + ref};
    }
    return document.at(json::json_pointer{ref.substr(1)});
}

std::size_t code_points(const std::string& text) {
    std::size_t n = 0;
    for (const char c : text) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    return n;
}

bool has_type(const json& value, const std::string& type) {
    if (type == "null") {
        return value.is_null();
    }
    if (type == "boolean") {
        return value.is_boolean();
    }
    if (type == "object") {
        return value.is_object();
    }
    if (type == "array") {
        return value.is_array();
    }
    if (type == "string") {
        return value.is_string();
    }
    if (type == "integer") {
        return value.is_number_integer() ||
               (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
    }
    if (type == "number") {
        return value.is_number();
    }
    return false;
}

bool is_date_time(const std::string& s) {
    static const std::regex rfc3339{
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))"};
    return std::regex_match(s, rfc3339);
}

bool is_date(const std::string& s) {
    static const std::regex date{R"(\d{4}-\d{2}-\d{2})"};
    return std::regex_match(s, date);
}

class validator {
  public:
    explicit validator(const json& document) : document_{document} {}

    void check(const json& schema, const json& value, const std::string& where) {
        if (schema.is_boolean()) {
            if (!schema.get<bool>()) {
                fail(where, "is not allowed here");
            }
            return;
        }
        if (schema.contains("$ref")) {
            check(resolve(document_, schema["$ref"]), value, where);
        }
        check_type(schema, value, where);
        if (schema.contains("const") && value != schema["const"]) {
            fail(where, "is " + value.dump() + ", not " + schema["const"].dump());
        }
        if (schema.contains("enum") && std::find(schema["enum"].begin(), schema["enum"].end(),
                                                 value) == schema["enum"].end()) {
            fail(where, value.dump() + " is not one of " + schema["enum"].dump());
        }
        check_combinations(schema, value, where);
        if (value.is_object()) {
            check_object(schema, value, where);
        } else if (value.is_array()) {
            check_array(schema, value, where);
        } else if (value.is_string()) {
            check_string(schema, value.get<std::string>(), where);
        } else if (value.is_number()) {
            check_number(schema, value.get<double>(), where);
        }
    }

    std::vector<std::string> problems;

  private:
    void fail(const std::string& where, const std::string& what) {
        problems.push_back(where + " " + what);
    }

    void check_type(const json& schema, const json& value, const std::string& where) {
        if (!schema.contains("type")) {
            return;
        }
        const auto& type = schema["type"];
        if (type.is_string() ? has_type(value, type)
                             : std::any_of(type.begin(), type.end(),
                                           [&](const json& t) { return has_type(value, t); })) {
            return;
        }
        fail(where, "is " + std::string{value.type_name()} + ", not " + type.dump());
    }

    /// How many of `schemas` the value satisfies (their problems are not ours).
    std::size_t matches(const json& schemas, const json& value, const std::string& where) {
        std::size_t n = 0;
        for (const auto& s : schemas) {
            validator inner{document_};
            inner.check(s, value, where);
            n += inner.problems.empty() ? 1 : 0;
        }
        return n;
    }

    void check_combinations(const json& schema, const json& value, const std::string& where) {
        if (schema.contains("allOf")) {
            for (const auto& s : schema["allOf"]) {
                check(s, value, where);
            }
        }
        if (schema.contains("anyOf") && matches(schema["anyOf"], value, where) == 0) {
            fail(where, "matches none of anyOf: " + value.dump().substr(0, 300));
        }
        if (schema.contains("oneOf")) {
            const auto n = matches(schema["oneOf"], value, where);
            if (n != 1) {
                // The nearest alternative's problems say most about what is wrong.
                fail(where, "matches " + std::to_string(n) +
                                " of oneOf (one expected): " + value.dump().substr(0, 300));
            }
        }
    }

    void check_object(const json& schema, const json& value, const std::string& where) {
        for (const auto& name : schema.value("required", json::array())) {
            if (!value.contains(name.get<std::string>())) {
                fail(where, "lacks the required member \"" + name.get<std::string>() + "\"");
            }
        }
        const auto properties = schema.value("properties", json::object());
        for (const auto& [name, member] : value.items()) {
            auto at = where;
            at.append(".").append(name);
            if (properties.contains(name)) {
                check(properties[name], member, at);
            } else if (schema.contains("additionalProperties")) {
                check(schema["additionalProperties"], member, at);
            }
        }
    }

    void check_array(const json& schema, const json& value, const std::string& where) {
        if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>()) {
            fail(where, "has fewer than " + schema["minItems"].dump() + " items");
        }
        if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
            fail(where, "has more than " + schema["maxItems"].dump() + " items");
        }
        if (schema.contains("items")) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                check(schema["items"], value[i], where + "[" + std::to_string(i) + "]");
            }
        }
    }

    void check_string(const json& schema, const std::string& s, const std::string& where) {
        if (schema.contains("minLength") &&
            code_points(s) < schema["minLength"].get<std::size_t>()) {
            fail(where, "is shorter than " + schema["minLength"].dump());
        }
        if (schema.contains("maxLength") &&
            code_points(s) > schema["maxLength"].get<std::size_t>()) {
            fail(where, "is longer than " + schema["maxLength"].dump());
        }
        if (schema.contains("pattern") &&
            !std::regex_search(s, std::regex{schema["pattern"].get<std::string>()})) {
            fail(where, "\"" + s + "\" does not match " + schema["pattern"].dump());
        }
        const auto format = schema.value("format", "");
        if ((format == "date-time" && !is_date_time(s)) || (format == "date" && !is_date(s))) {
            fail(where, "\"" + s + "\" is not a " + format);
        }
    }

    void check_number(const json& schema, double n, const std::string& where) {
        if (schema.contains("minimum") && n < schema["minimum"].get<double>()) {
            fail(where, "is below " + schema["minimum"].dump());
        }
        if (schema.contains("maximum") && n > schema["maximum"].get<double>()) {
            fail(where, "is above " + schema["maximum"].dump());
        }
    }

    const json& document_;
};

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 1;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

/// The document's path template for a request path: the one with the most literal segments
/// among those that match; empty when none does.
std::string path_template_of(const json& document, std::string_view path) {
    const auto parts = split_path(path);
    std::string best;
    int best_literals = -1;
    for (const auto& [candidate, item] : document.at("paths").items()) {
        const auto pattern = split_path(candidate);
        if (pattern.size() != parts.size()) {
            continue;
        }
        int literals = 0;
        bool fits = true;
        for (std::size_t i = 0; i < parts.size() && fits; ++i) {
            const bool parameter = pattern[i].starts_with("{") && pattern[i].ends_with("}");
            fits = parameter ? !parts[i].empty() : pattern[i] == parts[i];
            literals += parameter ? 0 : 1;
        }
        if (fits && literals > best_literals) {
            best = candidate;
            best_literals = literals;
        }
    }
    return best;
}

std::string lower(std::string_view text) {
    std::string out{text};
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

const json* response_for(const json& operation, int status) {
    const auto& responses = operation.at("responses");
    const auto exact = std::to_string(status);
    const auto range = std::to_string(status / 100) + "XX";
    for (const auto& key : {exact, range, std::string{"default"}}) {
        if (responses.contains(key)) {
            return &responses[key];
        }
    }
    return nullptr;
}

/// The operation of a request, or null with the reason in `why`.
const json* operation_of(const json& document, std::string_view method, std::string_view target,
                         std::string& template_out) {
    const auto path = target.substr(0, target.find('?'));
    template_out = path_template_of(document, path);
    if (template_out.empty()) {
        return nullptr;
    }
    const auto& item = document["paths"][template_out];
    auto verb = lower(method);
    if (verb == "head" && !item.contains("head")) {
        verb = "get";
    }
    return item.contains(verb) ? &item[verb] : nullptr;
}

bool is_json_media(std::string_view media) {
    return media == "application/json" || media.ends_with("+json");
}

/// Within the API's paths, an undocumented path or method may only be refused.
bool is_refusal(const http_reply& reply) {
    return (reply.status == 404 || reply.status == 405 || reply.status == 400 ||
            reply.status == 401) &&
           reply.header("content-type") == "application/problem+json";
}

/// OPTIONS is answered by the dispatcher for every route (Allow, CORS), as the document's
/// introduction says, not by an operation.
bool is_preflight(std::string_view method, const http_reply& reply) {
    return method == "OPTIONS" && reply.status == 204 && reply.body.empty();
}

/// Each event of a whole stream body (`event:` and `data:` lines, blocks apart by a blank
/// line) against its type's schema.
std::vector<std::string> stream_violations(const json& document, const json& events,
                                           const std::string& body, const std::string& name) {
    std::vector<std::string> problems;
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find("\n\n", start);
        end = end == std::string::npos ? body.size() : end;
        std::string type;
        std::string data;
        std::size_t line_start = start;
        while (line_start < end) {
            auto line_end = body.find('\n', line_start);
            line_end = line_end == std::string::npos || line_end > end ? end : line_end;
            const auto line = std::string_view{body}.substr(line_start, line_end - line_start);
            if (line.starts_with("event: ")) {
                type = line.substr(7);
            } else if (line.starts_with("data: ")) {
                data += line.substr(6);
            }
            line_start = line_end + 1;
        }
        start = end + 2;
        if (type.empty()) {
            continue;
        }
        if (!events.contains(type)) {
            problems.push_back(name);
            problems.back().append("event \"").append(type).append("\" is not documented");
            continue;
        }
        try {
            for (auto& p : schema_violations(document, events[type], json::parse(data), type)) {
                problems.push_back(name + p);
            }
        } catch (const json::parse_error&) {
            problems.push_back(name);
            problems.back().append("event ").append(type).append("'s data is not JSON");
        }
    }
    return problems;
}

bool is_api_path(std::string_view path) {
    return path.starts_with("/api/") || path == "/healthz" || path == "/readyz" ||
           path == "/metrics" || path.starts_with("/ical/");
}

}  // namespace

std::vector<std::string> schema_violations(const json& document, const json& schema,
                                           const json& value, const std::string& where) {
    validator v{document};
    v.check(schema, value, where);
    return std::move(v.problems);
}

std::vector<std::string> answer_violations(const json& document, std::string_view method,
                                           std::string_view target, const http_reply& reply) {
    const auto path = target.substr(0, target.find('?'));
    if (!is_api_path(path) || is_preflight(method, reply)) {
        return {};
    }
    std::string path_template;
    const auto* operation = operation_of(document, method, target, path_template);
    if (operation == nullptr) {
        if (is_refusal(reply)) {
            return {};
        }
        return {"undocumented: " + std::string{method} + " " + std::string{path} + " answered " +
                std::to_string(reply.status)};
    }
    const auto name =
        std::string{method} + " " + path_template + " → " + std::to_string(reply.status) + ": ";
    const auto* response = response_for(*operation, reply.status);
    if (response == nullptr) {
        return {name + "the status is not documented"};
    }
    if (response->contains("$ref")) {
        response = &resolve(document, (*response)["$ref"]);
    }
    const auto content_type = reply.header("content-type");
    const auto media = lower(std::string_view{content_type}.substr(0, content_type.find(';')));
    if (!response->contains("content")) {
        if (!reply.body.empty() && method != "HEAD") {
            return {name + "a body where the document says there is none"};
        }
        return {};
    }
    const auto& content = (*response)["content"];
    if (!content.contains(media)) {
        return {name + "media type \"" + media + "\" is not among " +
                content.dump().substr(0, 200)};
    }
    if (media == "text/event-stream" && content[media].contains("x-events")) {
        return stream_violations(document, content[media]["x-events"], reply.body, name);
    }
    if (!is_json_media(media) || method == "HEAD" || !content[media].contains("schema")) {
        return {};
    }
    json body;
    try {
        body = json::parse(reply.body);
    } catch (const std::exception&) {
        return {name + "the body is not JSON"};
    }
    auto problems = schema_violations(document, content[media]["schema"], body);
    for (auto& p : problems) {
        p.insert(0, name);
    }
    return problems;
}

/// POKI_TEST_RECORD=FILE: every reply, event and message is appended to FILE as a JSON line
/// instead of being checked (what a new route answers, to write its part of the document).
bool recorded(const json& sample) {
    static const char* file = std::getenv("POKI_TEST_RECORD");  // NOLINT(concurrency-mt-unsafe)
    if (file == nullptr || *file == '\0') {
        return false;
    }
    static std::mutex mutex;
    const std::lock_guard lock{mutex};
    std::ofstream{file, std::ios::app}
        << sample.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    return true;
}

const json& api_document() {
    static const json document = [] {
        std::ifstream in{POKI_TEST_OPENAPI};
        if (!in) {
            throw std::runtime_error{"cannot read the API document " POKI_TEST_OPENAPI};
        }
        return json::parse(in);
    }();
    return document;
}

void check_answer(std::string_view method, std::string_view target, const http_reply& reply) {
    if (recorded({{"kind", "answer"},
                  {"method", method},
                  {"target", target},
                  {"status", reply.status},
                  {"content_type", reply.header("content-type")},
                  {"body", reply.body}})) {
        return;
    }
    for (const auto& problem : answer_violations(api_document(), method, target, reply)) {
        ADD_FAILURE() << "API contract: " << problem << "\n  body: " << reply.body.substr(0, 600);
    }
}

void check_stream_event(std::string_view target, const std::string& type, const std::string& data) {
    if (recorded({{"kind", "event"}, {"target", target}, {"type", type}, {"data", data}})) {
        return;
    }
    const auto& document = api_document();
    std::string path_template;
    const auto* operation = operation_of(document, "GET", target, path_template);
    if (operation == nullptr) {
        return;  // answer checks report an undocumented stream
    }
    const auto* ok = response_for(*operation, 200);
    if (ok == nullptr || !ok->contains("content") ||
        !(*ok)["content"].contains("text/event-stream")) {
        ADD_FAILURE() << "API contract: " << path_template << " is no documented event stream";
        return;
    }
    const auto& events = (*ok)["content"]["text/event-stream"].value("x-events", json::object());
    if (!events.contains(type)) {
        ADD_FAILURE() << "API contract: event \"" << type << "\" of " << path_template
                      << " is not documented";
        return;
    }
    json value;
    try {
        value = json::parse(data);
    } catch (const std::exception&) {
        ADD_FAILURE() << "API contract: event " << type << "'s data is not JSON: " << data;
        return;
    }
    for (const auto& problem : schema_violations(document, events[type], value, type)) {
        ADD_FAILURE() << "API contract: " << path_template << " event " << problem
                      << "\n  data: " << data.substr(0, 600);
    }
}

void check_socket_message(const json& message) {
    if (recorded({{"kind", "socket"}, {"message", message}})) {
        return;
    }
    const auto& document = api_document();
    const auto& messages = document.at(json::json_pointer{"/components/x-websocket/server"});
    const auto type = message.value("type", "");
    if (!messages.contains(type)) {
        ADD_FAILURE() << "API contract: WebSocket message \"" << type << "\" is not documented";
        return;
    }
    for (const auto& problem : schema_violations(document, messages[type], message, type)) {
        ADD_FAILURE() << "API contract: WebSocket " << problem
                      << "\n  message: " << message.dump().substr(0, 600);
    }
}

}  // namespace poki::test
