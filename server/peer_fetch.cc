#include "peer_fetch.h"

#include <utility>

#include "http_client.h"
#include "http_url.h"
#include "stop_signals.h"

namespace ecomm::server {

replication::BootstrapOptions::Fetch MakePeerSnapshotFetch(std::string admin_token,
                                                           std::string tls_ca) {
  return
      [admin_token = std::move(admin_token), tls_ca = std::move(tls_ca)](
          const std::string& url, Lsn after, const std::function<bool(std::string_view)>& write) {
        Result<tools::HttpUrl> peer = tools::ParseHttpUrl(url);
        if (!peer.ok()) return peer.status();
        if (Status s = tools::CheckMaySendSecret(*peer, "the admin token or a snapshot"); !s.ok()) {
          return s;
        }
        auto client = tools::MakeHttpClient(*peer, tls_ca);
        if (!client.ok()) return client.status();
        (*client)->set_connection_timeout(5);
        (*client)->set_read_timeout(60);
        httplib::Headers headers;
        if (!admin_token.empty()) headers.emplace("Authorization", "Bearer " + admin_token);
        int status = 0;
        httplib::Result result = (*client)->Get(
            "/admin/snapshot?after=" + std::to_string(after), headers,
            [&](const httplib::Response& response) {
              status = response.status;
              return status == 200;
            },
            [&](const char* data, size_t size) { return write(std::string_view(data, size)); });
        if (status == 200 && result) return Status::Ok();
        if (status == 0 || status == 200 || status >= 500) {
          return Status(ErrorCode::kUnavailable, url + "/admin/snapshot: " +
                                                     (status ? "HTTP " + std::to_string(status)
                                                             : httplib::to_string(result.error())));
        }
        return Status(ErrorCode::kInvalidArgument,
                      url + "/admin/snapshot answered HTTP " + std::to_string(status));
      };
}

Status BootstrapReplica(const ServerFlags& flags, const std::function<void(std::string_view)>& log,
                        bool* stopped) {
  const replication::ReplicatorOptions& replica = *flags.replication;
  replication::BootstrapOptions bootstrap;
  bootstrap.data_dir = replica.data_dir;
  bootstrap.fs = flags.database.fs;
  bootstrap.brokers = replica.brokers;
  bootstrap.kafka_config = replica.kafka_config;
  bootstrap.log_topic = replica.log_topic;
  bootstrap.bootstrap_from = flags.bootstrap_from;
  bootstrap.self_url = replica.advertise_url;
  bootstrap.fetch = MakePeerSnapshotFetch(flags.api.auth.admin_token.value_or(""), flags.tls_ca);
  bootstrap.log = log;
  bootstrap.stop_requested = [stopped] {
    *stopped = *stopped || tools::StopSignals::Poll().has_value();
    return *stopped;
  };
  return replication::BootstrapIfNeeded(bootstrap);
}

}  // namespace ecomm::server
