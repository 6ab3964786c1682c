import { getPath } from '@spillway/xdm';
import type { ProfileState } from '@spillway/profile-state';

/** Where section 12 reads the profile's consent to share. */
export const shareConsentPath = 'consents.share.val';

/**
 * True when the profile refused sharing (`consents.share.val` is `n`). Any other value, or none,
 * is not a refusal: the check only blocks an explicit no.
 */
export function hasRefusedSharing(profile: ProfileState): boolean {
  return getPath(profile.attributes, shareConsentPath) === 'n';
}

/** Section 12: with consent on for the dataflow, a profile that refused sharing is not exported. */
export function consentBlocks(dataflow: { readonly consent?: boolean | undefined }, profile: ProfileState): boolean {
  return dataflow.consent === true && hasRefusedSharing(profile);
}
