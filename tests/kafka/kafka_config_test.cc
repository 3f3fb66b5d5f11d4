// KafkaConfig: the operator's properties file (good lines, comments and blank lines,
// each way a line or the file is refused), the order in which the file, the brokers and
// the program's settings win, and secrets kept out of messages.
#include "kafka/kafka_config.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ecomm::kafka {

namespace {

// A properties file of its own per test, removed afterwards.
class PropertiesFile {
 public:
  explicit PropertiesFile(const std::string& text) {
    static int files = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("kafka_config_test." + std::to_string(getpid()) + "." + std::to_string(++files)))
                .string();
    std::ofstream(path_) << text;
  }
  ~PropertiesFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TEST_CASE("a properties file: name=value lines, trimmed, with comments and blank lines skipped") {
  PropertiesFile file(
      "# TLS to the cluster\n"
      "\n"
      "  client.id =  from-file  \n"
      "\t# an indented comment\n"
      "socket.timeout.ms=12345\r\n"
      "   \n"
      "sasl.username=ops#1\n");
  Result<KafkaConfig> config = KafkaConfig::Build("127.0.0.1:9092", file.path());
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  CHECK(config->Get("bootstrap.servers") == "127.0.0.1:9092");
  CHECK(config->Get("client.id") == "from-file");
  CHECK(config->Get("socket.timeout.ms") == "12345");
  CHECK(config->Get("sasl.username") == "ops#1");  // '#' inside a value is the value's
}

TEST_CASE("the file, then --brokers, then the program's settings: each later one wins") {
  PropertiesFile file(
      "bootstrap.servers=file:9092\n"
      "client.id=from-file\n"
      "socket.timeout.ms=12345\n");
  const Setting settings[] = {{"client.id", "from-program"}};
  Result<KafkaConfig> config = KafkaConfig::Build("flag:9092", file.path(), settings);
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  CHECK(config->Get("bootstrap.servers") == "flag:9092");
  CHECK(config->Get("client.id") == "from-program");
  CHECK(config->Get("socket.timeout.ms") == "12345");
}

TEST_CASE("no file and no brokers: librdkafka's defaults and the settings alone") {
  const Setting settings[] = {{"client.id", "alone"}};
  Result<KafkaConfig> config = KafkaConfig::Build("", "", settings);
  REQUIRE(config.ok());
  CHECK(config->Get("bootstrap.servers") == "");
  CHECK(config->Get("client.id") == "alone");
  CHECK(config->Get("no.such.property") == "");
}

// One test per way the file is refused.

TEST_CASE("an unknown property in the file is refused naming FILE:LINE and librdkafka's reason") {
  PropertiesFile file("# comment\nclient.id=x\nno.such.property = 1\n");
  Result<KafkaConfig> config = KafkaConfig::Build("127.0.0.1:9092", file.path());
  REQUIRE(!config.ok());
  CHECK(config.code() == ErrorCode::kInvalidArgument);
  CHECK(config.status().message() ==
        file.path() + ":3: No such configuration property: \"no.such.property\"");
}

TEST_CASE("a value librdkafka refuses is refused naming FILE:LINE") {
  PropertiesFile file("\nsocket.timeout.ms=soon\n");
  Result<KafkaConfig> config = KafkaConfig::Build("127.0.0.1:9092", file.path());
  REQUIRE(!config.ok());
  CHECK(config.code() == ErrorCode::kInvalidArgument);
  CHECK(config.status().message() ==
        file.path() + ":2: Invalid value for configuration property \"socket.timeout.ms\"");
}

TEST_CASE("a line without '=' or without a name is refused naming FILE:LINE") {
  PropertiesFile no_equals("client.id=x\nssl.ca.location /etc/ca.pem\n");
  Result<KafkaConfig> config = KafkaConfig::Build("", no_equals.path());
  REQUIRE(!config.ok());
  CHECK(config.code() == ErrorCode::kInvalidArgument);
  CHECK(config.status().message() == no_equals.path() + ":2: expected name=value");

  PropertiesFile no_name(" = value\n");
  config = KafkaConfig::Build("", no_name.path());
  REQUIRE(!config.ok());
  CHECK(config.status().message() == no_name.path() + ":1: no property name before '='");
}

TEST_CASE("a missing properties file is kFileNotFound naming it") {
  std::string path = "/nonexistent/kafka.properties";
  Result<KafkaConfig> config = KafkaConfig::Build("127.0.0.1:9092", path);
  REQUIRE(!config.ok());
  CHECK(config.code() == ErrorCode::kFileNotFound);
  CHECK(config.status().message() ==
        "cannot read kafka properties /nonexistent/kafka.properties: No such file or directory");
}

TEST_CASE("a refused setting is named with its value, unless the name says secret or password") {
  Result<KafkaConfig> config = KafkaConfig::Build("", "");
  REQUIRE(config.ok());
  const Setting plain[] = {{"socket.timeout.ms", "soon"}};
  Status s = config->Apply(plain);
  CHECK(s.code() == ErrorCode::kInvalidArgument);
  CHECK(s.message() ==
        "socket.timeout.ms=soon: Invalid value for configuration property \"socket.timeout.ms\"");

  const Setting secret[] = {{"my.client.SECRET", "hunter2"}};
  s = config->Apply(secret);
  CHECK(s.message() ==
        "my.client.SECRET=<hidden>: No such configuration property: \"my.client.SECRET\"");
  const Setting password[] = {{"ssl.key.password.typo", "hunter2"}};
  s = config->Apply(password);
  CHECK(s.message() ==
        "ssl.key.password.typo=<hidden>: No such configuration property: "
        "\"ssl.key.password.typo\"");
}

TEST_CASE("a copy is independent of its original") {
  const Setting settings[] = {{"client.id", "original"}};
  Result<KafkaConfig> config = KafkaConfig::Build("127.0.0.1:9092", "", settings);
  REQUIRE(config.ok());
  KafkaConfig copy = config->Copy();
  const Setting changed[] = {{"client.id", "copy"}};
  REQUIRE(copy.Apply(changed).ok());
  CHECK(copy.Get("client.id") == "copy");
  CHECK(copy.Get("bootstrap.servers") == "127.0.0.1:9092");
  CHECK(config->Get("client.id") == "original");
}

TEST_CASE("NewClient reports librdkafka's refusal of a configuration it cannot use") {
  const Setting settings[] = {{"security.protocol", "ssl"},
                              {"ssl.ca.location", "/nonexistent/ca.pem"},
                              {"log_level", "0"}};  // OpenSSL's lines about it
  Result<Client> client =
      NewClient(RD_KAFKA_PRODUCER, KafkaConfig::Build("127.0.0.1:9092", "", settings).value());
  REQUIRE(!client.ok());
  CHECK(client.code() == ErrorCode::kInvalidArgument);
  CHECK(client.status().message() ==
        "ssl.ca.location failed: error:05880002:x509 certificate routines::system lib");
}

}  // namespace ecomm::kafka
