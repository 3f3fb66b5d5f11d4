#include "e2e/support/contract.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace ecomm::testing::contract {

namespace {

std::mutex mu;
std::vector<std::string> breaches;         // guarded by mu
std::map<const void*, int> server_behind;  // guarded by mu; a reused address re-registers

std::string Text(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return out.GetString();
}

// Whether JSON.stringify(JSON.parse(x)) gives back what rapidjson's writer does:
// no duplicate keys, no fractional or exponent numbers (JS prints 1.0 as 1), no
// integers beyond 2^53 (JS rounds them).
bool SurvivesJavaScript(const rapidjson::Value& value) {
  constexpr int64_t kExact = int64_t{1} << 53;
  if (value.IsNumber()) {
    return value.IsInt64() && value.GetInt64() >= -kExact && value.GetInt64() <= kExact;
  }
  if (value.IsArray()) {
    for (const rapidjson::Value& item : value.GetArray()) {
      if (!SurvivesJavaScript(item)) return false;
    }
  }
  if (!value.IsObject()) return true;
  std::set<std::string> names;
  for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
    if (!names.insert(member->name.GetString()).second || !SurvivesJavaScript(member->value)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ForwardedVerbatim(const std::string& body) {
  if (body.empty()) return true;
  rapidjson::Document parsed;
  parsed.Parse(body.c_str(), body.size());
  // Not JSON: Prism answers it itself, and Send asks the server directly.
  if (parsed.HasParseError()) return true;
  return SurvivesJavaScript(parsed) && Text(parsed) == body;
}

bool NotForwarded(int status, const std::string& body) {
  return (status == 400 && body.find("\"invalid_json\"") != std::string::npos) ||
         (status == 501 && body.find("PROXY_UNSUPPORTED_REQUEST_BODY") != std::string::npos);
}

void AnsweredByProxy(const std::string& method, const std::string& path, int status,
                     const std::string& body) {
  std::lock_guard lock(mu);
  breaches.push_back(method + " " + path + " -> " + std::to_string(status) +
                     ": answered by Prism, not the server: " + body);
}

const char* PrismPath() {
  const char* path = std::getenv("ECOMM_CONTRACT_PRISM");
  return path != nullptr && *path != '\0' ? path : nullptr;
}

void Judge(const std::string& method, const std::string& path, int status,
           const std::string& violations_json) {
  if (violations_json.empty()) return;
  std::string exchange = method + " " + path + " -> " + std::to_string(status) + ": ";
  rapidjson::Document violations;
  violations.Parse(violations_json.c_str());
  std::lock_guard lock(mu);
  if (violations.HasParseError() || !violations.IsArray()) {
    breaches.push_back(exchange + "unreadable sl-violations header " + violations_json);
    return;
  }
  for (const rapidjson::Value& violation : violations.GetArray()) {
    bool of_request = violation.IsObject() && violation.HasMember("location") &&
                      violation["location"].IsArray() && !violation["location"].Empty() &&
                      violation["location"][0].IsString() &&
                      std::string(violation["location"][0].GetString()) == "request";
    if (of_request && status >= 400) continue;  // bad input, refused as the document says
    breaches.push_back(exchange + Text(violation));
  }
}

std::vector<std::string> TakeBreaches() {
  std::lock_guard lock(mu);
  return std::exchange(breaches, {});
}

void RegisterClient(const void* client, int server_port) {
  std::lock_guard lock(mu);
  server_behind[client] = server_port;
}

int ServerBehind(const void* client) {
  std::lock_guard lock(mu);
  auto it = server_behind.find(client);
  return it == server_behind.end() ? 0 : it->second;
}

}  // namespace ecomm::testing::contract
