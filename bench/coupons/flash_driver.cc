// One closed-loop load generator for the flash-issuance benchmark (issue #23), the same
// for all three systems so that none is favoured by its client: C connections, each with
// one request outstanding, spread over T threads (epoll), every request a uniformly random
// user out of U, until N requests have been answered. It speaks the three protocols
// itself, over plain sockets, with no client library (nothing to add to scripts/deps.sh):
//   http      ecomm-server: POST /coupons/{id}/issue {"userId":"uK"} (keep-alive)
//   redis     Redis 7: EVALSHA SHA 2 remaining-key users-key uK (RESP)
//   postgres  PostgreSQL 15: the extended protocol, a statement prepared once per
//             connection (SELECT issue_coupon($1, $2)), Bind/Execute/Sync per request
//             (as pgbench -M prepared does); trust authentication only
// Answers: issued, already issued, sold out, anything else is an error.
//
// Besides "issue", two setup/check modes for http, sequential users 0..U-1 (one request
// each, spread over the connections): "create-users" (POST /users, expects 201) and
// "user-coupons" (GET /users/uK/coupons, counts the entries of the coupon).
//
// Output: one line of key=value. Latency in ms (nearest rank). sellout_s: from the start
// until the answer that carried the TOTAL-th success arrived (client-side, the same clock
// for every system). It also checks its own view: no user answered "issued" twice.
//
// Build: g++ -O2 -std=c++17 -pthread flash_driver.cc -o flash_driver
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

enum Outcome { kIssued, kAlready, kSoldOut, kOk, kError, kIncomplete };

struct Options {
  std::string proto, mode = "issue", host = "127.0.0.1", coupon = "flash", sha;
  int port = 0, connections = 64, threads = 2, users = 10000, total = 1000;
  long requests = 20000;
  unsigned seed = 0;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "flash_driver: %s\n", what.c_str());
  std::exit(1);
}

uint64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else {
      Die(std::string("write: ") + std::strerror(errno));
    }
  }
}

// Reads what is there into buf; false when the peer closed.
bool ReadSome(int fd, std::string& buf) {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n > 0) {
      buf.append(tmp, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof tmp) return true;
    } else if (n == 0) {
      return false;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN) {
      return true;
    } else {
      Die(std::string("read: ") + std::strerror(errno));
    }
  }
}

void PutU32(std::string& s, uint32_t v) {
  v = htonl(v);
  s.append(reinterpret_cast<const char*>(&v), 4);
}
void PutU16(std::string& s, uint16_t v) {
  v = htons(v);
  s.append(reinterpret_cast<const char*>(&v), 2);
}
uint32_t GetU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}

struct Protocol {
  virtual ~Protocol() = default;
  virtual void Handshake(int /*fd*/) {}
  virtual void Encode(std::string& out, int user) = 0;
  // Parses one answer at the front of in: its outcome (kIncomplete if not all there),
  // consumed set to its length; count: entries of the coupon (user-coupons mode).
  virtual Outcome Parse(const std::string& in, size_t& consumed, int& count) = 0;
};

struct Http : Protocol {
  const Options& o;
  explicit Http(const Options& opt) : o(opt) {}
  void Encode(std::string& out, int user) override {
    char body[128], head[512];
    if (o.mode == "user-coupons") {
      std::snprintf(head, sizeof head, "GET /users/u%d/coupons HTTP/1.1\r\nHost: b\r\n\r\n", user);
      out += head;
      return;
    }
    const char* path;
    std::string target;
    if (o.mode == "create-users") {
      std::snprintf(body, sizeof body, "{\"userId\":\"u%d\",\"name\":\"U%d\",\"email\":\"u%d@x\"}",
                    user, user, user);
      path = "/users";
    } else {
      std::snprintf(body, sizeof body, "{\"userId\":\"u%d\"}", user);
      target = "/coupons/" + o.coupon + "/issue";
      path = target.c_str();
    }
    std::snprintf(head, sizeof head,
                  "POST %s HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n",
                  path, std::strlen(body));
    out += head;
    out += body;
  }
  Outcome Parse(const std::string& in, size_t& consumed, int& count) override {
    size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return kIncomplete;
    if (in.compare(0, 9, "HTTP/1.1 ") != 0) Die("not an HTTP answer: " + in.substr(0, 40));
    int status = std::atoi(in.c_str() + 9);
    size_t length = 0;
    bool found = false;
    for (size_t pos = in.find("\r\n"); pos < end; pos = in.find("\r\n", pos + 2)) {
      if (strncasecmp(in.c_str() + pos + 2, "content-length:", 15) == 0) {
        length = std::strtoul(in.c_str() + pos + 17, nullptr, 10);
        found = true;
        break;
      }
    }
    if (!found) Die("an HTTP answer without Content-Length");
    if (in.size() < end + 4 + length) return kIncomplete;
    consumed = end + 4 + length;
    std::string_view body(in.data() + end + 4, length);
    if (o.mode == "create-users") return status == 201 ? kOk : kError;
    if (o.mode == "user-coupons") {
      if (status != 200) return kError;
      std::string needle = "\"couponId\":\"" + o.coupon + "\"";
      count = 0;
      for (size_t p = body.find(needle); p != std::string_view::npos; p = body.find(needle, p + 1))
        ++count;
      return kOk;
    }
    if (status == 200) return kIssued;
    if (status == 409 && body.find("COUPON_SOLD_OUT") != std::string_view::npos) return kSoldOut;
    if (status == 409 && body.find("COUPON_ALREADY_ISSUED") != std::string_view::npos)
      return kAlready;
    std::fprintf(stderr, "unexpected answer %d %.*s\n", status, static_cast<int>(body.size()),
                 body.data());
    return kError;
  }
};

struct Redis : Protocol {
  const Options& o;
  std::string prefix;
  explicit Redis(const Options& opt) : o(opt) {
    auto bulk = [this](const std::string& s) {
      prefix += "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
    };
    prefix = "*6\r\n";
    bulk("EVALSHA");
    bulk(o.sha);
    bulk("2");
    bulk("coupon:" + o.coupon + ":remaining");
    bulk("coupon:" + o.coupon + ":users");
  }
  void Encode(std::string& out, int user) override {
    std::string u = "u" + std::to_string(user);
    out += prefix;
    out += "$" + std::to_string(u.size()) + "\r\n" + u + "\r\n";
  }
  Outcome Parse(const std::string& in, size_t& consumed, int&) override {
    size_t end = in.find("\r\n");
    if (end == std::string::npos) return kIncomplete;
    consumed = end + 2;
    if (in[0] == ':') {
      switch (std::atoi(in.c_str() + 1)) {
        case 1:
          return kIssued;
        case 2:
          return kAlready;
        case 3:
          return kSoldOut;
      }
    }
    std::fprintf(stderr, "unexpected answer %s\n", in.substr(0, end).c_str());
    return kError;
  }
};

struct Postgres : Protocol {
  const Options& o;
  explicit Postgres(const Options& opt) : o(opt) {}
  static void Message(std::string& out, char type, const std::string& payload) {
    out += type;
    PutU32(out, static_cast<uint32_t>(payload.size() + 4));
    out += payload;
  }
  void Handshake(int fd) override {
    std::string startup, body;
    PutU32(body, 196608);  // protocol 3.0
    for (const char* kv : {"user", "postgres", "database", "postgres"})
      body.append(kv, std::strlen(kv) + 1);
    body += '\0';
    PutU32(startup, static_cast<uint32_t>(body.size() + 4));
    startup += body;
    WriteAll(fd, startup.data(), startup.size());
    WaitReady(fd, "startup");
    std::string parse, prep;
    parse.append("s\0", 2);
    parse.append("SELECT issue_coupon($1, $2)\0", 28);
    PutU16(parse, 0);
    Message(prep, 'P', parse);
    Message(prep, 'S', "");
    WriteAll(fd, prep.data(), prep.size());
    WaitReady(fd, "prepare");
  }
  void WaitReady(int fd, const char* what) {
    std::string in;
    for (;;) {
      while (in.size() >= 5) {
        size_t len = GetU32(in.data() + 1);
        if (in.size() < len + 1) break;
        char type = in[0];
        if (type == 'E') Die(std::string(what) + ": " + in.substr(5, len - 4));
        if (type == 'R' && GetU32(in.data() + 5) != 0)
          Die("postgres asks for a password: use trust");
        in.erase(0, len + 1);
        if (type == 'Z') return;
      }
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 5000);
      if (!ReadSome(fd, in)) Die(std::string(what) + ": connection closed");
    }
  }
  void Encode(std::string& out, int user) override {
    std::string u = "u" + std::to_string(user), bind, exec;
    bind.append("\0s\0", 3);  // unnamed portal, statement "s"
    PutU16(bind, 0);          // parameters in text
    PutU16(bind, 2);
    PutU32(bind, static_cast<uint32_t>(o.coupon.size()));
    bind += o.coupon;
    PutU32(bind, static_cast<uint32_t>(u.size()));
    bind += u;
    PutU16(bind, 0);  // results in text
    Message(out, 'B', bind);
    exec.append("\0", 1);
    PutU32(exec, 0);
    Message(out, 'E', exec);
    Message(out, 'S', "");
  }
  Outcome Parse(const std::string& in, size_t& consumed, int&) override {
    size_t pos = 0;
    Outcome outcome = kError;
    while (in.size() >= pos + 5) {
      size_t len = GetU32(in.data() + pos + 1);
      if (in.size() < pos + 1 + len) return kIncomplete;
      char type = in[pos];
      const char* p = in.data() + pos + 5;
      if (type == 'D' && len >= 10) {
        uint32_t vlen = GetU32(p + 2);
        std::string v(p + 6, vlen == 0xffffffffu ? 0 : vlen);
        outcome = v == "ISSUED"     ? kIssued
                  : v == "ALREADY"  ? kAlready
                  : v == "SOLD_OUT" ? kSoldOut
                                    : kError;
        if (outcome == kError) std::fprintf(stderr, "unexpected answer %s\n", v.c_str());
      } else if (type == 'E') {
        // Fields: a type byte, a C string; 'C' is the SQLSTATE. 23505: the unique
        // (couponId, userId) caught a race between two requests of one user.
        std::string sqlstate, text;
        for (const char* f = p; f < p + len - 4 && *f; f += std::strlen(f + 1) + 2) {
          if (*f == 'C') sqlstate = f + 1;
          if (*f == 'M') text = f + 1;
        }
        outcome = sqlstate == "23505" ? kAlready : kError;
        if (outcome == kError)
          std::fprintf(stderr, "error %s %s\n", sqlstate.c_str(), text.c_str());
      }
      pos += 1 + len;
      if (type == 'Z') {
        consumed = pos;
        return outcome;
      }
    }
    return kIncomplete;
  }
};

struct Conn {
  int fd = -1;
  std::string in, out;
  uint64_t sent_ns = 0;
  int user = -1;
  bool busy = false;
};

struct Sample {
  uint64_t done_ns;  // since start
  uint32_t latency_us;
  int user;
  Outcome outcome;
  int count;
};

int Connect(const Options& o) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(o.port));
  ::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    Die("connect " + o.host + ":" + std::to_string(o.port) + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

double Percentile(std::vector<uint32_t>& v, double q) {  // nearest rank, ms
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--proto")
      o.proto = v;
    else if (k == "--mode")
      o.mode = v;
    else if (k == "--host")
      o.host = v;
    else if (k == "--port")
      o.port = std::atoi(v.c_str());
    else if (k == "--coupon")
      o.coupon = v;
    else if (k == "--sha")
      o.sha = v;
    else if (k == "--connections")
      o.connections = std::atoi(v.c_str());
    else if (k == "--threads")
      o.threads = std::atoi(v.c_str());
    else if (k == "--users")
      o.users = std::atoi(v.c_str());
    else if (k == "--requests")
      o.requests = std::atol(v.c_str());
    else if (k == "--total")
      o.total = std::atoi(v.c_str());
    else if (k == "--seed")
      o.seed = static_cast<unsigned>(std::atol(v.c_str()));
    else
      Die("unknown option " + k);
  }
  if (o.port == 0 || o.connections < 1 || o.threads < 1) Die("--proto, --port needed");
  bool sequential = o.mode != "issue";
  if (sequential) o.requests = o.users;
  auto make = [&]() -> std::unique_ptr<Protocol> {
    if (o.proto == "http") return std::make_unique<Http>(o);
    if (o.proto == "redis") return std::make_unique<Redis>(o);
    if (o.proto == "postgres") return std::make_unique<Postgres>(o);
    Die("--proto http|redis|postgres");
  };
  if (o.proto == "redis" && o.sha.size() != 40) Die("--sha of the loaded script needed");
  if (o.seed == 0) o.seed = std::random_device{}();

  // Every connection is open (and for PostgreSQL, authenticated and prepared) before
  // the clock starts.
  std::vector<std::vector<Conn>> conns(o.threads);
  for (int c = 0; c < o.connections; ++c) {
    Conn conn;
    conn.fd = Connect(o);
    make()->Handshake(conn.fd);
    conns[c % o.threads].push_back(std::move(conn));
  }
  std::atomic<long> tickets{0};
  std::vector<std::vector<Sample>> samples(o.threads);
  uint64_t start = NowNs();
  std::vector<std::thread> workers;
  for (int t = 0; t < o.threads; ++t) {
    workers.emplace_back([&, t] {
      auto proto = make();
      std::mt19937 rng(o.seed * 7919u + static_cast<unsigned>(t));
      std::uniform_int_distribution<int> pick(0, o.users - 1);
      auto& mine = conns[t];
      auto& out = samples[t];
      out.reserve(static_cast<size_t>(o.requests / o.threads + 1024));
      int ep = ::epoll_create1(0);
      auto send_next = [&](Conn& c) {
        long ticket = tickets.fetch_add(1);
        if (ticket >= o.requests) {
          c.busy = false;
          return;
        }
        c.user = sequential ? static_cast<int>(ticket) : pick(rng);
        c.out.clear();
        proto->Encode(c.out, c.user);
        c.sent_ns = NowNs();
        c.busy = true;
        WriteAll(c.fd, c.out.data(), c.out.size());
      };
      for (size_t i = 0; i < mine.size(); ++i) {
        int flags = 1;
        ::ioctl(mine[i].fd, FIONBIO, &flags);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, mine[i].fd, &ev);
      }
      for (auto& c : mine) send_next(c);
      epoll_event events[256];
      for (;;) {
        bool any = std::any_of(mine.begin(), mine.end(), [](const Conn& c) { return c.busy; });
        if (!any) break;
        int n = ::epoll_wait(ep, events, 256, 10000);
        if (n == 0) Die("no answer for 10 s");
        for (int e = 0; e < n; ++e) {
          Conn& c = mine[events[e].data.u64];
          if (!ReadSome(c.fd, c.in)) Die("the server closed a connection");
          for (;;) {
            if (!c.busy || c.in.empty()) break;
            size_t consumed = 0;
            int count = 0;
            Outcome r = proto->Parse(c.in, consumed, count);
            if (r == kIncomplete) break;
            uint64_t now = NowNs();
            c.in.erase(0, consumed);
            out.push_back(
                {now - start, static_cast<uint32_t>((now - c.sent_ns) / 1000), c.user, r, count});
            send_next(c);
          }
        }
      }
      ::close(ep);
    });
  }
  for (auto& w : workers) w.join();
  double elapsed = (NowNs() - start) / 1e9;

  std::vector<Sample> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end(),
            [](const Sample& a, const Sample& b) { return a.done_ns < b.done_ns; });
  long counts[kIncomplete] = {};
  std::vector<uint32_t> lat_all, lat_issued, lat_until;
  std::unordered_set<int> issued_users;
  long duplicates = 0, coupon_entries = 0, max_per_user = 0, answered_until = 0;
  double sellout = 0;
  for (const Sample& s : all) {
    ++counts[s.outcome];
    lat_all.push_back(s.latency_us);
    if (sellout == 0) {
      lat_until.push_back(s.latency_us);
      ++answered_until;
    }
    if (s.outcome == kIssued) {
      lat_issued.push_back(s.latency_us);
      if (!issued_users.insert(s.user).second) ++duplicates;
      if (counts[kIssued] == o.total) sellout = s.done_ns / 1e9;
    }
    coupon_entries += s.count;
    max_per_user = std::max<long>(max_per_user, s.count);
  }
  std::printf(
      "proto=%s mode=%s connections=%d threads=%d users=%d answered=%zu issued=%ld "
      "already=%ld sold_out=%ld ok=%ld errors=%ld duplicates=%ld elapsed_s=%.4f rps=%.1f "
      "sellout_s=%.4f answered_until_sellout=%ld rps_until_sellout=%.1f rps_after_sellout=%.1f "
      "issued_per_s_until_sellout=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
      "p50_until_sellout_ms=%.3f p99_until_sellout_ms=%.3f p99_issued_ms=%.3f "
      "coupon_entries=%ld max_per_user=%ld\n",
      o.proto.c_str(), o.mode.c_str(), o.connections, o.threads, o.users, all.size(),
      counts[kIssued], counts[kAlready], counts[kSoldOut], counts[kOk], counts[kError], duplicates,
      elapsed, all.size() / elapsed, sellout, sellout > 0 ? answered_until : 0,
      sellout > 0 ? answered_until / sellout : 0.0,
      sellout > 0 && elapsed > sellout ? (all.size() - answered_until) / (elapsed - sellout) : 0.0,
      sellout > 0 ? o.total / sellout : 0.0, Percentile(lat_all, 0.50), Percentile(lat_all, 0.99),
      Percentile(lat_all, 1.0), Percentile(lat_until, 0.50), Percentile(lat_until, 0.99),
      Percentile(lat_issued, 0.99), coupon_entries, max_per_user);
  return counts[kError] > 0 || duplicates > 0 ? 1 : 0;
}
