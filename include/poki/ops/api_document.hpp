// The API's OpenAPI 3.1 document (api/openapi.yaml), built into the binary so that a server
// always describes the API it serves. GET /api/v1/openapi.json answers it.
#pragma once

#include <string_view>

namespace poki::ops {

/// The document as compact JSON.
std::string_view api_document() noexcept;
/// A strong ETag of it.
std::string_view api_document_etag() noexcept;

}  // namespace poki::ops
