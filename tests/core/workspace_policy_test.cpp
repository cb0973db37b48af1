#include <gtest/gtest.h>

#include "core/workspace.hpp"

namespace vault::core {
namespace {

TEST(WorkspacePolicy, FollowsTheCapabilityTableOfSpec3) {
  using C = Capability;
  struct Row {
    C capability;
    bool owner, admin, billing, member;
  };
  const Row table[] = {
      {C::kView, true, true, true, true},
      {C::kEditSettings, true, true, false, false},
      {C::kChangeShortname, true, false, false, false},
      {C::kDeleteWorkspace, true, false, false, false},
      {C::kManageOwners, true, false, false, false},
      {C::kManageMembers, true, true, false, false},
      {C::kManageAccess, true, true, false, false},
      {C::kSeeBilling, true, true, true, false},
      {C::kChangeBilling, true, false, true, false},
      {C::kReadAudit, true, true, false, false},
      {C::kReadBillingAudit, true, true, true, false},
  };
  for (const Row& r : table) {
    EXPECT_EQ(Allows(Role::kOwner, r.capability), r.owner) << static_cast<int>(r.capability);
    EXPECT_EQ(Allows(Role::kAdmin, r.capability), r.admin) << static_cast<int>(r.capability);
    EXPECT_EQ(Allows(Role::kBilling, r.capability), r.billing) << static_cast<int>(r.capability);
    EXPECT_EQ(Allows(Role::kMember, r.capability), r.member) << static_cast<int>(r.capability);
  }
}

TEST(WorkspacePolicy, OnlyOwnersTouchOwners) {
  EXPECT_TRUE(MayChangeRole(Role::kAdmin, Role::kMember, Role::kBilling));
  EXPECT_FALSE(MayChangeRole(Role::kAdmin, Role::kMember, Role::kOwner));
  EXPECT_FALSE(MayChangeRole(Role::kAdmin, Role::kOwner, Role::kMember));
  EXPECT_TRUE(MayChangeRole(Role::kOwner, Role::kOwner, Role::kAdmin));
  EXPECT_FALSE(MayChangeRole(Role::kMember, Role::kMember, Role::kAdmin));
  EXPECT_FALSE(MayRemove(Role::kAdmin, Role::kOwner));
  EXPECT_TRUE(MayRemove(Role::kAdmin, Role::kBilling));
  EXPECT_FALSE(MayRemove(Role::kBilling, Role::kMember));
  EXPECT_FALSE(MayInvite(Role::kAdmin, Role::kOwner));
  EXPECT_TRUE(MayInvite(Role::kOwner, Role::kOwner));
  EXPECT_FALSE(MayInvite(Role::kMember, Role::kMember));
}

TEST(Shortname, FollowsTheRules) {
  EXPECT_EQ(*ValidateShortname("Acme-Prod-2", "shortname"), "acme-prod-2");
  for (const char* bad : {"ab", "1acme", "-acme", "acme-", "ac--me", "acme_prod", "acmé",
                          "a2345678901234567890123456789012345678901"})
    EXPECT_EQ(ValidateShortname(bad, "shortname").error().id, "workspace.shortname_invalid") << bad;
  for (const char* reserved : {"api", "admin", "www", "vault", "login", "LOGIN"})
    EXPECT_EQ(ValidateShortname(reserved, "shortname").error().id, "workspace.shortname_reserved");
}

TEST(Logo, IsCheckedByContent) {
  EXPECT_EQ(*CheckLogo(std::string("\x89PNG\r\n\x1a\n", 8) + "rest"), "image/png");
  EXPECT_EQ(*CheckLogo("\xFF\xD8\xFF\xE0 jpeg"), "image/jpeg");
  auto webp = CheckLogo(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16));
  ASSERT_TRUE(webp);
  EXPECT_EQ(*webp, "image/webp");
  EXPECT_EQ(CheckLogo("<svg onload=alert(1)>").error().id, "logo.unsupported_type");
  EXPECT_EQ(CheckLogo("GIF89a").error().id, "logo.unsupported_type");
  std::string big = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(512 * 1024, 'x');
  EXPECT_EQ(CheckLogo(big).error().code, Code::kPayloadTooLarge);
}

}  // namespace
}  // namespace vault::core
