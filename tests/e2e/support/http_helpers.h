#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <httplib.h>

// Small pieces the end-to-end tests share: HTTP calls that copy the answer out of
// httplib, JSON access that fails the test on a missing or mistyped field, the
// problem+json checker, request-body builders, and shortcuts for the setup steps
// (users, products, orders) that every test needs.
//
// Threads: Send/Get/Post/Delete and the body builders never assert, so worker threads
// may call them; everything that checks (Str, Int, CheckProblem, CreateUser, ...)
// belongs on the test's own thread.
namespace ecomm::testing {

// One HTTP answer, copied so that it outlives the client. status 0: no answer
// (connection refused or reset), with the httplib error in `body`.
struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string www_authenticate;  // the WWW-Authenticate header, "" when absent
  std::string allow;             // the Allow header, "" when absent
  httplib::Headers headers;      // every header, for the rest

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }

  // The body as JSON; fails the test when it is not JSON.
  rapidjson::Document Json() const;
};

using Headers = httplib::Headers;

HttpReply Send(httplib::Client& client, const std::string& method, const std::string& path,
               const std::string& body = "", const Headers& headers = {});
HttpReply Get(httplib::Client& client, const std::string& path, const Headers& headers = {});
HttpReply Post(httplib::Client& client, const std::string& path, const std::string& body,
               const Headers& headers = {});
HttpReply Delete(httplib::Client& client, const std::string& path, const std::string& body = "",
                 const Headers& headers = {});

Headers IdempotencyKey(const std::string& key);
Headers BearerToken(const std::string& token);

// ---- JSON ----

rapidjson::Document ParseJson(std::string_view text);
// Serialized back to text: an order-preserving way to compare values.
std::string ToText(const rapidjson::Value& value);
// Required members of a given type; each REQUIREs that the member exists with that type.
std::string Str(const rapidjson::Value& object, const char* name);
int64_t Int(const rapidjson::Value& object, const char* name);
bool Bool(const rapidjson::Value& object, const char* name);
const rapidjson::Value& Array(const rapidjson::Value& object, const char* name);
// A member that must be present and null.
void CheckNull(const rapidjson::Value& object, const char* name);
// Every `required` member is present and every member is either required or in
// `optional` (fields the ERD has but the contract's table leaves out): a misspelt or
// renamed field shows up as one missing and one unexpected.
void CheckMembers(const rapidjson::Value& object, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional = {});

bool IsUuid(std::string_view text);
// RFC 3339 in UTC, as the server writes it: 2024-01-31T12:34:56.789Z (fraction optional).
bool IsTimestamp(std::string_view text);

// A JSON string literal for `text` (quotes and backslashes escaped).
std::string Quote(std::string_view text);
// {"name":value,...} where each value is already JSON text, e.g. Quote(id) or "12".
std::string Object(std::initializer_list<std::pair<std::string_view, std::string>> fields);

// ---- the contract's answers ----

// The status, Content-Type application/problem+json and the RFC 9457 members with the
// right types, `status` matching the HTTP status and `code` equal to `code`.
void CheckProblem(const HttpReply& reply, int status, std::string_view code);
// The status and Content-Type application/json; returns the parsed body.
rapidjson::Document CheckJson(const HttpReply& reply, int status = 200);

// ---- request bodies ----

using Lines = std::vector<std::pair<std::string, int64_t>>;  // productId, quantity

std::string ChargeBody(const std::string& user_id, int64_t amount);
std::string OrderBody(const std::string& user_id, const Lines& lines);
std::string CartOrderBody(const std::string& user_id);
std::string CartAddBody(const std::string& user_id, const std::string& product_id,
                        int64_t quantity);

// ---- setup shortcuts (REQUIRE success) ----

// A new id with `prefix`, unique within this test process.
std::string UniqueId(std::string_view prefix);
// A new user (admin POST /users, loopback) holding `balance`; returns its userId.
std::string CreateUser(httplib::Client& client, int64_t balance = 0);
// A new product (admin POST /products) with `id`, or a generated one when empty;
// returns its productId.
std::string CreateProduct(httplib::Client& client, int64_t price, int64_t stock,
                          std::string id = "");

int64_t BalanceOf(httplib::Client& client, const std::string& user_id);
int64_t StockOf(httplib::Client& client, const std::string& product_id);

HttpReply Charge(httplib::Client& client, const std::string& user_id, int64_t amount,
                 const Headers& headers = {});
HttpReply PlaceOrder(httplib::Client& client, const std::string& user_id, const Lines& lines,
                     const Headers& headers = {});
HttpReply Cancel(httplib::Client& client, const std::string& order_id, const Headers& headers = {});
// Places an order that must succeed; returns its orderId.
std::string PlaceOrderOk(httplib::Client& client, const std::string& user_id, const Lines& lines);

// Every item of a paged list (/balance/history or /orders), following nextCursor with
// the largest page; the returned document is an array.
rapidjson::Document AllPages(httplib::Client& client, const std::string& path);

// The bodies of GET `paths`, each prefixed by its status: compared before and after
// something that must not change what the server shows.
std::vector<std::string> Observe(httplib::Client& client, const std::vector<std::string>& paths);
// What a user's account shows: balance, history, orders, cart.
std::vector<std::string> AccountPaths(const std::string& user_id);

// ---- what the server reports about itself ----

// The durable LSN from GET /healthz: unchanged means nothing was logged in between.
int64_t DurableLsn(httplib::Client& client);
// The value of one series of GET /metrics, e.g. `ecomm_http_connections` or
// `ecomm_http_timeouts_total{awaiting="write"}`; REQUIREs that it is there.
int64_t MetricValue(httplib::Client& client, std::string_view series);
// A 4xx problem+json whose body is valid UTF-8 JSON, with `code` when given.
void CheckClientError(int status, std::string_view content_type, const std::string& body,
                      std::string_view code = {});

// ---- threads ----

// fn(0..n-1) on n threads released together, so that their requests overlap.
void RunConcurrently(int n, const std::function<void(int)>& fn);

// ---- raw sockets, for what httplib cannot send ----

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string content_type;
  std::string body;
};

// A plain TCP connection to the server: writes bytes exactly as given (pipelining,
// a Content-Length the body never reaches) and reads responses one at a time.
class RawConnection {
 public:
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a client slow to read).
  explicit RawConnection(int port, int receive_buffer = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Send(std::string_view bytes);
  // The next response (Content-Length framed); status 0 when the connection ended first.
  RawResponse Read();
  // Reads and discards until the server closes the connection (true) or `timeout`
  // passes with it still open (false).
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace ecomm::testing
