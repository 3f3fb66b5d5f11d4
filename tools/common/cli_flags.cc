#include "cli_flags.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace ecomm::tools {

namespace {

// AddText into a std::string or a std::optional<std::string>.
template <typename Text>
CLI::Option* AddNonEmpty(CLI::App& app, const std::string& name, Text* out,
                         const std::string& help) {
  return AddParsed(
      app, name,
      [out](const std::string& text) {
        *out = text;
        return !text.empty();
      },
      "a value", help);
}

}  // namespace

std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv) {
  std::string output;
  std::optional<int> status = ParseFlags(app, argc, argv, &output);
  if (status) std::fputs(output.c_str(), *status == 0 ? stdout : stderr);
  return status;
}

std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv,
                              std::string* output) {
  // CLI11 reports through exceptions; none leaves this function.
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    *output = app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    *output = UsageText(app, e.what());
    return 2;
  }
  return std::nullopt;
}

int UsageError(const CLI::App& app, const std::string& why) {
  std::fputs(UsageText(app, why).c_str(), stderr);
  return 2;
}

std::string UsageText(const CLI::App& app, const std::string& why) {
  return app.get_name() + ": " + why + "; see --help\n";
}

CLI::Option* AddParsed(CLI::App& app, const std::string& name,
                       std::function<bool(const std::string&)> take, const std::string& takes,
                       const std::string& help) {
  return app.add_option_function<std::string>(
      name,
      [take = std::move(take), name, takes](const std::string& text) {
        if (!take(text)) {
          throw CLI::ValidationError(name + " takes " + takes + ", not '" + text + "'");
        }
      },
      help);
}

CLI::Option* AddText(CLI::App& app, const std::string& name, std::string* out,
                     const std::string& help) {
  return AddNonEmpty(app, name, out, help);
}

CLI::Option* AddText(CLI::App& app, const std::string& name, std::optional<std::string>* out,
                     const std::string& help) {
  return AddNonEmpty(app, name, out, help);
}

bool ParseHostPort(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = text.substr(0, colon);
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);  // [::1]:8080
  }
  if (!ParseNumber<uint16_t>(text.substr(colon + 1), 0, 65535, port)) return false;
  *host = std::string(name);
  return true;
}

CLI::Option* AddChoice(CLI::App& app, const std::string& name, std::string* out,
                       std::vector<std::string> choices, const std::string& help) {
  std::string takes;
  for (const std::string& choice : choices) takes += (takes.empty() ? "" : "|") + choice;
  return AddParsed(
             app, name,
             [out, choices](const std::string& text) {
               if (std::find(choices.begin(), choices.end(), text) == choices.end()) return false;
               *out = text;
               return true;
             },
             takes, help)
      ->type_name(takes);
}

CLI::Option* AddHostPort(CLI::App& app, const std::string& name, std::string* host, uint16_t* port,
                         const std::string& help) {
  return AddParsed(
             app, name,
             [host, port](const std::string& text) { return ParseHostPort(text, host, port); },
             "HOST:PORT", help)
      ->type_name("HOST:PORT");
}

bool ParseDuration(std::string_view text, std::chrono::milliseconds max,
                   std::chrono::milliseconds* out) {
  constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (auto [suffix, unit] : kUnits) {
    if (!text.ends_with(suffix)) continue;
    int64_t count = 0;
    if (!ParseNumber<int64_t>(text.substr(0, text.size() - suffix.size()), 1, max.count() / unit,
                              &count)) {
      return false;
    }
    *out = std::chrono::milliseconds(count * unit);
    return true;
  }
  return false;
}

CLI::Option* AddDuration(CLI::App& app, const std::string& name, std::chrono::milliseconds* out,
                         std::chrono::milliseconds max, const std::string& help) {
  return AddParsed(
             app, name,
             [out, max](const std::string& text) { return ParseDuration(text, max, out); },
             "a count with a unit (ms, s, m, h, d)", help)
      ->type_name("T");
}

}  // namespace ecomm::tools
