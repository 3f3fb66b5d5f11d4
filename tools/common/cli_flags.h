#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

// The one way every program reads its command line: CLI11, so that each takes
// `--name value`, `--name=value` and `--help` (its usage on stdout, exit 0), and
// refuses a bad command line the same way (the reason and "see --help" on stderr,
// exit 2).
namespace ecomm::tools {

// Parses argv into the options declared on `app`. The exit status to stop with (0
// after --help, 2 after a refused command line), or nothing when the program goes on.
std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv);
// The same, leaving what it would print in `*output` (for stdout after --help, for
// stderr otherwise): for a parser whose caller prints, or a test reads.
std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv,
                              std::string* output);

// A command line refused after parsing (flags that do not go together): the reason and
// "see --help" on stderr, as ParseFlags does; returns 2, the exit status.
int UsageError(const CLI::App& app, const std::string& why);
// What UsageError prints.
std::string UsageText(const CLI::App& app, const std::string& why);

// --name VALUE, handed to `take`; when it returns false the command line is refused
// with "--name takes <takes>, not 'VALUE'". The options below are this.
CLI::Option* AddParsed(CLI::App& app, const std::string& name,
                       std::function<bool(const std::string&)> take, const std::string& takes,
                       const std::string& help);

// --name VALUE, one of `choices`, into `out` (left as it is when not given).
CLI::Option* AddChoice(CLI::App& app, const std::string& name, std::string* out,
                       std::vector<std::string> choices, const std::string& help);

// A number from `min` to `max` (whole when T is an integer type), the whole of `text`.
template <typename T>
bool ParseNumber(std::string_view text, T min, T max, T* out) {
  T number{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < min || number > max) {
    return false;
  }
  *out = number;
  return true;
}
// --name N into `out`, per ParseNumber; --help shows *out as the default.
template <typename T>
CLI::Option* AddNumber(CLI::App& app, const std::string& name, T* out, T min, T max,
                       const std::string& help) {
  std::ostringstream range, value;
  range << +min << ".." << +max;  // unary +: a uint8_t prints as a number
  value << +*out;
  return AddParsed(
             app, name,
             [out, min, max](const std::string& text) { return ParseNumber(text, min, max, out); },
             range.str(), help)
      ->type_name("N")
      ->default_str(value.str());
}

// --name VALUE into `out`; an empty VALUE is refused, so empty (or nothing) means not
// given.
CLI::Option* AddText(CLI::App& app, const std::string& name, std::string* out,
                     const std::string& help);
CLI::Option* AddText(CLI::App& app, const std::string& name, std::optional<std::string>* out,
                     const std::string& help);

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
