#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>

// Whether an address or a host name stays on this machine: the server trusts loopback
// clients with admin routes and warns when it listens beyond them without TLS, and no
// program sends a token or a snapshot in clear past them (SPEC "TLS").
namespace ecomm::tools {

// 127.0.0.0/8 and ::1, also as IPv4-mapped addresses on a dual-stack listener.
bool IsLoopback(const boost::asio::ip::address& address);

// Whether `host` (an IP address, or "localhost", which RFC 6761 reserves for loopback)
// is loopback; any other name is not, since a resolver may send it anywhere.
bool IsLoopbackHost(std::string_view host);

}  // namespace ecomm::tools
