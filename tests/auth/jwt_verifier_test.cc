// JwtVerifier and the key files it reads, without HTTP: every reason a token is
// refused, the leeway on both sides of its validity, and the keys refused at start-up.
#include "ecomm/auth/jwt_verifier.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "auth/test_keys.h"

namespace ecomm::testing {
namespace {

using auth::JwtConfig;
using auth::JwtVerifier;
using auth::TokenClaims;

constexpr int64_t kNow = 1'800'000'000;

auth::TokenSpec Spec(std::string subject, std::string scope = "") {
  return auth::TokenSpec{std::move(subject), std::move(scope), 3600, std::string("https://idp"),
                         std::string("ecomm")};
}

std::unique_ptr<JwtVerifier> Verifier(JwtConfig config) {
  auto verifier = JwtVerifier::Load(config);
  REQUIRE_MESSAGE(verifier.ok(), verifier.status().message());
  return std::move(verifier).value();
}

JwtConfig WithKey(std::string key_file) {
  return JwtConfig{std::move(key_file), "", std::string("https://idp"), std::string("ecomm")};
}

// Refused as kUnauthorized, saying `why`.
void CheckRefused(const JwtVerifier& verifier, const std::string& token, const std::string& why,
                  int64_t now = kNow) {
  auto claims = verifier.Verify(token, now);
  REQUIRE_FALSE(claims.ok());
  CHECK(claims.status().code() == ErrorCode::kUnauthorized);
  CHECK_MESSAGE(claims.status().message().find(why) != std::string::npos,
                claims.status().message());
}

TEST_CASE("a token signed by the configured key yields its sub, scope and exp") {
  TestKeys keys;
  for (auto [file, key] : {std::pair{keys.es256_public(), &keys.es256()},
                           std::pair{keys.rs256_public(), &keys.rs256()}}) {
    auto verifier = Verifier(WithKey(file));
    auto claims = verifier->Verify(Mint(*key, Spec("alice"), kNow), kNow);
    REQUIRE_MESSAGE(claims.ok(), claims.status().message());
    CHECK(claims->subject == "alice");
    CHECK_FALSE(claims->admin);
    CHECK(claims->expires_at == kNow + 3600);
  }
  CHECK(Verifier(WithKey(keys.es256_public()))->algorithm() == "ES256");
  CHECK(Verifier(WithKey(keys.rs256_public()))->algorithm() == "RS256");
  // A private key or the public key: the same verifier.
  CHECK(Verifier(WithKey(keys.es256_private()))
            ->Verify(Mint(keys.es256(), Spec("a"), kNow), kNow)
            .ok());

  auto hs = Verifier(JwtConfig{"", keys.hs256_secret(), std::nullopt, std::nullopt});
  CHECK(hs->algorithm() == "HS256");
  // The secret file ends in a line break that is not part of the secret.
  CHECK(hs->Verify(Mint(keys.hs256(), Spec("bob"), kNow), kNow).ok());
}

TEST_CASE("the ecomm:admin scope is found in a space-separated scope, and only whole") {
  TestKeys keys;
  auto verifier = Verifier(WithKey(keys.es256_public()));
  auto admin = [&](const std::string& scope) {
    auto claims = verifier->Verify(Mint(keys.es256(), Spec("ops", scope), kNow), kNow);
    REQUIRE(claims.ok());
    return claims->admin;
  };
  CHECK(admin("ecomm:admin"));
  CHECK(admin("openid ecomm:admin profile"));
  CHECK_FALSE(admin(""));
  CHECK_FALSE(admin("ecomm:administrator"));
  CHECK_FALSE(admin("ecomm:admi"));
  CHECK_FALSE(admin("xecomm:admin"));
}

TEST_CASE("refused: malformed, another key, a spliced payload, alg none, algorithm confusion") {
  TestKeys keys;
  auto es = Verifier(WithKey(keys.es256_public()));
  std::string good = Mint(keys.es256(), Spec("alice"), kNow);
  for (const char* malformed :
       {"", "abc", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.", "a b.c.d", "a.b.c=", "a.b.c\n"}) {
    CAPTURE(malformed);
    CheckRefused(*es, malformed, "not a signed JWT");
  }
  CheckRefused(*es, std::string(JwtVerifier::kMaxTokenBytes + 1, 'a'), "not a signed JWT");
  CheckRefused(*es, Mint(keys.stranger(), Spec("alice"), kNow), "signature does not verify");
  CheckRefused(*es, SplicedToken(good, Mint(keys.es256(), Spec("bob"), kNow)),
               "signature does not verify");
  CheckRefused(*es, UnsignedToken("alice"), "not a signed JWT");
  CheckRefused(*es, UnsignedToken("alice") + "c2lnbmF0dXJl", "signature does not verify");
  // libjwt checks the HMAC with the public key's bytes and it matches: only the pin
  // to the key's own algorithm refuses it.
  CheckRefused(*es, ConfusedToken(keys.es256_public(), "alice"), "signed with HS256");
  auto rs = Verifier(WithKey(keys.rs256_public()));
  CheckRefused(*rs, ConfusedToken(keys.rs256_public(), "alice"), "signed with HS256");
  CheckRefused(*rs, good, "does not verify");  // libjwt: an ES256 token, an RSA key
  auto hs = Verifier(JwtConfig{"", keys.hs256_secret(), std::nullopt, std::nullopt});
  CheckRefused(*hs, good, "does not verify");
}

TEST_CASE("exp and nbf hold with 60 s of leeway on either side") {
  TestKeys keys;
  auto verifier = Verifier(WithKey(keys.es256_public()));
  std::string token = Mint(keys.es256(), Spec("alice"), kNow);  // nbf kNow, exp kNow + 3600
  CHECK(verifier->Verify(token, kNow + 3600 + 60).ok());
  CheckRefused(*verifier, token, "expired", kNow + 3600 + 61);
  CHECK(verifier->Verify(token, kNow - 60).ok());
  CheckRefused(*verifier, token, "not valid yet", kNow - 61);
}

TEST_CASE("iss and aud must match when configured, sub must name a user") {
  TestKeys keys;
  auto verifier = Verifier(WithKey(keys.es256_public()));
  auto spec = Spec("alice");
  spec.issuer = "https://evil";
  CheckRefused(*verifier, Mint(keys.es256(), spec, kNow), "issuer");
  spec.issuer.reset();
  CheckRefused(*verifier, Mint(keys.es256(), spec, kNow), "issuer");
  spec = Spec("alice");
  spec.audience = "other-api";
  CheckRefused(*verifier, Mint(keys.es256(), spec, kNow), "audience");
  spec.audience.reset();
  CheckRefused(*verifier, Mint(keys.es256(), spec, kNow), "audience");
  // Without --jwt-issuer/--jwt-audience neither claim is looked at.
  auto lenient = Verifier(JwtConfig{keys.es256_public(), "", std::nullopt, std::nullopt});
  CHECK(lenient->Verify(Mint(keys.es256(), spec, kNow), kNow).ok());

  CheckRefused(*verifier, Mint(keys.es256(), Spec(""), kNow), "sub");
  CheckRefused(*verifier, Mint(keys.es256(), Spec(std::string(257, 'u')), kNow), "1 to 256");
  CheckRefused(*verifier, Mint(keys.es256(), Spec("al\x1fice"), kNow), "control characters");
  CHECK(verifier->Verify(Mint(keys.es256(), Spec(std::string(256, 'u')), kNow), kNow).ok());
}

TEST_CASE("keys refused at start-up say which file and why") {
  TestKeys keys;
  auto refused = [](JwtConfig config, const std::string& why) {
    auto verifier = JwtVerifier::Load(config);
    REQUIRE_FALSE(verifier.ok());
    CHECK_MESSAGE(verifier.status().message().find(why) != std::string::npos,
                  verifier.status().message());
  };
  refused(JwtConfig{keys.dir() + "/absent.pem", "", {}, {}}, "absent.pem: cannot be read");
  refused(JwtConfig{keys.hs256_secret(), "", {}, {}}, "no PEM public key");
  refused(JwtConfig{"", "", {}, {}}, "exactly one");
  refused(JwtConfig{keys.es256_public(), keys.hs256_secret(), {}, {}}, "exactly one");
  std::string short_secret = keys.dir() + "/short.secret";
  std::ofstream(short_secret) << "only-31-bytes-of-secret-here-x\n";
  refused(JwtConfig{"", short_secret, {}, {}}, "32 bytes or more");
}

}  // namespace
}  // namespace ecomm::testing
