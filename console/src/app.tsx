// The route table and the three frames pages live in: public (sign-in and the emailed links),
// account (workspaces, profile, security, Super Admin) and workspace (sidebar per workspace).
// Each area is its own chunk, loaded on first visit.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Account, Role, Workspace, Page, seg } from "./api";
import { Link, match, navigate, Params, useLocation } from "./router";
import { signOut, useSession } from "./session";
import { ErrorState, Loading, Toasts, initials, useResource } from "./ui";

export interface PageProps {
  params: Params;
  query: URLSearchParams;
  account: Account | null;
  /** Workspace pages: the open workspace (my_role decides what is shown). */
  workspace?: Workspace;
  reloadWorkspace?: () => void;
}

type Frame = "public" | "account" | "workspace";
type Loader = () => Promise<Record<string, unknown>>;

const publicArea: Loader = () => import("./pages/public");
const accountArea: Loader = () => import("./pages/account");
const adminArea: Loader = () => import("./pages/admin");
const workspaceArea: Loader = () => import("./pages/workspace/index");

interface RouteDef {
  pattern: string;
  frame: Frame;
  load: Loader;
  page: string; // export name in the area module
  /** Workspace roles that may open the page (default: every role). */
  roles?: Role[];
}

const ALL: Role[] = ["owner", "admin", "member", "billing"];
export const MANAGE: Role[] = ["owner", "admin"];
export const BILLING: Role[] = ["owner", "admin", "billing"];

export const ROUTES: RouteDef[] = [
  { pattern: "/signin", frame: "public", load: publicArea, page: "SignIn" },
  { pattern: "/signup", frame: "public", load: publicArea, page: "SignUp" },
  { pattern: "/signup/check-email", frame: "public", load: publicArea, page: "CheckEmail" },
  { pattern: "/signup/complete", frame: "public", load: publicArea, page: "CompleteSignUp" },
  { pattern: "/password/forgot", frame: "public", load: publicArea, page: "ForgotPassword" },
  { pattern: "/password/reset", frame: "public", load: publicArea, page: "ResetPassword" },
  { pattern: "/invitations/accept", frame: "public", load: publicArea, page: "Invitation" },
  { pattern: "/email/confirm", frame: "public", load: publicArea, page: "ConfirmEmail" },
  { pattern: "/authorize", frame: "public", load: publicArea, page: "Authorize" },
  { pattern: "/signed-out", frame: "public", load: publicArea, page: "SignedOut" },

  { pattern: "/", frame: "account", load: accountArea, page: "Workspaces" },
  { pattern: "/profile", frame: "account", load: accountArea, page: "Profile" },
  { pattern: "/security", frame: "account", load: accountArea, page: "Security" },

  { pattern: "/admin", frame: "account", load: adminArea, page: "AdminAccounts" },
  { pattern: "/admin/accounts", frame: "account", load: adminArea, page: "AdminAccounts" },
  { pattern: "/admin/accounts/:id", frame: "account", load: adminArea, page: "AdminAccount" },
  { pattern: "/admin/workspaces", frame: "account", load: adminArea, page: "AdminWorkspaces" },
  { pattern: "/admin/workspaces/:id", frame: "account", load: adminArea, page: "AdminWorkspace" },
  { pattern: "/admin/product-types", frame: "account", load: adminArea, page: "AdminProductTypes" },
  { pattern: "/admin/service-clients", frame: "account", load: adminArea, page: "AdminServiceClients" },
  { pattern: "/admin/audit", frame: "account", load: adminArea, page: "AdminAudit" },

  { pattern: "/w/:ws", frame: "workspace", load: workspaceArea, page: "Dashboard" },
  { pattern: "/w/:ws/products", frame: "workspace", load: workspaceArea, page: "Products" },
  { pattern: "/w/:ws/products/:product", frame: "workspace", load: workspaceArea, page: "ProductDetail" },
  { pattern: "/w/:ws/users", frame: "workspace", load: workspaceArea, page: "Users" },
  { pattern: "/w/:ws/groups", frame: "workspace", load: workspaceArea, page: "Groups" },
  { pattern: "/w/:ws/groups/:group", frame: "workspace", load: workspaceArea, page: "GroupDetail" },
  { pattern: "/w/:ws/api-keys", frame: "workspace", load: workspaceArea, page: "ApiKeys", roles: MANAGE },
  { pattern: "/w/:ws/billing", frame: "workspace", load: workspaceArea, page: "Billing", roles: BILLING },
  { pattern: "/w/:ws/audit", frame: "workspace", load: workspaceArea, page: "Audit", roles: BILLING },
  { pattern: "/w/:ws/access-review", frame: "workspace", load: workspaceArea, page: "AccessReview", roles: MANAGE },
  { pattern: "/w/:ws/settings", frame: "workspace", load: workspaceArea, page: "Settings", roles: MANAGE },
];

/** The workspace sidebar; an entry is shown only to roles that may use it. */
const WORKSPACE_NAV: { path: string; label: string; roles: Role[] }[] = [
  { path: "", label: "Dashboard", roles: ALL },
  { path: "/products", label: "Products", roles: ALL },
  { path: "/users", label: "Users", roles: ALL },
  { path: "/groups", label: "Groups", roles: ALL },
  { path: "/api-keys", label: "API keys", roles: MANAGE },
  { path: "/billing", label: "Billing", roles: BILLING },
  { path: "/audit", label: "Audit", roles: BILLING },
  { path: "/access-review", label: "Access review", roles: MANAGE },
  { path: "/settings", label: "Settings", roles: MANAGE },
];

function useArea(load: Loader): Record<string, unknown> | null {
  const [mod, setMod] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    let live = true;
    setMod(null);
    load().then((m) => live && setMod(m));
    return () => {
      live = false;
    };
  }, [load]);
  return mod;
}

function Brand() {
  return (
    <Link href="/" class="brand" aria-label="Atomyx Vault home">
      <img src="/favicon.svg" alt="" width={24} height={24} />
      <span>Atomyx Vault</span>
    </Link>
  );
}

function SkipLink() {
  return (
    <a class="skip-link" href="#main">
      Skip to content
    </a>
  );
}

function PageFrom({ route, props }: { route: RouteDef; props: PageProps }) {
  const mod = useArea(route.load);
  if (!mod) return <Loading rows={4} label="Loading page" />;
  const C = mod[route.page] as ComponentType<PageProps> | undefined;
  if (!C) return <NotFound />;
  return <C {...props} />;
}

function NotFound() {
  useEffect(() => {
    document.title = "Page not found · Atomyx Vault";
  }, []);
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Go to your workspaces</Link>.
      </p>
    </section>
  );
}

function AccountMenu({ account }: { account: Account }) {
  return (
    <details class="dropdown account-menu">
      <summary aria-label={`Account menu for ${account.name}`}>
        <span class="avatar" aria-hidden="true">
          {initials(account.name || account.email)}
        </span>
        <span class="account-name">{account.name}</span>
      </summary>
      <ul dir="rtl">
        <li>
          <Link href="/profile">Profile</Link>
        </li>
        <li>
          <Link href="/security">Security</Link>
        </li>
        <li>
          <button type="button" class="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </li>
      </ul>
    </details>
  );
}

function NavLink({ href, label, exact }: { href: string; label: string; exact?: boolean }) {
  const { path } = useLocation();
  const active = exact ? path === href : path === href || path.startsWith(href + "/");
  return (
    <li>
      <Link href={href} aria-current={active ? "page" : undefined}>
        {label}
      </Link>
    </li>
  );
}

function AccountFrame({ account, children }: { account: Account; children: preact.ComponentChildren }) {
  return (
    <div class="frame">
      <SkipLink />
      <header class="topbar">
        <Brand />
        <AccountMenu account={account} />
      </header>
      <div class="with-sidebar">
        <nav class="sidebar" aria-label="Account">
          <ul>
            <NavLink href="/" label="Workspaces" exact />
            <NavLink href="/profile" label="Profile" />
            <NavLink href="/security" label="Security" />
            {account.super_admin && <NavLink href="/admin" label="Super Admin" />}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

function WorkspaceSwitcher({ current }: { current: Workspace }) {
  const list = useResource<Page<Workspace>>("/api/v1/me/workspaces");
  return (
    <label class="switcher">
      <span class="visually-hidden">Workspace</span>
      <select
        aria-label="Switch workspace"
        value={current.shortname}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          navigate(v === "" ? "/" : `/w/${seg(v)}`);
        }}
      >
        {(list.data?.items || [current]).map((l) => l.id === current.id ? current : l).map((w) => (
          <option key={w.id} value={w.shortname}>
            {w.name}
          </option>
        ))}
        <option value="">All workspaces…</option>
      </select>
    </label>
  );
}

function WorkspaceFrame({ account, route, params, query }: { account: Account; route: RouteDef; params: Params; query: URLSearchParams }) {
  const ws = useResource<Workspace>(`/api/v1/workspaces/${seg(params.ws)}`);
  const base = `/w/${seg(params.ws)}`;
  const w = ws.data; // the frame is keyed by params.ws: a switch starts from nothing
  let body;
  if (ws.error) body = <ErrorState error={ws.error} onRetry={ws.reload} />;
  else if (!w) body = <Loading rows={4} label="Loading workspace" />;
  else if (route.roles && !route.roles.includes(w.my_role))
    body = (
      <section>
        <h1>Not available to your role</h1>
        <p>Your role in this workspace does not include this page.</p>
      </section>
    );
  else body = <PageFrom route={route} props={{ params, query, account, workspace: w, reloadWorkspace: ws.reload }} />;
  return (
    <div class="frame">
      <SkipLink />
      <header class="topbar">
        <Brand />
        {w && <WorkspaceSwitcher current={w} />}
        <AccountMenu account={account} />
      </header>
      <div class="with-sidebar">
        <nav class="sidebar" aria-label="Workspace">
          <ul>
            {WORKSPACE_NAV.filter((n) => !w || n.roles.includes(w.my_role)).map((n) => (
              <NavLink key={n.path} href={base + n.path} label={n.label} exact={n.path === ""} />
            ))}
          </ul>
          <p class="sidebar-foot">
            <Link href="/">← All workspaces</Link>
          </p>
        </nav>
        <main id="main" tabIndex={-1}>
          {w?.suspended && (
            <p class="notice suspended-banner" role="status">
              <strong>This workspace is suspended.</strong> The platform operators suspended it
              {w.suspended_at ? ` on ${new Date(w.suspended_at).toLocaleDateString()}` : ""}: its products refuse sign-ins,
              access checks and API keys, and nothing here can be changed. You can still look around. Contact your
              platform operators to have it resumed.
            </p>
          )}
          {body}
        </main>
      </div>
    </div>
  );
}

export function App() {
  const { path, query } = useLocation();
  const session = useSession();
  let route: RouteDef | undefined;
  let params: Params = {};
  for (const r of ROUTES) {
    const m = match(r.pattern, path);
    if (m) {
      route = r;
      params = m;
      break;
    }
  }
  // Fetch the page's chunk at once, in parallel with the session check (imports are cached).
  if (route) void route.load();
  const signedInPage = route && route.frame !== "public";
  useEffect(() => {
    // Signed-in pages need a session: go to sign-in and come back here afterwards.
    if (!session.loading && !session.account && (signedInPage || !route))
      navigate("/signin?next=" + encodeURIComponent(location.pathname + location.search), { replace: true });
  }, [session.loading, session.account, path]);

  let content;
  if (session.loading) content = <Loading rows={3} label="Loading" />;
  else if (!route)
    content = session.account ? (
      <AccountFrame account={session.account}>
        <NotFound />
      </AccountFrame>
    ) : null;
  else if (route.frame === "public")
    content = (
      <div class="public-frame">
        <SkipLink />
        <header class="topbar">
          <Brand />
        </header>
        <main id="main" class="public-main" tabIndex={-1}>
          <PageFrom route={route} props={{ params, query, account: session.account }} />
        </main>
      </div>
    );
  else if (!session.account) content = null;
  else if (route.frame === "workspace")
    content = <WorkspaceFrame key={params.ws} account={session.account} route={route} params={params} query={query} />;
  else
    content = (
      <AccountFrame account={session.account}>
        <PageFrom route={route} props={{ params, query, account: session.account }} />
      </AccountFrame>
    );
  return (
    <>
      {content}
      <Toasts />
    </>
  );
}
