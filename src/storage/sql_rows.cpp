// Row mappers shared by the SqlTx files (sql_rows.hpp).
#include "storage/sql_rows.hpp"

namespace vault::storage {

core::Product ToProduct(const SqlRow& r) {
  return core::Product{r.Str(0), r.Str(1),      r.Str(2), r.Str(3),
                       r.Str(4), r.Int(5) != 0, r.Int(6), r.Int(7)};
}

core::Subscription ToSubscription(const SqlRow& r) {
  return core::Subscription{
      r.Str(0),
      r.Str(1),
      core::ParseSubscriptionStatus(r.Str(2)).value_or(core::SubscriptionStatus::kCancelled),
      r.Str(3),
      r.Str(4),
      r.Int(5),
      r.Int(6),
      r.Int(7)};
}

core::ProductConfig ToConfig(const SqlRow& r) {
  return core::ProductConfig{r.Str(0), r.Str(1), r.Int(2), r.Int(3), r.Str(4)};
}

core::Grant ToGrant(const SqlRow& r) {
  return core::Grant{
      r.Str(0), r.Str(1) == "group" ? core::PrincipalType::kGroup : core::PrincipalType::kAccount,
      r.Str(2), r.Str(3),
      r.Str(4), r.Int(5)};
}

core::Workspace ToWorkspace(const SqlRow& r, std::size_t o) {
  return core::Workspace{r.Str(o),     r.Str(o + 1), r.Str(o + 2), r.Str(o + 3), r.Int(o + 4) != 0,
                         r.Int(o + 5), r.Int(o + 6), r.Int(o + 7), r.Str(o + 8)};
}

core::Role RoleOf(const std::string& s) {
  auto r = core::ParseRole(s, "role");
  return r ? *r : core::Role::kMember;  // the column only ever holds valid names
}

}  // namespace vault::storage
