// RFC 9457 problem details: the single mapping from poki::errc to HTTP status and public text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poki/core/error.hpp"

namespace poki {

/// What a client sees of a failure. Never carries internal detail of a 500.
struct problem_details {
    int status = 500;
    std::string type;   ///< URI reference naming the problem type
    std::string title;  ///< short, fixed per type
    std::string
        code;  ///< stable machine code: the specific reason ("email_taken"), else the category
    std::string category;  ///< one of the errc names ("conflict"), for a client that knows no more
    std::string detail;
    std::vector<field_error> errors;
    std::optional<std::chrono::seconds> retry_after;
    std::string request_id;
    std::vector<std::pair<std::string, std::string>> extensions;  ///< e.g. a conflict's state
};

/// HTTP status for an errc.
[[nodiscard]] int http_status(errc code) noexcept;

/// The problem a client gets for an expected failure.
[[nodiscard]] problem_details to_problem(const error& e, std::string_view request_id);

/// The problem for an unexpected failure: generic text plus the request id to quote to support.
[[nodiscard]] problem_details internal_problem(std::string_view request_id);

/// application/problem+json body.
[[nodiscard]] std::string to_json(const problem_details& p);

}  // namespace poki
