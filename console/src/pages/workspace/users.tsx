// Users: the members of a workspace (role changes, removal, leaving) and, for Owners and
// Admins, invitations (send, resend, revoke). Only the actions the caller's role allows appear.
import { useState } from "preact/hooks";
import { ApiError, Invitation, Member, Role, Workspace, api, seg } from "../../api";
import type { PageProps } from "../../app";
import { navigate } from "../../router";
import {
  ConfirmDialog,
  DateTime,
  Empty,
  Field,
  FormError,
  Loaded,
  PageHeader,
  RoleBadge,
  SelectField,
  StatusBadge,
  Submit,
  DataTable,
  messageOf,
  roleName,
  toast,
  useForm,
  usePaged,
  LoadMore,
} from "../../ui";

const ROLES: Role[] = ["owner", "admin", "member", "billing"];

/** Roles the caller may give (invite to, or change someone to). */
export function grantableRoles(my: Role): Role[] {
  if (my === "owner") return ROLES;
  if (my === "admin") return ROLES.filter((r) => r !== "owner");
  return [];
}

const roleOptions = (roles: Role[]): [string, string][] => roles.map((r) => [r, roleName(r)]);

/** Owners act on anyone; Admins on everyone but Owners; nobody else on others. */
function mayManage(my: Role, target: Member): boolean {
  return my === "owner" || (my === "admin" && target.role !== "owner");
}

export function Users({ workspace, account }: PageProps) {
  const ws = workspace as Workspace;
  const base = `/api/v1/workspaces/${seg(ws.id)}`;
  const members = usePaged<Member>(base + "/members");
  const [removing, setRemoving] = useState<Member | null>(null);
  const me = account?.id;
  const my = ws.my_role;
  const self = removing?.account_id === me;

  const changeRole = async (m: Member, role: Role) => {
    try {
      await api.patch(`${base}/members/${seg(m.account_id)}`, { role });
      members.setData({ ...members.data, items: (members.data?.items || []).map((x) => (x.account_id === m.account_id ? { ...x, role } : x)) });
      toast(`${m.name} is now ${roleName(role)}.`);
    } catch (e) {
      toast(`${m.name}'s role was not changed: ${messageOf(e)}`);
      members.reload();
    }
  };

  const remove = async () => {
    const m = removing as Member;
    try {
      await api.del(`${base}/members/${seg(m.account_id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "workspace.last_owner")
        throw new ApiError({
          status: 409,
          code: "workspace.last_owner.explained",
          detail: `${self ? "You are" : `${m.name} is`} the only Owner of ${ws.name}. Make another member Owner first, or delete the workspace in Settings.`,
        });
      throw e;
    }
    if (self) {
      toast(`You left ${ws.name}.`);
      navigate("/", { replace: true });
      return;
    }
    members.setData({ ...members.data, items: (members.data?.items || []).filter((x) => x.account_id !== m.account_id) });
    toast(`${m.name} was removed from ${ws.name}.`);
  };

  return (
    <section class="ws-page">
      <PageHeader title="Users" />
      <h2 class="first">Members</h2>
      <Loaded res={members}>
        {(d) => (
          <DataTable label="Members" columns={["Name", "Role", "Groups", "Two-factor", "Joined", "Last sign-in", ""]}>
            {d.items.map((m) => {
              const isMe = m.account_id === me;
              const canChange = !isMe && mayManage(my, m);
              return (
                <tr key={m.account_id}>
                  <td>
                    <strong>{m.name}</strong>
                    {isMe && " (you)"}
                    <br />
                    <small class="muted">{m.email}</small>
                  </td>
                  <td>
                    {canChange ? (
                      <select
                        class="inline-select"
                        aria-label={`Role of ${m.name}`}
                        value={m.role}
                        onChange={(e) => void changeRole(m, (e.target as HTMLSelectElement).value as Role)}
                      >
                        {roleOptions(grantableRoles(my)).map(([v, l]) => (
                          <option key={v} value={v}>
                            {l}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <RoleBadge role={m.role} />
                    )}
                  </td>
                  <td>{m.groups.length ? m.groups.map((g) => g.name).join(", ") : <span class="muted">None</span>}</td>
                  <td>
                    <StatusBadge ok={m.mfa_enabled} text={m.mfa_enabled ? "On" : ws.require_2fa ? "Off (required)" : "Off"} />
                  </td>
                  <td>
                    <DateTime iso={m.joined_at} dateOnly />
                  </td>
                  <td>{m.last_sign_in_at ? <DateTime iso={m.last_sign_in_at} /> : <span class="muted">Never</span>}</td>
                  <td class="row-actions">
                    {(isMe || mayManage(my, m)) && (
                      <button type="button" class="secondary outline small" onClick={() => setRemoving(m)}>
                        {isMe ? "Leave workspace" : `Remove`}
                        {!isMe && <span class="visually-hidden"> {m.name}</span>}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </Loaded>
      <LoadMore list={members} />
      {(my === "owner" || my === "admin") && <Invitations base={base} my={my} />}
      <ConfirmDialog
        open={!!removing}
        title={self ? `Leave ${ws.name}?` : `Remove ${removing?.name} from ${ws.name}?`}
        confirmLabel={self ? "Leave workspace" : `Remove ${removing?.name}`}
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      >
        {self ? (
          <p>
            You lose access to {ws.name} and its products at once. To come back, someone must invite you again.
          </p>
        ) : (
          <p>
            {removing?.name} ({removing?.email}) loses access to {ws.name} and all its products at once, with their group
            memberships and product access here. Invitations they sent are revoked. API keys they created keep working. You
            can invite them again later.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function Invitations({ base, my }: { base: string; my: Role }) {
  const list = usePaged<Invitation>(base + "/invitations");
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const roles = grantableRoles(my);
  const form = useForm({ email: "", role: "member" as string }, async (v) => {
    const inv = await api.post<Invitation>(base + "/invitations", v);
    list.setData({ ...list.data, items: [inv, ...(list.data?.items || []).filter((x) => x.id !== inv.id)] });
    form.setValues({ email: "", role: v.role });
    toast(`Invitation sent to ${v.email}.`);
  });
  const replace = (inv: Invitation) => list.setData({ ...list.data, items: (list.data?.items || []).map((x) => (x.id === inv.id ? inv : x)) });
  const resend = async (inv: Invitation) => {
    try {
      replace(await api.post<Invitation>(`${base}/invitations/${seg(inv.id)}/resend`));
      toast(`A new invitation was sent to ${inv.email}. The earlier link no longer works.`);
    } catch (e) {
      toast(`The invitation to ${inv.email} was not resent: ${messageOf(e)}`);
    }
  };
  const revoke = async () => {
    const inv = revoking as Invitation;
    await api.del(`${base}/invitations/${seg(inv.id)}`);
    list.setData({ ...list.data, items: (list.data?.items || []).filter((x) => x.id !== inv.id) });
    toast(`The invitation to ${inv.email} was revoked.`);
  };
  return (
    <>
      <h2>Invite someone</h2>
      <form class="inline-form" onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="off" required value={form.values.email} onInput={form.set("email")} error={form.errors.email} />
        <SelectField label="Role" name="role" value={form.values.role} onInput={form.set("role")} options={roleOptions(roles)} error={form.errors.role} />
        <Submit busy={form.busy}>Send invitation</Submit>
      </form>
      <FormError message={form.formError} />
      <p class="muted">The link in the email works for 7 days. Someone without an account creates one through it.</p>

      <h2>Pending invitations</h2>
      <Loaded res={list} rows={2}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No pending invitations">Invitations you send appear here until they are accepted.</Empty>
          ) : (
            <DataTable label="Pending invitations" columns={["Email", "Role", "Sent", "Link expires", ""]}>
              {d.items.map((inv) => (
                <tr key={inv.id}>
                  <td>{inv.email}</td>
                  <td>
                    <RoleBadge role={inv.role} />
                  </td>
                  <td>
                    <DateTime iso={inv.created_at} />
                  </td>
                  <td>
                    <DateTime iso={inv.expires_at} />
                  </td>
                  <td class="row-actions">
                    <button type="button" class="secondary outline small" onClick={() => void resend(inv)}>
                      Resend<span class="visually-hidden"> to {inv.email}</span>
                    </button>
                    <button type="button" class="secondary outline small" onClick={() => setRevoking(inv)}>
                      Revoke<span class="visually-hidden"> invitation to {inv.email}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <LoadMore list={list} />
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke the invitation to ${revoking?.email}?`}
        confirmLabel="Revoke invitation"
        onConfirm={revoke}
        onClose={() => setRevoking(null)}
      >
        <p>The link in their email stops working. You can invite them again later.</p>
      </ConfirmDialog>
    </>
  );
}
