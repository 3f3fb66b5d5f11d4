#include "sync_client.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ecomm::load {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

SyncClient::SyncClient(std::string host, uint16_t port, std::string authorization)
    : host_(std::move(host)), port_(port), authorization_(std::move(authorization)), socket_(io_) {}

ShopReply SyncClient::Call(http::verb verb, const std::string& target, const std::string& body,
                           const std::string& idempotency_key) {
  ShopReply reply;
  if (!Attempt(verb, target, body, idempotency_key, &reply)) {
    Attempt(verb, target, body, idempotency_key, &reply);
  }
  return reply;
}

bool SyncClient::Attempt(http::verb verb, const std::string& target, const std::string& body,
                         const std::string& idempotency_key, ShopReply* reply) {
  beast::error_code ec;
  if (!connected_) {
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) return false;
    socket_ = tcp::socket(io_);
    boost::asio::connect(socket_, endpoints, ec);
    if (ec) return false;
    socket_.set_option(tcp::no_delay(true));
    connected_ = true;
  }
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, host_ + ":" + std::to_string(port_));
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
    return false;
  }
  reply->status = static_cast<int>(parser.get().result_int());
  reply->body = std::move(parser.get().body());
  if (!parser.get().keep_alive()) {
    socket_.close(ec);
    connected_ = false;
  }
  return true;
}

}  // namespace ecomm::load
