// Audit events in words: the action as a short sentence and the summary as "key: value" pairs.
// Shared by the workspace Audit page and anyone listing events (dashboard, own activity).
const ACTIONS: Record<string, string> = {
  "workspace.created": "Created the workspace",
  "workspace.updated": "Changed workspace settings",
  "workspace.deleted": "Deleted the workspace",
  "workspace.logo_updated": "Changed the logo",
  "workspace.logo_removed": "Removed the logo",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "member.left": "Left the workspace",
  "invitation.created": "Invited someone",
  "invitation.resent": "Resent an invitation",
  "invitation.revoked": "Revoked an invitation",
  "invitation.accepted": "Accepted an invitation",
  "invitation.declined": "Declined an invitation",
  "product.created": "Added a product",
  "product.updated": "Changed a product",
  "product.disabled": "Disabled a product",
  "product.enabled": "Enabled a product",
  "product.deleted": "Deleted a product",
  "subscription.plan_changed": "Changed a plan",
  "subscription.updated": "Subscription updated by the billing provider",
  "subscription.link_refused": "Refused to link a subscription",
  "grant.set": "Gave product access",
  "grant.removed": "Removed product access",
  "group.created": "Created a group",
  "group.updated": "Changed a group",
  "group.deleted": "Deleted a group",
  "group.member_added": "Added someone to a group",
  "group.member_removed": "Removed someone from a group",
  "api_key.created": "Created an API key",
  "api_key.revoked": "Revoked an API key",
  "api_key.rolled": "Rolled an API key",
  "account.created": "Created the account",
  "session.signed_in": "Signed in",
  "session.sign_in_failed": "Failed to sign in",
  "session.signed_out": "Signed out",
  "session.revoked": "Ended a session",
  "session.revoked_others": "Ended all other sessions",
  "session.mfa_challenged": "Was asked for a second factor",
  "session.mfa_failed": "Entered a wrong second-factor code",
  "account.locked_out": "Sign-in paused after repeated failures",
  "account.profile_updated": "Changed the profile",
  "account.password_changed": "Changed the password",
  "account.password_reset_requested": "Asked to reset the password",
  "account.password_reset": "Reset the password",
  "account.password_recheck_failed": "Entered a wrong password",
  "account.email_change_requested": "Asked to change the email address",
  "account.email_changed": "Changed the email address",
  "account.deleted": "Deleted the account",
  "account.data_exported": "Downloaded their data",
  "mfa.totp_enrolment_started": "Started setting up two-factor authentication",
  "mfa.totp_enabled": "Turned on two-factor authentication",
  "mfa.totp_disabled": "Turned off two-factor authentication",
  "mfa.recovery_codes_regenerated": "Replaced the recovery codes",
  "mfa.recovery_code_used": "Used a recovery code",
};

export function actionWords(action: string): string {
  return ACTIONS[action] || action.replace(/[._]/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** The summary as short "key: value" text; a from/to pair reads "from → to". */
export function summaryWords(summary: Record<string, unknown> | undefined): string {
  if (!summary) return "";
  const { from, to, ...rest } = summary;
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  if (from !== undefined || to !== undefined) parts.unshift(`${from ?? "—"} → ${to ?? "—"}`);
  return parts.join(", ");
}
