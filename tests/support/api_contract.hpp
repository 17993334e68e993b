// The API contract (api/openapi.yaml, built into openapi.json) checked against what the
// server really answers: every reply the test clients receive, every event of a stream and
// every WebSocket message. A reply that breaks the contract fails the test that got it, with
// the operation, status and what broke.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace poki::test {

/// The ways `value` breaks `schema` (JSON Schema 2020-12 as OpenAPI 3.1 uses it; `$ref`s
/// resolve within `document`); empty when it holds. `where` names the value in messages.
std::vector<std::string> schema_violations(const nlohmann::json& document,
                                           const nlohmann::json& schema,
                                           const nlohmann::json& value,
                                           const std::string& where = "$");

/// The ways a reply to `method target` breaks the document: an undocumented status, media
/// type or body. Paths outside the API (the web app's pages) are not its business.
std::vector<std::string> answer_violations(const nlohmann::json& document, std::string_view method,
                                           std::string_view target, const http_reply& reply);

/// The document this build serves, loaded once.
const nlohmann::json& api_document();

/// Checks a reply against api_document(); a broken contract is a test failure.
void check_answer(std::string_view method, std::string_view target, const http_reply& reply);
/// Checks one event of the stream at `target` (its `event:` type and `data:`).
void check_stream_event(std::string_view target, const std::string& type, const std::string& data);
/// Checks one WebSocket message the server sent.
void check_socket_message(const nlohmann::json& message);

}  // namespace poki::test
