// Password hashing with scrypt (memory-hard, through OpenSSL). The parameters travel with the
// hash, so raising the cost later leaves old hashes verifiable. Blocking: run on the pool.
#pragma once

#include <string>
#include <string_view>

namespace poki::auth {

/// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64url).
[[nodiscard]] std::string hash_password(std::string_view password, int log2_n);

/// False for a wrong password and for an encoding it does not understand.
[[nodiscard]] bool verify_password(std::string_view password, std::string_view encoded);

/// Whether `encoded` was made with a lower cost than `log2_n` (rehash after a good login).
[[nodiscard]] bool needs_rehash(std::string_view encoded, int log2_n);

}  // namespace poki::auth
