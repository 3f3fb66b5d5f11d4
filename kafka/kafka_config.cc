#include "kafka/kafka_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace ecomm::kafka {

namespace {

constexpr std::string_view kSpace = " \t\r\n\f\v";
constexpr char kHidden[] = "<hidden>";

std::string_view Trim(std::string_view text) {
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// Passwords, client secrets and the like: their values stay out of every message.
bool IsSecret(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos;
}

// librdkafka's reason for refusing `name` = `value`, without the value when it is a
// secret (some reasons quote the value they refused).
std::string Reason(std::string_view name, std::string_view value, const char* why) {
  std::string reason = why;
  if (!IsSecret(name) || value.empty()) return reason;
  for (size_t at = reason.find(value); at != std::string::npos;
       at = reason.find(value, at + sizeof kHidden - 1)) {
    reason.replace(at, value.size(), kHidden);
  }
  return reason;
}

// Sets one property; on a refusal, *reason says why.
bool Set(rd_kafka_conf_t* conf, std::string_view name, std::string_view value,
         std::string* reason) {
  char why[512];
  std::string name_text(name), value_text(value);
  if (rd_kafka_conf_set(conf, name_text.c_str(), value_text.c_str(), why, sizeof why) ==
      RD_KAFKA_CONF_OK) {
    return true;
  }
  *reason = Reason(name, value, why);
  return false;
}

Status ApplyFile(rd_kafka_conf_t* conf, const std::string& path) {
  std::ifstream file(path);
  if (!file.is_open()) {
    std::string message = "cannot read kafka properties " + path + ": " + std::strerror(errno);
    return errno == ENOENT ? Status::FileNotFound(message) : Status::IOError(message);
  }
  int line_number = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_number;
    std::string_view text = Trim(line);
    if (text.empty() || text.front() == '#') continue;
    std::string where = path + ":" + std::to_string(line_number) + ": ";
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidArgument(where + "expected name=value");
    }
    std::string_view name = Trim(text.substr(0, equals));
    if (name.empty()) return Status::InvalidArgument(where + "no property name before '='");
    std::string reason;
    if (!Set(conf, name, Trim(text.substr(equals + 1)), &reason)) {
      return Status::InvalidArgument(where + reason);
    }
  }
  if (file.bad()) return Status::IOError("cannot read kafka properties " + path);
  return Status::Ok();
}

}  // namespace

Result<KafkaConfig> KafkaConfig::Build(std::string_view brokers, const std::string& properties_file,
                                       std::span<const Setting> settings) {
  KafkaConfig config(rd_kafka_conf_new());
  // The file first: the command line's brokers and the program's needs override it.
  if (!properties_file.empty()) {
    if (Status s = ApplyFile(config.conf_, properties_file); !s.ok()) return s;
  }
  if (!brokers.empty()) {
    const Setting bootstrap[] = {{"bootstrap.servers", std::string(brokers)}};
    if (Status s = config.Apply(bootstrap); !s.ok()) return s;
  }
  if (Status s = config.Apply(settings); !s.ok()) return s;
  return config;
}

KafkaConfig::KafkaConfig(KafkaConfig&& other) noexcept
    : conf_(std::exchange(other.conf_, nullptr)) {}

KafkaConfig& KafkaConfig::operator=(KafkaConfig&& other) noexcept {
  if (this != &other) {
    if (conf_ != nullptr) rd_kafka_conf_destroy(conf_);
    conf_ = std::exchange(other.conf_, nullptr);
  }
  return *this;
}

KafkaConfig::~KafkaConfig() {
  if (conf_ != nullptr) rd_kafka_conf_destroy(conf_);
}

Status KafkaConfig::Apply(std::span<const Setting> settings) {
  for (const Setting& setting : settings) {
    std::string reason;
    if (!Set(conf_, setting.name, setting.value, &reason)) {
      const std::string& shown = IsSecret(setting.name) ? kHidden : setting.value;
      return Status::InvalidArgument(setting.name + "=" + shown + ": " + reason);
    }
  }
  return Status::Ok();
}

std::string KafkaConfig::Get(const char* name) const {
  size_t size = 0;
  if (rd_kafka_conf_get(conf_, name, nullptr, &size) != RD_KAFKA_CONF_OK || size == 0) return {};
  std::string value(size, '\0');
  if (rd_kafka_conf_get(conf_, name, value.data(), &size) != RD_KAFKA_CONF_OK) return {};
  value.resize(size - 1);  // size counted the terminating NUL
  return value;
}

KafkaConfig KafkaConfig::Copy() const { return KafkaConfig(rd_kafka_conf_dup(conf_)); }

rd_kafka_conf_t* KafkaConfig::Release() { return std::exchange(conf_, nullptr); }

Result<Client> NewClient(rd_kafka_type_t type, KafkaConfig config) {
  char why[512];
  rd_kafka_t* client = rd_kafka_new(type, config.get(), why, sizeof why);
  if (client == nullptr) return Status::InvalidArgument(why);  // config still owns conf
  config.Release();                                            // rd_kafka_new took it
  return Client(client);
}

}  // namespace ecomm::kafka
