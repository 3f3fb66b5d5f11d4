#include "sync_client.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace ecomm::load {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

SyncClient::SyncClient(ReplicaUrl url, std::string authorization)
    : url_(std::move(url)), authorization_(std::move(authorization)), socket_(io_) {}

ShopReply SyncClient::Call(http::verb verb, const std::string& target, const std::string& body,
                           const std::string& idempotency_key) {
  SyncAnswer answer = Send(verb, target, body, idempotency_key);
  if (answer.kind != Attempt::Kind::kAnswered) answer = Send(verb, target, body, idempotency_key);
  return std::move(answer.reply);
}

SyncAnswer SyncClient::Send(http::verb verb, const std::string& target, const std::string& body,
                            const std::string& idempotency_key) {
  SyncAnswer answer;
  beast::error_code ec;
  answer.reused = connected_;
  if (!connected_) {
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(url_.host, std::to_string(url_.port), ec);
    if (ec) return answer;
    socket_ = tcp::socket(io_);
    boost::asio::connect(socket_, endpoints, ec);
    if (ec) return answer;
    socket_.set_option(tcp::no_delay(true), ec);
    connected_ = true;
  }
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, url_.host_port());
  request.keep_alive(true);
  if (!authorization_.empty()) request.set(http::field::authorization, authorization_);
  if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
  if (verb != http::verb::get) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(uint64_t{64} << 20);
  http::write(socket_, request, ec);
  if (!ec) http::read(socket_, buffer, parser, ec);
  if (ec) {
    socket_.close(ec);
    connected_ = false;
    answer.kind = Attempt::Kind::kLost;
    return answer;
  }
  auto& response = parser.get();
  answer.kind = Attempt::Kind::kAnswered;
  answer.reply.status = static_cast<int>(response.result_int());
  if (auto it = response.find("Ecomm-Primary"); it != response.end()) {
    answer.primary = std::string(it->value());
  }
  if (auto it = response.find("Ecomm-Lsn"); it != response.end()) {
    std::string_view text(it->value().data(), it->value().size());
    std::from_chars(text.data(), text.data() + text.size(), answer.lsn);
  }
  if (!response.keep_alive()) {
    socket_.close(ec);
    connected_ = false;
  }
  answer.reply.body = std::move(response.body());
  return answer;
}

}  // namespace ecomm::load
