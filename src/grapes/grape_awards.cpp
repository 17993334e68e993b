#include "poki/grapes/grape_awards.hpp"

#include "poki/grapes/grape_events.hpp"
#include "poki/grapes/grape_repository.hpp"

namespace poki::grapes {

void declare_award_statements(db::pool& database) {
    grape_repository::declare_statements(database);
}

awarded award(pqxx::transaction_base& tx, std::int64_t child_id, const ledger_change& change) {
    auto b = grape_repository::lock_open_board(tx, child_id);
    auto entry = grape_repository::append(tx, b, change);
    auto told = grapes_changed(tx, b, entry_json(entry));
    return awarded{std::move(entry), std::move(b), std::move(told)};
}

}  // namespace poki::grapes
