// A move-only std::function (std::move_only_function arrives with C++23): holds completion
// handlers, which cannot be copied.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace poki {

template <class Signature>
class unique_function;

template <class R, class... Args>
class unique_function<R(Args...)> {
  public:
    unique_function() = default;

    // Implicit like std::function; the constraint keeps it from hiding the move constructor.
    template <class F>
    requires(!std::is_same_v<std::decay_t<F>, unique_function> &&
             std::is_invocable_r_v<R, F&, Args...>)
        // NOLINTNEXTLINE(google-explicit-constructor,bugprone-forwarding-reference-overload)
        unique_function(F&& f)
        : callable_{std::make_unique<model<std::decay_t<F>>>(std::forward<F>(f))} {}

    R operator()(Args... args) { return callable_->invoke(std::forward<Args>(args)...); }
    explicit operator bool() const noexcept { return callable_ != nullptr; }

  private:
    struct concept_base {
        virtual ~concept_base() = default;
        virtual R invoke(Args... args) = 0;
    };
    template <class F>
    struct model final : concept_base {
        explicit model(F&& f) : fn{std::move(f)} {}
        explicit model(const F& f) : fn{f} {}
        R invoke(Args... args) override { return fn(std::forward<Args>(args)...); }
        F fn;
    };

    std::unique_ptr<concept_base> callable_;
};

}  // namespace poki
