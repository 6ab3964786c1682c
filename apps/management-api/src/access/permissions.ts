import { z } from 'zod';

/** product.md section 11: the permissions an API key may carry, by id as written in the keys file. */
export const permissionNames = {
  'view-destinations': 'View Destinations',
  'manage-destinations': 'Manage Destinations',
  'activate-destinations': 'Activate Destinations',
  'view-profiles': 'View Profiles',
  'view-segments': 'View Segments',
} as const;

export type Permission = keyof typeof permissionNames;

export const permissions = Object.keys(permissionNames) as Permission[];

export const permissionSchema = z.enum(permissions as [Permission, ...Permission[]], {
  error: `must be one of ${permissions.join(', ')}`,
});

export function describePermission(permission: Permission): string {
  return `${permissionNames[permission]} (${permission})`;
}
