// chat/chat_json and chat_types: client ids, push previews, and the JSON apps get.
#include "poki/chat/chat_json.hpp"

#include <gtest/gtest.h>

#include "poki/core/uuid.hpp"

namespace poki::chat {
namespace {

TEST(ChatFormat, ClientIdsAreUuidsLowerCased) {
    EXPECT_EQ(normalize_uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
              "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    EXPECT_FALSE(normalize_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
    EXPECT_FALSE(normalize_uuid("3f2504e0x4f89-11d3-9a0c-0305e82c3301"));
    EXPECT_FALSE(normalize_uuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"));
    EXPECT_FALSE(normalize_uuid(""));
}

TEST(ChatFormat, PreviewsCutWholeCodePoints) {
    EXPECT_EQ(preview("안녕하세요", 3), "안녕하…");
    EXPECT_EQ(preview("안녕", 3), "안녕");
    EXPECT_EQ(preview("🍇🍇🍇🍇", 2), "🍇🍇…");
    EXPECT_EQ(preview("abc", 3), "abc");
}

TEST(ChatFormat, ATombstoneHasNoText) {
    const message deleted{7, 3, 1, "엄마", "id", std::nullopt, "t"};
    const auto j = message_json(deleted);
    EXPECT_TRUE(j["text"].is_null());
    EXPECT_EQ(j["deleted"], true);
    EXPECT_EQ(j["author"]["display_name"], "엄마");
    const room direct{5, 1, room_kind::direct, 2, 9};
    EXPECT_EQ(room_json(direct)["member_ids"], (nlohmann::json{2, 9}));
    EXPECT_TRUE(direct.admits(9));
    EXPECT_FALSE(direct.admits(3));
}

}  // namespace
}  // namespace poki::chat
