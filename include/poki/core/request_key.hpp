// A creating request's Idempotency-Key, scoped to the member who sent it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace poki {

struct request_key {
    std::int64_t user_id = 0;
    std::string key;     ///< the client's Idempotency-Key
    std::string digest;  ///< hex SHA-256 of method, path and body: one key names one request
};

/// What a creating request answered, sent again for a retry with the same key.
struct keyed_answer {
    nlohmann::json body;
    bool created = true;    ///< false: the thing existed already (200 rather than 201)
    bool repeated = false;  ///< true: an earlier request with this key made the change
};

}  // namespace poki
