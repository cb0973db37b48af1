#include "mail/mime.hpp"

#include <sodium.h>

namespace vault::mail {
namespace {

std::string QuotedPrintable(const std::string& in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t line = 0;
  auto put = [&](const std::string& s) {
    if (line + s.size() > 75) {
      out += "=\r\n";
      line = 0;
    }
    out += s;
    line += s.size();
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c == '\n') {
      out += "\r\n";
      line = 0;
    } else if (c == '\r') {
      continue;
    } else if ((c >= 33 && c <= 126 && c != '=') || (c == ' ' && i + 1 < in.size() && in[i + 1] != '\n')) {
      put(std::string(1, static_cast<char>(c)));
    } else {
      put(std::string{'=', kHex[c >> 4], kHex[c & 15]});
    }
  }
  return out;
}

bool IsAscii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\r' || c == '\n') return false;
  return true;
}

}  // namespace

std::string EncodeHeader(const std::string& value) {
  if (IsAscii(value)) return value;
  std::string clean;
  for (char c : value)
    if (c != '\r' && c != '\n') clean += c;
  std::string b64(sodium_base64_encoded_len(clean.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(clean.data()),
                    clean.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(b64.find('\0'));
  return "=?UTF-8?B?" + b64 + "?=";
}

std::string BuildMime(const std::string& from, const core::MailMessage& msg,
                      const std::string& boundary_seed, const std::string& date) {
  std::string boundary = "=_vault_" + boundary_seed;
  std::string domain = from.substr(from.find('@') + 1);
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: " + msg.to + "\r\n";
  out += "Subject: " + EncodeHeader(msg.subject) + "\r\n";
  out += "Date: " + date + "\r\n";
  out += "Message-ID: <" + boundary_seed + "@" + domain + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(msg.text) + "\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(msg.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace vault::mail
