#include "mail/mime.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

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
    } else if ((c >= 33 && c <= 126 && c != '=') ||
               (c == ' ' && i + 1 < in.size() && in[i + 1] != '\n')) {
      put(std::string(1, static_cast<char>(c)));
    } else {
      put(std::string{'=', kHex[c >> 4], kHex[c & 15]});
    }
  }
  return out;
}

std::string Base64(std::string_view in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

// The right side of the Message-ID: the sender's domain when it is a plain host name.
std::string MessageIdDomain(const std::string& from) {
  std::string address = AddressOf(from);
  auto at = address.rfind('@');
  std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
  bool plain = !domain.empty() && std::all_of(domain.begin(), domain.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
  return plain ? domain : "localhost";
}

}  // namespace

std::string AddressOf(const std::string& mailbox) {
  auto lt = mailbox.find('<'), gt = mailbox.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt)
    return mailbox.substr(lt + 1, gt - lt - 1);
  return mailbox;
}

std::string EncodeHeader(std::string_view value) {
  // CR/LF in user text would start a header of the attacker's choosing (Bcc:, …).
  std::string clean;
  bool plain = true;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      clean += ' ';
      continue;
    }
    if (c >= 0x80) plain = false;
    clean += ch;
  }
  // "=?" in plain text would be decoded by readers as an encoded-word the user wrote; inside our
  // own encoded-word it is shown literally.
  if (plain && clean.find("=?") == std::string::npos) return clean;
  // 39 bytes → 52 base64 characters, 64 with "=?UTF-8?B?" and "?=" (RFC 2047 allows 75), so
  // even "Subject: " and the first word fit in 78 columns.
  constexpr std::size_t kChunk = 39;
  std::string out;
  for (std::size_t i = 0; i < clean.size();) {
    std::size_t n = std::min(kChunk, clean.size() - i);
    // Never split a UTF-8 sequence across two words (invalid text: split anyway).
    std::size_t whole = n;
    while (whole > 0 && i + whole < clean.size() &&
           (static_cast<unsigned char>(clean[i + whole]) & 0xC0) == 0x80)
      --whole;
    if (whole > 0) n = whole;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(clean).substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string BuildMime(const std::string& from, const core::MailMessage& msg,
                      const std::string& boundary_seed, const std::string& date) {
  std::string boundary = "=_vault_" + boundary_seed;
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: " + msg.to + "\r\n";
  out += "Subject: " + EncodeHeader(msg.subject) + "\r\n";
  out += "Date: " + date + "\r\n";
  out += "Message-ID: <" + boundary_seed + "@" + MessageIdDomain(from) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  out +=
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
      "quoted-printable\r\n\r\n";
  out += QuotedPrintable(msg.text) + "\r\n";
  out += "--" + boundary + "\r\n";
  out +=
      "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: "
      "quoted-printable\r\n\r\n";
  out += QuotedPrintable(msg.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace vault::mail
