// The Idempotency-Key header of creating requests (DESIGN.md §4): a repeat returns the
// first answer. Routes read the key here; services store and replay answers through
// notify::event_service::write_once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "poki/core/request_key.hpp"
#include "poki/http/request_context.hpp"
#include "poki/http/types.hpp"

namespace poki::http {

/// The header's value: 1 to 100 visible ASCII characters (a 422 otherwise); nullopt when absent.
[[nodiscard]] std::optional<std::string> idempotency_key(const request_context& ctx);

/// The key scoped to the caller, with a digest of method, path, query and body, so that the
/// same key sent with a different request is refused rather than answered wrongly.
[[nodiscard]] std::optional<request_key> request_key_of(const request_context& ctx,
                                                        std::int64_t user_id);

/// 201 (or 200 when the thing existed already); a repeat carries `Idempotent-Replayed: true`.
[[nodiscard]] response keyed_response(const keyed_answer& answer);

}  // namespace poki::http
