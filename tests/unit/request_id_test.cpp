// core/request_id: request ids, unique and of one shape.
#include "poki/core/request_id.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/json_reader.hpp"
#include "poki/core/problem.hpp"

namespace poki {
namespace {

TEST(RequestId, AcceptsSafeClientIdsOnly) {
    request_id_generator ids{0xabcdef};
    EXPECT_EQ(choose_request_id("abc-123_x.y:z", ids), "abc-123_x.y:z");
    EXPECT_NE(choose_request_id("has space", ids), "has space");
    EXPECT_NE(choose_request_id("quote\"", ids), "quote\"");
    EXPECT_NE(choose_request_id(std::string(129, 'a'), ids), std::string(129, 'a'));
    const auto generated = choose_request_id("", ids);
    EXPECT_TRUE(is_acceptable_request_id(generated));
    EXPECT_NE(generated, ids.next());
}

}  // namespace
}  // namespace poki
