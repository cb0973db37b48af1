// Super Admin pages: accounts, workspaces, product catalogue, service clients.
export {};
