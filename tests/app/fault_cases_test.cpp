// The use cases of the fault-injection tests (fault_injection_test.cpp): for each, a fresh
// state, the call, and what its earlier transactions may leave committed.
#include "app/fault_injection.hpp"
#include "app/keyring_check.hpp"

namespace vault::app::fault {

std::vector<UseCase> FaultTest::AccountCases() {
  using T = FaultTest;
  using S = const std::string&;
  return {
      {"sign-up request",
       [](T& t, S tag) -> Call {
         return {[&t, tag] { return t.service_->SignUp("Ada", Email(tag)); }};
       }},
      {"sign-up completion",
       [](T& t, S tag) -> Call {
         std::string token = t.SignUpToken("Ada", Email(tag));
         return {
             [&t, token] { return Void(t.service_->CompleteSignUp(token, kPassword, kClient)); }};
       }},
      // Sign-in reserves the attempt in a transaction of its own, then resets the throttle
      // row (and opens the session) in the next: a failure there keeps the reservation.
      {"sign-in",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.service_->SignIn(Email(tag), kPassword, kClient)); },
                 SignInAttempt(tag)};
       }},
      {"sign-in with 2FA (challenge)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         return {[&t, tag] { return Void(t.service_->SignIn(Email(tag), kPassword, kClient)); },
                 SignInAttempt(tag)};
       }},
      // The fifth wrong password records the failure, locks the address and audits the lockout.
      {"sign-in, wrong password locking the address",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         for (int i = 0; i < 4; ++i)
           (void)t.service_->SignIn(Email(tag), "wrong password", kClient);
         return {
             [&t, tag] { return Void(t.service_->SignIn(Email(tag), "wrong password", kClient)); },
             SignInAttempt(tag), "auth.invalid_credentials"};
       }},
      {"sign-in second step, wrong recovery code (counted, audited)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string token = pending ? pending->mfa_token : "";
         return {
             [&t, token] { return Void(t.mfa_->CompleteMfa(token, "", "wrong-code", kClient)); },
             {},
             "mfa.invalid_code"};
       }},
      {"sign-in second step, TOTP code",
       [](T& t, S tag) -> Call {
         std::string secret = t.EnableTotp(t.Register(Email(tag)));
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         t.clock_.Advance(30);  // the enrolment burned the current step
         std::string token = pending ? pending->mfa_token : "",
                     code = Oathtool(secret, t.clock_.Now());
         return {[&t, token, code] { return Void(t.mfa_->CompleteMfa(token, code, "", kClient)); }};
       }},
      {"sign-in second step, recovery code",
       [](T& t, S tag) -> Call {
         std::vector<std::string> recovery;
         t.EnableTotp(t.Register(Email(tag)), &recovery);
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string token = pending ? pending->mfa_token : "";
         return {[&t, token, code = recovery.at(0)] {
           return Void(t.mfa_->CompleteMfa(token, "", code, kClient));
         }};
       }},
      {"sign-out",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return t.service_->SignOut(ctx); }};
       }},
      {"session revocation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         auto other = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string id = other && other->signed_in ? other->signed_in->session.id : "";
         return {[&t, ctx, id] { return t.service_->RevokeSession(ctx, id); }};
       }},
      {"profile update",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return Void(t.profile_->UpdateProfile(ctx, {.name = "Grace"})); }};
       }},
      {"personal data export (audited)",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return Void(t.profile_->ExportMyData(ctx)); }};
       }},
      // The password re-check (like every one below that asks for it) reserves an attempt and
      // then resets it, each in its own transaction, before the change's transaction.
      {"password change",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         EXPECT_TRUE(t.service_->SignIn(Email(tag), kPassword, kClient));  // a session to end
         return {[&t, ctx] { return t.profile_->ChangePassword(ctx, kPassword, kNewPassword); },
                 SignInAttempt(tag)};
       }},
      {"password change, wrong current password (audited)",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {
             [&t, ctx] { return t.profile_->ChangePassword(ctx, "not my password", kNewPassword); },
             SignInAttempt(tag), "auth.invalid_credentials"};
       }},
      {"password reset request",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return t.profile_->ForgotPassword(Email(tag), kClient); }};
       }},
      {"password reset (removing a fresh second factor)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         EXPECT_TRUE(t.profile_->ForgotPassword(Email(tag), kClient));
         auto mail = t.mailer_.Last(Email(tag), "Reset your password");
         std::string token = mail ? RecordingMailer::TokenIn(*mail) : "";
         return {[&t, token] { return t.profile_->ResetPassword(token, kNewPassword, kClient); }};
       }},
      {"email change request",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx, tag] {
                   return t.profile_->RequestEmailChange(ctx, Email(tag, "new"), kPassword);
                 },
                 SignInAttempt(tag)};
       }},
      {"email change confirmation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         EXPECT_TRUE(t.profile_->RequestEmailChange(ctx, Email(tag, "new"), kPassword));
         auto mail = t.mailer_.Last(Email(tag, "new"), "Confirm your new email");
         std::string token = mail ? RecordingMailer::TokenIn(*mail) : "";
         return {[&t, token] { return Void(t.profile_->ConfirmEmailChange(token, kClient)); }};
       }},
      {"TOTP enrolment start",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return Void(t.mfa_->StartTotp(ctx, kPassword)); }, SignInAttempt(tag)};
       }},
      {"TOTP enrolment confirmation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         auto e = t.mfa_->StartTotp(ctx, kPassword);
         std::string code = e ? Oathtool(e->secret_base32, t.clock_.Now()) : "";
         return {[&t, ctx, code] { return Void(t.mfa_->ConfirmTotp(ctx, code)); }};
       }},
      {"TOTP disable",
       [](T& t, S tag) -> Call {
         auto [ctx, code] = t.WithTotp(tag);
         return {[&t, ctx, code] { return t.mfa_->DisableTotp(ctx, kPassword, code); },
                 SignInAttempt(tag)};
       }},
      {"recovery code regeneration",
       [](T& t, S tag) -> Call {
         auto [ctx, code] = t.WithTotp(tag);
         return {[&t, ctx, code] { return Void(t.mfa_->RegenerateRecoveryCodes(ctx, code)); }};
       }},
      // The Admin leaves the workspace (an event in its log) and the invitation they sent goes.
      {"account deletion",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(o.admin);
         return {[&t, ctx] { return t.profile_->DeleteAccount(ctx, kPassword); },
                 SignInAttempt(tag, "admin")};
       }},
      {"admin: super admin creation",
       [](T& t, S tag) -> Call {
         return {[&t, tag] { return Void(t.admin_->CreateSuperAdmin(Email(tag), "Root")); }};
       }},
      {"admin: password reset link",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.admin_->ResetPassword(Email(tag))); }};
       }},
      {"admin: account disabled",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.admin_->SetDisabled(Email(tag), true)); }};
       }},
  };
}

std::vector<UseCase> FaultTest::WorkspaceCases() {
  using T = FaultTest;
  using S = const std::string&;
  return {
      {"workspace creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {
             [&t, ctx, tag] { return Void(t.workspaces_->Create(ctx, "Acme", "ws-" + tag, "")); }};
       }},
      {"workspace opened (remembered as the last one)",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(o.admin);
         return {[&t, o, ctx] { return Void(t.workspaces_->Get(ctx, o.ws)); }};
       }},
      OnOrg("workspace update",
            [](T& t, const Org& o) {
              return Void(t.workspaces_->Update(o.ctx, o.ws,
                                                {.name = "Renamed", .shortname = o.ws + "-2"}));
            }),
      OnOrg("workspace deletion",
            [](T& t, const Org& o) { return t.workspaces_->Delete(o.ctx, o.ws, o.ws); }),
      OnOrg("admin: workspace suspension",
            [](T& t, const Org& o) {
              return Void(t.platform_->SuspendWorkspace(SuperAdmin(o), o.ws, "Unpaid"));
            }),
      OnOrg("admin: workspace deletion",
            [](T& t, const Org& o) {
              return t.platform_->DeleteWorkspace(SuperAdmin(o), o.ws, o.ws);
            }),
      OnOrg("admin: owner assignment",
            [](T& t, const Org& o) {
              return Void(t.platform_->AssignOwner(SuperAdmin(o), o.ws, o.admin.account.id));
            }),
      {"admin: dead-letter mail retry",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = t.DeadLetter(Email(tag, "dead"));
         return {[&t, o, id] { return t.platform_->RetryMail(SuperAdmin(o), id); }};
       }},
      {"admin: workspace resumption",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         EXPECT_TRUE(t.platform_->SuspendWorkspace(SuperAdmin(o), o.ws, "Unpaid"));
         return {[&t, o] { return Void(t.platform_->ResumeWorkspace(SuperAdmin(o), o.ws)); }};
       }},
      OnOrg("invitation with a group and a grant",
            [](T& t, const Org& o) {
              return Void(t.workspaces_->Invite(o.ctx, o.ws, Email(o.tag, "other"), Role::kMember,
                                                {o.group}, {{"submit", "viewer"}}));
            }),
      {"invitation acceptance, signed in",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(t.Register(Email(tag, "guest")));
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, ctx, token] {
           return Void(t.workspaces_->AcceptInvitation(token, &ctx, "", "", kClient));
         }};
       }},
      {"invitation acceptance, new account",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, token] {
           return Void(
               t.workspaces_->AcceptInvitation(token, nullptr, "Guest", kPassword, kClient));
         }};
       }},
      {"invitation decline",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, token] { return t.workspaces_->DeclineInvitation(token, kClient); }};
       }},
      {"invitation acceptance from the list",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(t.Register(Email(tag, "guest")));
         (void)t.InvitationToken(Email(tag, "guest"));  // invites; the answer goes by id
         auto mine = t.workspaces_->MyInvitations(ctx);
         std::string id = mine && !mine->empty() ? mine->front().first.id : "";
         return {
             [&t, ctx, id] { return Void(t.workspaces_->AcceptMyInvitation(ctx, id, kClient)); }};
       }},
      {"invitation decline from the list",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(t.Register(Email(tag, "guest")));
         (void)t.InvitationToken(Email(tag, "guest"));
         auto mine = t.workspaces_->MyInvitations(ctx);
         std::string id = mine && !mine->empty() ? mine->front().first.id : "";
         return {[&t, ctx, id] { return t.workspaces_->DeclineMyInvitation(ctx, id, kClient); }};
       }},
      {"invitation resend",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto pending = t.workspaces_->Invitations(o.ctx, o.ws, {});
         std::string id = pending && !pending->items.empty() ? pending->items.front().id : "";
         return {[&t, o, id] { return Void(t.workspaces_->ResendInvitation(o.ctx, o.ws, id)); }};
       }},
      {"invitation revocation",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto pending = t.workspaces_->Invitations(o.ctx, o.ws, {});
         std::string id = pending && !pending->items.empty() ? pending->items.front().id : "";
         return {[&t, o, id] { return t.workspaces_->RevokeInvitation(o.ctx, o.ws, id); }};
       }},
      // Demoted to Member, the Admin can no longer invite: their invitation is revoked too.
      OnOrg("member role change",
            [](T& t, const Org& o) {
              return Void(
                  t.workspaces_->ChangeRole(o.ctx, o.ws, o.admin.account.id, Role::kMember));
            }),
      OnOrg("member removal",
            [](T& t, const Org& o) {
              return t.workspaces_->RemoveMember(o.ctx, o.ws, o.admin.account.id);
            }),
  };
}

std::vector<UseCase> FaultTest::ProductAndKeyCases() {
  using T = FaultTest;
  using S = const std::string&;
  auto new_key = [](T& t, const Org& o) {
    auto k = t.keys_->Create(o.ctx, o.ws, {"submit", "production", "CI", {"submissions:read"}});
    EXPECT_TRUE(k);
    return k ? k->key.id : "";
  };
  auto new_secret = [](T& t, const Org& o) {
    auto s = t.callbacks_->Create(o.ctx, o.ws, "submit", "");
    EXPECT_TRUE(s);
    return s ? s->secret.id : "";
  };
  return {
      OnOrg("product creation",
            [](T& t, const Org& o) {
              return Void(
                  t.products_->Create(o.ctx, o.ws, "submit", "Reports", "reports", "standard"));
            }),
      OnOrg("product update",
            [](T& t, const Org& o) {
              return Void(t.products_->Update(o.ctx, o.ws, "submit",
                                              {.name = "Renamed", .disabled = true}));
            }),
      OnOrg("product deletion",
            [](T& t, const Org& o) { return t.products_->Delete(o.ctx, o.ws, "submit"); }),
      OnOrg("subscription plan change",
            [](T& t, const Org& o) {
              return Void(t.products_->ChangePlan(o.ctx, o.ws, "submit", "enterprise"));
            }),
      OnOrg("product configuration",
            [](T& t, const Org& o) {
              return Void(t.products_->PutConfig(o.ctx, o.ws, "submit", "{\"a\":1}", std::nullopt));
            }),
      OnOrg("grant",
            [](T& t, const Org& o) {
              return Void(t.products_->PutGrant(o.ctx, o.ws, "submit", PrincipalType::kAccount,
                                                o.admin.account.id, "editor"));
            }),
      OnOrg("grant removal",
            [](T& t, const Org& o) {
              return t.products_->DeleteGrant(o.ctx, o.ws, "submit", PrincipalType::kGroup,
                                              o.group);
            }),
      OnOrg("group creation",
            [](T& t, const Org& o) {
              return Void(t.products_->CreateGroup(o.ctx, o.ws, "Ops", ""));
            }),
      OnOrg("group update",
            [](T& t, const Org& o) {
              return Void(t.products_->UpdateGroup(o.ctx, o.ws, o.group, "Core", "the core"));
            }),
      OnOrg("group member added",
            [](T& t, const Org& o) {
              return t.products_->AddGroupMember(o.ctx, o.ws, o.group, o.owner.account.id);
            }),
      OnOrg("group member removed",
            [](T& t, const Org& o) {
              return t.products_->RemoveGroupMember(o.ctx, o.ws, o.group, o.admin.account.id);
            }),
      OnOrg("group deletion",
            [](T& t, const Org& o) { return t.products_->DeleteGroup(o.ctx, o.ws, o.group); }),
      OnOrg("API key creation",
            [](T& t, const Org& o) {
              return Void(t.keys_->Create(o.ctx, o.ws,
                                          {"submit", "production", "CI", {"submissions:read"}}));
            }),
      {"API key roll",
       [new_key](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_key(t, o);
         return {[&t, o, id] { return Void(t.keys_->Roll(o.ctx, o.ws, id, {})); }};
       }},
      {"API key revocation",
       [new_key](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_key(t, o);
         return {[&t, o, id] { return Void(t.keys_->Revoke(o.ctx, o.ws, id)); }};
       }},
      OnOrg("callback signing secret creation",
            [](T& t, const Org& o) {
              return Void(t.callbacks_->Create(o.ctx, o.ws, "submit", "Receivers"));
            }),
      {"callback signing secret roll",
       [new_secret](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_secret(t, o);
         return {[&t, o, id] { return Void(t.callbacks_->Roll(o.ctx, o.ws, "submit", id, 60)); }};
       }},
      {"callback signing secret revocation",
       [new_secret](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_secret(t, o);
         return {[&t, o, id] { return Void(t.callbacks_->Revoke(o.ctx, o.ws, "submit", id)); }};
       }},
      {"service client creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         return {[&t, ctx] { return Void(t.integration_->CreateClient(ctx, "submit", "Submit")); }};
       }},
      {"service client revocation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         auto c = t.integration_->CreateClient(ctx, "submit", "Submit");
         std::string id = c ? c->client.id : "";
         return {[&t, ctx, id] { return t.integration_->RevokeClient(ctx, id); }};
       }},
      {"service client secret rotation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         auto c = t.integration_->CreateClient(ctx, "submit", "Submit");
         std::string id = c ? c->client.id : "";
         return {[&t, ctx, id] { return Void(t.integration_->RotateClientSecret(ctx, id)); }};
       }},
      {"service client redirect URI change",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         auto c =
             t.integration_->CreateClient(ctx, "submit", "Web", {{"https://a.example/cb"}, true});
         std::string id = c ? c->client.id : "";
         return {[&t, ctx, id] {
           return Void(t.integration_->SetRedirectUris(ctx, id, {"https://b.example/cb"}));
         }};
       }},
      {"signing key rotation",
       [](T& t, S) -> Call {
         return {[&t] { return Void(t.signing_->Rotate(Actor{"system", "cli", "", ""})); }};
       }},
      {"client credentials token",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         auto c = t.integration_->CreateClient(ctx, "submit", "Submit");
         EXPECT_TRUE(c);
         // The first key exists before the call: only the token's own writes are injected.
         EXPECT_TRUE(t.signing_->Published());
         oidc::ClientAuth auth{c ? c->client.id : "", c ? c->secret : ""};
         return {[&t, auth] {
           return Void(t.tokens_->Token(auth, {"client_credentials", std::nullopt}, kClient));
         }};
       }},
      {"product type creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         core::ProductType type{"",
                                "type-" + tag,
                                "Type",
                                {"things:read"},
                                {{"admin", 2, {"things:read"}}, {"viewer", 1, {}}},
                                {{"trial", "Trial", 5, 14, {}}, {"paid", "Paid", 0, 0, {"core"}}}};
         return {[&t, ctx, type] { return Void(t.products_->CreateProductType(ctx, type)); }};
       }},
      {"subscription cancel",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         return {[&t, o] { return Void(t.products_->CancelSubscription(o.ctx, o.ws, "submit")); }};
       }},
      {"subscription resume",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         EXPECT_TRUE(t.products_->CancelSubscription(o.ctx, o.ws, "submit"));
         return {[&t, o] { return Void(t.products_->ResumeSubscription(o.ctx, o.ws, "submit")); }};
       }},
      {"product type edit (retire)",
       [](T& t, S tag) -> Call {
         auto [ctx, id] = t.NewProductType(tag);
         return {[&t, ctx, id] {
           return Void(t.products_->UpdateProductType(ctx, id, {.name = "New", .retired = true}));
         }};
       }},
      {"product plan put (retire)",
       [](T& t, S tag) -> Call {
         auto [ctx, id] = t.NewProductType(tag);
         return {[&t, ctx, id] {
           return Void(t.products_->PutProductPlan(ctx, id, {"paid", "Paid", 3, 0, {}, true}));
         }};
       }},
      {"Chargebee subscription event",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto product = t.products_->Get(o.ctx, o.ws, "submit");
         ChargebeeEvent e{"ev-" + tag,
                          "subscription_changed",
                          t.clock_.Now(),
                          "sub-" + tag,
                          "active",
                          "enterprise-USD-Monthly",
                          0,
                          product ? product->product.id : ""};
         return {[&t, e] { return Void(t.integration_->ApplyChargebee(e)); }};
       }},
      // The start-up keyring check registering a key new to the database (audited).
      {"keyring key registration",
       [](T& t, S tag) -> Call {
         std::vector<KeyringKeyCheck> keyring;
         EXPECT_TRUE(t.opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
           VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListKeyringKeys());
           for (const auto& r : rows) keyring.push_back({r.kid, r.check_value});
           return {};
         }));
         keyring.push_back({"k-" + tag, "check-" + tag});
         return {[&t, keyring] {
           return Void(CheckKeyring(*t.fault_, t.clock_, t.service_->audit(), keyring));
         }};
       }},
  };
}

}  // namespace vault::app::fault
