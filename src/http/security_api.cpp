// Handlers for the second factor, the caller's own audit trail and account deletion
// (SPEC §13 "2FA", "sessions/mfa", "me/audit", "DELETE /me").
#include "http/accounts_api.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

struct MfaInput {  // exactly one of code and recovery_code (the use case says which is missing)
  std::string mfa_token;
  std::optional<std::string> code, recovery_code;
  void Fields(BodyReader& r) {
    r.Field("mfa_token", mfa_token, kMaxToken);
    r.Field("code", code, kMaxCode);
    r.Field("recovery_code", recovery_code, kMaxCode);
  }
};

struct PasswordInput {
  std::string password;
  void Fields(BodyReader& r) { r.Field("password", password, kMaxPasswordInput); }
};

struct CodeInput {
  std::string code;
  void Fields(BodyReader& r) { r.Field("code", code, kMaxCode); }
};

struct PasswordCodeInput {
  std::string password, code;
  void Fields(BodyReader& r) {
    r.Field("password", password, kMaxPasswordInput);
    r.Field("code", code, kMaxCode);
  }
};

}  // namespace

core::Result<Response> AccountsApi::CompleteMfa(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<MfaInput>());
  VAULT_ASSIGN_OR_RETURN(auto s, mfa_.CompleteMfa(in.mfa_token, in.code.value_or(""),
                                                  in.recovery_code.value_or(""), ClientOf(c.req)));
  return SignedInResponse(201, s);
}

core::Result<Response> AccountsApi::StartTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<PasswordInput>());
  VAULT_ASSIGN_OR_RETURN(auto e, mfa_.StartTotp(c.ctx, in.password));
  return JsonOk(200, RenderTotpEnrolment(e));
}

core::Result<Response> AccountsApi::ConfirmTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<CodeInput>());
  VAULT_ASSIGN_OR_RETURN(auto codes, mfa_.ConfirmTotp(c.ctx, in.code));
  return JsonOk(200, RenderRecoveryCodes(codes));
}

core::Result<Response> AccountsApi::DisableTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<PasswordCodeInput>());
  VAULT_TRY(mfa_.DisableTotp(c.ctx, in.password, in.code));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::RegenerateCodes(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<CodeInput>());
  VAULT_ASSIGN_OR_RETURN(auto codes, mfa_.RegenerateRecoveryCodes(c.ctx, in.code));
  return JsonOk(200, RenderRecoveryCodes(codes));
}

core::Result<Response> AccountsApi::DeleteMe(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<PasswordInput>());
  VAULT_TRY(profile_.DeleteAccount(c.ctx, in.password));
  return SignedOutResponse(options_.dev);
}

core::Result<Response> AccountsApi::ExportMyData(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto data, profile_.ExportMyData(c.ctx));
  Response r = JsonOk(200, RenderPersonalData(data, c.ctx.session.id));
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"atomyx-vault-my-data.json\"");
  return r;
}

core::Result<Response> AccountsApi::MyAudit(Call& c) {
  std::string format;
  VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(c.req, &format));
  return AuditAnswer(c.req, q, format,
                     [&service = profile_, ctx = c.ctx](const core::AuditQuery& page) {
                       return service.MyAudit(ctx, page);
                     });
}

}  // namespace vault::http
