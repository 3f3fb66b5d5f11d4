#include "loopback.h"

#include <string>

namespace ecomm::tools {

namespace net = boost::asio;

bool IsLoopback(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(std::string(host), ec);
  return !ec && IsLoopback(address);
}

}  // namespace ecomm::tools
