// Workspace-level pages (one file each), re-exported as one lazily loaded area.
export { Dashboard } from "./dashboard";
export { Products } from "./products";
export { ProductDetail } from "./product-detail";
export { Groups, GroupDetail } from "./groups";
export { Billing } from "./billing";
export { Users } from "./users";
export { ApiKeys } from "./api-keys";
export { Audit } from "./audit";
export { AccessReview } from "./access-review";
export { Settings } from "./settings";
