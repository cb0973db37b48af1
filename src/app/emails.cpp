#include "app/emails.hpp"

namespace vault::app {
namespace {

core::MailMessage Make(const std::string& to, const std::string& subject,
                       const std::string& paragraph, const std::string& link = {},
                       const std::string& button = {}) {
  core::MailMessage m;
  m.to = to;
  m.subject = subject;
  m.text = paragraph + "\n";
  m.html = "<!doctype html><html><body style=\"font-family:sans-serif\"><p>" +
           HtmlEscape(paragraph) + "</p>";
  if (!link.empty()) {
    m.text += "\n" + button + ": " + link + "\n";
    m.html += "<p><a href=\"" + HtmlEscape(link) + "\">" + HtmlEscape(button) + "</a></p>";
  }
  m.text += "\nIf you did not ask for this, you can ignore this message.\n-- Atomyx Vault\n";
  m.html +=
      "<p>If you did not ask for this, you can ignore this message.</p><p>Atomyx Vault</p>"
      "</body></html>";
  return m;
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

core::MailMessage VerifyEmailMessage(const std::string& to, const std::string& name,
                                     const std::string& link) {
  return Make(to, "Verify your email address",
              "Hello " + name +
                  ", please confirm your email address to finish creating your "
                  "Atomyx account. The link is valid for 24 hours.",
              link, "Verify email and set password");
}

core::MailMessage SignupAttemptMessage(const std::string& to, const std::string& forgot_link) {
  return Make(to, "Someone tried to sign up with your address",
              "Someone tried to create an Atomyx account with this email address, which already "
              "has one. If it was you and you forgot your password, you can reset it.",
              forgot_link, "Reset your password");
}

core::MailMessage ResetPasswordMessage(const std::string& to, const std::string& link) {
  return Make(to, "Reset your password",
              "We received a request to reset the password of your Atomyx account. The link is "
              "valid for 1 hour and can be used once.",
              link, "Choose a new password");
}

core::MailMessage PasswordChangedMessage(const std::string& to) {
  return Make(to, "Your password was changed",
              "The password of your Atomyx account was just changed and your other sessions "
              "were signed out. If this was not you, reset your password now and contact your "
              "administrator.");
}

core::MailMessage LockedOutMessage(const std::string& to) {
  return Make(to, "Sign-in to your account was paused",
              "There were several failed attempts to sign in to your Atomyx account, so further "
              "attempts are refused for 15 minutes. If this was not you, someone may be guessing "
              "your password: consider changing it and turning on two-factor authentication.");
}

core::MailMessage InvitationMessage(const std::string& to, const std::string& inviter,
                                    const std::string& workspace, const std::string& role,
                                    const std::string& link) {
  return Make(to, "You are invited to join " + workspace + " on Atomyx",
              inviter + " invited you to the workspace " + workspace + " as " + role +
                  ". The invitation is valid for 7 days.",
              link, "Accept the invitation");
}

core::MailMessage ConfirmNewEmailMessage(const std::string& to, const std::string& link) {
  return Make(to, "Confirm your new email address",
              "Please confirm that this is the new email address of your Atomyx account. The link "
              "is valid for 24 hours.",
              link, "Confirm this address");
}

core::MailMessage EmailChangingMessage(const std::string& to, const std::string& new_email) {
  return Make(to, "Your email address is being changed",
              "Someone signed in to your Atomyx account asked to change its email address to " +
                  new_email + ". If this was not you, change your password now.");
}

core::MailMessage EmailChangedMessage(const std::string& to, const std::string& new_email) {
  return Make(to, "Your email address was changed",
              "The email address of your Atomyx account was changed to " + new_email +
                  ". Links sent to this address before no longer work. If this was not you, "
                  "contact your administrator now.");
}

core::MailMessage EmailChangeAttemptMessage(const std::string& to) {
  return Make(to, "Someone tried to use your address",
              "Someone signed in to another Atomyx account asked to change its email address to "
              "this one, which already belongs to your account. Nothing was changed.");
}

core::MailMessage SecondFactorChangedMessage(const std::string& to, const std::string& what) {
  return Make(to, "Two-factor authentication changed",
              "Two-factor authentication " + what +
                  ". Links sent to you before no longer work. If this was not you, reset your "
                  "password now and contact your administrator.");
}

}  // namespace vault::app
