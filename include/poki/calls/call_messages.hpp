// The call messages apps send on the WebSocket, read and checked, handed to call_service:
// call.invite {to, media}, call.accept / call.reject / call.cancel / call.rejoin {call_id},
// call.end {call_id, reason?}, signal {call_id, to, sdp | candidate}.
#pragma once

#include "poki/calls/call_service.hpp"
#include "poki/realtime/socket_hub.hpp"

namespace poki::calls {

/// Registers the handlers, and tells the service of every connection that closes.
void add_call_messages(realtime::socket_hub& sockets, call_service& calls);

}  // namespace poki::calls
