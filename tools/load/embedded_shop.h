#pragma once

#include <memory>
#include <string>

#include "ecomm/database.h"
#include "shop_client.h"
#include "workload.h"

namespace ecomm::load {

// The engine in this process (--embedded): a Database on --data-dir, or on a temporary
// directory removed at the end, logging with group commit exactly as the server does.
// Requests are answered as the HTTP API would answer them (its statuses, the JSON
// fields the ledger and the audit read), once durable, without HTTP or full JSON.
class EmbeddedShop {
 public:
  static std::unique_ptr<EmbeddedShop> Open(const std::string& data_dir, std::string* error);
  ~EmbeddedShop();

  const std::string& data_dir() const { return data_dir_; }
  // Thread-safe, as the engine is.
  ShopReply Execute(const Population& population, const ShopRequest& request);
  ShopClientFactory Clients();

 private:
  EmbeddedShop(std::unique_ptr<Database> db, std::string data_dir, bool temporary);

  std::unique_ptr<Database> db_;
  std::string data_dir_;
  bool temporary_;
};

}  // namespace ecomm::load
