// A service that reads another module's tables itself: refused.
#include "poki/grapes/grape_repository.hpp"
