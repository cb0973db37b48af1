// Workspace-level pages (one file each), re-exported as one lazily loaded area.
export { Dashboard } from "./dashboard";
export { Products } from "./products";
export { ProductDetail } from "./product-detail";
export { Groups, GroupDetail } from "./groups";
export { Billing } from "./billing";
