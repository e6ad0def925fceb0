/** Name validation and the resource naming used in error messages, after apimachinery's validation and errors packages. */
import { StoreError, type ResourceType } from '../types.js';

/** `deployments.apps`, or `pods` for the core group: how Status messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be DNS labels (ValidateNamespaceName, ValidateServiceName). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** RBAC names are path segments: anything but "/" and "%" and "." / "..". */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

export function validateName(type: ResourceType, name: string | undefined): void {
  const invalid = (detail: string) =>
    new StoreError(422, 'Invalid', `${type.kind} "${name ?? ''}" is invalid: metadata.name: ${detail}`, {
      name,
      group: type.group,
      kind: type.kind,
      causes: [
        { type: name ? 'FieldValueInvalid' : 'FieldValueRequired', message: detail, field: 'metadata.name' },
      ],
    });
  if (!name) throw invalid('Required value: name or generateName is required');
  if (PATH_SEGMENT_NAMED.has(type.kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      throw invalid(`Invalid value: "${name}": may not contain '/' or '%'`);
    return;
  }
  if (type.kind === 'Service') {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) {
      throw invalid(
        `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
      );
    }
    return;
  }
  if (LABEL_NAMED.has(type.kind)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      throw invalid(
        `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      );
    }
    return;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw invalid(
      `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
}
