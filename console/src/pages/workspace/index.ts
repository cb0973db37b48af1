// Workspace-level pages (one file each), re-exported as one lazily loaded area.
export {};
