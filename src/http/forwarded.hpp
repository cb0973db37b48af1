// Trusted reverse proxies (VAULT_TRUSTED_PROXIES): which peers may say who the client is, and
// the client address a request then has. Without trusted proxies the Forwarded and
// X-Forwarded-For headers are ignored, since any client can send them. Immutable after Parse:
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vault::http {

class TrustedProxies {
 public:
  // A comma-separated list of CIDR ranges or single addresses ("10.0.0.0/8, 127.0.0.1, ::1").
  // Fails invalid_argument naming the entry that is not one.
  static core::Result<TrustedProxies> Parse(std::string_view list);

  bool empty() const { return ranges_.empty(); }
  bool Trusted(std::string_view ip) const;

  // The client address of a request that arrived from `peer`: when the peer is trusted, the
  // right-most address of the forwarding chain (Forwarded `for=`, else X-Forwarded-For) that
  // is not itself a trusted proxy; the peer when it is not trusted or there is no such header;
  // the nearest trusted hop when the chain holds something that is not an IP address (we
  // cannot tell what lies beyond it).
  std::string ClientIp(std::string_view peer, const Request& req) const;

 private:
  struct Range {
    bool v6 = false;
    std::uint8_t bytes[16] = {};
    int prefix = 0;
  };
  std::vector<Range> ranges_;
};

}  // namespace vault::http
