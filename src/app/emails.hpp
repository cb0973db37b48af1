// The account emails' texts (plain text and HTML). Pure; thread-safe.
#pragma once

#include <string>

#include "core/ports.hpp"

namespace vault::app {

core::MailMessage VerifyEmailMessage(const std::string& to, const std::string& name,
                                     const std::string& link);
core::MailMessage SignupAttemptMessage(const std::string& to, const std::string& forgot_link);
core::MailMessage ResetPasswordMessage(const std::string& to, const std::string& link);
core::MailMessage PasswordChangedMessage(const std::string& to);
core::MailMessage LockedOutMessage(const std::string& to);
core::MailMessage InvitationMessage(const std::string& to, const std::string& inviter,
                                    const std::string& workspace, const std::string& role,
                                    const std::string& link);
core::MailMessage ConfirmNewEmailMessage(const std::string& to, const std::string& link);
core::MailMessage EmailChangingMessage(const std::string& to, const std::string& new_email);

// To the old address once an email change is confirmed.
core::MailMessage EmailChangedMessage(const std::string& to, const std::string& new_email);
// To an address that already has an account when someone asks to move another account to it.
core::MailMessage EmailChangeAttemptMessage(const std::string& to);
// A change of the second factor; `what` completes "Two-factor authentication …" (e.g. "was
// turned on for your Atomyx account").
core::MailMessage SecondFactorChangedMessage(const std::string& to, const std::string& what);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string HtmlEscape(const std::string& s);

}  // namespace vault::app
