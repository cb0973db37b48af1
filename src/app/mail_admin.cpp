// PlatformService: the Super Admin's view of the mail outbox (issue 16): dead letters and their
// retry.
#include "app/platform_service.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

Result<Paged<core::OutboxMail>> PlatformService::ListMail(const AuthContext& ctx,
                                                          core::MailState state,
                                                          const PageRequest& page) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  const PagedList list{"mail-outbox", core::MailStateName(state), true};
  VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::OutboxMail>> {
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListMail(state, after));
    return ClosePage(std::move(rows), after, list, [](const core::OutboxMail& m) {
      return std::pair{std::to_string(m.created_at), m.id};
    });
  });
}

Result<void> PlatformService::RetryMail(const AuthContext& ctx, const std::string& id) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto requeued, p_.mail.Requeue(tx, id));
    if (!requeued)
      return Fail(Code::kNotFound, "mail.not_found", "no dead-letter message has this id");
    return audit_.Record(tx, ActorOf(ctx), {"admin.mail_retried", "mail", id});
  });
}

}  // namespace vault::app
