// Its own module, a declared one, and Beast in a routes file: allowed.
#include <boost/beast/http.hpp>

#include "poki/core/error.hpp"
#include "poki/gifts/gift_types.hpp"
