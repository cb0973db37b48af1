// Workspace-level pages (one file each), re-exported as one lazily loaded area.
export { Users } from "./users";
export { ApiKeys } from "./api-keys";
export { Audit } from "./audit";
export { Settings } from "./settings";
