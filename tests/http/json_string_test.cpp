// AppendJsonString writes the strings of hand-built responses (the key-verification answer
// carries a key's user-chosen name): whatever the text, a JSON parser must read back exactly it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/integration_service.hpp"
#include "http/handler_util.hpp"
#include "http/product_json.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

TEST(AppendJsonString, RoundTripsHostileText) {
  const std::string cases[] = {
      "",
      "plain",
      "quote \" backslash \\ slash /",
      "\"}],\"valid\":true,\"x\":[\"",  // an attempt to break out of the string
      std::string("nul \0 inside", 12),
      "controls \x01\x02\x1f\x7f \b\f\n\r\t",
      "unicode é ß ✓ 🔑 \u2028 \u2029",
      "</script><script>alert(1)</script>",
  };
  for (const auto& text : cases) {
    std::string out = "{\"v\":";
    AppendJsonString(out, text);
    out += '}';
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << out;
    EXPECT_EQ(std::string(v.at("v").as_string()), text) << out;
  }
}

TEST(AppendJsonString, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string out;
    AppendJsonString(out, std::string(1, static_cast<char>(c)));
    for (std::size_t i = 1; i + 1 < out.size(); ++i)
      EXPECT_GE(static_cast<unsigned char>(out[i]), 0x20) << "raw control character " << c;
  }
}

// The access check's answer is written by hand; it must be the very object the JSON value form
// renders, whatever the strings and however many features.
TEST(RenderDecisionText, IsTheSameObjectAsTheJsonValueForm) {
  app::AccessQuery q;
  q.account_id = "acc_\"}],\"allowed\":true";
  q.product_id = "prd_1";
  for (const char* permission : {"", "submissions:read"})
    for (bool allowed : {false, true}) {
      q.permission = permission;
      core::AccessDecision d;
      d.allowed = allowed;
      d.reason = allowed ? "allowed" : "no_grant";
      d.role = allowed ? "editor" : "";
      if (allowed) d.features = {"exports", "sso \u2713"};
      EXPECT_EQ(boost::json::parse(RenderDecisionText(q, d)),
                boost::json::value(RenderDecision(q, d)))
          << RenderDecisionText(q, d);
    }
}

// GET /api/v1/me is written by hand too: the same object as the JSON value form, hostile names
// included, with and without the optional fields.
TEST(RenderAccountText, IsTheSameObjectAsTheJsonValueForm) {
  core::Account a;
  a.id = "acc_1";
  a.email = "a\"}@example.com";
  a.name = "Zoë \\ \n </script>";
  a.created_at = 1700000000;
  a.updated_at = 1700000100;
  for (int variant = 0; variant < 4; ++variant) {
    a.last_sign_in_at = variant & 1 ? 1700000200 : 0;
    a.super_admin = variant & 2;
    a.email_verified = variant & 1;
    for (std::optional<bool> mfa :
         {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}})
      EXPECT_EQ(boost::json::parse(RenderAccountText(a, mfa)),
                boost::json::value(RenderAccount(a, mfa)))
          << RenderAccountText(a, mfa);
  }
}

}  // namespace
}  // namespace vault::http
