#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "api.h"
#include "json_reader.h"
#include "json_views.h"
#include "paging_cursor.h"
#include "problem.h"

// Pieces every handler file uses.
namespace ecomm::server {

inline Response Json(int status, std::string body) {
  return Response{status, "application/json", std::move(body)};
}

// A required query parameter.
inline Result<std::string> QueryParam(const Request& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) {
    return Status(ErrorCode::kInvalidRequest, std::string(name) + " is required");
  }
  return it->second;
}

// The `limit` query parameter of a page: 20 when absent.
inline Result<size_t> PageLimit(const Request& r) {
  auto it = r.query.find("limit");
  if (it == r.query.end()) return limits::kDefaultPageLimit;
  auto value = IntParam(it->second, "limit");
  if (!value.ok()) return value.status();
  if (*value < 1 || *value > static_cast<int64_t>(limits::kMaxPageLimit)) {
    return Status(ErrorCode::kInvalidRequest, "limit must be from 1 to 100");
  }
  return static_cast<size_t>(*value);
}

// A page body: {"items": [...], "nextCursor": string|null}.
template <class T, class WriteItem>
std::string PageJson(const Page<T>& page, std::string_view list, std::string_view user_id,
                     WriteItem write_item) {
  JsonWriter w;
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const T& item : page.items) write_item(w, item);
  w.EndArray();
  w.Key("nextCursor");
  if (page.next) {
    w.String(EncodeCursor(list, user_id, *page.next));
  } else {
    w.Null();
  }
  w.EndObject();
  return w.Take();
}

// The `cursor` query parameter of `list`, decoded; nothing when absent.
inline Result<std::optional<uint64_t>> PageCursor(const Request& r, std::string_view list,
                                                  std::string_view user_id) {
  auto it = r.query.find("cursor");
  if (it == r.query.end()) return std::optional<uint64_t>();
  auto position = DecodeCursor(list, user_id, it->second);
  if (!position.ok()) return position.status();
  return std::optional<uint64_t>(*position);
}

template <class T, class Encode>
void Api::Commit(Result<Committed<T>> result, Reply reply, Encode encode) {
  if (!result.ok()) return reply(Problem(result.status()));
  Committed<T> committed = std::move(result).value();
  Lsn lsn = committed.ticket.lsn;
  engine_.OnDurable(committed.ticket, [reply = std::move(reply), encode, lsn,
                                       value = std::move(committed.value)](Status durable) {
    if (!durable.ok()) return reply(Problem(durable));
    Response response = encode(value);
    // Read your writes: a read sent with Ecomm-Min-Lsn: N waits until N counted.
    if (lsn != 0) response.headers.emplace_back("Ecomm-Lsn", std::to_string(lsn));
    reply(std::move(response));
  });
}

// 403 unless the caller may act for `user_id`: with --auth jwt, a request naming
// another userId than its token's subject (body, query or path).
inline Status MayActFor(const Request& r, std::string_view user_id) {
  if (r.caller.MayActFor(user_id)) return Status::Ok();
  return Status(ErrorCode::kForbidden, "the token's subject may act only for itself");
}

// Early return of a decoding failure as its problem response.
#define ECOMM_TRY(var, expr) \
  auto var = (expr);         \
  if (!var.ok()) return reply(Problem(var.status()))

// Early return of a failed check as its problem response.
#define ECOMM_CHECK(expr) \
  if (Status check_ = (expr); !check_.ok()) return reply(Problem(check_))

}  // namespace ecomm::server
