// Account-level pages: Workspaces (card grid, + Add Workspace), Profile, Security.
export {};
