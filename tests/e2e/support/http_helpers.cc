#include "e2e/support/http_helpers.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <latch>
#include <set>
#include <thread>

#include "e2e/support/contract.h"

namespace ecomm::testing {

// ---- HTTP ----

HttpReply Send(httplib::Client& client, const std::string& method, const std::string& path,
               const std::string& body, const Headers& headers) {
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.headers = headers;
  if (!body.empty()) {
    request.body = body;
    request.headers.emplace("Content-Type", "application/json");
  }
  int direct_port = contract::PrismPath() != nullptr ? contract::ServerBehind(&client) : 0;
  httplib::Result result = direct_port != 0 && !contract::ForwardedVerbatim(body)
                               ? httplib::Client("127.0.0.1", direct_port).send(request)
                               : client.send(request);
  if (direct_port != 0 && result) {
    if (result->get_header_value("Server") == "ecomm") {
      contract::Judge(method, path, result->status, result->get_header_value("sl-violations"));
    } else if (contract::NotForwarded(result->status, result->body)) {
      result = httplib::Client("127.0.0.1", direct_port).send(request);  // ask the server
    } else {
      contract::AnsweredByProxy(method, path, result->status, result->body);
    }
  }
  HttpReply reply;
  if (!result) {
    reply.body = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.content_type = result->get_header_value("Content-Type");
  reply.www_authenticate = result->get_header_value("WWW-Authenticate");
  reply.allow = result->get_header_value("Allow");
  reply.headers = result->headers;
  reply.body = result->body;
  return reply;
}

HttpReply Get(httplib::Client& client, const std::string& path, const Headers& headers) {
  return Send(client, "GET", path, "", headers);
}

HttpReply Post(httplib::Client& client, const std::string& path, const std::string& body,
               const Headers& headers) {
  return Send(client, "POST", path, body, headers);
}

HttpReply Delete(httplib::Client& client, const std::string& path, const std::string& body,
                 const Headers& headers) {
  return Send(client, "DELETE", path, body, headers);
}

Headers IdempotencyKey(const std::string& key) { return {{"Idempotency-Key", key}}; }

Headers BearerToken(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

rapidjson::Document HttpReply::Json() const { return ParseJson(body); }

// ---- JSON ----

rapidjson::Document ParseJson(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), "not JSON: ", std::string(text.substr(0, 300)));
  return doc;
}

std::string ToText(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return out.GetString();
}

namespace {

const rapidjson::Value& Member(const rapidjson::Value& object, const char* name) {
  REQUIRE_MESSAGE(object.IsObject(), "not an object: ", ToText(object));
  auto it = object.FindMember(name);
  REQUIRE_MESSAGE(it != object.MemberEnd(), "missing \"", name, "\" in ", ToText(object));
  return it->value;
}

}  // namespace

std::string Str(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value& v = Member(object, name);
  REQUIRE_MESSAGE(v.IsString(), "\"", name, "\" is not a string in ", ToText(object));
  return std::string(v.GetString(), v.GetStringLength());
}

int64_t Int(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value& v = Member(object, name);
  // A JSON integer, not 1.0: the contract's money and quantities are integers.
  REQUIRE_MESSAGE((v.IsInt64() && !v.IsDouble()), "\"", name, "\" is not an integer in ",
                  ToText(object));
  return v.GetInt64();
}

bool Bool(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value& v = Member(object, name);
  REQUIRE_MESSAGE(v.IsBool(), "\"", name, "\" is not a boolean in ", ToText(object));
  return v.GetBool();
}

const rapidjson::Value& Array(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value& v = Member(object, name);
  REQUIRE_MESSAGE(v.IsArray(), "\"", name, "\" is not an array in ", ToText(object));
  return v;
}

void CheckNull(const rapidjson::Value& object, const char* name) {
  CHECK_MESSAGE(Member(object, name).IsNull(), "\"", name, "\" is not null in ", ToText(object));
}

void CheckMembers(const rapidjson::Value& object, std::initializer_list<const char*> required,
                  std::initializer_list<const char*> optional) {
  REQUIRE_MESSAGE(object.IsObject(), "not an object: ", ToText(object));
  std::set<std::string> allowed;
  for (const char* name : required) {
    allowed.insert(name);
    CHECK_MESSAGE(object.HasMember(name), "missing \"", name, "\" in ", ToText(object));
  }
  for (const char* name : optional) allowed.insert(name);
  for (const auto& member : object.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    CHECK_MESSAGE(allowed.contains(name), "unexpected \"", name, "\" in ", ToText(object));
  }
}

namespace {

// True when `text` has the shape of `pattern`, where '9' stands for a digit and 'x'
// for a lowercase hex digit; other characters stand for themselves. (Not std::regex:
// GCC 12 reports false maybe-uninitialized errors in it under the sanitizers.)
bool HasShape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool digit = c >= '0' && c <= '9';
    bool fits = pattern[i] == '9'   ? digit
                : pattern[i] == 'x' ? digit || (c >= 'a' && c <= 'f')
                                    : c == pattern[i];
    if (!fits) return false;
  }
  return true;
}

}  // namespace

bool IsUuid(std::string_view text) {
  return HasShape(text, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
}

bool IsTimestamp(std::string_view text) {
  // The server always writes milliseconds: 2026-11-25T10:00:30.000Z.
  return HasShape(text, "9999-99-99T99:99:99.999Z") || HasShape(text, "9999-99-99T99:99:99Z");
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Object(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  std::string out = "{";
  for (const auto& [name, value] : fields) {
    if (out.size() > 1) out += ",";
    out += Quote(name) + ":" + value;
  }
  return out + "}";
}

// ---- the contract's answers ----

void CheckProblem(const HttpReply& reply, int status, std::string_view code) {
  INFO("body: ", reply.body);
  REQUIRE(reply.status == status);
  CHECK(reply.content_type == "application/problem+json");
  rapidjson::Document doc = reply.Json();
  CHECK(!Str(doc, "type").empty());
  CHECK(!Str(doc, "title").empty());
  CHECK(Int(doc, "status") == status);
  CHECK(!Str(doc, "detail").empty());
  CHECK(Str(doc, "code") == code);
}

rapidjson::Document CheckJson(const HttpReply& reply, int status) {
  INFO("body: ", reply.body);
  REQUIRE(reply.status == status);
  CHECK(reply.content_type == "application/json");
  return reply.Json();
}

// ---- request bodies ----

std::string ChargeBody(const std::string& user_id, int64_t amount) {
  return Object({{"userId", Quote(user_id)}, {"amount", std::to_string(amount)}});
}

std::string OrderBody(const std::string& user_id, const Lines& lines) {
  std::string items = "[";
  for (const auto& [product_id, quantity] : lines) {
    if (items.size() > 1) items += ",";
    items += Object({{"productId", Quote(product_id)}, {"quantity", std::to_string(quantity)}});
  }
  return Object({{"userId", Quote(user_id)}, {"items", items + "]"}});
}

std::string CartOrderBody(const std::string& user_id) {
  return Object({{"userId", Quote(user_id)}, {"fromCart", "true"}});
}

std::string CartAddBody(const std::string& user_id, const std::string& product_id,
                        int64_t quantity) {
  return Object({{"userId", Quote(user_id)},
                 {"productId", Quote(product_id)},
                 {"quantity", std::to_string(quantity)}});
}

// ---- setup shortcuts ----

std::string UniqueId(std::string_view prefix) {
  static std::atomic<int> next{0};
  return std::string(prefix) + "-" + std::to_string(++next);
}

std::string CreateUser(httplib::Client& client, int64_t balance) {
  std::string id = UniqueId("u");
  HttpReply created = Post(client, "/users",
                           Object({{"userId", Quote(id)},
                                   {"name", Quote("User " + id)},
                                   {"email", Quote(id + "@example.com")}}));
  CheckJson(created, 201);
  // One charge is at most 10^9: top up in as many steps as needed.
  for (int64_t left = balance; left > 0; left -= 1'000'000'000) {
    CheckJson(Charge(client, id, std::min<int64_t>(left, 1'000'000'000)));
  }
  return id;
}

std::string CreateProduct(httplib::Client& client, int64_t price, int64_t stock, std::string id) {
  if (id.empty()) id = UniqueId("p");
  HttpReply created = Post(client, "/products",
                           Object({{"productId", Quote(id)},
                                   {"name", Quote("Product " + id)},
                                   {"price", std::to_string(price)},
                                   {"stock", std::to_string(stock)}}));
  CheckJson(created, 201);
  return id;
}

int64_t BalanceOf(httplib::Client& client, const std::string& user_id) {
  return Int(CheckJson(Get(client, "/balance?userId=" + user_id)), "currentBalance");
}

int64_t StockOf(httplib::Client& client, const std::string& product_id) {
  return Int(CheckJson(Get(client, "/products/" + product_id)), "stock");
}

HttpReply Charge(httplib::Client& client, const std::string& user_id, int64_t amount,
                 const Headers& headers) {
  return Post(client, "/balance/charge", ChargeBody(user_id, amount), headers);
}

HttpReply PlaceOrder(httplib::Client& client, const std::string& user_id, const Lines& lines,
                     const Headers& headers) {
  return Post(client, "/order", OrderBody(user_id, lines), headers);
}

HttpReply Cancel(httplib::Client& client, const std::string& order_id, const Headers& headers) {
  return Post(client, "/orders/" + order_id + "/cancel", "", headers);
}

std::string PlaceOrderOk(httplib::Client& client, const std::string& user_id, const Lines& lines) {
  rapidjson::Document order = CheckJson(PlaceOrder(client, user_id, lines));
  REQUIRE(Str(order, "orderStatus") == "SUCCESS");
  return Str(order, "orderId");
}

rapidjson::Document AllPages(httplib::Client& client, const std::string& path) {
  rapidjson::Document all(rapidjson::kArrayType);
  std::string base = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=100";
  std::string cursor;
  for (int page = 0; page < 10'000; ++page) {
    rapidjson::Document doc =
        CheckJson(Get(client, cursor.empty() ? base : base + "&cursor=" + cursor));
    for (const rapidjson::Value& item : Array(doc, "items").GetArray()) {
      all.PushBack(rapidjson::Value(item, all.GetAllocator()), all.GetAllocator());
    }
    const rapidjson::Value& next = doc["nextCursor"];
    if (next.IsNull()) return all;
    REQUIRE(next.IsString());
    cursor = next.GetString();
  }
  FAIL("the pages of ", path, " never end");
  return all;
}

std::vector<std::string> Observe(httplib::Client& client, const std::vector<std::string>& paths) {
  std::vector<std::string> seen;
  for (const std::string& path : paths) {
    HttpReply reply = Get(client, path);
    seen.push_back(path + " -> " + std::to_string(reply.status) + " " + reply.body);
  }
  return seen;
}

std::vector<std::string> AccountPaths(const std::string& user_id) {
  return {"/balance?userId=" + user_id, "/balance/history?userId=" + user_id + "&limit=100",
          "/orders?userId=" + user_id + "&limit=100", "/cart?userId=" + user_id,
          "/users/" + user_id};
}

// ---- threads ----

void RunConcurrently(int n, const std::function<void(int)>& fn) {
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

// ---- raw sockets ----

RawConnection::RawConnection(int port, int receive_buffer) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  if (receive_buffer > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  // A server that never answers fails the test instead of hanging it.
  timeval timeout{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

RawResponse RawConnection::Read() {
  auto fill = [this] {
    char chunk[65536];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return {};
  }
  RawResponse response;
  response.head = buffer_.substr(0, end);
  std::string lower = response.head;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  size_t length = 0;
  if (size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::stoul(lower.substr(at + 17));
  }
  if (size_t at = lower.find("\r\ncontent-type:"); at != std::string::npos) {
    size_t from = response.head.find_first_not_of(' ', at + 15);
    response.content_type = response.head.substr(from, response.head.find("\r\n", from) - from);
  }
  while (buffer_.size() < end + 4 + length) {
    if (!fill()) return {};
  }
  response.body = buffer_.substr(end + 4, length);
  buffer_.erase(0, end + 4 + length);
  // "HTTP/1.1 200 OK": the status follows the first space.
  response.status = std::stoi(response.head.substr(response.head.find(' ') + 1));
  return response;
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) > 0) {
      char chunk[65536];
      ssize_t n = recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;  // EOF, reset
      continue;
    }
    if (left.count() <= 0) return false;
  }
}

// ---- what the server reports about itself ----

int64_t DurableLsn(httplib::Client& client) {
  return Int(CheckJson(Get(client, "/healthz")), "lsn");
}

int64_t MetricValue(httplib::Client& client, std::string_view series) {
  HttpReply metrics = Get(client, "/metrics");
  REQUIRE(metrics.status == 200);
  std::string prefix = std::string(series) + " ";
  size_t at = metrics.body.find("\n" + prefix);
  REQUIRE_MESSAGE(at != std::string::npos, "no series ", series, " in /metrics");
  return std::stoll(metrics.body.substr(at + 1 + prefix.size()));
}

void CheckClientError(int status, std::string_view content_type, const std::string& body,
                      std::string_view code) {
  CHECK(status >= 400);
  CHECK(status < 500);
  CHECK(content_type == "application/problem+json");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), "not valid UTF-8 JSON: ", body);
  REQUIRE(doc.IsObject());
  CHECK(Int(doc, "status") == status);
  if (!code.empty()) CHECK(Str(doc, "code") == code);
}

}  // namespace ecomm::testing
