#include "load_options.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>

namespace ecomm::load {

namespace {

constexpr std::array<const char*, kOpCount> kOpNames = {
    "browse", "top",        "cart_add", "cart_remove", "charge",
    "order",  "order_cart", "cancel",   "history",     "restock"};

template <typename T>
bool ParseNumber(std::string_view text, T min, T max, T* out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  *out = value;
  return true;
}

bool ParseUrl(std::string_view url, LoadOptions* o) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  o->host = std::string(url.substr(0, colon));
  return ParseNumber<uint16_t>(url.substr(colon + 1), 1, 65535, &o->port);
}

// name -> how it takes its value ("" for a switch).
using Setter = std::function<bool(LoadOptions*, std::string_view)>;

const std::map<std::string, std::pair<bool, Setter>, std::less<>>& Flags() {
  static const auto* flags = new std::map<std::string, std::pair<bool, Setter>, std::less<>>{
      {"url", {true, [](LoadOptions* o, std::string_view v) { return ParseUrl(v, o); }}},
      {"connections",
       {true, [](LoadOptions* o,
                 std::string_view v) { return ParseNumber(v, 1, 100'000, &o->connections); }}},
      {"threads",
       {true,
        [](LoadOptions* o, std::string_view v) { return ParseNumber(v, 1, 64, &o->threads); }}},
      {"duration",
       {true,
        [](LoadOptions* o, std::string_view v) {
          int64_t s = 0;
          if (!ParseNumber<int64_t>(v, 1, 86'400, &s)) return false;
          o->duration = std::chrono::seconds(s);
          return true;
        }}},
      {"rate",
       {true, [](LoadOptions* o,
                 std::string_view v) { return ParseNumber(v, 1.0, 10'000'000.0, &o->rate); }}},
      {"mix",
       {true,
        [](LoadOptions* o, std::string_view v) {
          std::string ignored;
          return ParseMix(v, &o->mix, &ignored);
        }}},
      {"users",
       {true, [](LoadOptions* o,
                 std::string_view v) { return ParseNumber(v, 1, 10'000'000, &o->users); }}},
      {"products",
       {true, [](LoadOptions* o,
                 std::string_view v) { return ParseNumber(v, 1, 1'000'000, &o->products); }}},
      {"hot",
       {true,
        [](LoadOptions* o, std::string_view v) { return ParseNumber(v, 0.0, 1.0, &o->hot); }}},
      {"hot-user",
       {true,
        [](LoadOptions* o, std::string_view v) { return ParseNumber(v, 0.0, 1.0, &o->hot_user); }}},
      {"zipf",
       {true,
        [](LoadOptions* o, std::string_view v) { return ParseNumber(v, 0.0, 10.0, &o->zipf); }}},
      {"order-lines",
       {true, [](LoadOptions* o,
                 std::string_view v) { return ParseNumber(v, 1, 100, &o->order_lines); }}},
      {"max-quantity",
       {true,
        [](LoadOptions* o, std::string_view v) {
          return ParseNumber<int64_t>(v, 1, 1'000'000, &o->max_quantity);
        }}},
      {"stock",
       {true,
        [](LoadOptions* o, std::string_view v) {
          return ParseNumber<int64_t>(v, 0, 1'000'000'000'000, &o->stock);
        }}},
      {"balance",
       {true,
        [](LoadOptions* o, std::string_view v) {
          return ParseNumber<int64_t>(v, 1, 1'000'000'000, &o->balance);
        }}},
      {"admin-token",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->admin_token = v;
          return !v.empty();
        }}},
      {"jwt-key",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->jwt_key = v;
          return !v.empty();
        }}},
      {"jwt-hs256-secret-file",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->jwt_hs256_secret_file = v;
          return !v.empty();
        }}},
      {"jwt-issuer",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->jwt_issuer = std::string(v);
          return !v.empty();
        }}},
      {"jwt-audience",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->jwt_audience = std::string(v);
          return !v.empty();
        }}},
      {"json",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->json_path = v;
          return !v.empty();
        }}},
      {"data-dir",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->data_dir = v;
          return !v.empty();
        }}},
      {"seed",
       {true,
        [](LoadOptions* o, std::string_view v) {
          return ParseNumber<uint64_t>(v, 1, UINT64_MAX, &o->seed);
        }}},
      {"prefix",
       {true,
        [](LoadOptions* o, std::string_view v) {
          o->prefix = v;
          return !v.empty() && v.size() <= 64 &&
                 v.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
                     std::string_view::npos;
        }}},
      {"embedded", {false, [](LoadOptions* o, std::string_view) { return o->embedded = true; }}},
      {"no-audit", {false, [](LoadOptions* o, std::string_view) { return !(o->audit = false); }}},
      {"no-progress",
       {false, [](LoadOptions* o, std::string_view) { return !(o->progress = false); }}},
  };
  return *flags;
}

bool Apply(LoadOptions* o, std::string_view name, const std::string* value, std::string* error) {
  auto it = Flags().find(name);
  if (it == Flags().end()) return *error = "unknown flag --" + std::string(name), false;
  auto& [takes_value, set] = it->second;
  if (takes_value && value == nullptr)
    return *error = "--" + std::string(name) + " takes a value", false;
  if (!set(o, takes_value ? std::string_view(*value) : std::string_view())) {
    return *error = "bad value for --" + std::string(name) + (value ? ": " + *value : ""), false;
  }
  return true;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

bool ApplyConfigFile(const std::string& path, LoadOptions* o, std::string* error) {
  std::ifstream in(path);
  if (!in) return *error = "cannot read " + path, false;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::string text = Trim(line.substr(0, line.find('#')));
    if (text.empty()) continue;
    size_t eq = text.find('=');
    std::string name = Trim(text.substr(0, eq));
    std::string value = eq == std::string::npos ? std::string() : Trim(text.substr(eq + 1));
    bool takes_value = Flags().contains(name) && Flags().find(name)->second.first;
    if (!Apply(o, name, takes_value ? &value : nullptr, error)) {
      *error = path + ":" + std::to_string(number) + ": " + *error;
      return false;
    }
  }
  return true;
}

}  // namespace

const char* OpName(Op op) { return kOpNames[static_cast<size_t>(op)]; }

std::optional<Op> ParseOpName(std::string_view name) {
  for (size_t i = 0; i < kOpCount; ++i) {
    if (name == kOpNames[i]) return static_cast<Op>(i);
  }
  return std::nullopt;
}

std::array<uint32_t, kOpCount> DefaultMix() {
  std::array<uint32_t, kOpCount> mix{};
  auto set = [&mix](Op op, uint32_t weight) { mix[static_cast<size_t>(op)] = weight; };
  set(Op::kBrowse, 30);
  set(Op::kTop, 10);
  set(Op::kCartAdd, 10);
  set(Op::kCartRemove, 3);
  set(Op::kCharge, 5);
  set(Op::kOrder, 25);
  set(Op::kOrderCart, 5);
  set(Op::kCancel, 5);
  set(Op::kHistory, 7);
  return mix;
}

bool ParseMix(std::string_view text, std::array<uint32_t, kOpCount>* mix, std::string* error) {
  std::array<uint32_t, kOpCount> parsed{};
  uint64_t total = 0;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (item.starts_with(' ')) item.remove_prefix(1);
    while (item.ends_with(' ')) item.remove_suffix(1);
    size_t eq = item.find('=');
    auto op = ParseOpName(item.substr(0, eq));
    uint32_t weight = 0;
    if (!op || eq == std::string_view::npos ||
        !ParseNumber<uint32_t>(item.substr(eq + 1), 0, 1'000'000, &weight)) {
      return *error = "bad mix item '" + std::string(item) + "'", false;
    }
    parsed[static_cast<size_t>(*op)] = weight;
    total += weight;
  }
  if (total == 0) return *error = "the mix has no weight", false;
  *mix = parsed;
  return true;
}

bool ParseLoadOptions(int argc, char** argv, LoadOptions* options, std::string* error, bool* help) {
  LoadOptions o;
  o.mix = DefaultMix();
  *help = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return *help = true, false;
    if (!arg.starts_with("--")) return *error = "unexpected argument " + std::string(arg), false;
    std::string_view name = arg.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
    } else if (auto it = Flags().find(name);
               (name == "config" || (it != Flags().end() && it->second.first)) && i + 1 < argc) {
      value = argv[++i];
    }
    if (name == "config") {
      if (!ApplyConfigFile(value, &o, error)) return false;
      continue;
    }
    auto it = Flags().find(name);
    bool takes_value = it != Flags().end() && it->second.first;
    if (!Apply(&o, name, takes_value ? &value : nullptr, error)) return false;
  }
  *options = std::move(o);
  return true;
}

const char* const kLoadUsage = R"(usage: ecomm-load [flags]
  --url http://HOST:PORT   the server (default http://127.0.0.1:8080)
  --connections N          keep-alive connections (default 64)
  --threads N              client threads (default 2)
  --duration S             seconds of load (default 10)
  --rate R                 open loop: R requests/s in all, latency from the intended send
                           time (default: closed loop, each connection as fast as it can)
  --mix op=w,...           weights of browse, top, cart_add, cart_remove, charge, order,
                           order_cart, cancel, history, restock (default browse=30,top=10,
                           cart_add=10,cart_remove=3,charge=5,order=25,order_cart=5,
                           cancel=5,history=7)
  --users N --products N   the population this run creates (default 200 and 10)
  --hot F                  share F of order lines on one product (a flash sale)
  --hot-user F             share F of the requests for one user (a hot account)
  --zipf S                 users and products drawn with Zipf exponent S (default uniform)
  --order-lines N          an order has 1..N lines (default 3)
  --max-quantity Q         of 1..Q units each (default 3); --order-lines 1
                           --max-quantity 1 is the peers' one-unit order (bench/compare.sh)
  --stock N --balance N    each product's opening stock, each user's opening charge
  --admin-token T          Bearer token for the admin API (population, restock)
  --jwt-key FILE           a server with --auth jwt: mint each user's token (sub = its
                           userId) with this PEM private key, and an ecomm:admin one
                           when there is no --admin-token
  --jwt-hs256-secret-file F   or with this HS256 secret
  --jwt-issuer I --jwt-audience A   the iss and aud the server expects
  --json FILE              the report as JSON
  --no-audit               skip the audit of balances, stock and orders after the run
  --no-progress            no progress line each second
  --seed N                 random seed (default: from the clock)
  --prefix P               the run's ids start with P (letters, digits, - and _;
                           default: random), so runs against one server do not meet
  --embedded               drive the engine in this process instead (no HTTP): its own
                           ceiling; --data-dir DIR for its log (default: a temp dir)
  --config FILE            read "name = value" lines first (the flags' names without --)
Exit status: 0 when every answer was of its expected class and the audit holds, 1
otherwise, 2 for a usage error.
)";

}  // namespace ecomm::load
