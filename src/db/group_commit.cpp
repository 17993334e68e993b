#include "poki/db/group_commit.hpp"

namespace poki::db {

bool may_be_one_writes_fault(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const error& e) {
        return e.code() != errc::unavailable;
    } catch (...) {
        return true;
    }
}

}  // namespace poki::db
