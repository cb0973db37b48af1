// Builds an RFC 5322 message with a multipart/alternative body (text/plain + text/html, both
// UTF-8, quoted-printable), and the header encoding it uses. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/ports.hpp"

namespace vault::mail {

// Returns the full message (headers + body, CRLF line ends). `boundary_seed` makes the MIME
// boundary and Message-ID unique; `date` is an RFC 5322 date string.
std::string BuildMime(const std::string& from, const core::MailMessage& msg,
                      const std::string& boundary_seed, const std::string& date);

// Returns a header value safe to place after "Name: ": control characters (CR, LF, …) become
// spaces, and text that is not plain printable ASCII or that contains "=?" is sent as RFC 2047
// encoded-words (UTF-8, base64, each at most 75 characters, folded), so a reader shows exactly
// the given text and never decodes words an attacker wrote into it.
std::string EncodeHeader(std::string_view value);

// Returns the address of a mailbox: "addr" from "Name <addr>", else the whole string.
std::string AddressOf(const std::string& mailbox);

}  // namespace vault::mail
