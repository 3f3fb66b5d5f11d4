#include "load_options.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "cli_flags.h"
#include "http_url.h"

namespace ecomm::load {

namespace {

constexpr std::array<const char*, kOpCount> kOpNames = {
    "browse",     "top",    "cart_add", "cart_remove", "charge",      "order",
    "order_cart", "cancel", "history",  "restock",     "coupon_issue"};

bool IsPrefix(std::string_view text) {
  return !text.empty() && text.size() <= 64 &&
         text.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
             std::string_view::npos;
}

// "order=5,browse=3": the ops with a weight, as --mix takes them.
std::string MixText(const std::array<uint32_t, kOpCount>& mix) {
  std::string text;
  for (size_t i = 0; i < kOpCount; ++i) {
    if (mix[i] == 0) continue;
    text += (text.empty() ? "" : ",") + std::string(kOpNames[i]) + "=" + std::to_string(mix[i]);
  }
  return text;
}

// "10%": PERCENT 10; "500": FIXED 500 (SPEC "Coupons": 1..100 and 1..10^9).
bool ParseDiscount(std::string_view text, Discount* out) {
  bool percent = text.ends_with('%');
  if (percent) text.remove_suffix(1);
  int64_t value = 0;
  if (!tools::ParseNumber<int64_t>(
          text, 1, percent ? limits::kMaxDiscountPercent : limits::kMaxFixedDiscount, &value)) {
    return false;
  }
  out->type = percent ? DiscountType::kPercent : DiscountType::kFixed;
  out->value = value;
  return true;
}

// Every flag but --config, writing into `o`.
void AddFlags(CLI::App& app, LoadOptions* o) {
  using tools::AddNumber;
  using tools::AddParsed;
  using tools::AddText;
  app.add_option_function<std::string>(
         "--url",
         [o](const std::string& text) {
           Result<std::vector<ReplicaUrl>> urls = ParseReplicaUrls(text);
           if (!urls.ok()) throw CLI::ValidationError("--url", urls.status().message());
           o->urls = *urls;
         },
         "the server (http://HOST:PORT); or the replicas of one replicated shop, "
         "comma-separated, in the order tried: writes follow the primary (421 NOT_PRIMARY, a "
         "refused connection), and the audit runs on the primary and compares every "
         "replica's /admin/digest")
      ->type_name("URL[,URL...]")
      ->default_str(o->urls.front().text());
  tools::AddDuration(app, "--failover-wait", &o->failover_wait, std::chrono::hours(1),
                     "several --url replicas: how long one request is retried and moved "
                     "between them (a failover), and how long the audit waits for them to catch "
                     "up")
      ->default_str("30s");
  AddNumber(app, "--connections", &o->connections, 1, 100'000, "keep-alive connections");
  AddNumber(app, "--threads", &o->threads, 1, 64, "client threads");
  AddParsed(
      app, "--duration",
      [o](const std::string& text) {
        int64_t seconds = 0;
        if (!tools::ParseNumber<int64_t>(text, 1, 86'400, &seconds)) return false;
        o->duration = std::chrono::seconds(seconds);
        return true;
      },
      "1..86400", "seconds of load")
      ->type_name("S")
      ->default_str(std::to_string(o->duration.count()));
  AddNumber(app, "--rate", &o->rate, 1.0, 10'000'000.0,
            "open loop: R requests/s in all, latency from the intended send time (default: "
            "closed loop, each connection as fast as it can)")
      ->type_name("R")
      ->default_str("");
  app.add_option_function<std::string>(
         "--mix",
         [o](const std::string& text) {
           std::string error;
           if (!ParseMix(text, &o->mix, &error)) throw CLI::ValidationError("--mix", error);
         },
         "weights of browse, top, cart_add, cart_remove, charge, order, order_cart, cancel, "
         "history, restock, coupon_issue; the others 0")
      ->type_name("op=w,...")
      ->default_str(MixText(o->mix));
  AddNumber(app, "--users", &o->users, 1, 10'000'000, "the users this run creates");
  AddNumber(app, "--products", &o->products, 1, 1'000'000, "the products this run creates");
  AddNumber(app, "--hot", &o->hot, 0.0, 1.0, "share of order lines on one product (a flash sale)")
      ->type_name("F");
  AddNumber(app, "--hot-user", &o->hot_user, 0.0, 1.0,
            "share of the requests for one user (a hot account)")
      ->type_name("F");
  AddNumber(app, "--zipf", &o->zipf, 0.0, 10.0,
            "users and products drawn with this Zipf exponent (0: uniform)")
      ->type_name("S");
  AddNumber(app, "--order-lines", &o->order_lines, 1, 100, "an order has 1..N lines");
  AddNumber(app, "--max-quantity", &o->max_quantity, int64_t{1}, int64_t{1'000'000},
            "of 1..Q units each; --order-lines 1 --max-quantity 1 is the peers' one-unit order "
            "(bench/compare.sh)")
      ->type_name("Q");
  AddNumber(app, "--stock", &o->stock, int64_t{0}, int64_t{1'000'000'000'000},
            "each product's opening stock");
  AddNumber(app, "--balance", &o->balance, int64_t{1}, int64_t{1'000'000'000},
            "each user's opening charge");
  AddNumber(app, "--coupons", &o->coupons, int64_t{1}, limits::kMaxCouponQuantity,
            "with coupon_issue in the mix: the run's campaign gives N user coupons, first come, "
            "first served; the audit checks that no more were issued, one per user at most");
  AddParsed(
      app, "--coupon-discount",
      [o](const std::string& text) { return ParseDiscount(text, &o->coupon_discount); },
      "1..100% or 1..1000000000",
      "the campaign's discount: P% of the order (PERCENT) or an amount (FIXED)")
      ->type_name("D")
      ->default_str(o->coupon_discount.Text());
  AddParsed(
      app, "--coupon-max-discount",
      [o](const std::string& text) {
        int64_t max = 0;
        if (!tools::ParseNumber<int64_t>(text, 1, limits::kMaxFixedDiscount, &max)) return false;
        o->coupon_discount.max = max;
        return true;
      },
      "1..1000000000", "a PERCENT discount's cap (default: none)")
      ->type_name("M");
  AddNumber(app, "--coupon-use", &o->coupon_use, 0.0, 1.0,
            "share of orders (order, order_cart) that carry a coupon their user holds, AVAILABLE "
            "as far as the run knows")
      ->type_name("F");
  AddText(app, "--admin-token", &o->admin_token,
          "Bearer token for the admin API (population, coupon campaign, restock)")
      ->type_name("T");
  AddText(app, "--jwt-key", &o->jwt_key,
          "a server with --auth jwt: mint each user's token (sub = its userId) with this PEM "
          "private key, and an ecomm:admin one when there is no --admin-token")
      ->type_name("FILE");
  AddText(app, "--jwt-hs256-secret-file", &o->jwt_hs256_secret_file, "or with this HS256 secret")
      ->type_name("FILE");
  AddText(app, "--jwt-issuer", &o->jwt_issuer, "the iss the server expects")->type_name("I");
  AddText(app, "--jwt-audience", &o->jwt_audience, "the aud the server expects")->type_name("A");
  AddText(app, "--json", &o->json_path, "the report as JSON")->type_name("FILE");
  AddText(app, "--data-dir", &o->data_dir,
          "--embedded: the engine's data directory (default: a temp dir)")
      ->type_name("DIR");
  AddNumber(app, "--seed", &o->seed, uint64_t{1}, UINT64_MAX,
            "random seed (default: from the clock)")
      ->default_str("");
  AddParsed(
      app, "--prefix",
      [o](const std::string& text) {
        o->prefix = text;
        return IsPrefix(text);
      },
      "letters, digits, - and _ (at most 64)",
      "the run's ids start with P (default: random), so runs against one server do not meet")
      ->type_name("P");
  app.add_flag("--embedded", o->embedded,
               "drive the engine in this process instead (no HTTP): its own ceiling");
  app.add_flag_callback(
      "--no-audit", [o] { o->audit = false; },
      "skip the audit of balances, stock and orders after the run");
  app.add_flag_callback(
      "--no-progress", [o] { o->progress = false; }, "no progress line each second");
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// --config FILE: its lines as the arguments they stand for ("name = value" is
// --name=value, a switch's line its name alone; # starts a comment). False, with the
// line named, when one names no flag.
bool ReadConfigFile(const CLI::App& app, const std::string& path, std::vector<std::string>* args,
                    std::string* error) {
  std::ifstream in(path);
  if (!in) return *error = "cannot read " + path, false;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::string text = Trim(line.substr(0, line.find('#')));
    if (text.empty()) continue;
    size_t eq = text.find('=');
    std::string name = "--" + Trim(text.substr(0, eq));
    if (app.get_option_no_throw(name) == nullptr) {
      *error = path + ":" + std::to_string(number) + ": unknown flag " + name;
      return false;
    }
    args->push_back(eq == std::string::npos ? name : name + "=" + Trim(text.substr(eq + 1)));
  }
  return true;
}

}  // namespace

int64_t Discount::Of(int64_t total) const {
  if (type == DiscountType::kFixed) return std::min(value, total);
  // total <= 2^53-1 and value <= 100: the product stays below 2^60.
  int64_t percent = total * value / 100;
  return max ? std::min(percent, *max) : percent;
}

std::string Discount::Text() const {
  return std::to_string(value) + (type == DiscountType::kPercent ? "%" : "");
}

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
        !tools::ParseNumber<uint32_t>(item.substr(eq + 1), 0, 1'000'000, &weight)) {
      return *error = "bad mix item '" + std::string(item) + "'", false;
    }
    parsed[static_cast<size_t>(*op)] = weight;
    total += weight;
  }
  if (total == 0) return *error = "the mix has no weight", false;
  *mix = parsed;
  return true;
}

std::optional<LoadOptions> ParseLoadOptions(int argc, const char* const* argv, std::string* message,
                                            int* exit_code) {
  LoadOptions o;
  o.mix = DefaultMix();
  CLI::App app(
      "The load harness: creates a population of its own through the admin API, drives a mix\n"
      "of operations closed- or open-loop, prints a table per operation, then audits the\n"
      "server's state against what it saw acknowledged. With coupon_issue in the mix it\n"
      "also creates a coupon campaign (--coupons, --coupon-discount) that the run's users\n"
      "rush for, and orders carry the coupons they won (--coupon-use).",
      "ecomm-load");
  // The last value given counts: a config file's, then the command line's over it.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  AddFlags(app, &o);
  std::string config;  // CLI11 only checks it: the file is read ahead of the parse, below
  app.add_option("--config", config,
                 "read \"name = value\" lines first (the flags' names without --)")
      ->type_name("FILE");
  app.footer(
      "Exit status: 0 when every answer was of its expected class (409 COUPON_SOLD_OUT and\n"
      "COUPON_ALREADY_ISSUED for coupon_issue, COUPON_NOT_USABLE for an order with a coupon\n"
      "among them) and the audit holds, 1 otherwise, 2 for a usage error.");

  std::vector<std::string> args = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string path;
    if (arg == "--config" && i + 1 < argc) {
      path = argv[i + 1];
    } else if (arg.starts_with("--config=")) {
      path = arg.substr(std::string_view("--config=").size());
    } else {
      continue;
    }
    if (std::string error; !ReadConfigFile(app, path, &args, &error)) {
      *message = tools::UsageText(app, error);
      *exit_code = 2;
      return std::nullopt;
    }
  }
  args.insert(args.end(), argv + 1, argv + argc);
  std::vector<const char*> pointers;
  for (const std::string& arg : args) pointers.push_back(arg.c_str());
  if (std::optional<int> status =
          tools::ParseFlags(app, static_cast<int>(pointers.size()), pointers.data(), message)) {
    *exit_code = *status;
    return std::nullopt;
  }
  // SPEC "Coupons": a cap is for a percentage only.
  if (o.coupon_discount.max && o.coupon_discount.type == DiscountType::kFixed) {
    *message = tools::UsageText(app, "--coupon-max-discount is for a PERCENT --coupon-discount");
    *exit_code = 2;
    return std::nullopt;
  }
  // SPEC "TLS": no token goes to a non-loopback http:// URL.
  if (!o.admin_token.empty() || !o.jwt_key.empty() || !o.jwt_hs256_secret_file.empty()) {
    for (const ReplicaUrl& url : o.urls) {
      Result<tools::HttpUrl> parsed = tools::ParseHttpUrl(url.text());
      Status may = parsed.ok() ? tools::CheckMaySendSecret(*parsed, "the admin and bearer tokens")
                               : parsed.status();
      if (!may.ok()) {
        *message = tools::UsageText(app, may.message());
        *exit_code = 2;
        return std::nullopt;
      }
    }
  }
  return o;
}

}  // namespace ecomm::load
