// Public pages: sign-in (with the 2FA step), sign-up and its emailed link, password recovery,
// invitations and email-change confirmation. Every emailed path reads its token from the URL.
import { useEffect, useState } from "preact/hooks";
import { ApiError, SignedIn, Workspace, api } from "../api";
import type { PageProps } from "../app";
import { Link, navigate, safeNext } from "../router";
import { signedIn, updateAccount } from "../session";
import { Field, FormError, PageHeader, Submit, messageOf, useForm } from "../ui";

interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  expires_in: number;
}

/**
 * Where an application's sign-in (OpenID Connect) continues: only Vault's own authorization
 * endpoint, so the page cannot be used to send a person to another site.
 */
export function safeReturnTo(r: string | null): string | null {
  return r && r.startsWith("/oauth2/authorize?") ? r : null;
}

export function SignIn({ query, account }: PageProps) {
  const next = safeNext(query.get("next"));
  const returnTo = safeReturnTo(query.get("return_to"));
  // fresh: the application asked for a new sign-in (prompt=login or max_age) — ask even if
  // a session exists.
  const fresh = !!returnTo && query.get("fresh") === "1";
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const go = () => (returnTo ? location.assign(returnTo) : navigate(next, { replace: true }));
  useEffect(() => {
    if (account && !challenge && !fresh) go();
  }, [account]);
  const form = useForm({ email: query.get("email") || "", password: "" }, async (v) => {
    const r = await api.post<SignedIn | MfaChallenge>("/api/v1/sessions", v, { allow401: true });
    if ("mfa_required" in r) {
      setChallenge(r);
      return;
    }
    await signedIn(r);
    go();
  });
  if (challenge)
    return (
      <MfaStep
        challenge={challenge}
        onDone={async (s) => {
          await signedIn(s);
          go();
        }}
        onRestart={() => setChallenge(null)}
      />
    );
  return (
    <section>
      <PageHeader title="Sign in" />
      {returnTo && <p role="status">Sign in with your Atomyx account to continue to the application.</p>}
      {query.get("expired") && <p role="status">Your session ended. Sign in again to continue where you were.</p>}
      {query.get("reset") && <p role="status">Your password was changed. Sign in with the new one.</p>}
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus value={form.values.email} onInput={form.set("email")} error={form.errors.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={form.values.password} onInput={form.set("password")} error={form.errors.password} />
        <FormError message={form.formError} />
        <Submit busy={form.busy}>Sign in</Submit>
      </form>
      <p>
        <Link href="/password/forgot">Forgot your password?</Link>
      </p>
      <p>
        New to Atomyx? <Link href="/signup">Create an account</Link>
      </p>
    </section>
  );
}

function MfaStep({ challenge, onDone, onRestart }: { challenge: MfaChallenge; onDone: (s: SignedIn) => Promise<void>; onRestart: () => void }) {
  const [useRecovery, setUseRecovery] = useState(false);
  const form = useForm({ code: "", recovery_code: "" }, async (v) => {
    const typed = useRecovery ? v.recovery_code.trim() : v.code.replace(/\s+/g, "");
    if (!typed)
      throw new ApiError({ status: 400, code: "validation.required", field: useRecovery ? "recovery_code" : "code" });
    const body = useRecovery
      ? { mfa_token: challenge.mfa_token, recovery_code: v.recovery_code.trim() }
      : { mfa_token: challenge.mfa_token, code: v.code.replace(/\s+/g, "") };
    const s = await api.post<SignedIn>("/api/v1/sessions/mfa", body, { allow401: true });
    await onDone(s);
  });
  const expired = form.formError && /token/.test(form.formError);
  return (
    <section>
      <PageHeader title="Two-factor authentication" />
      <form onSubmit={form.onSubmit} noValidate>
        {useRecovery ? (
          <Field label="Recovery code" name="recovery_code" autoComplete="one-time-code" required autoFocus hint="One of the codes you saved when you turned on two-factor authentication, like abcde-12345." value={form.values.recovery_code} onInput={form.set("recovery_code")} error={form.errors.recovery_code && /not right/.test(form.errors.recovery_code) ? "That recovery code is not right, or it was already used." : form.errors.recovery_code} />
        ) : (
          <Field label="Code from your authenticator app" name="code" inputMode="numeric" autoComplete="one-time-code" required autoFocus maxLength={10} value={form.values.code} onInput={form.set("code")} error={form.errors.code} />
        )}
        <FormError message={form.formError || (form.errors.mfa_token ? form.errors.mfa_token : "")} />
        <Submit busy={form.busy}>Verify</Submit>
      </form>
      <p>
        <button type="button" class="link-button" onClick={() => setUseRecovery(!useRecovery)}>
          {useRecovery ? "Use a code from your authenticator app" : "Use a recovery code instead"}
        </button>
      </p>
      {(expired || form.errors.mfa_token) && (
        <p>
          <button type="button" class="link-button" onClick={onRestart}>
            Start signing in again
          </button>
        </p>
      )}
    </section>
  );
}

export function SignUp(_: PageProps) {
  const form = useForm({ name: "", email: "" }, async (v) => {
    await api.post("/api/v1/signup", v);
    navigate("/signup/check-email?email=" + encodeURIComponent(v.email));
  });
  return (
    <section>
      <PageHeader title="Create your account" />
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Your name" name="name" autoComplete="name" required autoFocus value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
        <Field label="Work email" name="email" type="email" autoComplete="email" required value={form.values.email} onInput={form.set("email")} error={form.errors.email} />
        <FormError message={form.formError} />
        <Submit busy={form.busy}>Continue</Submit>
      </form>
      <p>
        Already have an account? <Link href="/signin">Sign in</Link>
      </p>
    </section>
  );
}

export function CheckEmail({ query }: PageProps) {
  const email = query.get("email");
  return (
    <section>
      <PageHeader title="Check your email" />
      <p>
        We sent a link to {email ? <strong>{email}</strong> : "your address"}. Open it to set your password and finish
        creating your account. The link works for 24 hours.
      </p>
      <p>
        No mail after a few minutes? Check your spam folder, or <Link href="/signup">try again</Link>.
      </p>
    </section>
  );
}

/** "Set a password" form shared by sign-up completion, password reset and invitation sign-up. */
function MissingToken() {
  return (
    <section>
      <PageHeader title="This link is incomplete" />
      <p>The link is missing its code. Open it again from your email, or copy the whole address into the browser.</p>
    </section>
  );
}

export function CompleteSignUp({ query }: PageProps) {
  const token = query.get("token") || "";
  const form = useForm({ password: "", token }, async (v) => {
    const s = await api.post<SignedIn>("/api/v1/signup/complete", { token: v.token, password: v.password });
    await signedIn(s);
    navigate("/", { replace: true });
  });
  if (!token) return <MissingToken />;
  return (
    <section>
      <PageHeader title="Set your password" />
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="New password" name="password" type="password" autoComplete="new-password" required autoFocus hint="At least 10 characters; avoid common passwords." value={form.values.password} onInput={form.set("password")} error={form.errors.password} />
        <FormError message={form.errors.token || form.formError} />
        <Submit busy={form.busy}>Create account</Submit>
      </form>
      {form.errors.token && (
        <p>
          <Link href="/signup">Start again with a new link</Link>
        </p>
      )}
    </section>
  );
}

export function ForgotPassword({ query }: PageProps) {
  const [sent, setSent] = useState("");
  const form = useForm({ email: query.get("email") || "" }, async (v) => {
    await api.post("/api/v1/password/forgot", v);
    setSent(v.email);
  });
  if (sent)
    return (
      <section>
        <PageHeader title="Check your email" />
        <p role="status">
          If <strong>{sent}</strong> has an account, we sent it a link to reset the password. The link works for one hour.
        </p>
        <p>
          <Link href="/signin">Back to sign in</Link>
        </p>
      </section>
    );
  return (
    <section>
      <PageHeader title="Reset your password" />
      <p>Enter your account's email address and we will send you a link to set a new password.</p>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus value={form.values.email} onInput={form.set("email")} error={form.errors.email} />
        <FormError message={form.formError} />
        <Submit busy={form.busy}>Send reset link</Submit>
      </form>
      <p>
        <Link href="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ResetPassword({ query }: PageProps) {
  const token = query.get("token") || "";
  const form = useForm({ password: "", token }, async (v) => {
    await api.post("/api/v1/password/reset", { token: v.token, password: v.password });
    navigate("/signin?reset=1", { replace: true });
  });
  if (!token) return <MissingToken />;
  return (
    <section>
      <PageHeader title="Choose a new password" />
      <p>Signing in with the new password ends every other session of your account.</p>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="New password" name="password" type="password" autoComplete="new-password" required autoFocus hint="At least 10 characters; avoid common passwords." value={form.values.password} onInput={form.set("password")} error={form.errors.password} />
        <FormError message={form.errors.token || form.formError} />
        <Submit busy={form.busy}>Set new password</Submit>
      </form>
      {form.errors.token && (
        <p>
          <Link href="/password/forgot">Ask for a new link</Link>
        </p>
      )}
    </section>
  );
}

export function Invitation({ query, account }: PageProps) {
  const token = query.get("token") || "";
  const [declined, setDeclined] = useState(false);
  const [needSignIn, setNeedSignIn] = useState(false);
  const here = "/invitations/accept?token=" + encodeURIComponent(token);
  const accept = useForm({ token, name: "", password: "" }, async (v) => {
    try {
      const r = await api.post<{ workspace: Workspace } & Partial<SignedIn>>(
        "/api/v1/invitations/accept",
        account ? { token: v.token } : { token: v.token, name: v.name, password: v.password },
        { allow401: true },
      );
      if (r.session && r.account) await signedIn(r as SignedIn);
      navigate(`/w/${encodeURIComponent(r.workspace.shortname)}`, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && !account) {
        setNeedSignIn(true);
        return;
      }
      throw e;
    }
  });
  const [declineError, setDeclineError] = useState("");
  if (!token) return <MissingToken />;
  if (declined)
    return (
      <section>
        <PageHeader title="Invitation declined" />
        <p role="status">You declined the invitation. Nobody was added to the workspace.</p>
      </section>
    );
  const decline = async () => {
    try {
      await api.post("/api/v1/invitations/decline", { token });
      setDeclined(true);
    } catch (e) {
      setDeclineError(messageOf(e));
    }
  };
  return (
    <section>
      <PageHeader title="You are invited to a workspace" />
      {needSignIn ? (
        <p role="alert">
          This address already has an account. <Link href={"/signin?next=" + encodeURIComponent(here)}>Sign in</Link> to
          accept the invitation.
        </p>
      ) : account ? (
        <p>
          Signed in as <strong>{account.email}</strong>. Accept to join the workspace with this account.
        </p>
      ) : (
        <p>
          New to Atomyx? Choose your name and a password to join. Already have an account?{" "}
          <Link href={"/signin?next=" + encodeURIComponent(here)}>Sign in first</Link>.
        </p>
      )}
      <form onSubmit={accept.onSubmit} noValidate>
        {!account && (
          <>
            <Field label="Your name" name="name" autoComplete="name" required value={accept.values.name} onInput={accept.set("name")} error={accept.errors.name} />
            <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 10 characters; avoid common passwords." value={accept.values.password} onInput={accept.set("password")} error={accept.errors.password} />
          </>
        )}
        <FormError message={accept.errors.token || accept.formError || declineError} />
        <div class="grid">
          <Submit busy={accept.busy}>Accept invitation</Submit>
          <button type="button" class="secondary" onClick={decline}>
            Decline
          </button>
        </div>
      </form>
    </section>
  );
}

export function ConfirmEmail({ query, account }: PageProps) {
  const token = query.get("token") || "";
  const [state, setState] = useState<"idle" | "busy" | "done" | "error">("idle");
  const [error, setError] = useState("");
  const [email, setEmail] = useState("");
  if (!token) return <MissingToken />;
  const confirm = async () => {
    setState("busy");
    try {
      const a = await api.post<{ email: string }>("/api/v1/email/confirm", { token });
      setEmail(a.email);
      if (account) updateAccount({ ...account, email: a.email });
      setState("done");
    } catch (e) {
      setError(messageOf(e));
      setState("error");
    }
  };
  return (
    <section>
      <PageHeader title="Confirm your new email address" />
      {state === "done" ? (
        <>
          <p role="status">
            Your email address is now <strong>{email}</strong>.
          </p>
          <p>
            <Link href={account ? "/profile" : "/signin"}>{account ? "Back to your profile" : "Sign in"}</Link>
          </p>
        </>
      ) : (
        <>
          <p>Confirm to make this the address you sign in with and receive mail at.</p>
          <FormError message={error} />
          <button type="button" aria-busy={state === "busy" ? "true" : undefined} disabled={state === "busy"} onClick={confirm}>
            Confirm email address
          </button>
        </>
      )}
    </section>
  );
}

// ------------------------------------------------------------ application sign-in (OpenID Connect)

interface AuthorizeChoice {
  workspace_id: string;
  workspace_name: string;
  workspace_shortname: string;
  product_id: string;
  product_name: string;
  role: string;
  last_used: boolean;
}

interface AuthorizePlan {
  status: "error" | "login" | "choose" | "denied" | "redirect" | "ready";
  client_name: string;
  error?: string;
  description?: string;
  reason?: string;
  redirect_to?: string;
  return_to?: string;
  fresh?: boolean;
  login_hint?: string;
  choices?: AuthorizeChoice[];
}

const DENIALS: Record<string, string> = {
  no_grant: "Your account has no role in this application in any of your workspaces. Ask an administrator of your workspace to give you access.",
  product_inactive: "This application's subscription in your workspace is not active. Ask a workspace owner or billing contact to renew it.",
  workspace_requires_2fa: "Your workspace requires two-factor authentication, and your account does not use it yet.",
  account_disabled: "Your account is disabled.",
  workspace_suspended: "Your workspace is suspended by the platform operators. Sign-in works again once they resume it.",
};

/** The authorization request's query without the chooser's answer. */
function requestQuery(): URLSearchParams {
  const q = new URLSearchParams(location.search);
  q.delete("workspace_id");
  q.delete("product_id");
  return q;
}

/**
 * What an application's sign-in shows on Vault: the workspace chooser, an access denial that
 * explains itself before returning to the application, or an error with the request itself.
 */
export function Authorize() {
  const [plan, setPlan] = useState<AuthorizePlan | null>(null);
  const [failure, setFailure] = useState("");
  useEffect(() => {
    const q = requestQuery();
    api
      .get<AuthorizePlan>("/api/v1/oauth/authorization?" + q.toString(), { allow401: true })
      .then((p) => {
        if (p.status === "login") {
          let to = "/signin?return_to=" + encodeURIComponent(p.return_to || "");
          if (p.fresh) to += "&fresh=1";
          if (p.login_hint) to += "&email=" + encodeURIComponent(p.login_hint);
          navigate(to, { replace: true });
        } else if (p.status === "ready") location.replace("/oauth2/authorize?" + q.toString());
        else if (p.status === "redirect" && p.redirect_to) location.replace(p.redirect_to);
        else setPlan(p);
      })
      .catch((e) => setFailure(messageOf(e)));
  }, []);
  if (failure)
    return (
      <section>
        <PageHeader title="Sign-in could not continue" />
        <p role="alert">{failure}</p>
      </section>
    );
  if (!plan) return <p aria-busy="true">Loading…</p>;
  const app = plan.client_name || "the application";
  if (plan.status === "choose") {
    const choose = (c: AuthorizeChoice) => {
      const q = requestQuery();
      q.set("workspace_id", c.workspace_id);
      q.set("product_id", c.product_id);
      location.assign("/oauth2/authorize?" + q.toString());
    };
    return (
      <section>
        <PageHeader title="Choose a workspace" />
        <p>Which workspace do you want to use in {app}?</p>
        <ul class="choices">
          {plan.choices!.map((c) => (
            <li key={c.product_id}>
              <button type="button" class={c.last_used ? "" : "secondary"} onClick={() => choose(c)}>
                <strong>{c.workspace_name}</strong> — {c.product_name} <small>({c.role}{c.last_used ? ", last used" : ""})</small>
              </button>
            </li>
          ))}
        </ul>
      </section>
    );
  }
  if (plan.status === "denied")
    return (
      <section>
        <PageHeader title={`You can't use ${app} yet`} />
        <p role="alert">{DENIALS[plan.reason || ""] || "Your account may not use this application."}</p>
        {plan.reason === "workspace_requires_2fa" && (
          <p>
            <Link href="/security">Turn on two-factor authentication</Link>, then sign in to {app} again.
          </p>
        )}
        <p>
          <a href={plan.redirect_to} role="button" class="secondary">
            Return to {app}
          </a>
        </p>
      </section>
    );
  return (
    <section>
      <PageHeader title="This sign-in link does not work" />
      <p role="alert">{plan.description}</p>
      <p>
        Go back to the application and start again. If it keeps happening, tell its administrator (error: <code>{plan.error}</code>).
      </p>
    </section>
  );
}

const LOGOUT_ERRORS: Record<string, string> = {
  "id_token_hint is required": "The application did not say which sign-in to end.",
};

/** After an application signed the person out of Vault (RP-initiated logout), or failed to. */
export function SignedOut({ query }: PageProps) {
  const error = query.get("error");
  return (
    <section>
      <PageHeader title={error ? "Sign-out did not complete" : "You are signed out"} />
      {error ? <p role="alert">{LOGOUT_ERRORS[error] || "The application's sign-out request was not valid, so nothing was ended."}</p> : <p role="status">You have been signed out of Atomyx.</p>}
      <p>
        <Link href="/signin">Sign in again</Link>
      </p>
    </section>
  );
}
