// Mission ideas as the API writes them.
#pragma once

#include <string>

#include "poki/core/json_writer.hpp"
#include "poki/ideas/idea_types.hpp"

namespace poki::ideas {

void write_idea(json_writer& out, const idea& i);
/// {"tag": {key, label, known}, "age_band", "source", "items": [...]}
[[nodiscard]] std::string answer_text(const idea_answer& answer);

}  // namespace poki::ideas
