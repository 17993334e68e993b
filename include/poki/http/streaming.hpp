// Responses whose body is written over time (server-sent events): after the header went
// out, the connection is handed to the route's stream function until it returns.
#pragma once

#include <span>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>

#include "poki/core/net.hpp"
#include "poki/core/unique_function.hpp"

namespace poki::http {

/// The connection as a stream function sees it. Every member is called on executor().
class stream_channel {
  public:
    virtual ~stream_channel() = default;

    /// The connection's strand.
    [[nodiscard]] virtual net::any_io_executor executor() = 0;

    /// Writes every buffer within http.write_timeout_ms; false once the client is gone or
    /// too slow (the connection is then closed).
    virtual awaitable<bool> write(std::span<const net::const_buffer> buffers) = 0;

    /// `fn` runs (on the strand, at most once) when the stream must end: the client closed
    /// the connection, sent something it should not have, or the server is shutting down.
    virtual void on_stop(unique_function<void()> fn) = 0;

    /// Closes the connection now, abandoning a write in progress (a client that stopped
    /// reading is cut off this way).
    virtual void abort() = 0;
};

/// Runs for as long as the stream lives; the connection closes when it returns.
using stream_function = unique_function<awaitable<void>(stream_channel&)>;

}  // namespace poki::http
