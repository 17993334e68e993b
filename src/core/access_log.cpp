#include "poki/core/access_log.hpp"

#include <array>
#include <chrono>
#include <ctime>

namespace poki::log {

access_log::access_log(std::FILE* out, std::size_t max_pending_bytes)
    : out_{out}
    , max_pending_{max_pending_bytes}
    , writer_{[this](const std::stop_token& stop) { run(stop); }} {
    pending_.reserve(std::size_t{256} * 1024);
}

access_log::~access_log() {
    writer_.request_stop();
    wake_.notify_all();
    writer_.join();
    flush();
}

void access_log::append_timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const auto second = micros / 1'000'000;
    if (second != cached_second_) {
        const std::time_t t = second;
        std::tm utc{};
        gmtime_r(&t, &utc);
        std::array<char, 64> text{};
        const auto n = std::strftime(text.data(), text.size(), R"({"ts":"%Y-%m-%dT%H:%M:%S)", &utc);
        cached_prefix_.assign(text.data(), n);
        cached_second_ = second;
    }
    pending_ += cached_prefix_;
    std::array<char, 16> fraction{};
    const int n = std::snprintf(fraction.data(), fraction.size(), ".%06lldZ\"",
                                static_cast<long long>(micros % 1'000'000));
    pending_.append(fraction.data(), static_cast<std::size_t>(n));
}

void access_log::write(std::string_view fields) {
    const std::lock_guard lock{mutex_};
    if (pending_.size() + fields.size() > max_pending_) {
        ++dropped_;
        return;
    }
    append_timestamp();
    pending_ += R"(,"level":"info",)";
    pending_ += fields;
    pending_ += "}\n";
}

void access_log::flush() {
    const std::lock_guard writing{write_mutex_};
    std::string batch;
    {
        const std::lock_guard lock{mutex_};
        batch.swap(pending_);
        pending_.reserve(batch.capacity());
    }
    if (!batch.empty()) {
        std::fwrite(batch.data(), 1, batch.size(), out_);
        std::fflush(out_);
    }
}

std::uint64_t access_log::dropped() const {
    const std::lock_guard lock{mutex_};
    return dropped_;
}

void access_log::run(const std::stop_token& stop) {
    std::mutex sleep_mutex;
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock{sleep_mutex};
            wake_.wait_for(lock, stop, std::chrono::milliseconds{100}, [] { return false; });
        }
        flush();
    }
}

}  // namespace poki::log
