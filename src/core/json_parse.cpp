#include "poki/core/json_parse.hpp"

#include <optional>
#include <string>
#include <vector>

#include "poki/core/error.hpp"

namespace poki {
namespace {

using json = nlohmann::json;

/// Builds the document from nlohmann's SAX events and stops at the first thing to refuse,
/// knowing where in the document it is.
class strict_builder {
  public:
    explicit strict_builder(json_limits limits) : limits_{limits} {}

    bool null() { return value(json{}); }
    bool boolean(bool v) { return value(json(v)); }
    bool number_integer(json::number_integer_t v) { return value(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return value(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
        return value(json(v));
    }
    bool string(json::string_t& v) {
        if (v.find('\0') != std::string::npos) {
            return refuse(path(), "nul_character", "Must not contain the character U+0000.");
        }
        return value(json(std::move(v)));
    }
    bool binary(json::binary_t& /*v*/) {
        return refuse(path(), "not_json", "Binary values are not JSON.");
    }

    bool start_object(std::size_t /*size*/) { return open(json::object()); }
    bool key(json::string_t& k) {
        auto& top = frames_.back();
        if (k.find('\0') != std::string::npos) {
            top.key.reset();
            return refuse(path(), "nul_character",
                          "Member names must not contain the character U+0000.");
        }
        if (top.node->contains(k)) {
            top.key = std::move(k);
            return refuse(path(), "duplicate_member", "This member appears more than once.");
        }
        top.key = std::move(k);
        return true;
    }
    bool end_object() {
        frames_.pop_back();
        return true;
    }
    bool start_array(std::size_t /*size*/) { return open(json::array()); }
    bool end_array() {
        frames_.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& ex) {
        const std::string_view what{ex.what()};
        if (ex.id == 406) {  // out_of_range: a number no double can hold
            return refuse(path(), "number_too_large", "This number is too large.");
        }
        if (what.find("ill-formed UTF-8") != std::string_view::npos ||
            what.find("surrogate") != std::string_view::npos) {
            return refuse(path(), "not_utf8",
                          "Every string must be valid UTF-8 (error at byte " +
                              std::to_string(position) + ").");
        }
        failure_ = error{errc::bad_request, "The body is not valid JSON (error at byte " +
                                                std::to_string(position) + ")."};
        return false;
    }

    /// The document, once sax_parse said whether it got to the end.
    [[nodiscard]] json take(bool parsed) && {
        if (failure_) {
            throw error{*failure_};
        }
        if (!parsed) {
            throw error{errc::bad_request, "The body is not valid JSON."};
        }
        return std::move(root_);
    }

  private:
    struct frame {
        json* node;
        std::optional<std::string> key;  // objects: the member being read
        std::size_t index = 0;           // arrays: the element being read
    };

    bool refuse(std::string field, std::string_view code, std::string message) {
        failure_ = error::validation(std::move(field), code, std::move(message));
        return false;
    }

    /// Where the next value goes, or nullptr for the root.
    json* place(json v) {
        if (frames_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        auto& top = frames_.back();
        if (top.node->is_array()) {
            ++top.index;
            top.node->push_back(std::move(v));
            return &top.node->back();
        }
        auto& slot = (*top.node)[*top.key];
        slot = std::move(v);
        return &slot;
    }

    bool value(json v) {
        place(std::move(v));
        return true;
    }

    bool open(json container) {
        if (frames_.size() >= limits_.max_depth) {
            return refuse(
                path(), "too_deep",
                "Nested more than " + std::to_string(limits_.max_depth) + " levels deep.");
        }
        auto* node = place(std::move(container));
        frames_.push_back(frame{node, std::nullopt, 0});
        return true;
    }

    /// `a.b[2].c` for the value being read now. An array's index counts the elements placed
    /// so far: the one being read for the innermost array, one past the open child for the
    /// arrays around it.
    [[nodiscard]] std::string path() const {
        std::string out;
        for (std::size_t i = 0; i < frames_.size(); ++i) {
            const auto& f = frames_[i];
            if (f.node->is_array()) {
                const bool innermost = i + 1 == frames_.size();
                out += '[' + std::to_string(innermost ? f.index : f.index - 1) + ']';
            } else if (f.key) {
                if (!out.empty()) {
                    out += '.';
                }
                out += *f.key;
            }
        }
        return out;
    }

    json_limits limits_;
    json root_;
    std::vector<frame> frames_;
    std::optional<error> failure_;
};

}  // namespace

json parse_untrusted_json(std::string_view text, json_limits limits) {
    strict_builder builder{limits};
    const bool parsed = json::sax_parse(text, &builder);
    return std::move(builder).take(parsed);
}

}  // namespace poki
