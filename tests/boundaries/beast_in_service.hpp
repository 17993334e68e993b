// Beast in a service: refused (only http/ and the *_routes files see it).
#include <boost/beast/http.hpp>
