// A module including one it did not declare: refused.
#include "poki/chat/chat_types.hpp"
