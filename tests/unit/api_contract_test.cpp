// The contract checker itself: each way an answer can break the document is caught, so that
// an e2e test that passes its answers through it can fail. And the built document is whole:
// every $ref in it resolves.
#include "support/api_contract.hpp"

#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace poki::test {
namespace {

using json = nlohmann::json;

/// A small document with one of everything the checker looks at.
const json& document() {
    static const json parsed = json::parse(R"({
  "openapi": "3.1.0",
  "paths": {
    "/api/v1/things/{id}": {
      "get": {
        "responses": {
          "200": {"description": "", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Thing"}}}},
          "204": {"description": ""},
          "4XX": {"description": "", "content": {"application/problem+json": {
            "schema": {"type": "object", "required": ["code"]}}}}
        }
      }
    },
    "/api/v1/things/stream": {
      "get": {
        "responses": {
          "200": {"description": "", "content": {"text/event-stream": {
            "schema": {"type": "string"},
            "x-events": {"tick": {"type": "object", "required": ["n"],
                                  "properties": {"n": {"type": "integer"}}}}}}}
        }
      }
    }
  },
  "components": {
    "schemas": {
      "Thing": {
        "type": "object",
        "required": ["id", "kind", "when", "note"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer", "minimum": 1},
          "kind": {"type": "string", "enum": ["a", "b"]},
          "when": {"type": "string", "format": "date-time"},
          "note": {"type": ["string", "null"], "maxLength": 3},
          "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
          "shape": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
          "pin": {"const": "x"}
        }
      }
    }
  }
})");
    return parsed;
}

json good_thing() {
    return json::parse(
        R"({"id": 1, "kind": "a", "when": "2026-12-07T10:00:00Z", "note": null, "code": "KR",
            "tags": ["x"], "shape": 3, "pin": "x"})");
}

std::vector<std::string> thing_problems(const std::function<void(json&)>& change) {
    auto value = good_thing();
    change(value);
    return schema_violations(document(), {{"$ref", "#/components/schemas/Thing"}}, value);
}

http_reply reply(int status, std::string content_type, std::string body) {
    http_reply r;
    r.status = status;
    r.headers["content-type"] = std::move(content_type);
    r.body = std::move(body);
    return r;
}

TEST(ApiContract, AValueThatKeepsTheSchemaPasses) {
    EXPECT_TRUE(thing_problems([](json&) {}).empty());
    EXPECT_TRUE(thing_problems([](json& v) { v["note"] = "abc"; }).empty());
    EXPECT_TRUE(thing_problems([](json& v) { v["shape"] = "round"; }).empty());
}

TEST(ApiContract, EachWayOfBreakingTheSchemaIsCaught) {
    const std::vector<std::pair<const char*, std::function<void(json&)>>> breaks{
        {"missing member", [](json& v) { v.erase("kind"); }},
        {"wrong type", [](json& v) { v["id"] = "1"; }},
        {"null where not allowed", [](json& v) { v["kind"] = nullptr; }},
        {"not in the enum", [](json& v) { v["kind"] = "c"; }},
        {"below the minimum", [](json& v) { v["id"] = 0; }},
        {"not a date-time", [](json& v) { v["when"] = "yesterday"; }},
        {"too long (code points)", [](json& v) { v["note"] = "포도알이"; }},
        {"no pattern match", [](json& v) { v["code"] = "kr"; }},
        {"an item of the wrong type",
         [](json& v) {
             v["tags"] = {"x", 2};
         }},
        {"too many items",
         [](json& v) {
             v["tags"] = {"x", "y", "z"};
         }},
        {"no oneOf alternative", [](json& v) { v["shape"] = true; }},
        {"not the const", [](json& v) { v["pin"] = "y"; }},
        {"an unknown member", [](json& v) { v["extra"] = 1; }},
    };
    for (const auto& [what, change] : breaks) {
        EXPECT_FALSE(thing_problems(change).empty()) << what;
    }
}

TEST(ApiContract, AnswersAreMatchedByPathStatusAndMediaType) {
    const auto ok = [](const std::string& method, const std::string& target, const http_reply& r) {
        return answer_violations(document(), method, target, r).empty();
    };
    EXPECT_TRUE(
        ok("GET", "/api/v1/things/7?x=1", reply(200, "application/json", good_thing().dump())));
    EXPECT_TRUE(ok("HEAD", "/api/v1/things/7", reply(200, "application/json", "")));
    EXPECT_TRUE(ok("GET", "/api/v1/things/7", reply(204, "", "")));
    EXPECT_TRUE(ok("GET", "/api/v1/things/7",
                   reply(404, "application/problem+json", R"({"code":"not_found"})")));
    // An unknown path may only be refused; the web app's pages are not the API's business.
    EXPECT_TRUE(ok("GET", "/api/v1/nothing", reply(404, "application/problem+json", "{}")));
    EXPECT_TRUE(ok("GET", "/calendar", reply(200, "text/html", "<!doctype html>")));
    EXPECT_TRUE(ok("OPTIONS", "/api/v1/things/7", reply(204, "", "")));

    struct broken {
        const char* what;
        const char* method;
        const char* target;
        http_reply answer;
    };
    const std::vector<broken> refused{
        {"an undocumented status", "GET", "/api/v1/things/7",
         reply(500, "application/problem+json", "{}")},
        {"an undocumented media type", "GET", "/api/v1/things/7",
         reply(200, "text/plain", "thing")},
        {"a body that breaks the schema", "GET", "/api/v1/things/7",
         reply(200, "application/json", R"({"id":1})")},
        {"a body that is not JSON", "GET", "/api/v1/things/7",
         reply(200, "application/json", "not json")},
        {"a body where there should be none", "GET", "/api/v1/things/7",
         reply(204, "", "something")},
        {"an undocumented path that answers", "GET", "/api/v1/nothing",
         reply(200, "application/json", "{}")},
        {"an undocumented method that answers", "POST", "/api/v1/things/7",
         reply(201, "application/json", "{}")},
    };
    for (const auto& b : refused) {
        EXPECT_FALSE(ok(b.method, b.target, b.answer)) << b.what;
    }
}

TEST(ApiContract, EveryEventOfAStreamBodyIsChecked) {
    const auto events = [](const std::string& body) {
        return answer_violations(document(), "GET", "/api/v1/things/stream",
                                 reply(200, "text/event-stream; charset=utf-8", body));
    };
    EXPECT_TRUE(events("retry: 3000\n\nevent: tick\ndata: {\"n\":1}\n\n: heartbeat\n\n").empty());
    EXPECT_FALSE(events("event: tick\ndata: {\"n\":\"one\"}\n\n").empty());
    EXPECT_FALSE(events("event: tock\ndata: {}\n\n").empty());
    EXPECT_FALSE(events("event: tick\ndata: {\"n\":\n\n").empty());
}

/// Every "$ref" under `node`, with where it is.
void collect_refs(const json& node, const std::string& at,
                  std::vector<std::pair<std::string, std::string>>& out) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "$ref" && value.is_string()) {
                out.emplace_back(at, value.get<std::string>());
            } else {
                auto inner = at;
                collect_refs(value, inner.append("/").append(key), out);
            }
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            collect_refs(node[i], at + "/" + std::to_string(i), out);
        }
    }
}

TEST(ApiContract, EveryReferenceOfTheBuiltDocumentResolves) {
    const auto& served = api_document();
    EXPECT_EQ(served.value("openapi", ""), "3.1.0");
    std::vector<std::pair<std::string, std::string>> refs;
    collect_refs(served, "", refs);
    EXPECT_GT(refs.size(), 100U);
    for (const auto& [at, ref] : refs) {
        ASSERT_TRUE(ref.starts_with("#/")) << at << ": " << ref;
        EXPECT_TRUE(served.contains(json::json_pointer{ref.substr(1)})) << at << ": " << ref;
    }
}

}  // namespace
}  // namespace poki::test
