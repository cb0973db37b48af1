// Who is signed in: the account and the session's CSRF token, loaded once at start from
// GET /api/v1/sessions/current + /api/v1/me, and replaced on sign-in / sign-out.
import { useEffect, useState } from "preact/hooks";
import { Account, ApiError, api, setCsrf, setUnauthorizedHandler, Session, SignedIn } from "./api";
import { navigate } from "./router";

export interface SessionState {
  loading: boolean;
  account: Account | null;
}

let state: SessionState = { loading: true, account: null };
const listeners = new Set<(s: SessionState) => void>();

function set(s: SessionState) {
  state = s;
  listeners.forEach((l) => l(state));
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

export function currentAccount(): Account | null {
  return state.account;
}

/** Reads the current session (if any) from the cookie. */
export async function loadSession(): Promise<void> {
  try {
    // Both in parallel: one round trip before the first signed-in page can render.
    const [s, me] = await Promise.all([
      api.get<Session>("/api/v1/sessions/current", { allow401: true }),
      api.get<Account>("/api/v1/me", { allow401: true }),
    ]);
    setCsrf(s.csrf_token);
    set({ loading: false, account: me });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn("session check failed", e);
    setCsrf("");
    set({ loading: false, account: null });
  }
}

/** After a sign-in answer (`{account, session}` with the session's csrf_token). */
export async function signedIn(s: SignedIn): Promise<void> {
  setCsrf(s.session.csrf_token);
  // /me carries mfa_enabled and super_admin, which the sign-in answer does not.
  try {
    const me = await api.get<Account>("/api/v1/me");
    set({ loading: false, account: me });
  } catch {
    set({ loading: false, account: s.account });
  }
}

export function updateAccount(a: Account): void {
  set({ loading: false, account: { ...state.account, ...a } });
}

/** Forgets the session locally (after sign-out, deletion or a 401). */
export function signedOut(): void {
  setCsrf("");
  set({ loading: false, account: null });
}

export async function signOut(): Promise<void> {
  try {
    await api.del("/api/v1/sessions/current");
  } catch {
    /* already gone */
  }
  signedOut();
  navigate("/signin", { replace: true });
}

/** A session that expires mid-use returns the person to sign-in, then back to where they were. */
setUnauthorizedHandler(() => {
  if (!state.account) return;
  signedOut();
  const here = location.pathname + location.search;
  navigate("/signin?expired=1&next=" + encodeURIComponent(here), { replace: true });
});
