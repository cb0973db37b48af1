-- What products learn from Vault (issue 19): each product instance's own configuration, a JSON
-- object edited by its Admins and returned to the product by the access check and key verify.
CREATE TABLE product_configs (
  product_id TEXT PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
  config TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
