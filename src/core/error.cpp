#include "poki/core/error.hpp"

namespace poki {

error error::validation(std::vector<field_error> fields) {
    error e{errc::validation_failed, "The request has invalid fields."};
    e.fields_ = std::move(fields);
    return e;
}

error error::validation(std::string field, std::string message) {
    return validation({field_error{std::move(field), std::move(message), "invalid", {}}});
}

error error::validation(std::string field, std::string_view field_code, std::string message) {
    return validation(
        {field_error{std::move(field), std::move(message), std::string{field_code}, {}}});
}

error error::too_many(std::chrono::seconds retry_after, std::string_view reason,
                      std::string detail) {
    error e{errc::too_many_requests, reason, std::move(detail)};
    e.retry_after_ = retry_after;
    return e;
}

error error::too_many(std::chrono::seconds retry_after, std::string detail) {
    error e{errc::too_many_requests, std::move(detail)};
    e.retry_after_ = retry_after;
    return e;
}

error error::busy(std::chrono::seconds retry_after, std::string detail) {
    error e{errc::unavailable, std::move(detail)};
    e.retry_after_ = retry_after;
    return e;
}

error error::conflict_in_state(std::string detail, std::string state) {
    error e{errc::conflict, "wrong_state", std::move(detail)};
    e.extensions_.emplace_back("state", std::move(state));
    return e;
}

void throw_exception_from_error(const error& e, const boost::source_location& /*loc*/) {
    throw e;
}

std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::bad_request:
            return "bad_request";
        case errc::validation_failed:
            return "validation_failed";
        case errc::unauthorized:
            return "unauthorized";
        case errc::forbidden:
            return "forbidden";
        case errc::not_found:
            return "not_found";
        case errc::method_not_allowed:
            return "method_not_allowed";
        case errc::conflict:
            return "conflict";
        case errc::payload_too_large:
            return "payload_too_large";
        case errc::header_too_large:
            return "header_too_large";
        case errc::unsupported_media:
            return "unsupported_media_type";
        case errc::too_many_requests:
            return "too_many_requests";
        case errc::unavailable:
            return "unavailable";
        case errc::internal:
            return "internal";
    }
    return "internal";
}

}  // namespace poki
