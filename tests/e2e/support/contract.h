#pragma once

#include <string>
#include <vector>

// The contract run (ctest api/contract): with ECOMM_CONTRACT_PRISM naming Stoplight
// Prism's CLI, every test server is reached through `prism proxy` on the server's own
// /openapi.json, and Prism's verdict on each exchange (its sl-violations header) is
// judged here, so the document cannot drift from the code. Prism re-serialises JSON
// answers too, so the byte-level checks of a test (1 vs 1.0) are the plain e2e run's
// to make; this run is about the document.
namespace ecomm::testing::contract {

// Prism's CLI, or nullptr when the run is not a contract run.
const char* PrismPath();

// Judges one exchange: a violation of the response is a breach; so is a violation of
// the request that the server accepted (2xx/3xx: the document forbids what the code
// takes). A request violation answered 4xx is a test sending bad input on purpose, and
// is expected. Thread-safe, never asserts (worker threads send too).
void Judge(const std::string& method, const std::string& path, int status,
           const std::string& violations_json);

// The breaches judged since the last call, each described; forgets them.
std::vector<std::string> TakeBreaches();

// Whether Prism would forward `body` byte for byte. It parses a JSON body and sends
// JSON.stringify of it, which turns 1.0 into 1, drops duplicate keys and re-escapes
// strings: a body that does not survive that unchanged goes to the server directly
// (and unjudged), so the test sees the server's answer to what it really sent.
bool ForwardedVerbatim(const std::string& body);

// Prism's own answer to a request its proxy cannot forward (a body that is not JSON:
// 400 invalid_json; a GET with a body: 501 PROXY_UNSUPPORTED_REQUEST_BODY): the request
// never reached the server, so the test sends it there directly.
bool NotForwarded(int status, const std::string& body);
// Any other answer that did not come from the server is a breach: the run would
// otherwise pass without having judged anything.
void AnsweredByProxy(const std::string& method, const std::string& path, int status,
                     const std::string& body);

// The test asks the server directly (see NotForwarded) on the port behind the proxied
// client. ServerProcess::Client registers each client it makes.
void RegisterClient(const void* client, int server_port);
int ServerBehind(const void* client);  // 0: not a proxied client

}  // namespace ecomm::testing::contract
