import type { RuleCase } from '../rule-harness.js';
import { restrictedPod } from './pss.js';

export const SCHEMA_CASES: RuleCase[] = [
  {
    rule: 'schema-unknown-field',
    fail: restrictedPod({ container: '      imagePullPolcy: Always # <-\n' }),
    pass: restrictedPod({ container: '      imagePullPolicy: Always\n' }),
  },
  {
    rule: 'schema-type',
    fail: restrictedPod({ container: '      env:\n        - name: PORT\n          value: 8080 # <-\n' }),
    pass: restrictedPod({ container: '      env:\n        - name: PORT\n          value: "8080"\n' }),
  },
  {
    rule: 'schema-required',
    fail: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec: # <-\n  template:\n    spec:\n      containers:\n        - name: a\n          image: a:1\n',
    pass: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n        - name: a\n          image: a:1\n',
  },
  {
    rule: 'schema-enum',
    fail: restrictedPod({ container: '      imagePullPolicy: ifNotPresent # <-\n' }),
    pass: restrictedPod({ container: '      imagePullPolicy: IfNotPresent\n' }),
  },
];
