// Method + path-template routing with typed parameters; tells 404 from 405.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "poki/http/request_context.hpp"
#include "poki/http/types.hpp"

namespace poki::http {

using handler = std::function<awaitable<response>(request_context&)>;

/// A module's handlers are named member functions of one small struct that holds references
/// to its services; this makes one of them a route's handler (the struct is copied into it).
template <class Handlers>
handler handler_of(Handlers handlers, awaitable<response> (Handlers::*fn)(request_context&) const) {
    return [handlers, fn](request_context& ctx) { return (handlers.*fn)(ctx); };
}

/// One registered route. `index` is dense, for per-route metrics.
struct route {
    verb method;
    std::string path_template;
    handler handle;
    std::size_t index;
};

enum class match_kind { found, method_not_allowed, not_found };

struct match_result {
    match_kind kind = match_kind::not_found;
    const route* matched = nullptr;
    route_params params;
    std::vector<verb> allowed;  ///< methods the path accepts (for 405 and OPTIONS)
};

/// Templates are literal segments and parameters: `{name}` (any non-empty segment) or
/// `{name:int}` (a non-negative 64-bit integer). Literal segments win over parameters.
class router {
  public:
    router();
    ~router();
    router(const router&) = delete;
    router& operator=(const router&) = delete;
    router(router&&) noexcept;
    router& operator=(router&&) noexcept;

    /// Registers a route; throws std::invalid_argument for a malformed or duplicate template.
    void add(verb method, std::string_view path_template, handler h);

    /// Answers GET (and HEAD) of every path no route matches: the web app's pages and files.
    /// Any other method on such a path stays 404. `label` names it in metrics.
    void set_fallback(std::string_view label, handler h);

    /// Matches a decoded path. HEAD falls back to GET.
    [[nodiscard]] match_result match(verb method, std::string_view path) const;

    [[nodiscard]] const std::vector<std::unique_ptr<route>>& routes() const noexcept {
        return routes_;
    }

  private:
    [[nodiscard]] match_result match_route(verb method, std::string_view path) const;

    struct node;
    std::unique_ptr<node> root_;
    std::vector<std::unique_ptr<route>> routes_;
    const route* fallback_ = nullptr;
};

/// "GET, HEAD, OPTIONS" for an Allow header.
[[nodiscard]] std::string allow_header(const std::vector<verb>& methods);

}  // namespace poki::http
