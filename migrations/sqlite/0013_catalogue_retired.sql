-- Retiring catalogue entries (issue 19): a retired type, role or plan cannot be chosen anew;
-- what already uses it keeps working.
ALTER TABLE product_types ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_type_roles ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_type_plans ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
