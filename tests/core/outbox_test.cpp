// The mail outbox's pure rules: the retry schedule (exponential, capped, jittered by at most a
// quarter) and when a message is dead; the message encoding round trip.
#include "core/outbox.hpp"

#include <gtest/gtest.h>

namespace vault::core {
namespace {

TEST(MailRetry, DelaysDoubleFromTheBaseUpToTheCap) {
  MailRetryPolicy p{8, 60, 3600};
  EXPECT_EQ(MailRetryDelay(p, 1, 0.0), 60);
  EXPECT_EQ(MailRetryDelay(p, 2, 0.0), 120);
  EXPECT_EQ(MailRetryDelay(p, 3, 0.0), 240);
  EXPECT_EQ(MailRetryDelay(p, 6, 0.0), 1920);
  EXPECT_EQ(MailRetryDelay(p, 7, 0.0), 3600);     // 3840 capped
  EXPECT_EQ(MailRetryDelay(p, 1000, 0.0), 3600);  // no overflow however many failures
}

TEST(MailRetry, JitterAddsUpToAQuarterAndNeverGoesBelowTheSchedule) {
  MailRetryPolicy p{8, 60, 3600};
  EXPECT_EQ(MailRetryDelay(p, 2, 0.5), 120 + 15);
  EXPECT_EQ(MailRetryDelay(p, 2, 0.999999), 120 + 29);
  EXPECT_EQ(MailRetryDelay(p, 7, 0.999999), 3600 + 899);
  EXPECT_EQ(MailRetryDelay(p, 2, -3.0), 120);  // out of range clamped
  EXPECT_EQ(MailRetryDelay(p, 2, 7.0), 120 + 29);
  MailRetryPolicy fast{3, 0, 0};  // nonsense settings still wait a second
  EXPECT_EQ(MailRetryDelay(fast, 1, 0.0), 1);
}

TEST(MailRetry, AMessageIsDeadAfterMaxAttemptsFailures) {
  MailRetryPolicy p{3, 1, 10};
  EXPECT_FALSE(MailIsDead(p, 1));
  EXPECT_FALSE(MailIsDead(p, 2));
  EXPECT_TRUE(MailIsDead(p, 3));
  EXPECT_TRUE(MailIsDead(p, 4));
}

TEST(MailEncoding, EveryFieldRoundTripsAndForeignBytesAreRefused) {
  MailMessage m{"zoë@example.com", "Subject: with 12:colons\r\nand lines",
                "text with token=abc\n\0 nul", "<p>html</p>"};
  m.text += std::string("\0tail", 5);
  auto back = DecodeMail(EncodeMail(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to, m.to);
  EXPECT_EQ(back->subject, m.subject);
  EXPECT_EQ(back->text, m.text);
  EXPECT_EQ(back->html, m.html);
  EXPECT_TRUE(DecodeMail(EncodeMail(MailMessage{})));
  std::string good = EncodeMail(m);
  for (std::string bad : {std::string(), std::string("mail1\n"), good.substr(0, good.size() - 1),
                          good + "x", "mail2" + good.substr(5), std::string("mail1\n99999:x")}) {
    auto r = DecodeMail(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().id, "mail.corrupt");
  }
}

}  // namespace
}  // namespace vault::core
