#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "load_options.h"

namespace ecomm::load {

namespace {

struct Parsed {
  bool ok;
  LoadOptions options;
  std::string error;  // or the usage, after --help
  bool help;
};

Parsed Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ecomm-load");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  Parsed p{};
  int exit_code = -1;
  std::optional<LoadOptions> options =
      ParseLoadOptions(static_cast<int>(argv.size()), argv.data(), &p.error, &exit_code);
  p.ok = options.has_value();
  if (p.ok) p.options = *options;
  p.help = exit_code == 0;
  return p;
}

uint32_t Weight(const LoadOptions& o, Op op) { return o.mix[static_cast<size_t>(op)]; }

}  // namespace

TEST_CASE("ecomm-load flags: defaults as SPEC.md gives them") {
  Parsed p = Parse({});
  REQUIRE(p.ok);
  REQUIRE(p.options.urls.size() == 1);
  CHECK(p.options.urls[0].host == "127.0.0.1");
  CHECK(p.options.urls[0].port == 8080);
  CHECK(p.options.failover_wait == std::chrono::seconds(30));
  CHECK(p.options.connections == 64);
  CHECK(p.options.duration.count() == 10);
  CHECK(p.options.rate == 0);  // closed loop
  CHECK(p.options.audit);
  CHECK(Weight(p.options, Op::kOrder) > 0);
  CHECK(Weight(p.options, Op::kRestock) == 0);
  // No campaign unless asked: a shop's default traffic issues no coupons.
  CHECK(Weight(p.options, Op::kCouponIssue) == 0);
  CHECK(p.options.coupons == 1000);
  CHECK(p.options.coupon_discount.type == DiscountType::kPercent);
  CHECK(p.options.coupon_discount.value == 10);
  CHECK_FALSE(p.options.coupon_discount.max);
  CHECK(p.options.coupon_use == 0.5);
}

TEST_CASE("ecomm-load flags: coupon_issue in the mix, and the campaign's flags") {
  Parsed p = Parse({"--mix", "coupon_issue=5,order=2", "--coupons", "50", "--coupon-discount",
                    "15%", "--coupon-max-discount=300", "--coupon-use", "0.25"});
  REQUIRE_MESSAGE(p.ok, p.error);
  const LoadOptions& o = p.options;
  CHECK(Weight(o, Op::kCouponIssue) == 5);
  CHECK(Weight(o, Op::kOrder) == 2);
  CHECK(std::string(OpName(Op::kCouponIssue)) == "coupon_issue");
  CHECK(o.coupons == 50);
  CHECK(o.coupon_discount.type == DiscountType::kPercent);
  CHECK(o.coupon_discount.value == 15);
  CHECK(o.coupon_discount.max == 300);
  CHECK(o.coupon_use == 0.25);

  Parsed fixed = Parse({"--coupon-discount", "500"});
  REQUIRE_MESSAGE(fixed.ok, fixed.error);
  CHECK(fixed.options.coupon_discount.type == DiscountType::kFixed);
  CHECK(fixed.options.coupon_discount.value == 500);
  CHECK(fixed.options.coupon_discount.Text() == "500");

  // SPEC "Coupons": a cap belongs to a percentage only.
  Parsed capped_fixed = Parse({"--coupon-discount", "500", "--coupon-max-discount", "100"});
  CHECK_FALSE(capped_fixed.ok);
  CHECK(capped_fixed.error.find("--coupon-max-discount") != std::string::npos);

  Parsed help = Parse({"--help"});
  for (const char* flag : {"--coupons", "--coupon-discount", "--coupon-max-discount",
                           "--coupon-use", "coupon_issue"}) {
    CAPTURE(flag);
    CHECK(help.error.find(flag) != std::string::npos);
  }
}

TEST_CASE("ecomm-load flags: a discount follows SPEC's rule") {
  Discount fixed{DiscountType::kFixed, 500, std::nullopt};
  CHECK(fixed.Of(2000) == 500);
  CHECK(fixed.Of(300) == 300);  // never more than the order: it may cost 0
  Discount percent{DiscountType::kPercent, 15, std::nullopt};
  CHECK(percent.Of(1999) == 299);  // floor(299.85)
  CHECK(percent.Of(0) == 0);
  CHECK(percent.Text() == "15%");
  Discount capped{DiscountType::kPercent, 15, 100};
  CHECK(capped.Of(600) == 90);
  CHECK(capped.Of(1999) == 100);
  Discount all{DiscountType::kPercent, 100, std::nullopt};
  int64_t largest = (int64_t{1} << 53) - 1;  // an order's limit: no overflow on the way
  CHECK(all.Of(largest) == largest);
}

TEST_CASE("ecomm-load flags: every flag, both spellings") {
  Parsed p = Parse({"--url",
                    "http://127.1.2.3:9000/",
                    "--connections=8",
                    "--threads",
                    "1",
                    "--duration",
                    "3",
                    "--rate",
                    "2500",
                    "--mix",
                    "order=3,cancel=1",
                    "--users",
                    "7",
                    "--products",
                    "4",
                    "--hot",
                    "0.8",
                    "--hot-user",
                    "0.1",
                    "--zipf",
                    "1.2",
                    "--admin-token",
                    "s3cret",
                    "--json",
                    "out.json",
                    "--no-audit",
                    "--seed",
                    "42",
                    "--prefix",
                    "run-1",
                    "--order-lines",
                    "1",
                    "--max-quantity",
                    "5",
                    "--embedded",
                    "--data-dir",
                    "/tmp/x",
                    "--failover-wait",
                    "1500ms"});
  REQUIRE_MESSAGE(p.ok, p.error);
  const LoadOptions& o = p.options;
  REQUIRE(o.urls.size() == 1);
  CHECK(o.urls[0].host == "127.1.2.3");
  CHECK(o.urls[0].port == 9000);
  CHECK(o.failover_wait == std::chrono::milliseconds(1500));
  CHECK(o.connections == 8);
  CHECK(o.threads == 1);
  CHECK(o.duration.count() == 3);
  CHECK(o.rate == 2500);
  CHECK(Weight(o, Op::kOrder) == 3);
  CHECK(Weight(o, Op::kCancel) == 1);
  CHECK(Weight(o, Op::kBrowse) == 0);
  CHECK(o.users == 7);
  CHECK(o.products == 4);
  CHECK(o.hot == 0.8);
  CHECK(o.hot_user == 0.1);
  CHECK(o.zipf == 1.2);
  CHECK(o.admin_token == "s3cret");
  CHECK(o.json_path == "out.json");
  CHECK_FALSE(o.audit);
  CHECK(o.seed == 42);
  CHECK(o.prefix == "run-1");
  CHECK(o.order_lines == 1);
  CHECK(o.max_quantity == 5);
  CHECK(o.embedded);
  CHECK(o.data_dir == "/tmp/x");
}

TEST_CASE("ecomm-load flags: bad values are refused with the flag named") {
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"--url", "https://x:1"},
                                             {"--url", "http://x"},
                                             {"--url", "http://x:70000"},
                                             {"--url", "http://x:1,"},
                                             {"--url", "http://x:1,http://x:1/"},
                                             {"--url", "http://x:1,ftp://y:2"},
                                             {"--failover-wait", "30"},
                                             {"--failover-wait", "0s"},
                                             {"--connections", "0"},
                                             {"--duration", "-1"},
                                             {"--rate", "0"},
                                             {"--mix", "order=x"},
                                             {"--mix", "teleport=1"},
                                             {"--mix", "order=0"},
                                             {"--hot", "1.5"},
                                             {"--order-lines", "0"},
                                             {"--max-quantity", "0"},
                                             {"--users", "0"},
                                             {"--coupons", "0"},
                                             {"--coupons", "1000000001"},
                                             {"--coupon-discount", "0"},
                                             {"--coupon-discount", "101%"},
                                             {"--coupon-discount", "%"},
                                             {"--coupon-discount", "1000000001"},
                                             {"--coupon-discount", "5.5%"},
                                             {"--coupon-max-discount", "0"},
                                             {"--coupon-use", "1.5"},
                                             {"--mix", "coupon=1"},
                                             {"--prefix", "a b"},
                                             {"--connections"},
                                             {"--bogus"},
                                             {"positional"}}) {
    CAPTURE(bad[0]);
    Parsed p = Parse(bad);
    CHECK_FALSE(p.ok);
    CHECK_FALSE(p.help);
    CHECK_FALSE(p.error.empty());
  }
  Parsed help = Parse({"--help"});
  CHECK_FALSE(help.ok);
  CHECK(help.help);
  CHECK(help.error.find("Usage: ecomm-load") != std::string::npos);
  CHECK(help.error.find("--mix op=w,...=browse=30,top=10") != std::string::npos);  // the default
}

TEST_CASE("ecomm-load flags: no token goes to a non-loopback http:// URL") {
  Parsed refused =
      Parse({"--url", "http://127.0.0.1:1,http://10.1.2.3:8080", "--admin-token", "t"});
  CHECK_FALSE(refused.ok);
  CHECK(refused.error.find("refusing to send the admin and bearer tokens") != std::string::npos);
  CHECK(Parse({"--url", "http://10.1.2.3:8080"}).ok);  // no token: nothing secret is sent
  CHECK(Parse({"--url", "http://localhost:8080", "--admin-token", "t"}).ok);
}

TEST_CASE("ecomm-load flags: --url lists several replicas, in the order given") {
  Parsed p = Parse({"--url", "http://127.0.0.1:8081,http://127.0.0.1:8082/, http://db-3:8083"});
  REQUIRE_MESSAGE(p.ok, p.error);
  REQUIRE(p.options.urls.size() == 3);
  CHECK(p.options.urls[0].text() == "http://127.0.0.1:8081");
  CHECK(p.options.urls[1].text() == "http://127.0.0.1:8082");
  CHECK(p.options.urls[2].host == "db-3");
  CHECK(p.options.urls[2].port == 8083);
  Parsed help = Parse({"--help"});
  CHECK(help.error.find("--failover-wait") != std::string::npos);
}

TEST_CASE("ecomm-load flags: a config file, then flags after it win") {
  std::string path = "/tmp/ecomm-load-config-" + std::to_string(::getpid());
  {
    std::ofstream f(path);
    f << "# a flash sale\nmix = order=9, cancel=1\nhot = 0.9\n\nconnections = 16  # per run\n"
         "no-audit\n";
  }
  Parsed p = Parse({"--config", path, "--connections", "4"});
  REQUIRE_MESSAGE(p.ok, p.error);
  CHECK(Weight(p.options, Op::kOrder) == 9);
  CHECK(p.options.hot == 0.9);
  CHECK(p.options.connections == 4);
  CHECK_FALSE(p.options.audit);
  Parsed spelled = Parse({"--connections=4", "--config=" + path, "--connections", "5"});
  REQUIRE_MESSAGE(spelled.ok, spelled.error);
  CHECK(spelled.options.connections == 5);
  CHECK(spelled.options.hot == 0.9);
  {
    std::ofstream f(path);
    f << "mix = order=1\nwarp = 9\n";
  }
  Parsed bad = Parse({"--config", path});
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find(":2:") != std::string::npos);  // names the line
  std::remove(path.c_str());
}

}  // namespace ecomm::load
