#include "url.h"

#include "utf8.h"

namespace ecomm::server {

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = Hex(in[i + 1]), lo = Hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return IsValidUtf8(*out);
}

}  // namespace

bool ParseTarget(std::string_view target, Target* out) {
  if (target.empty() || target[0] != '/') return false;
  size_t mark = target.find('?');
  std::string_view path = target.substr(0, mark);
  out->path = std::string(path);
  out->segments.clear();
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (!Decode(path.substr(start, end - start), false, &out->segments.emplace_back())) {
      return false;
    }
    start = end + 1;
  }
  out->query.clear();
  if (mark == std::string_view::npos) return true;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!Decode(pair.substr(0, eq), true, &name)) return false;
    if (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), true, &value)) return false;
    out->query.emplace(std::move(name), std::move(value));  // the first of repeated names wins
  }
  return true;
}

}  // namespace ecomm::server
