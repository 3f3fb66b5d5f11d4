#pragma once

#include <cstdint>
#include <string>

#include "ecomm/result.h"
#include "kafka/kafka_config.h"

// What the cluster says about a topic, asked without creating it: a program that
// needs a topic of a given shape (a replication log of exactly one partition) checks
// it before it relies on it.
namespace ecomm::kafka {

// The number of partitions of `topic`, per the metadata of a client made from a copy
// of `config`; asking never creates the topic, whatever the brokers' auto-creation. kNotFound when
// the cluster has no such topic; kUnavailable when no broker answers within `timeout_ms`;
// kInvalidArgument when librdkafka refuses the configuration.
Result<int32_t> PartitionCount(const KafkaConfig& config, const std::string& topic, int timeout_ms);

}  // namespace ecomm::kafka
