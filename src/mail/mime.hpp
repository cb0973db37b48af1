// Builds an RFC 5322 message with a multipart/alternative body (text/plain + text/html, both
// UTF-8, quoted-printable). Pure; thread-safe.
#pragma once

#include <string>

#include "core/ports.hpp"

namespace vault::mail {

// Returns the full message (headers + body, CRLF line ends). `boundary_seed` makes the MIME
// boundary and Message-ID unique; `date` is an RFC 5322 date string.
std::string BuildMime(const std::string& from, const core::MailMessage& msg,
                      const std::string& boundary_seed, const std::string& date);

// Encodes a header value with RFC 2047 when it is not plain ASCII.
std::string EncodeHeader(const std::string& value);

}  // namespace vault::mail
