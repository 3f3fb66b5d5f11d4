#include "replica_set.h"

#include <algorithm>
#include <charconv>

#include "ecomm/untrusted_json.h"

namespace ecomm::load {

namespace {

using std::chrono::milliseconds;

// One URL: ecomm-load's rule from before failover.
constexpr int kSingleMaxAttempts = 3;
constexpr milliseconds kSinglePause{50};
constexpr milliseconds kReconnectPause{100};
// Several: a short backoff, so that a client does not spin between a follower naming a
// dead primary and that primary's closed port while a new one is being promoted.
constexpr milliseconds kBackoffFirst{20};
constexpr milliseconds kBackoffMax{500};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ReplicaUrl> ParseReplicaUrl(std::string_view text) {
  auto refuse = [text](const std::string& why) {
    return Result<ReplicaUrl>(ErrorCode::kInvalidRequest, "'" + std::string(text) + "': " + why);
  };
  constexpr std::string_view kScheme = "http://";
  std::string_view url = text;
  if (!url.starts_with(kScheme)) return refuse("not http://HOST:PORT");
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return refuse("no HOST:PORT");
  std::string_view host = url.substr(0, colon), port_text = url.substr(colon + 1);
  if (host.find_first_of("/?#@, ") != std::string_view::npos) return refuse("not a host");
  uint32_t port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return refuse("the port is not 1..65535");
  }
  return ReplicaUrl{std::string(host), static_cast<uint16_t>(port)};
}

Result<std::vector<ReplicaUrl>> ParseReplicaUrls(std::string_view text) {
  std::vector<ReplicaUrl> urls;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    if (item.empty()) return Status(ErrorCode::kInvalidRequest, "an empty URL in the list");
    Result<ReplicaUrl> url = ParseReplicaUrl(item);
    if (!url.ok()) return url.status();
    if (std::find(urls.begin(), urls.end(), *url) != urls.end()) {
      return Status(ErrorCode::kInvalidRequest, url->text() + " is listed twice");
    }
    urls.push_back(*url);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return urls;
}

ReplicaSet::ReplicaSet(std::vector<ReplicaUrl> urls) : urls_(std::move(urls)) {}

std::optional<size_t> ReplicaSet::Find(std::string_view url) const {
  Result<ReplicaUrl> parsed = ParseReplicaUrl(Trim(url));
  if (!parsed.ok()) return std::nullopt;
  auto it = std::find(urls_.begin(), urls_.end(), *parsed);
  if (it == urls_.end()) return std::nullopt;
  return static_cast<size_t>(it - urls_.begin());
}

void ReplicaSet::NoteLsn(uint64_t lsn) {
  uint64_t floor = lsn_floor_.load(std::memory_order_relaxed);
  while (lsn > floor && !lsn_floor_.compare_exchange_weak(floor, lsn, std::memory_order_relaxed)) {
  }
}

Route::Route(const ReplicaSet& replicas, milliseconds failover_wait)
    : replicas_(replicas), failover_wait_(failover_wait) {}

void Route::Begin(Clock::time_point now) {
  deadline_ = now + failover_wait_;
  attempts_ = 1;
}

Step Route::After(const Attempt& a, Repeat repeat, Clock::time_point now) {
  using Kind = Attempt::Kind;
  bool key_in_use =
      a.kind == Kind::kAnswered && a.status == 409 && a.code == "IDEMPOTENCY_KEY_IN_USE";
  if (!replicas_.failover()) {
    if (a.kind == Kind::kRefused) return Step{true, replica_, kReconnectPause, false};
    bool in_doubt =
        a.kind == Kind::kLost || (a.kind == Kind::kAnswered && a.status == 503) || key_in_use;
    if (!in_doubt || repeat != Repeat::kKeyed || attempts_ >= kSingleMaxAttempts) return Finish();
    ++attempts_;
    return Step{true, replica_, kSinglePause, false};
  }

  if (now >= deadline_) return Finish();
  bool repeatable = repeat != Repeat::kUnkeyed;
  switch (a.kind) {
    case Kind::kRefused:
      return Retry(replicas_.After(replica_), false);
    case Kind::kLost:  // reconnect here; should that be refused, the next step moves on
      return repeatable ? Retry(replica_, false) : Finish();
    case Kind::kAnswered:
      break;
  }
  // The primary the answer names, when it is one of the run's and not this replica
  // (one that names itself yet refuses: ask another).
  std::optional<size_t> found = a.primary.empty() ? std::nullopt : replicas_.Find(a.primary);
  const size_t primary = found.value_or(replica_);
  const bool named = primary != replica_;
  if (a.status == 421 || (a.status == 503 && a.code == "NOT_PRIMARY")) {
    return named ? Retry(primary, true) : Retry(replicas_.After(replica_), false);
  }
  if (a.status == 503) {
    if (!repeatable) return Finish();  // outcome unknown, and no key to ask with
    return named ? Retry(primary, true) : Retry(replica_, false);
  }
  if (key_in_use && repeat == Repeat::kKeyed) return Retry(replica_, false);
  return Finish();
}

Step Route::Reconnect() {
  if (!replicas_.failover()) return Step{true, replica_, kReconnectPause, false};
  size_t from = replica_;
  replica_ = replicas_.After(replica_);
  return Step{true, replica_, kReconnectPause, replica_ != from};
}

Step Route::Retry(size_t to, bool named) {
  int retries = attempts_ - 1;  // before this one
  milliseconds pause = named && retries == 0
                           ? milliseconds(0)
                           : std::min(kBackoffFirst * (1 << std::min(retries, 5)), kBackoffMax);
  ++attempts_;
  bool moved = to != replica_;
  replica_ = to;
  return Step{true, to, pause, moved};
}

std::string ProblemCode(std::string_view body) {
  if (body.find("\"code\"") == std::string_view::npos) return {};
  // A server's answer, but whichever server --url named: screened like any JSON from
  // outside.
  Result<rapidjson::Document> d = ParseUntrustedJson(body);
  if (!d.ok() || !d->IsObject()) return {};
  auto it = d->FindMember("code");
  if (it == d->MemberEnd() || !it->value.IsString()) return {};
  return it->value.GetString();
}

}  // namespace ecomm::load
