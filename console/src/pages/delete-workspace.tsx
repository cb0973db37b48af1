// The typed-confirmation dialog that deletes a workspace: an Owner's (workspace Settings) and a
// Super Admin's (the admin workspace page). The delete button stays disabled until the short name
// is typed; `remove` sends it as `confirm` (the API checks it again).
import type { ComponentChildren } from "preact";
import { Dialog, Field, FormError, useForm } from "../ui";

export function DeleteWorkspaceDialog(p: {
  open: boolean;
  name: string;
  shortname: string;
  onClose: () => void;
  remove: (confirm: string) => Promise<void>;
  children: ComponentChildren;
}) {
  const form = useForm({ confirm: "" }, (v) => p.remove(v.confirm));
  const close = () => {
    p.onClose();
    form.setValues({ confirm: "" });
  };
  return (
    <Dialog open={p.open} title={`Delete ${p.name}?`} onClose={close}>
      <form onSubmit={form.onSubmit} noValidate>
        {p.children}
        <Field
          label={`Type ${p.shortname} to confirm`}
          name="confirm"
          autoComplete="off"
          required
          value={form.values.confirm}
          onInput={form.set("confirm")}
          error={form.errors.confirm}
        />
        <FormError message={form.formError} />
        <footer>
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={form.busy || form.values.confirm.trim().toLowerCase() !== p.shortname} aria-busy={form.busy ? "true" : undefined}>
            Delete workspace
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
