#include "cli_flags.h"

#include <charconv>
#include <cstdio>
#include <string>

namespace ecomm::tools {

namespace {

bool ParseInt(std::string_view text, int64_t min, int64_t max, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= min && *out <= max;
}

}  // namespace

std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv) {
  // CLI11 reports through exceptions; none leaves this function.
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    return UsageError(app, e.what());
  }
  return std::nullopt;
}

int UsageError(const CLI::App& app, const std::string& why) {
  std::fprintf(stderr, "%s: %s; see --help\n", app.get_name().c_str(), why.c_str());
  return 2;
}

bool ParseHostPort(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = text.substr(0, colon);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);  // [::1]:8080
  }
  int64_t value = 0;
  if (!ParseInt(text.substr(colon + 1), 0, 65535, &value)) return false;
  *host = std::string(name);
  *port = static_cast<uint16_t>(value);
  return true;
}

CLI::Option* AddHostPort(CLI::App& app, const std::string& name, std::string* host, uint16_t* port,
                         const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [host, port, name](const std::string& text) {
            if (!ParseHostPort(text, host, port)) {
              throw CLI::ValidationError(name, "takes HOST:PORT, not " + text);
            }
          },
          help)
      ->type_name("HOST:PORT");
}

bool ParseDuration(std::string_view text, std::chrono::milliseconds max,
                   std::chrono::milliseconds* out) {
  constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (auto [suffix, unit] : kUnits) {
    if (!text.ends_with(suffix)) continue;
    int64_t count = 0;
    if (!ParseInt(text.substr(0, text.size() - suffix.size()), 1, max.count() / unit, &count)) {
      return false;
    }
    *out = std::chrono::milliseconds(count * unit);
    return true;
  }
  return false;
}

CLI::Option* AddDuration(CLI::App& app, const std::string& name, std::chrono::milliseconds* out,
                         std::chrono::milliseconds max, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [out, max, name](const std::string& text) {
            if (!ParseDuration(text, max, out)) {
              throw CLI::ValidationError(name,
                                         "takes a count with a unit (ms, s, m, h, d), not " + text);
            }
          },
          help)
      ->type_name("T");
}

}  // namespace ecomm::tools
