#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The one way every program reads its command line: CLI11, so that each takes
// `--name value`, `--name=value` and `--help` (its usage on stdout, exit 0), and
// refuses a bad command line the same way (the reason and "see --help" on stderr,
// exit 2).
namespace ecomm::tools {

// Parses argv into the options declared on `app`. The exit status to stop with (0
// after --help, 2 after a refused command line), or nothing when the program goes on.
std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv);

// A command line refused after parsing (flags that do not go together): the reason and
// "see --help" on stderr, as ParseFlags does; returns 2, the exit status.
int UsageError(const CLI::App& app, const std::string& why);

// "HOST:PORT" (HOST possibly a bracketed IPv6 address) into its parts, the port
// 0..65535 (0: any free one); false when it is not that.
bool ParseHostPort(std::string_view text, std::string* host, uint16_t* port);
// --name HOST:PORT into `host` and `port`.
CLI::Option* AddHostPort(CLI::App& app, const std::string& name, std::string* host, uint16_t* port,
                         const std::string& help);

// A count with a unit: "500ms", "10s", "90m", "24h", "7d"; from 1 ms to `max`.
bool ParseDuration(std::string_view text, std::chrono::milliseconds max,
                   std::chrono::milliseconds* out);
// --name T into `out`, per ParseDuration.
CLI::Option* AddDuration(CLI::App& app, const std::string& name, std::chrono::milliseconds* out,
                         std::chrono::milliseconds max, const std::string& help);

}  // namespace ecomm::tools
