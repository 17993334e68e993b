# Third-party libraries, all from Debian 12 packages (see scripts/lib/deps.sh).
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS headers)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# libpq itself (libpqxx's library): the read pipeline drives its asynchronous API directly.
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq>=14)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# Howard Hinnant's date: IANA time zones from the system's tzdata (g++ 12 has no <chrono> zones).
find_package(date CONFIG REQUIRED)
