#include "poki/core/access_log.hpp"

#include <cstdio>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "poki/core/log.hpp"

namespace poki::log {
namespace {

std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string text;
    std::array<char, 4096> buf{};
    while (const auto n = std::fread(buf.data(), 1, buf.size(), f)) {
        text.append(buf.data(), n);
    }
    return text;
}

TEST(AccessLog, WritesOneJsonLinePerEntryInOrder) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        access_log out{f};
        std::vector<std::jthread> writers;
        writers.reserve(4);
        for (int t = 0; t < 4; ++t) {
            writers.emplace_back([&out, t] {
                for (int i = 0; i < 250; ++i) {
                    out.write(
                        format_line("request", {{"thread", t}, {"seq", i}, {"path", "/a\"b\n"}}));
                }
            });
        }
    }  // joins the writers, then the log flushes as it is destroyed
    std::istringstream lines{contents(f)};
    std::string line;
    std::array<int, 4> next{};
    int count = 0;
    while (std::getline(lines, line)) {
        const auto entry = nlohmann::json::parse(line);
        EXPECT_EQ(entry["level"], "info");
        EXPECT_EQ(entry["msg"], "request");
        EXPECT_EQ(entry["path"], "/a\"b\n");
        EXPECT_EQ(entry["ts"].get<std::string>().size(), 27U);  // 2026-11-25T00:00:00.000000Z
        const auto t = entry["thread"].get<std::size_t>();
        EXPECT_EQ(entry["seq"], next.at(t)++);  // each writer's lines keep their order
        ++count;
    }
    EXPECT_EQ(count, 1000);
    std::fclose(f);
}

TEST(AccessLog, DropsInsteadOfGrowingWithoutBound) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        access_log out{f, 1000};
        const std::string fields = format_line("request", {{"path", std::string(300, 'x')}});
        for (int i = 0; i < 10; ++i) {
            out.write(fields);
        }
        EXPECT_GT(out.dropped(), 0U);
    }  // the log flushes here, before the file closes
    std::fclose(f);
}

}  // namespace
}  // namespace poki::log
