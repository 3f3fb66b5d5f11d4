// KafkaSink against the in-process mock cluster: a message's acknowledgement is timed
// without waiting for another Send (its own thread serves the reports), and what was
// sent before the sink is destroyed is delivered, in order.
#include "kafka_sink.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "ecomm/histogram.h"
#include "kafka/mock_cluster.h"
#include "support/wait_until.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<replication::KafkaSink> NewSink(const MockCluster& cluster, Histogram* latency) {
  auto sink = replication::KafkaSink::Create(cluster.Config(), "log", nullptr, latency);
  REQUIRE(sink.ok());
  return std::move(sink).value();
}

TEST_CASE("a lone message's acknowledgement is timed without another send") {
  MockCluster cluster;
  cluster.CreateTopic("log", 1);
  Histogram latency(Histogram::kCoarse);
  auto sink = NewSink(cluster, &latency);
  sink->Send("one");
  CHECK(WaitUntil([&] { return latency.Count() == 1; }, 10s, 5ms));
}

TEST_CASE("messages sent before the sink is destroyed are delivered, in order") {
  MockCluster cluster;
  cluster.CreateTopic("log", 1);
  Histogram latency(Histogram::kCoarse);
  {
    auto sink = NewSink(cluster, &latency);
    for (int i = 0; i < 20; ++i) sink->Send("message-" + std::to_string(i));
  }
  CHECK(latency.Count() == 20);
  auto reader = StartReader(cluster, "log", 0);
  std::vector<kafka::ReadMessage> read = ReadToEnd(*reader, 20);
  REQUIRE(read.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(read[i].value == "message-" + std::to_string(i));
}

}  // namespace
}  // namespace ecomm::testing
