#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ecomm/result.h"

// librdkafka configured in one place for every program that talks to Kafka: an
// operator's properties file (how TLS and SASL reach the client: security.protocol,
// ssl.ca.location, sasl.*), the brokers of the command line, and the program's own
// settings on top of both, since those are what its correctness rests on
// (enable.idempotence, enable.auto.commit=false, ...).
//
// Values of properties whose name contains "password" or "secret" never appear in a
// message this file makes.
namespace ecomm::kafka {

// One librdkafka property, e.g. {"acks", "all"}.
struct Setting {
  std::string name;
  std::string value;
};

// Owns an rd_kafka_conf_t until a client takes it (NewClient).
class KafkaConfig {
 public:
  // The properties of `properties_file` (none when empty), then `brokers` as
  // bootstrap.servers (unless empty), then `settings`: each later one wins.
  //
  // The file has one `name=value` a line; whitespace around name and value is
  // dropped; blank lines and lines whose first character other than whitespace is
  // '#' are skipped ('#' elsewhere belongs to the value: passwords hold any
  // character). kFileNotFound or kIOError when the file cannot be read;
  // kInvalidArgument "FILE:LINE: <librdkafka's reason>" for a line it refuses.
  static Result<KafkaConfig> Build(std::string_view brokers, const std::string& properties_file,
                                   std::span<const Setting> settings = {});

  KafkaConfig(KafkaConfig&& other) noexcept;
  KafkaConfig& operator=(KafkaConfig&& other) noexcept;
  KafkaConfig(const KafkaConfig&) = delete;
  KafkaConfig& operator=(const KafkaConfig&) = delete;
  ~KafkaConfig();

  // Sets each of `settings` in order; kInvalidArgument "NAME=VALUE: <reason>" for the
  // first one librdkafka refuses (the rest are not set).
  Status Apply(std::span<const Setting> settings);
  // The value of property `name` as librdkafka reports it; "" when unset or unknown.
  std::string Get(const char* name) const;
  // An independent copy, for one more client.
  KafkaConfig Copy() const;

  // For callbacks and opaques: librdkafka's setters that take no text.
  rd_kafka_conf_t* get() const { return conf_; }
  // Gives the configuration up: rd_kafka_new took it (NewClient does this).
  rd_kafka_conf_t* Release();

 private:
  explicit KafkaConfig(rd_kafka_conf_t* conf) : conf_(conf) {}

  rd_kafka_conf_t* conf_;  // null only once moved from or released
};

struct ClientDeleter {
  void operator()(rd_kafka_t* client) const { rd_kafka_destroy(client); }
};
// A librdkafka handle, destroyed with its owner.
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

// A handle of `type` made from `config`, which is used up either way.
// kInvalidArgument with librdkafka's reason when it refuses the configuration (a
// TLS file that cannot be read, properties that do not go together).
Result<Client> NewClient(rd_kafka_type_t type, KafkaConfig config);

}  // namespace ecomm::kafka
