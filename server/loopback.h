#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace ecomm::server {

// 127.0.0.0/8 and ::1, also as IPv4-mapped addresses on a dual-stack listener.
bool IsLoopback(const boost::asio::ip::address& address);

// Whether a --listen host (an IP address) serves loopback only.
bool IsLoopbackHost(std::string_view host);

}  // namespace ecomm::server
