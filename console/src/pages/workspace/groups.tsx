// Groups: the list with "New group", and one group with its members and its product roles
// (the grants whose principal is the group).
import { useState } from "preact/hooks";
import { Group, GroupDetail as GroupData, Member, Product, Workspace, api, seg } from "../../api";
import type { PageProps } from "../../app";
import { Link, navigate } from "../../router";
import { ConfirmDialog, DateTime, Dialog, Empty, Field, FormError, Loaded, PageHeader, SelectField, Submit, messageOf, roleName, toast, useForm, useResource, useAllPages, usePaged, LoadMore } from "../../ui";
import { DetailHeader, GrantForm, caps, productPath, removeGrant, useProductTypes, useProducts, wsApi, wsPath } from "./product-common";

const groupPath = (ws: Workspace, g: { id: string }) => `${wsPath(ws)}/groups/${seg(g.id)}`;

export function Groups({ workspace }: PageProps) {
  const ws = workspace!;
  const groups = usePaged<Group>(`${wsApi(ws)}/groups`);
  const [adding, setAdding] = useState(false);
  const newButton = caps(ws).manage && (
    <button type="button" onClick={() => setAdding(true)}>
      New group
    </button>
  );
  return (
    <section>
      <PageHeader title="Groups">{newButton}</PageHeader>
      <Loaded res={groups}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No groups yet" action={newButton}>
              A group gives the same product roles to several people at once, e.g. “Accounting” with Editor on Manage.
            </Empty>
          ) : (
            <table class="stack-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created on</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((g) => (
                  <tr key={g.id}>
                    <th scope="row" data-label="Name">
                      <Link href={groupPath(ws, g)}>{g.name}</Link>
                    </th>
                    <td data-label="Description">{g.description || "—"}</td>
                    <td data-label="Created on">
                      <DateTime iso={g.created_at} dateOnly />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <LoadMore list={groups} />
      <Dialog open={adding} title="New group" onClose={() => setAdding(false)}>
        <GroupForm
          onDone={() => setAdding(false)}
          save={async (v) => {
            const g = await api.post<Group>(`${wsApi(ws)}/groups`, v);
            toast(`Group ${g.name} was created.`);
            navigate(groupPath(ws, g));
          }}
          label="Create group"
        />
      </Dialog>
    </section>
  );
}

type GroupFields = { name: string; description: string };

function GroupForm({ initial = { name: "", description: "" }, save, onDone, label }: { initial?: GroupFields; save: (v: GroupFields) => Promise<void>; onDone: () => void; label: string }) {
  const form = useForm(initial, async (v) => {
    await save(v);
    onDone();
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Field label="Name" name="name" required value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
      <Field label="Description (optional)" name="description" value={form.values.description} onInput={form.set("description")} error={form.errors.description} />
      <FormError message={form.formError} />
      <footer>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
        <Submit busy={form.busy}>{label}</Submit>
      </footer>
    </form>
  );
}

export function GroupDetail({ workspace, params }: PageProps) {
  const ws = workspace!;
  const res = useResource<GroupData>(`${wsApi(ws)}/groups/${seg(params.group)}`);
  return <Loaded res={res} rows={5}>{(g) => <GroupView ws={ws} g={g} reload={res.reload} />}</Loaded>;
}

function GroupView({ ws, g, reload }: { ws: Workspace; g: GroupData; reload: () => void }) {
  const can = caps(ws);
  const [modal, setModal] = useState<"" | "edit" | "delete" | "grant">("");
  const close = () => setModal("");
  const members = useAllPages<Member>(`${wsApi(ws)}/members`);
  const products = useProducts(ws);
  const types = useProductTypes();
  const path = `${wsApi(ws)}/groups/${seg(g.id)}`;
  const inGroup = (members.data?.items || []).filter((m) => g.member_ids.includes(m.account_id));
  return (
    <section>
      <DetailHeader back={`${wsPath(ws)}/groups`} backLabel="Groups" title={g.name} manage={can.manage} onEdit={() => setModal("edit")} onDelete={() => setModal("delete")} />
      <p class="meta-line">
        <span>{g.description || "No description."}</span>
        <span>
          Created <DateTime iso={g.created_at} dateOnly />
        </span>
      </p>

      <section aria-labelledby="gm-h">
        <div class="page-header section-header">
          <h2 id="gm-h">Members</h2>
        </div>
        <Loaded res={members}>
          {(d) => (
            <>
              {inGroup.length === 0 ? (
                <Empty title="Nobody is in this group yet">
                  {can.manage ? "Add a workspace member below; they get the group's product roles." : "An Owner or Admin can add workspace members to it."}
                </Empty>
              ) : (
                <ul class="plain-list">
                  {inGroup.map((m) => (
                    <li key={m.account_id}>
                      <span>
                        {m.name} <small>({m.email})</small>
                      </span>
                      {can.manage && (
                        <button
                          type="button"
                          class="secondary small"
                          onClick={() =>
                            api.del(`${path}/members/${seg(m.account_id)}`).then(
                              () => {
                                toast(`${m.name} was removed from ${g.name}.`);
                                reload();
                              },
                              (e) => toast(messageOf(e)),
                            )
                          }
                        >
                          Remove<span class="visually-hidden"> {m.name} from the group</span>
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {can.manage && <AddMember path={path} candidates={d.items.filter((m) => !g.member_ids.includes(m.account_id))} onAdded={reload} />}
            </>
          )}
        </Loaded>
      </section>

      <section aria-labelledby="gp-h">
        <div class="page-header section-header">
          <h2 id="gp-h">Product roles</h2>
          {can.manage && (
            <button type="button" onClick={() => setModal("grant")}>
              Add product role
            </button>
          )}
        </div>
        <Loaded res={products}>
          {(d) => <ProductRoles ws={ws} g={g} products={d.items} manage={can.manage} onChange={reload} />}
        </Loaded>
      </section>

      <Dialog open={modal === "edit"} title={`Edit ${g.name}`} onClose={close}>
        <GroupForm
          initial={{ name: g.name, description: g.description }}
          label="Save"
          onDone={close}
          save={async (v) => {
            await api.patch(path, v);
            toast("Group saved.");
            reload();
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={modal === "delete"}
        title={`Delete ${g.name}?`}
        confirmLabel={`Delete ${g.name}`}
        onClose={close}
        onConfirm={async () => {
          await api.del(path);
          toast(`Group ${g.name} was deleted.`);
          navigate(`${wsPath(ws)}/groups`, { replace: true });
        }}
      >
        <p>
          The group <strong>{g.name}</strong> and its {g.products.length} product {g.products.length === 1 ? "role" : "roles"} will be deleted.
          Its {g.member_ids.length} {g.member_ids.length === 1 ? "member stays" : "members stay"} in the workspace but lose the access the
          group gave them.
        </p>
      </ConfirmDialog>
      <Dialog open={modal === "grant"} title={`Give ${g.name} a product role`} onClose={close}>
        <GrantForm ws={ws} types={types.data?.items} products={products.data?.items} principal={{ type: "group", id: g.id }} onDone={close} onSaved={reload} />
      </Dialog>
    </section>
  );
}

function AddMember({ path, candidates, onAdded }: { path: string; candidates: Member[]; onAdded: () => void }) {
  const form = useForm({ account_id: "" }, async (v) => {
    await api.put(`${path}/members/${seg(v.account_id)}`);
    toast(`${candidates.find((m) => m.account_id === v.account_id)?.name || "The member"} was added to the group.`);
    form.setValues({ account_id: "" });
    onAdded();
  });
  if (candidates.length === 0) return <p class="muted-note">Every workspace member is in this group.</p>;
  return (
    <form class="inline-form" onSubmit={form.onSubmit} noValidate>
      <SelectField
        label="Add a workspace member"
        name="account_id"
        placeholder="Choose a member"
        value={form.values.account_id}
        onInput={form.set("account_id")}
        options={candidates.map((m) => [m.account_id, `${m.name} (${m.email})`])}
        error={form.errors.account_id}
      />
      <Submit busy={form.busy} class="secondary">
        Add to group
      </Submit>
      <FormError message={form.formError} />
    </form>
  );
}

function ProductRoles({ ws, g, products, manage, onChange }: { ws: Workspace; g: GroupData; products: Product[]; manage: boolean; onChange: () => void }) {
  if (g.products.length === 0)
    return <Empty title="This group has no product roles">{manage ? "Add one to give every member of the group access to a product." : "An Owner or Admin can give it one."}</Empty>;
  return (
    <ul class="plain-list">
      {g.products.map((a) => {
        const p = products.find((x) => x.id === a.product_id);
        const name = p?.name || "A deleted product";
        return (
          <li key={a.product_id}>
            <span>
              {p ? <Link href={productPath(ws, p)}>{name}</Link> : name} · {roleName(a.role)}
            </span>
            {manage && (
              <button type="button" class="secondary small" onClick={() => removeGrant(ws, a.product_id, { type: "group", id: g.id }, `${g.name}'s role on ${name}`, onChange)}>
                Remove<span class="visually-hidden"> the role on {name}</span>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
