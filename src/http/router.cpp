#include "poki/http/router.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace poki::http {
namespace {

enum class param_kind { text, integer };

std::vector<std::string_view> split_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    if (path.empty() || path.front() != '/') {
        return segments;
    }
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return segments;
}

bool is_integer(std::string_view s) {
    if (s.empty() || s.size() > 18) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

struct router::node {
    std::vector<std::pair<std::string, std::unique_ptr<node>>> literals;
    std::unique_ptr<node> parameter;
    std::string parameter_name;
    param_kind kind = param_kind::text;
    std::vector<const route*> handlers;

    node* literal(std::string_view segment) const {
        for (const auto& [text, child] : literals) {
            if (text == segment) {
                return child.get();
            }
        }
        return nullptr;
    }
};

router::router() : root_{std::make_unique<node>()} {}
router::~router() = default;
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;

void router::add(verb method, std::string_view path_template, handler h) {
    const auto segments = split_segments(path_template);
    if (segments.empty()) {
        throw std::invalid_argument{"route template must start with '/': " +
                                    std::string{path_template}};
    }
    node* current = root_.get();
    for (const auto segment : segments) {
        if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
            auto inner = segment.substr(1, segment.size() - 2);
            auto kind = param_kind::text;
            if (const auto colon = inner.find(':'); colon != std::string_view::npos) {
                if (inner.substr(colon + 1) != "int") {
                    throw std::invalid_argument{"unknown parameter type in " +
                                                std::string{path_template}};
                }
                kind = param_kind::integer;
                inner = inner.substr(0, colon);
            }
            if (inner.empty()) {
                throw std::invalid_argument{"unnamed parameter in " + std::string{path_template}};
            }
            if (!current->parameter) {
                current->parameter = std::make_unique<node>();
                current->parameter_name = std::string{inner};
                current->kind = kind;
            } else if (current->parameter_name != inner || current->kind != kind) {
                throw std::invalid_argument{"conflicting parameter at the same position in " +
                                            std::string{path_template}};
            }
            current = current->parameter.get();
        } else {
            if (segment.empty() && &segment != &segments.back()) {
                throw std::invalid_argument{"empty segment in " + std::string{path_template}};
            }
            node* next = current->literal(segment);
            if (next == nullptr) {
                current->literals.emplace_back(std::string{segment}, std::make_unique<node>());
                next = current->literals.back().second.get();
            }
            current = next;
        }
    }
    for (const auto* existing : current->handlers) {
        if (existing->method == method) {
            throw std::invalid_argument{"duplicate route " +
                                        std::string{beast::http::to_string(method)} + " " +
                                        std::string{path_template}};
        }
    }
    routes_.push_back(std::make_unique<route>(
        route{method, std::string{path_template}, std::move(h), routes_.size()}));
    current->handlers.push_back(routes_.back().get());
}

void router::set_fallback(std::string_view label, handler h) {
    if (fallback_ != nullptr) {
        throw std::invalid_argument{"a fallback is already set"};
    }
    routes_.push_back(std::make_unique<route>(
        route{verb::get, std::string{label}, std::move(h), routes_.size()}));
    fallback_ = routes_.back().get();
}

match_result router::match(verb method, std::string_view path) const {
    auto result = match_route(method, path);
    if (result.kind == match_kind::not_found && fallback_ != nullptr &&
        (method == verb::get || method == verb::head)) {
        result.kind = match_kind::found;
        result.matched = fallback_;
        result.allowed = {verb::get};
    }
    return result;
}

match_result router::match_route(verb method, std::string_view path) const {
    match_result result;
    const auto segments = split_segments(path);
    if (segments.empty()) {
        return result;
    }

    // Depth-first: literal child before parameter child, so /items/new beats /items/{id}.
    const node* found = nullptr;
    const auto walk = [&](const auto& self, const node* at, std::size_t depth) -> bool {
        if (depth == segments.size()) {
            if (at->handlers.empty()) {
                return false;
            }
            found = at;
            return true;
        }
        const auto segment = segments[depth];
        if (const node* next = at->literal(segment);
            next != nullptr && self(self, next, depth + 1)) {
            return true;
        }
        if (at->parameter && !segment.empty()) {
            auto decoded = percent_decode(segment, false);
            if (!decoded || (at->kind == param_kind::integer && !is_integer(*decoded))) {
                return false;
            }
            result.params.push(at->parameter_name, std::move(*decoded));
            if (self(self, at->parameter.get(), depth + 1)) {
                return true;
            }
            result.params.pop();
        }
        return false;
    };
    if (!walk(walk, root_.get(), 0)) {
        return result;
    }

    const auto lookup = [&](verb m) -> const route* {
        for (const auto* r : found->handlers) {
            if (r->method == m) {
                return r;
            }
        }
        return nullptr;
    };
    const route* chosen = lookup(method);
    if (chosen == nullptr && method == verb::head) {
        chosen = lookup(verb::get);
    }
    for (const auto* r : found->handlers) {
        result.allowed.push_back(r->method);
    }
    if (chosen == nullptr) {
        result.kind = match_kind::method_not_allowed;
        return result;
    }
    result.kind = match_kind::found;
    result.matched = chosen;
    return result;
}

std::string allow_header(const std::vector<verb>& methods) {
    std::vector<verb> all = methods;
    if (std::find(all.begin(), all.end(), verb::get) != all.end() &&
        std::find(all.begin(), all.end(), verb::head) == all.end()) {
        all.push_back(verb::head);
    }
    if (std::find(all.begin(), all.end(), verb::options) == all.end()) {
        all.push_back(verb::options);
    }
    std::string header;
    for (const auto m : all) {
        if (!header.empty()) {
            header += ", ";
        }
        header += beast::http::to_string(m);
    }
    return header;
}

std::string_view route_params::text(std::string_view name) const {
    for (const auto& [key, value] : values_) {
        if (key == name) {
            return value;
        }
    }
    throw std::out_of_range{"no route parameter " + std::string{name}};
}

std::int64_t route_params::integer(std::string_view name) const {
    const auto value = text(name);
    std::int64_t out = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc{} || ptr != value.data() + value.size()) {
        throw std::out_of_range{"route parameter " + std::string{name} + " is not an integer"};
    }
    return out;
}

}  // namespace poki::http
