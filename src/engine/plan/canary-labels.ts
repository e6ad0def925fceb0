/** The label that marks a canary's Deployment, pods, Service and Ingress (`slipway.dev/role: canary`). */
export const LABEL_ROLE = 'slipway.dev/role';
export const ROLE_CANARY = 'canary';
